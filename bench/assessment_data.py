"""The records a year-end assessment round reads, written in bulk for bench/bench_assessment.py
(``bench_assessment.py seed``) on top of a province built by ``seed_demo --size province``
and a year of events from ``seed_province_orglife``.

For the calendar year ``year``, as of ``as_of`` (20 January of the next year, when a
year-end round is scored):

- **Dues**: a standard for every current member from January (or the month of admission,
  F8), its category from the occupation (farmers at the branch's amount, retired, students
  and the unemployed, salary, annual salary, self-employed), the amount from
  ``dues.rules.monthly_dues``; 1% exempted and 0.3% paying half (F7). The regular payments
  of the twelve months by habit: most pay monthly, some a quarter at once, some one to three
  months late, some irregularly, some stopped during the year; mobile members less
  regularly. Nothing paid after ``as_of``.
- **Development**: about half of the branches develop one to three candidates, each with
  the steps of the procedure in order from an application one to three years back, some
  with a rule waived (override with a reason). No member record is linked at admission.
- **Responsibility items**: each grassroots committee publishes a work list for its
  branches and each county one for its grassroots committees, four to six items for each,
  deadlines through the year, in every state (mostly accepted); a few draft lists too.
- **Rectifications**: each county inspects a third of its branches and half of its
  grassroots committees between April and October; findings (none to three) each have a
  rectification with a deadline 30-90 days on, closed or not.
- **The scheme** of the province root for the year, made through the actions
  (``create_scheme``, ``add_dimension``, ``add_indicator``, ``open_round``): 20 automatic
  indicators (the six sources with different full scores), 5 manual ones, the default bonus
  and deduction items, grades and consequence rules; the group (every grassroots committee
  and branch) by ``bulk_create``; the year-end round; three assessors' scores of every
  manual indicator and some bonus and deduction items by ``bulk_create``; and the published
  year-end results of the two years before, in the same series, so publishing evaluates the
  consequence rules over three years.

Rows go in with ``bulk_create`` (payments with COPY on PostgreSQL, ``executemany``
elsewhere), in one transaction. The same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.assessment import actions, engine, rules
from dangjian.assessment.choices import Category, Method, RoundKind, RoundState, SchemeState
from dangjian.assessment.models import (
    Adjustment,
    Assessed,
    Dimension,
    Indicator,
    Result,
    Round,
    Scheme,
    Score,
)
from dangjian.core.dates import add_months
from dangjian.core.testing import make_user
from dangjian.demo.people import PeopleFactory
from dangjian.development.choices import Stage, StepKind
from dangjian.development.models import Candidate, Step
from dangjian.development.rules import stage_after
from dangjian.dues import rules as dues_rules
from dangjian.dues.choices import DuesCategory, PaymentKind, PaymentMethod
from dangjian.dues.models import DuesStandard, Payment
from dangjian.duties.choices import ItemState, ListState
from dangjian.duties.models import Item, WorkList
from dangjian.inspections.choices import RectificationState
from dangjian.inspections.models import Check, Finding, Rectification, Visit
from dangjian.inspections.models import Plan as InspectionPlan
from dangjian.members.choices import ACTIVE_STATUSES, Occupation
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

TITLE = "{year}年度基层党组织党建工作考核（基准测试）"
ADMIN = "bench_assessment_admin"
ASSESSORS = ("bench_assessor_1", "bench_assessor_2", "bench_assessor_3")

# The 20 automatic indicators: (dimension, title, source, full score). Party side 50.
AUTOMATIC = (
    ("组织建设", "党组织按期换届", "orgs.terms", "3"),
    ("组织建设", "班子届期管理规范", "orgs.terms", "2"),
    ("组织建设", "发展党员程序规范", "development.procedure", "3"),
    ("组织建设", "发展党员材料齐全", "development.procedure", "2"),
    ("组织建设", "预备党员教育考察", "development.procedure", "2"),
    ("组织生活", "“三会一课”落实", "orglife.completion", "4"),
    ("组织生活", "主题党日开展", "orglife.completion", "3"),
    ("组织生活", "组织生活会召开", "orglife.completion", "3"),
    ("组织生活", "民主评议党员", "orglife.completion", "2"),
    ("组织生活", "谈心谈话", "orglife.completion", "2"),
    ("党员管理", "党费按月收缴", "dues.collection", "3"),
    ("党员管理", "党费足额交纳", "dues.collection", "2"),
    ("党员管理", "党费收缴台账", "dues.collection", "2"),
    ("党员管理", "流动党员党费", "dues.collection", "2"),
    ("责任落实", "责任清单任务完成", "duties.completion", "3"),
    ("责任落实", "重点任务按期办结", "duties.completion", "3"),
    ("责任落实", "党建项目推进", "duties.completion", "2"),
    ("责任落实", "督查问题整改", "inspections.closure", "3"),
    ("责任落实", "巡察反馈问题整改", "inspections.closure", "2"),
    ("责任落实", "整改按期销号", "inspections.closure", "2"),
)
# Manual indicators: (party side?, title, full score). Party 10, business 40.
MANUAL = (
    (True, "党建品牌创建", "5"),
    (True, "群众满意度测评", "5"),
    (False, "经济社会发展目标完成", "16"),
    (False, "服务群众成效", "14"),
    (False, "安全稳定", "10"),
)

ITEM_TITLES = (
    "落实“三会一课”制度",
    "开展主题党日活动",
    "完成党员发展计划",
    "党费收缴与台账管理",
    "召开组织生活会",
    "党建阵地标准化建设",
    "开展党员冬训",
    "落实谈心谈话制度",
    "推进基层党建项目",
    "党员信息库维护",
)
FINDINGS = (
    ("L1", "支部党员大会记录不全"),
    ("L6", "主题党日活动未按月开展"),
    ("O8", "支部委员会未按期换届"),
    ("F1", "党费收缴台账不规范"),
    ("D12", "发展党员材料缺少支委会意见"),
)
EXEMPTION_REASON = "生活困难，经上级党委批准免交党费（F7）"
REDUCTION_REASON = "生活困难，经上级党委批准减半交纳党费（F7）"
OVERRIDE_REASON = "经县委组织部审核同意，材料后补（基准测试数据）"


@dataclass(frozen=True)
class Org:
    pk: int
    path: str
    kind: str
    depth: int

    @property
    def parent_path(self) -> str:
        return self.path[: -Organization.steplen]


class RecordsBuilder:
    """Writes the records and the scheme; see the module docstring."""

    def __init__(self, *, year: int, seed: int, log: Callable[[str], Any]) -> None:
        self.year = year
        self.seed = seed
        self.log = log
        self.start = dt.date(year, 1, 1)
        self.end = dt.date(year, 12, 31)
        self.as_of = dt.date(year + 1, 1, 20)
        self.now = timezone.now()
        self.orgs = [Org(*row) for row in Organization.objects.values_list("pk", "path", "kind", "depth")]
        self.by_path = {org.path: org for org in self.orgs}
        self.root = min(self.orgs, key=lambda org: org.path)
        self.branches = [org for org in self.orgs if org.kind == OrgKind.BRANCH]
        self.committees = [org for org in self.orgs if org.kind == OrgKind.GRASSROOTS_COMMITTEE]
        self.counties = sorted({self.by_path[c.parent_path] for c in self.committees}, key=lambda org: org.path)

    def rng(self, what: str) -> random.Random:
        return random.Random(f"{self.seed}:{what}")

    def build(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with transaction.atomic():
            for name, step in (
                ("dues", self.dues),
                ("development", self.development),
                ("duties", self.duties),
                ("inspections", self.inspections),
                ("scheme", self.scheme),
            ):
                started = time.monotonic()
                made = step()
                counts.update(made)
                self.log(
                    f"  {name}: {', '.join(f'{n:,} {what}' for what, n in made.items())} "
                    f"in {time.monotonic() - started:.0f} s"
                )
        return counts

    # --- dues ---------------------------------------------------------------------------

    def dues(self) -> dict[str, int]:
        rng = self.rng("dues")
        months = [dt.date(self.year, m, 1) for m in range(1, 13)]
        farmer_amount = {org.pk: rng.choice((Decimal("1.00"), Decimal("0.50"), Decimal("0.20"))) for org in self.orgs}
        members = (
            Member.objects.filter(status__in=ACTIVE_STATUSES, joined_on__lte=self.end)
            .order_by("pk")
            .values_list("pk", "organization_id", "joined_on", "occupation", "is_mobile")
        )
        standards: list[DuesStandard] = []
        payments = PaymentWriter(self.now)
        exempted = 0
        for pk, org_id, joined_on, occupation, mobile in members.iterator(chunk_size=5000):
            valid_from = max(self.start, joined_on.replace(day=1))
            category, base, farmer = _category(rng, occupation, farmer_amount[org_id])
            computed = _monthly_dues(category, base, farmer, valid_from)
            standard = DuesStandard(
                member_id=pk,
                valid_from=valid_from,
                category=category,
                base=base,
                farmer_amount=farmer,
                amount=computed.amount,
                rule=computed.rule,
                rate=computed.rate,
                bracket=computed.bracket,
                created_at=self.now,
                updated_at=self.now,
            )
            draw = rng.random()
            if draw < 0.01:
                standard.reduced_amount, standard.reduction_reason = Decimal("0.00"), EXEMPTION_REASON
                exempted += 1
            elif draw < 0.013:
                standard.reduced_amount = (computed.amount / 2).quantize(Decimal("0.01"))
                standard.reduction_reason = REDUCTION_REASON
            standards.append(standard)
            if standard.reduced_amount != 0:
                payable = standard.reduced_amount if standard.reduced_amount is not None else computed.amount
                method = _method(rng, category)
                for month, paid_on in self.paid_months(rng, [m for m in months if m >= valid_from], mobile):
                    payments.add(pk, org_id, month, payable, method, paid_on)
            if len(standards) >= 5000:
                DuesStandard.objects.bulk_create(standards, batch_size=1000)
                standards = []
                payments.flush()
        DuesStandard.objects.bulk_create(standards, batch_size=1000)
        payments.flush()
        return {
            "dues standards": DuesStandard.objects.count(),
            "exempted": exempted,
            "monthly payments": payments.written,
        }

    def paid_months(self, rng: random.Random, months: list[dt.date], mobile: bool) -> Iterator[tuple[dt.date, dt.date]]:
        """The months a member paid and the day each was paid, by the member's habit."""
        draw = rng.random()
        shares = (0.45, 0.65, 0.75, 0.85) if mobile else (0.84, 0.91, 0.95, 0.98)
        habits = ("monthly", "quarterly", "late", "irregular")
        habit = next((h for h, share in zip(habits, shares, strict=True) if draw < share), "lapsed")
        lag = rng.randint(1, 3)
        stop = rng.randint(2, 12)
        for month in months:
            if habit == "monthly":
                if rng.random() < 0.005:
                    continue
                paid = month + dt.timedelta(days=rng.randrange(28)) if rng.random() < 0.88 else month
                if paid == month:
                    paid = add_months(month, 1) + dt.timedelta(days=rng.randrange(10))
            elif habit == "quarterly":
                after = add_months(month.replace(month=(month.month - 1) // 3 * 3 + 1), 3)
                paid = after + dt.timedelta(days=rng.randrange(25))
            elif habit == "late":
                paid = add_months(month, lag) + dt.timedelta(days=rng.randrange(28))
            elif habit == "irregular":
                if rng.random() < 0.4:
                    continue
                paid = month + dt.timedelta(days=rng.randrange(42))
            else:  # lapsed: stopped at some month of the year
                if month.month >= stop:
                    break
                paid = month + dt.timedelta(days=rng.randrange(28))
            if paid <= self.as_of:
                yield month, paid

    # --- development --------------------------------------------------------------------

    def development(self) -> dict[str, int]:
        rng = self.rng("development")
        people = PeopleFactory(rng, self.end, region="379901")
        numbered = [kind for kind in StepKind if kind.startswith("s")]
        candidates: list[Candidate] = []
        histories: list[list[tuple[str, dt.date, bool]]] = []
        for branch in self.branches:
            if rng.random() >= 0.5:
                continue
            for _n in range(rng.randint(1, 3)):
                applied = self.start - dt.timedelta(days=rng.randrange(30, 1000))
                last = rng.randint(2, len(numbered))
                steps: list[tuple[str, dt.date, bool]] = []
                on = applied
                for kind in numbered[:last]:
                    if on > self.end:
                        break
                    steps.append((kind, on, rng.random() < 0.03))
                    on += dt.timedelta(days=rng.randint(10, 75))
                person = people.person(probationary=True)
                candidate = Candidate(
                    organization_id=branch.pk,
                    gender=person.gender,
                    birth_date=person.birth_date,
                    ethnicity=person.ethnicity,
                    education=person.education,
                    occupation=person.occupation,
                    phone=person.phone,
                    created_at=self.now,
                    updated_at=self.now,
                )
                candidate.set_name(person.name)
                candidate.id_number = person.id_number
                stage = Stage.APPLICANT
                for kind, _on, _waived in steps:
                    stage = stage_after(kind, stage)
                candidate.stage, candidate.reached = stage, len(steps)
                candidate.last_step_on = steps[-1][1]
                candidates.append(candidate)
                histories.append(steps)
        Candidate.objects.bulk_create(candidates, batch_size=1000)
        rows = [
            Step(
                candidate=candidate,
                kind=kind,
                on=on,
                overridden_problems=[{"rule": "D12", "message": "材料不全"}] if waived else [],
                override_reason=OVERRIDE_REASON if waived else "",
                created_at=self.now,
                updated_at=self.now,
            )
            for candidate, steps in zip(candidates, histories, strict=True)
            for kind, on, waived in steps
        ]
        Step.objects.bulk_create(rows, batch_size=2000)
        in_year = sum(1 for row in rows if self.start <= row.on <= self.end)
        return {"candidates": len(candidates), "development steps": len(rows), "steps in the year": in_year}

    # --- responsibility items -------------------------------------------------------------

    def duties(self) -> dict[str, int]:
        rng = self.rng("duties")
        children: dict[str, list[Org]] = defaultdict(list)
        for org in self.orgs:
            if org.kind in (OrgKind.BRANCH, OrgKind.GRASSROOTS_COMMITTEE):
                children[org.parent_path].append(org)
        issuers = [*self.counties, *self.committees]
        lists = []
        for issuer in issuers:
            published = self.start + dt.timedelta(days=rng.randint(14, 58))
            lists.append(
                WorkList(
                    organization_id=issuer.pk,
                    year=self.year,
                    title=f"{self.year}年党建工作责任清单",
                    state=ListState.PUBLISHED,
                    published_on=published,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
            if rng.random() < 0.03:
                lists.append(
                    WorkList(
                        organization_id=issuer.pk,
                        year=self.year,
                        title=f"{self.year}年党建工作责任清单（补充，草稿）",
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
        WorkList.objects.bulk_create(lists, batch_size=2000)
        by_issuer: dict[int, list[WorkList]] = defaultdict(list)
        for work_list in lists:
            by_issuer[work_list.organization_id].append(work_list)
        states = (
            (ItemState.ACCEPTED, 0.80),
            (ItemState.REPORTED, 0.86),
            (ItemState.RETURNED, 0.89),
            (ItemState.FAILED, 0.92),
            (ItemState.PURSUED, 0.93),
            (ItemState.ACKNOWLEDGED, 0.98),
            (ItemState.ASSIGNED, 1.0),
        )
        items = []
        for issuer in issuers:
            for work_list in by_issuer[issuer.pk]:
                for assignee in children[issuer.path]:
                    for _n in range(rng.randint(4, 6) if work_list.state == ListState.PUBLISHED else 2):
                        deadline = dt.date(self.year, rng.choice((3, 6, 6, 9, 12, 12)), rng.choice((15, 28)))
                        draw = rng.random()
                        state = next(s for s, share in states if draw < share)
                        done = state in (ItemState.ACCEPTED, ItemState.REPORTED, ItemState.RETURNED)
                        items.append(
                            Item(
                                work_list=work_list,
                                issuer_id=issuer.pk,
                                assignee_id=assignee.pk,
                                title=rng.choice(ITEM_TITLES),
                                deadline=deadline,
                                state=state,
                                percent=100 if done else rng.choice((0, 30, 60)),
                                score=Decimal(rng.randint(70, 100)) / 10 if state == ItemState.ACCEPTED else None,
                                done_on=deadline - dt.timedelta(days=rng.randint(0, 20)) if done else None,
                                created_at=self.now,
                                updated_at=self.now,
                            )
                        )
        Item.objects.bulk_create(items, batch_size=2000)
        return {"work lists": len(lists), "work items": len(items)}

    # --- inspections and rectifications -------------------------------------------------------

    def inspections(self) -> dict[str, int]:
        rng = self.rng("inspections")
        plans = [
            InspectionPlan(
                organization_id=county.pk,
                target_id=county.pk,
                title=f"{self.year}年基层党建工作督查",
                year=self.year,
                starts_on=dt.date(self.year, 4, 1),
                ends_on=dt.date(self.year, 10, 31),
                created_at=self.now,
                updated_at=self.now,
            )
            for county in self.counties
        ]
        InspectionPlan.objects.bulk_create(plans)
        checks = [
            Check(plan=plan, rule=rule, text=text, position=i, created_at=self.now, updated_at=self.now)
            for plan in plans
            for i, (rule, text) in enumerate(FINDINGS, start=1)
        ]
        Check.objects.bulk_create(checks)
        checks_of: dict[int, list[Check]] = defaultdict(list)
        for check in checks:
            checks_of[check.plan_id].append(check)
        plan_of = {plan.organization_id: plan for plan in plans}
        visits = []
        for org in self.orgs:
            share = {OrgKind.BRANCH: 0.33, OrgKind.GRASSROOTS_COMMITTEE: 0.5}.get(org.kind)
            if share is None or rng.random() >= share:
                continue
            county_path = org.path[: 3 * Organization.steplen]
            plan = plan_of[self.by_path[county_path].pk]
            visits.append(
                Visit(
                    plan=plan,
                    organization_id=org.pk,
                    inspected_on=plan.starts_on + dt.timedelta(days=rng.randrange(213)),
                    summary="总体规范，个别问题限期整改",
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
        Visit.objects.bulk_create(visits, batch_size=2000)
        findings, owners = [], []
        for visit in visits:
            for _n in range(rng.choice((0, 1, 1, 2, 2, 3))):
                check = rng.choice(checks_of[visit.plan.pk])
                findings.append(
                    Finding(
                        visit=visit,
                        check_item=check,
                        text=check.text,
                        found_on=visit.inspected_on,
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
                owners.append(visit.organization_id)
        Finding.objects.bulk_create(findings, batch_size=2000)
        rectifications = []
        for finding, owner in zip(findings, owners, strict=True):
            deadline = finding.found_on + dt.timedelta(days=rng.choice((30, 60, 90)))
            draw = rng.random()
            if deadline <= self.end:
                state = (
                    RectificationState.VERIFIED
                    if draw < 0.8
                    else RectificationState.REPORTED
                    if draw < 0.88
                    else RectificationState.RETURNED
                    if draw < 0.92
                    else RectificationState.OPEN
                )
            else:
                state = RectificationState.REPORTED if draw < 0.3 else RectificationState.OPEN
            reported = deadline - dt.timedelta(days=rng.randint(0, 20)) if state != RectificationState.OPEN else None
            rectifications.append(
                Rectification(
                    finding=finding,
                    owner_id=owner,
                    task=f"针对“{finding.text}”限期整改",
                    deadline=deadline,
                    state=state,
                    reported_on=reported,
                    verified_on=reported + dt.timedelta(days=rng.randint(3, 15))
                    if state == RectificationState.VERIFIED and reported
                    else None,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
        Rectification.objects.bulk_create(rectifications, batch_size=2000)
        return {"inspection visits": len(visits), "rectifications": len(rectifications)}

    # --- the scheme -------------------------------------------------------------------------

    def scheme(self) -> dict[str, int]:
        rng = self.rng("scheme")
        root = Organization.objects.get(pk=self.root.pk)
        admin = User.objects.filter(username=ADMIN).first() or make_user(ADMIN, Role.ORG_ADMIN, root)
        assessors = [
            User.objects.filter(username=name).first() or make_user(name, Role.ORG_ADMIN, root) for name in ASSESSORS
        ]
        scheme = actions.create_scheme(
            root, year=self.year, title=TITLE.format(year=self.year), party_share=60, actor=admin
        )
        for indicator in Indicator.objects.filter(
            dimension__scheme=scheme, method__in=(Method.AUTOMATIC, Method.MANUAL)
        ):
            actions.remove_indicator(indicator, actor=admin)
        dimensions: dict[str, Dimension] = {}
        for title, name, source, points in AUTOMATIC:
            if title not in dimensions:
                dimensions[title] = actions.add_dimension(scheme, title=title, category=Category.PARTY, actor=admin)
            actions.add_indicator(
                dimensions[title],
                title=name,
                method=Method.AUTOMATIC,
                source=source,
                max_score=Decimal(points),
                actor=admin,
            )
        party = Dimension.objects.filter(scheme=scheme, category=Category.PARTY).order_by("position").first()
        business = Dimension.objects.get(scheme=scheme, category=Category.BUSINESS)
        manual = [
            actions.add_indicator(
                party if on_party else business,
                title=name,
                method=Method.MANUAL,
                max_score=Decimal(points),
                actor=admin,
            )
            for on_party, name, points in MANUAL
        ]
        group = [org for org in self.orgs if org.kind in (OrgKind.BRANCH, OrgKind.GRASSROOTS_COMMITTEE)]
        Assessed.objects.bulk_create(
            [
                Assessed(scheme=scheme, organization_id=org.pk, created_at=self.now, updated_at=self.now)
                for org in group
            ],
            batch_size=2000,
        )
        # How good each organization is, the same in every year and for every assessor.
        quality = {org.pk: min(1.0, max(0.4, rng.gauss(0.86, 0.07))) for org in group}
        series = self.earlier_years(scheme, group, quality, rng)
        Scheme.objects.filter(pk=scheme.pk).update(series=series)
        round_ = actions.open_round(
            scheme, kind=RoundKind.YEAR_END, starts_on=self.start, ends_on=self.end, actor=admin
        )
        scores = []
        for org in group:
            for indicator in manual:
                for assessor in assessors:
                    share = min(1.0, max(0.3, quality[org.pk] + rng.gauss(0, 0.05)))
                    # To half a point, as assessors score.
                    value = (indicator.max_score * Decimal(f"{share:.3f}") * 2).to_integral_value() / 2
                    scores.append(
                        Score(
                            round=round_,
                            organization_id=org.pk,
                            indicator=indicator,
                            assessor=assessor,
                            value=min(value, indicator.max_score),
                            created_at=self.now,
                            updated_at=self.now,
                        )
                    )
        Score.objects.bulk_create(scores, batch_size=2000)
        items = {
            i.method: i
            for i in Indicator.objects.filter(dimension__scheme=scheme, method__in=(Method.BONUS, Method.DEDUCTION))
        }
        adjustments = []
        for org in group:
            for method, share, reasons in (
                (Method.BONUS, 0.05, ("获评市级先进基层党组织", "党建品牌创新案例入选")),
                (Method.DEDUCTION, 0.08, ("党费收缴台账缺失", "组织生活会未按期召开", "督查问题整改不到位")),
            ):
                if rng.random() < share:
                    for _n in range(rng.randint(1, 2)):
                        adjustments.append(
                            Adjustment(
                                round=round_,
                                organization_id=org.pk,
                                indicator=items[method],
                                points=Decimal(rng.randint(1, 4)),
                                reason=rng.choice(reasons),
                                by=admin,
                                created_at=self.now,
                                updated_at=self.now,
                            )
                        )
        Adjustment.objects.bulk_create(adjustments, batch_size=2000)
        return {
            "assessed organizations": len(group),
            "automatic indicators": len(AUTOMATIC),
            "manual indicators": len(manual),
            "scores": len(scores),
            "bonus and deduction items": len(adjustments),
        }

    def earlier_years(self, scheme: Scheme, group: list[Org], quality: dict[int, float], rng: random.Random) -> Scheme:
        """The published year-end results of the two years before, in one series; the
        first of them heads the series. Breakdowns as large as the real ones."""
        lines = list(Indicator.objects.filter(dimension__scheme=scheme).select_related("dimension"))
        first: Scheme | None = None
        for year in (self.year - 2, self.year - 1):
            old = Scheme.objects.create(
                organization_id=self.root.pk,
                year=year,
                title=TITLE.format(year=year),
                party_share=60,
                state=SchemeState.FROZEN,
                series=first,
            )
            first = first or old
            round_ = Round.objects.create(
                scheme=old,
                kind=RoundKind.YEAR_END,
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                state=RoundState.PUBLISHED,
                appeal_until=dt.date(year + 1, 1, 25),
                published_on=dt.date(year + 1, 1, 28),
            )
            totals = {
                org.pk: rules.q(Decimal(str(100 * min(1.0, max(0.3, quality[org.pk] + rng.gauss(0, 0.04))))))
                for org in group
            }
            places, bottoms = rules.rank(totals), rules.from_bottom(totals)
            results = []
            for org in group:
                total = totals[org.pk]
                party = rules.q(total * Decimal("0.6"))
                breakdown = [
                    {
                        "indicator": line.pk,
                        "title": line.title,
                        "dimension": line.dimension.title,
                        "method": line.method,
                        "max": str(line.max_score),
                        "score": str(rules.q(line.max_score * total / 100)),
                        "detail": {"done": 9, "due": 10, "rate": 0.9} if line.method == Method.AUTOMATIC else {},
                    }
                    for line in lines
                ]
                results.append(
                    Result(
                        round=round_,
                        organization_id=org.pk,
                        party=party,
                        business=total - party,
                        bonus=Decimal("0.00"),
                        deduction=Decimal("0.00"),
                        total=total,
                        place=places[org.pk],
                        place_from_bottom=bottoms[org.pk],
                        group_size=len(group),
                        grade=rules.grade_by_bands(total, rules.DEFAULT_GRADES),
                        breakdown=breakdown,
                    )
                )
            Result.objects.bulk_create(results, batch_size=1000)
        assert first is not None
        return first


class PaymentWriter:
    """Regular payments as plain rows: COPY on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self, now: dt.datetime) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        ops = connection.ops
        self.now = ops.adapt_datetimefield_value(now)
        self.columns = [
            "created_at",
            "updated_at",
            "member_id",
            "organization_id",
            "kind",
            "month",
            "amount",
            "method",
            "paid_on",
            "receipt_no",
            "note",
        ]
        self.day = cache(ops.adapt_datefield_value)
        self.money = cache(lambda value: ops.adapt_decimalfield_value(value, 10, 2))

    def add(self, member: int, org: int, month: dt.date, amount: Decimal, method: str, paid_on: dt.date) -> None:
        self.rows.append(
            (
                self.now,
                self.now,
                member,
                org,
                PaymentKind.REGULAR.value,
                self.day(month),
                self.money(amount),
                method,
                self.day(paid_on),
                "",
                "",
            )
        )

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(Payment._meta.db_table)
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", self.rows)
        self.written += len(self.rows)
        self.rows = []


def _category(rng: random.Random, occupation: str, farmer_amount: Decimal) -> tuple[str, Any, Any]:
    """A member's dues category, income base and farmer's amount, from the occupation."""
    if occupation == Occupation.FARMER:
        return DuesCategory.FARMER, None, farmer_amount
    if occupation == Occupation.RETIRED:
        return DuesCategory.RETIRED, Decimal(rng.randrange(1800, 9000, 100)), None
    if occupation in (Occupation.STUDENT, Occupation.UNEMPLOYED):
        return DuesCategory.LOW_INCOME, None, None
    if occupation == Occupation.SELF_EMPLOYED:
        return DuesCategory.SELF_EMPLOYED, Decimal(rng.randrange(2000, 12000, 100)), None
    if rng.random() < 0.02:
        return DuesCategory.ANNUAL_SALARY, Decimal(rng.randrange(8000, 30000, 500)), None
    return DuesCategory.SALARY, Decimal(rng.randrange(2000, 15000, 100)), None


@dataclass(frozen=True)
class Computed:
    amount: Decimal
    rule: str
    rate: Decimal | None
    bracket: str


@cache
def _monthly_dues(category: str, base: Decimal | None, farmer: Decimal | None, on: dt.date) -> Computed:
    """``dues.rules.monthly_dues``, remembered: bases are drawn from a few hundred values."""
    standard = dues_rules.monthly_dues(category, on=on, base=base, farmer_amount=farmer)
    return Computed(standard.amount, standard.rule, standard.rate, str(standard.bracket) if standard.bracket else "")


def _method(rng: random.Random, category: str) -> str:
    if category in (DuesCategory.SALARY, DuesCategory.ANNUAL_SALARY) and rng.random() < 0.5:
        return PaymentMethod.PAYROLL
    return PaymentMethod.CASH if rng.random() < 0.4 else PaymentMethod.TRANSFER


def bench_scheme(year: int) -> Scheme | None:
    return Scheme.objects.filter(title=TITLE.format(year=year)).first()


def build(*, year: int, seed: int, log: Callable[[str], Any]) -> dict[str, int]:
    """Write the records and the scheme for ``year`` (see the module docstring); then
    refresh the planner's statistics."""
    started = time.monotonic()
    counts = RecordsBuilder(year=year, seed=seed, log=log).build()
    log(f"  written in {time.monotonic() - started:.0f} s; analyzing")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return counts


def sheet_totals(sheets: dict[int, engine.Sheet]) -> dict[int, str]:
    return {pk: str(sheet.total.total) for pk, sheet in sheets.items()}
