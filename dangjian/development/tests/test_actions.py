"""Development actions: the whole procedure through the real actions, the member record it
creates, blocking and overriding, and the registry effects of approval and cancellation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast
from dangjian.development import actions
from dangjian.development.choices import Stage, StepKind
from dangjian.development.models import Candidate, Step
from dangjian.development.testing import committee_post, new_candidate, take_step, walk
from dangjian.members.choices import Status, Transition
from dangjian.members.models import Member

TODAY = dt.date(2026, 11, 23)
APPLIED = dt.date(2023, 12, 1)


@pytest.fixture(autouse=True)
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    return TODAY


@pytest.fixture
def candidate(cast: Cast) -> Candidate:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    return new_candidate(cast.branch_a, "陈一", applied_on=APPLIED, actor=cast.secretary_a)


def test_the_whole_procedure_makes_one_member_record(cast: Cast, candidate: Candidate) -> None:
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.PROBATIONARY
    member = candidate.member
    assert member is not None
    assert member.status == Status.PROBATIONARY
    assert member.joined_on == Step.objects.get(candidate=candidate, kind=StepKind.ADMISSION_VOTE).on
    assert member.id_number_digest == candidate.id_number_digest
    assert member.status_changes.get().transition == Transition.ADMITTED
    walk(candidate, cast.secretary_a, until=StepKind.ARCHIVED, start=19)
    candidate.refresh_from_db()
    member.refresh_from_db()
    assert candidate.stage == Stage.FULL
    assert member.status == Status.FULL
    # Full membership counts from the end of probation (D19), not the approval date.
    vote_on = Step.objects.get(candidate=candidate, kind=StepKind.ADMISSION_VOTE).on
    assert member.full_on == vote_on.replace(year=vote_on.year + 1)
    assert Member.objects.filter(id_number_digest=candidate.id_number_digest).count() == 1
    assert candidate.next_kind == ""


def test_a_step_too_early_is_blocked_and_an_administrator_overrides_it(cast: Cast, candidate: Candidate) -> None:
    walk(candidate, cast.secretary_a, until=StepKind.TALK)
    too_early = APPLIED + dt.timedelta(days=60)  # D4: six months locally
    with pytest.raises(actions.RuleViolation) as exc:
        take_step(candidate, StepKind.ACTIVIST, too_early, cast.secretary_a)
    assert [p.rule for p in exc.value.problems] == ["D4"]
    assert not candidate.steps.filter(kind=StepKind.ACTIVIST).exists()
    with pytest.raises(PermissionDenied):
        take_step(candidate, StepKind.ACTIVIST, too_early, cast.secretary_a, override_reason="上级同意")
    step = take_step(candidate, StepKind.ACTIVIST, too_early, cast.committee_admin, override_reason="上级同意")
    assert step.overridden_problems[0]["rule"] == "D4"
    assert step.overridden_by == cast.committee_admin
    entry = AuditEntry.objects.for_object(step).get()
    assert entry.note == "上级同意"
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ACTIVIST


def test_registering_an_existing_member_is_refused(cast: Cast) -> None:
    person = cast.members_a[1]
    duplicate = Candidate(organization=cast.branch_a, name=person.name)
    duplicate.id_number = person.id_number
    with pytest.raises(ValidationError) as exc:
        actions.register_candidate(duplicate, applied_on=dt.date(2026, 1, 5), actor=cast.secretary_a)
    assert "already a party member" in str(exc.value)
