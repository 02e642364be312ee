"""Member development for the demo county: candidates at every stage in a dozen branches,
taken through the real actions on the schedule of ``development.testing`` (so every rule
is kept), with some steps now overdue or coming due, one step recorded against the rules
with an administrator's override, one applicant who withdrew, and this year's plan of
the 城关镇党委 with quotas.

The showcase branch (东关村党支部, the demo secretary's) has one candidate at each stage."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from dangjian.core.dates import add_months
from dangjian.demo.people import PeopleFactory
from dangjian.development import actions
from dangjian.development.choices import EndReason, StepKind
from dangjian.development.models import Candidate, Plan, Step, StepDocument
from dangjian.development.testing import SCHEDULE, schedule_date, take_step, walk
from dangjian.members.choices import Occupation
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

WORKPLACES = ["东关村", "清河纺织有限公司", "县第一中学", "城关镇卫生院", "县农业农村局", "清河物流公司"]
# Entries of SCHEDULE a candidate is left after, and how many days ago that step was.
SHOWCASE_STOPS = [
    (1, 12),  # talk held; activist possible in months (D4)
    (5, 150),  # activist, examined; next examination due soon (D6)
    (7, 3),  # development object
    (14, 20),  # pre-review done: the branch general meeting is due within a month (D12)
    (18, 20),  # admitted: the oath is due within a month of the approval (D23)
    (22, 125),  # probationary, examined; probation ends within weeks (D19)
    (27, 30),  # full member, file archived
]


class DevelopmentBuilder:
    def __init__(self, rng: random.Random, today: dt.date, *, root: Organization, showcase: Organization) -> None:
        self.rng = rng
        self.today = today
        self.root = root
        self.showcase = showcase
        self.people = PeopleFactory(rng, today, region="371526")
        from dangjian.accounts.models import User

        self.secretary = User.objects.get(username="secretary_a")
        self.county = User.objects.get(username="county")
        self.chengguan = User.objects.get(username="chengguan")

    def build(self) -> dict[str, int]:
        for index, days_ago in SHOWCASE_STOPS:
            self.candidate_at(self.showcase, index, days_ago, self.secretary)
        self.overdue_talk(self.showcase)
        self.override(self.showcase)
        self.withdrawn(self.showcase)
        branches = list(
            Organization.objects.filter(path__startswith=self.root.path, kind=OrgKind.BRANCH, dissolved_on__isnull=True)
            .exclude(pk=self.showcase.pk)
            .order_by("path")
        )
        for branch in self.rng.sample(branches, min(12, len(branches))):
            for _ in range(self.rng.randint(1, 3)):
                index = self.rng.randrange(1, len(SCHEDULE))
                try:
                    with transaction.atomic():
                        self.candidate_at(branch, index, self.rng.randint(5, 200), self.county)
                except actions.RuleViolation:
                    continue  # e.g. a branch without two full members to introduce (D8)
        self.plan()
        return {"candidates": Candidate.objects.count(), "steps": Step.objects.count()}

    def register(self, org: Organization, applied_on: dt.date, actor: Any) -> Candidate:
        person = self.people.person(occupation=Occupation.OTHER, probationary=True)
        candidate = Candidate(
            organization=org,
            name=person.name,
            gender=person.gender,
            birth_date=person.birth_date,
            ethnicity=person.ethnicity,
            education=person.education,
            occupation=person.occupation,
            phone=person.phone,
            workplace=self.rng.choice(WORKPLACES),
        )
        candidate.id_number = person.id_number
        candidate = actions.register_candidate(candidate, applied_on=applied_on, actor=actor)
        self.scan(candidate.steps.get(), actor)
        return candidate

    def scan(self, step: Step, actor: Any) -> None:
        document = StepDocument(step=step, description=str(StepKind(step.kind).label))
        document.file.save(f"{step.kind}-{step.pk}.pdf", ContentFile(b"%PDF-1.4\n% demo scan\n"), save=False)
        actions.add_document(document, actor=actor)

    def candidate_at(self, org: Organization, index: int, days_ago: int, actor: Any) -> Candidate | None:
        """A candidate whose ``index``-th scheduled step was ``days_ago`` days ago."""
        step_on = self.today - dt.timedelta(days=days_ago)
        _kind, months, days = SCHEDULE[index]
        applied = add_months(step_on - dt.timedelta(days=days), -months)
        if org.established_on and org.established_on > applied:
            return None
        candidate = self.register(org, applied, actor)
        if index:
            walk(candidate, actor, until=index, today=self.today)
        return candidate

    def overdue_talk(self, org: Organization) -> None:
        """Applied six weeks ago, nobody has talked to them yet (D2: within a month)."""
        self.register(org, self.today - dt.timedelta(days=42), self.secretary)

    def override(self, org: Organization) -> None:
        """An activist determined after four months instead of six (D4, a local figure):
        blocked for the secretary, recorded by the township's administrator with a reason."""
        applied = self.today - dt.timedelta(days=200)
        candidate = self.register(org, applied, self.secretary)
        walk(candidate, self.secretary, until=StepKind.TALK, today=self.today)
        take_step(
            candidate,
            StepKind.ACTIVIST,
            add_months(applied, 4),
            self.chengguan,
            today=self.today,
            override_reason="申请人为村“两委”后备干部，经镇党委研究同意提前确定为入党积极分子。",
        )

    def withdrawn(self, org: Organization) -> None:
        applied = self.today - dt.timedelta(days=300)
        candidate = self.register(org, applied, self.secretary)
        walk(candidate, self.secretary, until=StepKind.TALK, today=self.today)
        take_step(
            candidate,
            StepKind.ENDED,
            schedule_date(applied, 1) + dt.timedelta(days=90),
            self.secretary,
            today=self.today,
            end_reason=EndReason.WITHDRAWN,
            notes="外出务工，本人申请撤回入党申请。",
        )

    def plan(self) -> None:
        committee = Organization.objects.get(name="城关镇党委")
        children = list(Organization.objects.get_children(committee).filter(dissolved_on__isnull=True).order_by("path"))
        quotas = {org: self.rng.randint(1, 3) for org in children}
        quotas[self.showcase] = 2 if self.showcase in quotas else 0
        plan = Plan(organization=committee, year=self.today.year, note="按照县委组织部下达的年度发展党员计划。")
        actions.save_plan(plan, {o: n for o, n in quotas.items() if o in children}, actor=self.chengguan)
