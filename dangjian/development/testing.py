"""Building candidates through the real actions, for tests and the demo: ``walk`` takes a
candidate through the procedure on a schedule that keeps every rule (D1-D25)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from dangjian.core.dates import add_months
from dangjian.core.testing import make_id_number
from dangjian.development import actions, rules
from dangjian.development.choices import Body, Recommendation, StepKind
from dangjian.development.models import Candidate, Step, StepDocument
from dangjian.development.queries import candidate_fact, talkers
from dangjian.members import actions as member_actions
from dangjian.members.choices import Gender, PartyPost, PostKind
from dangjian.members.models import Member, Post
from dangjian.orglife import actions as orglife_actions
from dangjian.orglife.choices import EventKind, EventState
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization

# Months after the application at which each step is taken, keeping every interval rule.
SCHEDULE: list[tuple[str, int, int]] = [
    # kind, months after application, extra days
    (StepKind.APPLICATION, 0, 0),
    (StepKind.TALK, 0, 10),
    (StepKind.ACTIVIST, 6, 0),
    (StepKind.ACTIVIST_FILED, 6, 5),
    (StepKind.CONTACTS, 6, 5),
    (StepKind.EXAMINATION, 11, 0),
    (StepKind.EXAMINATION, 16, 0),
    (StepKind.DEVELOPMENT_OBJECT, 18, 0),
    (StepKind.OBJECT_FILED, 18, 5),
    (StepKind.INTRODUCERS, 18, 5),
    (StepKind.POLITICAL_REVIEW, 19, 0),
    (StepKind.TRAINING, 19, 10),
    (StepKind.BRANCH_REVIEW, 20, 0),
    (StepKind.NOTICE, 20, 1),
    (StepKind.PRE_REVIEW, 20, 15),
    (StepKind.APPLICATION_FORM, 20, 20),
    (StepKind.ADMISSION_VOTE, 21, 0),
    (StepKind.APPROVAL_TALK, 21, 10),
    (StepKind.ADMISSION_APPROVAL, 22, 0),
    (StepKind.ADMISSION_FILED, 22, 5),
    (StepKind.ASSIGNED, 22, 5),
    (StepKind.OATH, 22, 10),
    (StepKind.PROBATION_EXAMINATION, 28, 0),
    (StepKind.FULL_APPLICATION, 32, 0),
    (StepKind.NOTICE, 32, 2),
    (StepKind.FULL_VOTE, 33, 0),
    (StepKind.FULL_APPROVAL, 34, 0),
    (StepKind.ARCHIVED, 34, 5),
]


def new_candidate(
    org: Organization,
    name: str,
    *,
    applied_on: dt.date,
    actor: Any,
    birth: dt.date = dt.date(2000, 4, 12),
    gender: str = Gender.FEMALE,
    **fields: Any,
) -> Candidate:
    candidate = Candidate(organization=org, name=name, phone=fields.pop("phone", "13900139000"), **fields)
    candidate.id_number = make_id_number(birth, gender)
    candidate = actions.register_candidate(candidate, applied_on=applied_on, actor=actor)
    attach(candidate.steps.get(), actor)
    return candidate


def committee_post(member: Member, org: Organization, since: dt.date, post: str = PartyPost.SECRETARY) -> Post:
    """Give ``member`` a committee post in ``org`` from ``since`` (for the talk, D2)."""
    return member_actions.add_post(
        Post(member=member, kind=PostKind.PARTY, organization=org, party_post=post, started_on=since), actor=None
    )


def general_meeting(org: Organization, on: dt.date, actor: Any) -> Event:
    """A held branch general meeting on ``on`` with everybody due present."""
    existing = Event.objects.filter(organization=org, kind=EventKind.GENERAL_MEETING, held_on=on).first()
    if existing:
        return existing
    event = Event(
        organization=org,
        kind=EventKind.GENERAL_MEETING,
        state=EventState.HELD,
        held_on=on,
        topic="发展党员",
        minutes=f"<p>{on:%Y年%m月%d日}召开支部党员大会，讨论发展党员事项，采取无记名投票方式表决。</p>",
    )
    return orglife_actions.create_event(event, actor=actor)


def full_members(org: Organization, on: dt.date) -> list[Member]:
    return [
        m
        for m in Member.objects.filter(organization=org, full_on__lte=on).order_by("pk")
        if m.left_on is None or m.left_on > on
    ]


def take_step(
    candidate: Candidate,
    kind: str,
    on: dt.date,
    actor: Any,
    *,
    override_reason: str = "",
    today: dt.date | None = None,
    **fields: Any,
) -> Step:
    """Record one step with what the rules ask of it (people, vote, training, …)."""
    org = candidate.organization
    people: Sequence[Member] = fields.pop("people", ())
    full = full_members(org, on)
    if not people and kind == StepKind.TALK:
        people = list(talkers(org, on)[:1])
    elif not people and kind in (StepKind.CONTACTS, StepKind.INTRODUCERS):
        people = full[1:3]
    elif not people and kind == StepKind.APPROVAL_TALK:
        people = full[:1]
    step = Step(candidate=candidate, kind=kind, on=on, **fields)
    vote_counts = None
    if kind in rules.VOTES:
        event = general_meeting(org, on, actor)
        step.event = event
        voters = event.attendances.filter(voting=True).count()
        vote_counts = {"votes_for": voters}
    if kind == StepKind.ACTIVIST and not step.recommendation:
        step.recommendation = Recommendation.MEMBERS
    if kind == StepKind.ACTIVIST and not step.body:
        step.body = Body.BRANCH_COMMITTEE if candidate_fact(candidate, on).has_committee else Body.GENERAL_MEETING
    if kind == StepKind.POLITICAL_REVIEW and not step.conclusion:
        step.conclusion = "政治审查合格"
    if kind == StepKind.TRAINING and step.training_days is None:
        step.training_days = Decimal(3)
    if kind == StepKind.NOTICE and step.until is None:
        step.until = on + dt.timedelta(days=9)
    result = actions.record_step(
        step, actor=actor, people=people, vote_counts=vote_counts, override_reason=override_reason, today=today
    )
    if kind in rules.ARCHIVE_DOCUMENTS:
        attach(result, actor)
    return result


def attach(step: Step, actor: Any) -> StepDocument:
    """A scanned document on ``step`` (the archive needs some, D24)."""
    document = StepDocument(step=step, description=str(StepKind(step.kind).label))
    document.file.save(f"{step.kind}.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    return actions.add_document(document, actor=actor)


def schedule_date(applied: dt.date, index: int) -> dt.date:
    """The date of the ``index``-th entry of ``SCHEDULE`` for an application of ``applied``."""
    _kind, months, days = SCHEDULE[index]
    return add_months(applied, months) + dt.timedelta(days=days)


def walk(
    candidate: Candidate, actor: Any, *, until: str | int, start: int = 1, today: dt.date | None = None
) -> Candidate:
    """Take ``candidate`` through ``SCHEDULE`` from entry ``start`` up to and including
    the first entry of kind ``until`` (or entry number ``until``)."""
    applied = candidate.steps.get(kind=StepKind.APPLICATION).on
    for index in range(start, len(SCHEDULE)):
        kind = SCHEDULE[index][0]
        take_step(candidate, kind, schedule_date(applied, index), actor, today=today)
        if kind == until or index == until:
            break
    candidate.refresh_from_db()
    return candidate
