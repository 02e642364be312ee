"""The democratic evaluation of members (issue 7, item 6): a branch's yearly round with the
roster from the records (L8), self-evaluations by members and from paper forms, the tallies
of the democratic rating with a suggested grade (V1), the branch's grades at a meeting, and
the follow-up of the lower grades to correction, withdrawal or removal (V2, V3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import actions as core_actions
from dangjian.core.audit import AuditEntry
from dangjian.core.rulesets import forget_overrides
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast, make_member
from dangjian.evaluation import actions, testing
from dangjian.evaluation.choices import FollowUpMove, FollowUpState, Grade, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.members.choices import Status
from dangjian.orglife.choices import EventKind, EventState
from dangjian.orglife.models import Event

M = dt.date
TODAY = M(2026, 11, 23)
OPEN = M(2026, 11, 2)
E, Q, B, U = (g.value for g in Grade)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)


def evaluation_of(round_: Round, member: Any) -> Evaluation:
    return round_.evaluations.get(member=member)


def decided(cast: Cast) -> Round:
    """Branch A's round of March 2026, decided at the evaluation meeting of 25 March: 张三
    excellent, 李四 and 吴十 qualified, 王五 basically qualified, 赵六 unqualified."""
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, M(2026, 3, 2), cast.secretary_a)
    testing.rate(
        round_,
        5,
        {a[0].pk: {E: 4, Q: 1}, a[2].pk: {B: 3, Q: 2}, a[3].pk: {U: 3, Q: 2}},
        cast.secretary_a,
        M(2026, 3, 20),
    )
    event = testing.meeting(cast.branch_a, M(2026, 3, 25))
    return testing.decide_as_suggested(Round.objects.get(pk=round_.pk), event, cast.secretary_a)


# --- Opening: the roster from the records -------------------------------------------------------


def test_open_takes_the_roster_from_the_member_records(cast: Cast) -> None:
    later = make_member(cast.branch_a, "郑新", joined_on=M(2026, 11, 10), full_on=None, status=Status.PROBATIONARY)
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    roster = {e.member.name: e.status for e in round_.evaluations.select_related("member")}
    assert roster == {"张三": "full", "李四": "full", "王五": "full", "赵六": "full", "吴十": "probationary"}
    assert later.name not in roster and round_.year == 2026 and round_.step == Step.SELF
    assert round_.grades == [E, Q, B, U]
    assert AuditEntry.objects.filter(object_repr__contains="张三", action="create").exists()
    assert (str(round_), round_.label) == ("东关村党支部 · 2026", "东关村党支部 · democratic evaluation 2026")


def test_open_refusals(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="not a branch"):
        actions.open_round(cast.committee_x, opened_on=OPEN, actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="future"):
        actions.open_round(cast.branch_a, opened_on=M(2026, 12, 1), actor=cast.secretary_a)
    for outsider in (cast.secretary_b, cast.member_a, cast.inspector):
        with pytest.raises(OutOfScope):
            actions.open_round(cast.branch_a, opened_on=OPEN, actor=outsider)
    assert not Round.objects.exists()
    actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="already has a democratic evaluation for 2026"):
        actions.open_round(cast.branch_a, opened_on=M(2026, 11, 20), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="no member"):
        actions.open_round(cast.branch_b, opened_on=M(1990, 1, 2), actor=cast.secretary_b)


def test_a_local_three_grade_set_applies_to_rounds_opened_after_it(cast: Cast) -> None:
    core_actions.set_figure(
        key="V1.grades",
        value={E: True, Q: True, B: False, U: True},
        effective_from=M(2026, 11, 1),
        note="县委组织部通知：三个等次",
        actor=cast.platform_admin,
    )
    forget_overrides()
    three = actions.open_round(cast.branch_b, opened_on=OPEN, actor=cast.secretary_b)
    four = actions.open_round(cast.branch_a, opened_on=M(2026, 10, 30), actor=cast.secretary_a)
    assert three.grades == [E, Q, U] and four.grades == [E, Q, B, U]


# --- Self-evaluation ------------------------------------------------------------------------------


def test_a_member_hands_in_only_their_own_self_evaluation(cast: Cast) -> None:
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    own = evaluation_of(round_, cast.members_a[0])
    other = evaluation_of(round_, cast.members_a[1])
    actions.hand_in_self_evaluation(own, text="  认真学习，积极参加组织生活。 ", on=M(2026, 11, 3), actor=cast.member_a)
    own.refresh_from_db()
    assert (own.self_text, own.self_on, own.self_by_member) == ("认真学习，积极参加组织生活。", TODAY, True)
    with pytest.raises(OutOfScope):
        actions.hand_in_self_evaluation(other, text="代写", actor=cast.member_a)
    with pytest.raises(ValidationError, match="Write the self-evaluation"):
        actions.hand_in_self_evaluation(own, text="  ", actor=cast.member_a)
    # The branch records others' paper forms, not over what a member handed in.
    actions.hand_in_self_evaluation(other, text="纸质自评", on=M(2026, 11, 5), actor=cast.secretary_a)
    other.refresh_from_db()
    assert (other.self_on, other.self_by_member) == (M(2026, 11, 5), False)
    with pytest.raises(ValidationError, match="handed in their own"):
        actions.hand_in_self_evaluation(own, text="改写", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="opened on 2026-11-02"):
        actions.hand_in_self_evaluation(other, text="纸质", on=M(2026, 11, 1), actor=cast.secretary_a)
    with pytest.raises(OutOfScope):
        actions.hand_in_self_evaluation(other, text="纸质", actor=cast.secretary_b)
    with pytest.raises(OutOfScope):
        actions.excuse(other, reason="外出", actor=cast.member_a)


def test_steps_go_in_the_order_of_l8(cast: Cast) -> None:
    a = cast.members_a
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    event = testing.meeting(cast.branch_a, M(2026, 11, 20))
    # Nothing of a later step at the first.
    with pytest.raises(ValidationError, match="“Mutual evaluation”; the round is at “Self-evaluation”"):
        actions.record_mutual_evaluation(round_, held_on=TODAY, summary="互评", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="“Democratic rating”"):
        actions.record_tallies(round_, ballots=5, rated_on=TODAY, tallies={}, actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="“The branch's decision”"):
        actions.decide(round_, meeting=event, grades={}, actor=cast.secretary_a)
    # The self-evaluations close when everyone taking part handed one in.
    for member in a[:3]:
        actions.hand_in_self_evaluation(evaluation_of(round_, member), text="自评", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="missing for 吴十、赵六"):
        actions.close_self_evaluation(round_, on=TODAY, actor=cast.secretary_a)
    actions.hand_in_self_evaluation(evaluation_of(round_, a[3]), text="自评", actor=cast.secretary_a)
    actions.excuse(evaluation_of(round_, a[4]), reason="长期外出务工，无法联系", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="opened on"):
        actions.close_self_evaluation(round_, on=M(2026, 11, 1), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="last self-evaluation was handed in on 2026-11-23"):
        actions.close_self_evaluation(round_, on=M(2026, 11, 10), actor=cast.secretary_a)
    Evaluation.objects.filter(round=round_).update(self_on=M(2026, 11, 9))
    actions.close_self_evaluation(round_, on=M(2026, 11, 10), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="“Self-evaluation”; the round is at “Mutual evaluation”"):
        actions.hand_in_self_evaluation(evaluation_of(round_, a[0]), text="迟交", actor=cast.member_a)
    with pytest.raises(ValidationError, match="closed on 2026-11-10"):
        actions.record_mutual_evaluation(round_, held_on=M(2026, 11, 9), summary="互评", actor=cast.secretary_a)
    with pytest.raises(ValidationError) as summary:
        actions.record_mutual_evaluation(round_, held_on=M(2026, 11, 12), summary=" ", actor=cast.secretary_a)
    assert "summary" in summary.value.error_dict
    actions.record_mutual_evaluation(round_, held_on=M(2026, 11, 12), summary="逐一互评", actor=cast.secretary_a)
    round_.refresh_from_db()
    assert round_.step == Step.RATING
    # The excused member is not on the sheet.
    with pytest.raises(ValidationError, match="not members taking part"):
        actions.record_tallies(
            round_, ballots=4, rated_on=TODAY, tallies={evaluation_of(round_, a[4]).pk: {Q: 4}}, actor=cast.secretary_a
        )


# --- Democratic rating: the tally sheet ---------------------------------------------------------


def test_tallies_are_all_or_nothing_with_row_errors(cast: Cast) -> None:
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a)
    rows = {e.pk: {Q: 5} for e in round_.evaluations.all()}
    too_many = evaluation_of(round_, a[1]).pk
    empty = evaluation_of(round_, a[2]).pk
    rows[too_many] = {E: 3, Q: 3}
    rows[empty] = {}
    with pytest.raises(ValidationError) as refused:
        actions.record_tallies(round_, ballots=5, rated_on=TODAY, tallies=rows, actor=cast.secretary_a)
    errors = refused.value.message_dict
    assert set(errors) == {f"row-{too_many}", f"row-{empty}"}
    assert "6 ratings but 5 ballots were cast" in errors[f"row-{too_many}"][0]
    assert "No rating entered" in errors[f"row-{empty}"][0]
    round_.refresh_from_db()
    assert round_.step == Step.RATING and round_.ballots is None
    assert not Evaluation.objects.exclude(rated_qualified=0).exists()  # nothing saved
    with pytest.raises(ValidationError) as early:
        actions.record_tallies(round_, ballots=0, rated_on=M(2026, 11, 5), tallies=rows, actor=cast.secretary_a)
    assert set(early.value.message_dict) == {"ballots", "rated_on"}


def test_tallies_suggest_grades_and_can_be_corrected_until_the_decision(cast: Cast) -> None:
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a)
    testing.rate(round_, 5, {a[0].pk: {E: 3, Q: 2}, a[3].pk: {U: 3, Q: 2}}, cast.secretary_a, M(2026, 11, 15))
    round_.refresh_from_db()
    assert (round_.step, round_.ballots, round_.rated_on) == (Step.DECISION, 5, M(2026, 11, 15))
    suggested = dict(round_.evaluations.values_list("member__name", "suggested"))
    assert suggested == {"张三": E, "李四": Q, "王五": Q, "赵六": U, "吴十": Q}
    # Entered again (a ballot miscounted): the suggestion follows.
    testing.rate(round_, 5, {a[0].pk: {E: 2, Q: 3}}, cast.secretary_a, M(2026, 11, 15))
    assert evaluation_of(round_, a[0]).suggested == Q
    assert evaluation_of(round_, a[3]).suggested == Q
    event = testing.meeting(cast.branch_a, M(2026, 11, 20))
    testing.decide_as_suggested(Round.objects.get(pk=round_.pk), event, cast.secretary_a)
    with pytest.raises(ValidationError, match="“Democratic rating”; the round is at “Decided”"):
        testing.rate(Round.objects.get(pk=round_.pk), 5, {}, cast.secretary_a, M(2026, 11, 15))


# --- The decision -------------------------------------------------------------------------------------


def test_the_decision_is_taken_at_a_held_meeting_of_the_branch_after_the_rating(cast: Cast) -> None:
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a)
    testing.rate(round_, 5, {a[2].pk: {B: 3, Q: 2}}, cast.secretary_a, M(2026, 11, 15))
    round_ = Round.objects.get(pk=round_.pk)
    grades = {e.pk: (e.suggested, "") for e in round_.evaluations.all()}
    other_branch = testing.meeting(cast.branch_b, M(2026, 11, 20))
    theme_day = testing.meeting(cast.branch_a, M(2026, 11, 20), EventKind.THEME_DAY)
    before_rating = testing.meeting(cast.branch_a, M(2026, 11, 14))
    planned = Event.objects.create(
        organization=cast.branch_a,
        kind=EventKind.COMMITTEE_MEETING,
        state=EventState.PLANNED,
        held_on=M(2026, 11, 30),
        topic="支委会",
    )
    for event, message in (
        (other_branch, "meeting of 东关村党支部"),
        (theme_day, "branch committee or the general membership meeting"),
        (before_rating, "follows the democratic rating of 2026-11-15"),
        (planned, "was held"),
    ):
        with pytest.raises(ValidationError, match=message):
            actions.decide(round_, meeting=event, grades=grades, actor=cast.secretary_a)
    committee = testing.meeting(cast.branch_a, M(2026, 11, 20), EventKind.COMMITTEE_MEETING)
    # A grade other than the suggested one needs a reason; a grade not in use is refused.
    grades[evaluation_of(round_, a[1]).pk] = (E, "")
    grades[evaluation_of(round_, a[3]).pk] = ("outstanding", "")
    with pytest.raises(ValidationError) as refused:
        actions.decide(round_, meeting=committee, grades=grades, actor=cast.secretary_a)
    assert set(refused.value.message_dict) == {
        f"reason-{evaluation_of(round_, a[1]).pk}",
        f"grade-{evaluation_of(round_, a[3]).pk}",
    }
    assert "suggests “Qualified”: give the reason for “Excellent”" in str(refused.value)
    assert Round.objects.get(pk=round_.pk).step == Step.DECISION
    grades[evaluation_of(round_, a[1]).pk] = (E, "带领群众发展产业，贡献突出")
    grades[evaluation_of(round_, a[3]).pk] = (Q, "")
    actions.decide(round_, meeting=committee, grades=grades, actor=cast.secretary_a)
    round_.refresh_from_db()
    assert (round_.step, round_.meeting, round_.decided_on) == (Step.DECIDED, committee, M(2026, 11, 20))
    assert evaluation_of(round_, a[1]).grade_reason == "带领群众发展产业，贡献突出"
    # The basically qualified member has a follow-up with the default time limit (V2).
    follow_up = FollowUp.objects.get()
    assert (follow_up.evaluation.member, follow_up.grade) == (a[2], B)
    assert (follow_up.starts_on, follow_up.deadline, follow_up.state) == (
        M(2026, 11, 20),
        M(2027, 5, 20),
        FollowUpState.CORRECTING,
    )


def test_the_three_grade_round_refuses_basically_qualified(cast: Cast) -> None:
    core_actions.set_figure(
        key="V1.grades",
        value={E: True, Q: True, B: False, U: True},
        effective_from=M(2026, 1, 1),
        note="三个等次",
        actor=cast.platform_admin,
    )
    forget_overrides()
    round_ = testing.to_rating(cast.branch_b, OPEN, cast.secretary_b)
    first = round_.evaluations.order_by("pk").first()
    assert first is not None
    with pytest.raises(ValidationError, match="does not use the grade “Basically qualified”"):
        testing.rate(round_, 3, {first.member_id: {B: 1, Q: 2}}, cast.secretary_b, M(2026, 11, 15))
    testing.rate(round_, 3, {}, cast.secretary_b, M(2026, 11, 15))
    event = testing.meeting(cast.branch_b, M(2026, 11, 20))
    with pytest.raises(ValidationError, match="grades in use"):
        testing.decide_as_suggested(
            Round.objects.get(pk=round_.pk), event, cast.secretary_b, {first.member_id: (B, "表现一般")}
        )


# --- Follow-up (V2, V3) ---------------------------------------------------------------------------


def test_the_plan_of_a_follow_up(cast: Cast) -> None:
    a = cast.members_a
    decided(cast)
    follow_up = FollowUp.objects.get(evaluation__member=a[2])
    assert follow_up.deadline == M(2026, 9, 25)
    with pytest.raises(ValidationError) as refused:
        actions.plan_follow_up(follow_up, helper=a[2], plan=" ", deadline=M(2027, 3, 26), actor=cast.secretary_a)
    assert set(refused.value.message_dict) == {"helper", "plan", "deadline"}
    assert "until 2027-03-25 (V2)" in str(refused.value)
    with pytest.raises(ValidationError, match="another current member of 东关村党支部"):
        actions.plan_follow_up(
            follow_up, helper=cast.members_b[0], plan="学习", deadline=M(2026, 9, 25), actor=cast.secretary_a
        )
    with pytest.raises(OutOfScope):
        actions.plan_follow_up(follow_up, helper=None, plan="学习", deadline=M(2026, 9, 25), actor=cast.secretary_b)
    actions.plan_follow_up(
        follow_up, helper=a[0], plan="每月参加组织生活，按时交纳党费", deadline=M(2027, 3, 25), actor=cast.secretary_a
    )
    follow_up.refresh_from_db()
    assert (follow_up.helper, follow_up.deadline) == (a[0], M(2027, 3, 25))


def test_corrected_with_evidence_and_not_corrected_after_the_time_limit(cast: Cast) -> None:
    a = cast.members_a
    decided(cast)
    basic = FollowUp.objects.get(evaluation__member=a[2])
    with pytest.raises(ValidationError, match="not possible for a member graded “Basically qualified”"):
        actions.move_follow_up(basic, FollowUpMove.PERSUADE, on=TODAY, text="劝退", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="starts on 2026-03-25"):
        actions.move_follow_up(basic, FollowUpMove.CORRECT, on=M(2026, 3, 1), text="已改正", actor=cast.secretary_a)
    with pytest.raises(ValidationError) as silent:
        actions.move_follow_up(basic, FollowUpMove.CORRECT, on=TODAY, text="", actor=cast.secretary_a)
    assert "text" in silent.value.message_dict
    evidence = SimpleUploadedFile("study.pdf", b"%PDF-1.4 notes", "application/pdf")
    actions.move_follow_up(
        basic, FollowUpMove.CORRECT, on=M(2026, 9, 1), text="按期整改到位", evidence=evidence, actor=cast.secretary_a
    )
    basic.refresh_from_db()
    assert (basic.state, basic.closed_on, basic.outcome) == (FollowUpState.CORRECTED, M(2026, 9, 1), "按期整改到位")
    assert basic.evidence.name.endswith(".pdf")
    with pytest.raises(ValidationError, match="not possible"):
        actions.move_follow_up(basic, FollowUpMove.CORRECT, on=TODAY, text="再次", actor=cast.secretary_a)


def test_not_corrected_waits_for_the_end_of_the_time_limit(cast: Cast, time_machine: Any) -> None:
    a = cast.members_a
    decided(cast)
    basic = FollowUp.objects.get(evaluation__member=a[2])
    actions.plan_follow_up(basic, helper=a[0], plan="学习", deadline=M(2027, 1, 31), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="runs until 2027-01-31"):
        actions.move_follow_up(basic, FollowUpMove.NOT_CORRECTED, on=TODAY, text="未改正", actor=cast.secretary_a)
    time_machine.move_to(dt.datetime(2027, 2, 2, 2, 0, tzinfo=dt.UTC), tick=False)
    actions.move_follow_up(
        basic, FollowUpMove.NOT_CORRECTED, on=M(2027, 2, 1), text="未改正，下年度继续评议", actor=cast.secretary_a
    )
    assert FollowUp.objects.get(pk=basic.pk).state == FollowUpState.NOT_CORRECTED


def test_removal_is_refused_without_a_passed_vote_v3(cast: Cast) -> None:
    a = cast.members_a
    decided(cast)
    unqualified = FollowUp.objects.get(evaluation__member=a[3])
    assert unqualified.grade == U
    with pytest.raises(ValidationError, match="not possible"):
        actions.move_follow_up(unqualified, FollowUpMove.REMOVE, on=TODAY, text="除名", actor=cast.secretary_a)
    actions.move_follow_up(
        unqualified, FollowUpMove.PERSUADE, on=M(2026, 10, 1), text="经教育仍无转变，劝其退党", actor=cast.secretary_a
    )
    removal = {"proposed_on": M(2026, 10, 8), "filed_on": M(2026, 10, 10), "text": "劝而不退，予以除名"}
    with pytest.raises(ValidationError) as no_vote:
        actions.move_follow_up(unqualified, "remove", on=M(2026, 10, 20), vote=None, actor=cast.secretary_a, **removal)
    assert set(no_vote.value.message_dict) == {"vote"}
    failed = testing.disposal_vote(cast.branch_a, a[3], M(2026, 10, 20), votes_for=2)  # 2 of 4 due: not more than half
    assert not failed.passed
    with pytest.raises(ValidationError, match="did not carry"):
        actions.move_follow_up(
            unqualified, "remove", on=M(2026, 10, 20), vote=failed, actor=cast.secretary_a, **removal
        )
    about_another = testing.disposal_vote(cast.branch_a, a[2], M(2026, 10, 21), votes_for=4)
    with pytest.raises(ValidationError, match="disposal of 赵六"):
        actions.move_follow_up(
            unqualified, "remove", on=M(2026, 10, 21), vote=about_another, actor=cast.secretary_a, **removal
        )
    passed = testing.disposal_vote(cast.branch_a, a[3], M(2026, 10, 22), votes_for=3)
    assert passed.passed
    with pytest.raises(ValidationError, match="follows the vote of 2026-10-22"):
        actions.move_follow_up(
            unqualified, "remove", on=M(2026, 10, 21), vote=passed, actor=cast.secretary_a, **removal
        )
    assert FollowUp.objects.get(pk=unqualified.pk).state == FollowUpState.PERSUADING
    assert FollowUp.objects.filter(state=FollowUpState.REMOVED).count() == 0
    actions.move_follow_up(unqualified, "remove", on=M(2026, 10, 22), vote=passed, actor=cast.secretary_a, **removal)
    unqualified.refresh_from_db()
    assert (unqualified.state, unqualified.vote, unqualified.rejoin_after) == (
        FollowUpState.REMOVED,
        passed,
        M(2031, 10, 22),
    )
    member = a[3]
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Status.REMOVED, M(2026, 10, 22))


def test_an_unqualified_member_who_withdraws(cast: Cast) -> None:
    a = cast.members_a
    decided(cast)
    unqualified = FollowUp.objects.get(evaluation__member=a[3])
    with pytest.raises(ValidationError, match="runs until 2026-09-25"):
        actions.move_follow_up(unqualified, "persuade", on=M(2026, 9, 1), text="劝退", actor=cast.secretary_a)
    actions.move_follow_up(unqualified, "persuade", on=M(2026, 10, 1), text="劝退", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="persuaded to withdraw on 2026-10-01"):
        actions.move_follow_up(unqualified, "withdraw", on=M(2026, 9, 30), text="同意退党", actor=cast.secretary_a)
    actions.move_follow_up(unqualified, "withdraw", on=M(2026, 10, 15), text="本人同意退党", actor=cast.secretary_a)
    member = a[3]
    member.refresh_from_db()
    assert member.status == Status.WITHDRAWN
    assert FollowUp.objects.get(pk=unqualified.pk).rejoin_after is None


def test_the_database_keeps_the_invariants(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    round_ = decided(cast)
    evaluation = round_.evaluations.get(grade=E)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Evaluation.objects.filter(pk=evaluation.pk).update(grade=U)  # differs, no reason
    with transaction.atomic(), pytest.raises(IntegrityError):
        FollowUp.objects.filter(grade=U).update(state=FollowUpState.REMOVED)  # no vote
    with transaction.atomic(), pytest.raises(IntegrityError):
        Round.objects.filter(pk=round_.pk).update(meeting=None)  # decided without a meeting
