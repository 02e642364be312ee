"""Read models of organizational life: who was a member on a day and who is due at an
event, drifting members (S1, S2), formalism signals, and a member's attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.testing import Cast, make_member
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind, TransferReason
from dangjian.members.models import Member, Post
from dangjian.orglife import actions, queries
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, Signal
from dangjian.orglife.models import Event
from dangjian.orgs import actions as org_actions
from dangjian.orgs.models import Organization, PartyGroup

TODAY = dt.date(2026, 11, 23)
P, E, A, X = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.EXEMPT


@pytest.fixture(autouse=True)
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    return TODAY


def names(members) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.name for m in members}


def transfer(member: Member, to: Organization, on: dt.date) -> None:
    t = member_actions.start_transfer(
        member,
        to_org=to,
        to_external="",
        reason=TransferReason.WORK,
        letter_number=f"L{member.pk}{on:%m%d}",
        issued_on=on,
        same_city=True,
        actor=None,
    )
    member_actions.accept_transfer(t, accepted_on=on, actor=None)


def post(member: Member, org: Organization, party_post: str, start: dt.date, end: dt.date | None = None) -> Post:
    p = member_actions.add_post(
        Post(member=member, kind=PostKind.PARTY, organization=org, party_post=party_post, started_on=start),
        actor=None,
    )
    if end:
        member_actions.end_post(p, ended_on=end, actor=None)
    return p


def meeting(
    org: Organization,
    day: dt.date,
    attendance: dict[Member, tuple[str, str] | str] | None = None,
    *,
    kind: str = EventKind.GENERAL_MEETING,
    minutes: str = "",
    **fields: object,
) -> Event:
    entries = {
        m.pk: (value, "因公出差" if value in (E, X) else "") if isinstance(value, str) else value
        for m, value in (attendance or {}).items()
    }
    event = Event(
        organization=org, kind=kind, state=EventState.HELD, held_on=day, topic="学习", minutes=minutes, **fields
    )
    actions.create_event(event, actor=None, attendance=entries)
    # Recorded the day it was held (the actions stamp the real today: 23 November).
    Event.objects.filter(pk=event.pk).update(recorded_on=day)
    event.refresh_from_db()
    return event


# --- Members on a day, who is due ------------------------------------------------------------


def test_members_on_follows_admission(cast: Cast) -> None:
    everyone = {"张三", "李四", "王五", "赵六"}
    assert names(queries.members_on(cast.branch_a, dt.date(2026, 2, 28))) == everyone
    assert names(queries.members_on(cast.branch_a.pk, dt.date(2026, 3, 1))) == everyone | {"吴十"}
    assert names(queries.members_on(cast.branch_a, dt.date(2010, 6, 30))) == set()


def test_members_on_follows_transfers(cast: Cast) -> None:
    zhang = cast.members_a[0]
    transfer(zhang, cast.branch_b, dt.date(2026, 6, 1))
    # Before the transfer: still in A, not yet in B.
    assert "张三" in names(queries.members_on(cast.branch_a, dt.date(2026, 5, 31)))
    assert "张三" not in names(queries.members_on(cast.branch_b, dt.date(2026, 5, 31)))
    # From the day it was accepted: in B.
    assert "张三" not in names(queries.members_on(cast.branch_a, dt.date(2026, 6, 1)))
    assert "张三" in names(queries.members_on(cast.branch_b, dt.date(2026, 6, 1)))


def test_members_on_after_two_transfers(cast: Cast) -> None:
    """A → B in June, B → A in August: in A before June and after August, in B between."""
    zhang = cast.members_a[0]
    transfer(zhang, cast.branch_b, dt.date(2026, 6, 1))
    transfer(Member.objects.get(pk=zhang.pk), cast.branch_a, dt.date(2026, 8, 1))
    for day, where in ((dt.date(2026, 5, 1), "A"), (dt.date(2026, 7, 1), "B"), (dt.date(2026, 9, 1), "A")):
        in_a = "张三" in names(queries.members_on(cast.branch_a, day))
        in_b = "张三" in names(queries.members_on(cast.branch_b, day))
        assert (in_a, in_b) == (where == "A", where == "B"), day


def test_members_on_excludes_those_who_left(cast: Cast) -> None:
    from dangjian.members.choices import Transition

    member_actions.record_transition(
        cast.members_a[1], Transition.DECEASED, on=dt.date(2026, 4, 1), reason="病故", actor=None
    )
    assert "李四" in names(queries.members_on(cast.branch_a, dt.date(2026, 3, 31)))
    assert "李四" not in names(queries.members_on(cast.branch_a, dt.date(2026, 4, 1)))


def test_expected_members_of_a_general_meeting_on_its_date(cast: Cast) -> None:
    transfer(cast.members_a[0], cast.branch_b, dt.date(2026, 6, 1))  # out of A after the first meeting
    transfer(cast.members_b[0], cast.branch_a, dt.date(2026, 6, 1))  # into A after it
    early = Event(organization=cast.branch_a, kind=EventKind.GENERAL_MEETING, held_on=dt.date(2026, 2, 1))
    assert names(queries.expected_members(early)) == {"张三", "李四", "王五", "赵六"}
    late = Event(organization=cast.branch_a, kind=EventKind.GENERAL_MEETING, held_on=dt.date(2026, 7, 1))
    assert names(queries.expected_members(late)) == {"李四", "王五", "赵六", "吴十", "钱七"}


def test_expected_members_of_a_committee_meeting_are_the_committee_that_day(cast: Cast) -> None:
    zhang, li, wang, zhao, _wu = cast.members_a
    post(zhang, cast.branch_a, PartyPost.SECRETARY, dt.date(2025, 1, 1))
    post(li, cast.branch_a, PartyPost.COMMITTEE_MEMBER, dt.date(2026, 6, 1))
    post(wang, cast.branch_a, PartyPost.DEPUTY_SECRETARY, dt.date(2025, 1, 1), end=dt.date(2026, 3, 1))
    post(zhao, cast.branch_a, PartyPost.PARTY_GROUP_LEADER, dt.date(2025, 1, 1))  # not on the committee
    event = Event(organization=cast.branch_a, kind=EventKind.COMMITTEE_MEETING, held_on=dt.date(2026, 4, 1))
    assert names(queries.expected_members(event)) == {"张三"}
    event.held_on = dt.date(2026, 2, 1)
    assert names(queries.expected_members(event)) == {"张三", "王五"}
    event.held_on = dt.date(2026, 7, 1)
    assert names(queries.expected_members(event)) == {"张三", "李四"}


def test_expected_members_of_a_grassroots_committee_meeting(cast: Cast) -> None:
    """Members belong to branches: a township committee's members sit in its branches."""
    post(cast.members_a[0], cast.committee_x, PartyPost.SECRETARY, dt.date(2025, 1, 1))
    post(cast.members_a[1], cast.committee_x, PartyPost.COMMITTEE_MEMBER, dt.date(2025, 1, 1))
    event = Event(organization=cast.committee_x, kind=EventKind.COMMITTEE_MEETING, held_on=dt.date(2026, 4, 1))
    assert names(queries.expected_members(event)) == {"张三", "李四"}
    talk = Event(organization=cast.committee_x, kind=EventKind.HEART_TALK, held_on=dt.date(2026, 4, 1))
    assert {"张三", "李四"} <= names(queries.expected_members(talk))


def test_expected_members_of_a_group_meeting_are_the_group(cast: Cast) -> None:
    group = org_actions.add_party_group(PartyGroup(organization=cast.branch_a, name="第一小组"), actor=None)
    Member.objects.filter(pk__in=[m.pk for m in cast.members_a[:2]]).update(party_group=group)
    event = Event(
        organization=cast.branch_a, kind=EventKind.GROUP_MEETING, held_on=dt.date(2026, 4, 1), party_group=group
    )
    assert names(queries.expected_members(event)) == {"张三", "李四"}


def test_has_vote_from_full_membership(cast: Cast) -> None:
    zhang, wu = cast.members_a[0], cast.members_a[4]
    assert queries.has_vote(zhang, dt.date(2011, 7, 1)) and not queries.has_vote(zhang, dt.date(2011, 6, 30))
    assert not queries.has_vote(wu, TODAY)


# --- Drifting members (S1, S2) ------------------------------------------------------------------


def drifters(cast: Cast, today: dt.date = TODAY) -> dict[str, str]:
    return {m.name: m.drift_reason for m in queries.drifting(Member.objects.all(), today)}


def test_S1_six_months_without_life_and_an_absence_is_drifting(cast: Cast) -> None:
    zhang, li, wang, zhao, wu = cast.members_a
    # Before the cut-off (23 May): everybody present.
    meeting(cast.branch_a, dt.date(2026, 5, 10))
    meeting(cast.branch_a, dt.date(2026, 6, 10), {zhang: A, li: E, wang: A, zhao: X, wu: A})
    meeting(cast.branch_a, dt.date(2026, 9, 10), {zhang: A, li: E, wang: P, zhao: X, wu: A})
    result = drifters(cast)
    assert result == {"张三": "no_life", "吴十": "no_life"}
    # 李四 excused, 赵六 exempt (D15), 王五 came once: none of them drift.
    row = queries.drifting(Member.objects.filter(pk=zhang.pk), TODAY).get()
    assert row.last_present == dt.date(2026, 5, 10) and row.missed == 2


def test_S1_the_window_is_exactly_six_months(cast: Cast) -> None:
    zhang = cast.members_a[0]
    meeting(cast.branch_a, dt.date(2026, 5, 23), {zhang: P})  # the cut-off day itself: outside the window
    meeting(cast.branch_a, dt.date(2026, 5, 24), {zhang: A})
    assert "张三" in drifters(cast)
    meeting(cast.branch_a, dt.date(2026, 5, 25), {zhang: P})
    assert "张三" not in drifters(cast)


def test_S1_nothing_held_is_not_drifting(cast: Cast) -> None:
    meeting(cast.branch_a, dt.date(2025, 12, 1), {cast.members_a[0]: A})  # absent, but before the window
    assert drifters(cast) == {}


def test_S1_planned_and_other_organizations_events_do_not_count(cast: Cast) -> None:
    actions.create_event(
        Event(
            organization=cast.branch_a,
            kind=EventKind.THEME_DAY,
            state=EventState.PLANNED,
            held_on=dt.date(2026, 12, 1),
            topic="主题党日",
        ),
        actor=None,
    )
    meeting(cast.branch_b, dt.date(2026, 9, 1), {cast.members_b[0]: A})
    assert drifters(cast) == {"钱七": "no_life"}


def test_S1_members_who_joined_or_came_in_less_than_six_months_ago_do_not_drift(cast: Cast, time_machine) -> None:
    new = make_member(cast.branch_a, "新党员", status="probationary", joined_on=dt.date(2026, 6, 1))
    transfer(cast.members_b[0], cast.branch_a, dt.date(2026, 7, 1))
    qian = Member.objects.get(pk=cast.members_b[0].pk)
    zhang = cast.members_a[0]
    meeting(cast.branch_a, dt.date(2026, 9, 10), {new: A, qian: A, zhang: A})
    assert drifters(cast) == {"张三": "no_life"}
    # Six months on, they can drift like anybody.
    time_machine.move_to(dt.datetime(2027, 1, 15, 10, 0, tzinfo=dt.UTC))
    meeting(cast.branch_a, dt.date(2027, 1, 10), {new: A, qian: A, zhang: A})
    assert set(drifters(cast, dt.date(2027, 1, 15))) == {"张三", "钱七", "新党员"}


def test_S1_a_member_who_left_is_not_drifting(cast: Cast) -> None:
    from dangjian.members.choices import Transition

    zhang = cast.members_a[0]
    meeting(cast.branch_a, dt.date(2026, 9, 10), {zhang: A})
    member_actions.record_transition(zhang, Transition.DECEASED, on=dt.date(2026, 10, 1), reason="病故", actor=None)
    assert drifters(cast) == {}


def test_S2_lost_contact_for_six_months(cast: Cast) -> None:
    Member.objects.filter(pk=cast.members_a[0].pk).update(lost_contact_since=dt.date(2026, 5, 23))
    Member.objects.filter(pk=cast.members_a[1].pk).update(lost_contact_since=dt.date(2026, 5, 24))
    assert drifters(cast) == {"张三": "lost_contact"}


def test_drifting_is_one_query(cast: Cast, django_assert_num_queries) -> None:
    meeting(cast.branch_a, dt.date(2026, 9, 10), {m: A for m in cast.members_a})
    queries.drifting(Member.objects.all(), TODAY).count()  # warm the figures
    with django_assert_num_queries(1):
        assert len(list(queries.drifting(Member.objects.all(), TODAY))) == 5


# --- Formalism signals ---------------------------------------------------------------------------


def signals(event: Event) -> set[Signal]:
    return set(queries.signals_of(event, TODAY))


def test_no_minutes_and_identical_minutes(cast: Cast) -> None:
    empty = meeting(cast.branch_a, dt.date(2026, 9, 1), minutes="<p> </p>")
    one = meeting(cast.branch_a, dt.date(2026, 10, 1), minutes="<p>学习党章，讨论发展党员。</p>")
    two = meeting(cast.branch_b, dt.date(2026, 10, 8), minutes="学习党章，讨论发展党员。\n")
    other = meeting(cast.branch_a, dt.date(2026, 11, 1), minutes="<p>学习二十大报告。</p>")
    assert signals(empty) == {Signal.NO_MINUTES}
    assert signals(one) == signals(two) == {Signal.SAME_MINUTES}
    assert signals(other) == set()
    flagged = queries.flagged(Event.objects.all(), TODAY, Signal.SAME_MINUTES)
    assert set(flagged) == {one, two}
    assert set(queries.flagged(Event.objects.all(), TODAY)) == {empty, one, two}


def test_a_planned_event_copying_minutes_is_not_a_signal(cast: Cast) -> None:
    held_event = meeting(cast.branch_a, dt.date(2026, 10, 1), minutes="学习党章")
    planned = Event(
        organization=cast.branch_a,
        kind=EventKind.THEME_DAY,
        held_on=dt.date(2026, 12, 1),
        topic="计划",
        minutes="学习党章",
    )
    actions.create_event(planned, actor=None)
    assert signals(held_event) == set()
    assert queries.signals_of(planned, TODAY) == []


def test_attendance_below_half(cast: Cast) -> None:
    zhang, li, wang, _zhao, wu = cast.members_a
    low = meeting(cast.branch_a, dt.date(2026, 9, 1), {zhang: A, li: A, wang: A}, minutes="一")
    assert (low.present_count, low.expected_count) == (2, 5)
    assert signals(low) == {Signal.LOW_ATTENDANCE}
    # Exactly half present is not below half; an exempt member is not due.
    half = meeting(cast.branch_a, dt.date(2026, 9, 2), {zhang: A, li: A, wu: X}, minutes="二")
    assert (half.present_count, half.expected_count) == (2, 4)
    assert signals(half) == set()


def test_recorded_more_than_30_days_after_it_was_held(cast: Cast) -> None:
    event = actions.create_event(
        Event(organization=cast.branch_a, kind=EventKind.THEME_DAY, state=EventState.HELD, held_on=dt.date(2026, 9, 1),
              topic="补录", minutes="记录"),
        actor=None,
    )  # fmt: skip
    assert event.recorded_on == TODAY and signals(event) == {Signal.RECORDED_LATE}
    Event.objects.filter(pk=event.pk).update(recorded_on=dt.date(2026, 10, 1))  # 30 days
    assert signals(event) == set()
    Event.objects.filter(pk=event.pk).update(recorded_on=dt.date(2026, 10, 2))  # 31 days
    assert signals(event) == {Signal.RECORDED_LATE}
    Event.objects.filter(pk=event.pk).update(recorded_on=None)
    assert signals(event) == set()


# --- A member's attendance ------------------------------------------------------------------------


def test_attendance_summary(cast: Cast) -> None:
    zhang = cast.members_a[0]
    meeting(cast.branch_a, dt.date(2025, 11, 1), {zhang: P})  # more than a year ago
    meeting(cast.branch_a, dt.date(2026, 1, 10), {zhang: P})
    meeting(cast.branch_a, dt.date(2026, 3, 10), {zhang: E})
    meeting(cast.branch_a, dt.date(2026, 6, 10), {zhang: A})
    meeting(cast.branch_a, dt.date(2026, 9, 10), {zhang: X})
    meeting(cast.branch_a, dt.date(2026, 10, 10), {zhang: A})
    summary = queries.attendance_summary(zhang, TODAY)
    assert {k: summary[k] for k in ("due", "present", "excused", "absent")} == {
        "due": 4,
        "present": 1,
        "excused": 1,
        "absent": 2,
    }
    assert summary["rate"] == 0.25
    assert summary["last_present"] == dt.date(2026, 1, 10)


def test_attendance_of_a_member_admitted_mid_period(cast: Cast) -> None:
    """Compliance ignores when members joined; attendance does not: a member is due only
    at events held after admission."""
    meeting(cast.branch_a, dt.date(2026, 7, 10))
    new = make_member(cast.branch_a, "新党员", status="probationary", joined_on=dt.date(2026, 8, 1))
    event = meeting(cast.branch_a, dt.date(2026, 8, 10))
    assert event.expected_count == 6
    summary = queries.attendance_summary(new, TODAY)
    assert (summary["due"], summary["present"], summary["rate"]) == (1, 1, 1.0)
    assert queries.attendance_summary(cast.members_a[0], TODAY)["due"] == 2
    empty = queries.attendance_summary(
        make_member(cast.branch_a, "又一个", status="probationary", joined_on=TODAY), TODAY
    )
    assert empty["due"] == 0 and empty["rate"] is None and empty["last_present"] is None
