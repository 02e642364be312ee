"""Organizational life actions: recording events and attendance, votes (D13-D15), sign-in,
planning, overrides — each validated, audited, and refused outside the actor's scope."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast, make_user
from dangjian.members.models import Member
from dangjian.orglife import actions, rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, LecturerKind, VoteSubject
from dangjian.orglife.models import Attendance, Event, RequirementOverride, Vote
from dangjian.orgs import actions as org_actions
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization, PartyGroup

TODAY = dt.date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
P, E, A, X = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT, AttendanceStatus.EXEMPT


@pytest.fixture(autouse=True)
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))  # 18:00 in Shanghai
    return TODAY


def new_event(
    org: Organization, *, kind: str = EventKind.GENERAL_MEETING, state: str = EventState.HELD, **fields
) -> Event:  # type: ignore[no-untyped-def]
    return Event(
        organization=org,
        kind=kind,
        state=state,
        held_on=fields.pop("held_on", dt.date(2026, 11, 2)),
        topic=fields.pop("topic", "学习党章"),
        **fields,
    )


def statuses(event: Event) -> dict[str, tuple[str, bool]]:
    return {a.member.name: (a.status, a.voting) for a in event.attendances.select_related("member")}


def entries_for(event: Event) -> int:
    return AuditEntry.objects.for_object(event).count()


# --- Recording events and attendance -----------------------------------------------------------


def test_create_held_event_records_everybody_due_as_present(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    assert statuses(event) == {
        "张三": (P, True),
        "李四": (P, True),
        "王五": (P, True),
        "赵六": (P, True),
        "吴十": (P, False),  # probationary: no vote (D13/D14, O10)
    }
    event.refresh_from_db()
    assert (event.expected_count, event.present_count, event.excused_count, event.absent_count) == (5, 5, 0, 0)
    assert event.recorded_on == TODAY
    entry = AuditEntry.objects.for_object(event).get()
    assert entry.action == "create" and entry.actor == cast.secretary_a and entry.organization == cast.branch_a
    assert AuditEntry.objects.filter(content_type__model="attendance", action="create").count() == 5


def test_create_with_attendance_and_counts(cast: Cast) -> None:
    zhang, li, wang, *_ = cast.members_a
    event = actions.create_event(
        new_event(cast.branch_a),
        actor=cast.secretary_a,
        attendance={zhang.pk: (E, "出差"), li.pk: (A, ""), wang.pk: (X, "长期卧床 (D15)")},
    )
    event.refresh_from_db()
    assert (event.expected_count, event.present_count, event.excused_count, event.absent_count) == (4, 2, 1, 1)
    assert Attendance.objects.get(event=event, member=zhang).reason == "出差"


def test_planned_events_have_no_attendance_and_no_record_date(cast: Cast) -> None:
    event = actions.create_event(
        new_event(cast.branch_a, state=EventState.PLANNED, held_on=dt.date(2026, 12, 5)), actor=cast.secretary_a
    )
    assert event.attendances.count() == 0 and event.recorded_on is None


def test_a_future_event_cannot_be_recorded_as_held(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.create_event(new_event(cast.branch_a, held_on=dt.date(2026, 11, 24)), actor=cast.secretary_a)
    assert "held_on" in exc.value.message_dict
    assert not Event.objects.exists() and not AuditEntry.objects.filter(content_type__model="event").exists()


def test_excused_or_exempt_without_reason_is_refused(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    zhang = cast.members_a[0]
    for status in (E, X):
        with pytest.raises(ValidationError) as exc:
            actions.record_attendance(event, {zhang.pk: (status, "  ")}, actor=cast.secretary_a)
        assert "reason" in str(exc.value.message_dict[f"att_{zhang.pk}"])
    assert Attendance.objects.get(event=event, member=zhang).status == P


def test_attendance_only_for_members_due(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    with pytest.raises(ValidationError):
        actions.record_attendance(event, {cast.members_b[0].pk: (P, "")}, actor=cast.secretary_a)
    with pytest.raises(ValidationError):
        actions.record_attendance(event, {cast.members_a[0].pk: ("late", "")}, actor=cast.secretary_a)


def test_record_attendance_updates_counts_and_audits(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    zhang = cast.members_a[0]
    actions.record_attendance(event, {zhang.pk: (A, "")}, actor=cast.secretary_a)
    event.refresh_from_db()
    assert (event.present_count, event.absent_count) == (4, 1)
    row = Attendance.objects.get(event=event, member=zhang)
    entry = AuditEntry.objects.for_object(row).filter(action="update").get()
    assert entry.changes["status"] == ["present", "absent"] and entry.actor == cast.secretary_a


def test_heart_talk_needs_two_participants(cast: Cast) -> None:
    zhang, li, *_ = cast.members_a
    with pytest.raises(ValidationError) as exc:
        actions.create_event(
            new_event(cast.branch_a, kind=EventKind.HEART_TALK), actor=cast.secretary_a, attendance={zhang.pk: (P, "")}
        )
    assert "L9" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.create_event(new_event(cast.branch_a, kind=EventKind.HEART_TALK), actor=cast.secretary_a)
    assert not Event.objects.exists()
    talk = actions.create_event(
        new_event(cast.branch_a, kind=EventKind.HEART_TALK),
        actor=cast.secretary_a,
        attendance={zhang.pk: (P, ""), li.pk: (P, "")},
    )
    assert set(statuses(talk)) == {"张三", "李四"}
    talk.refresh_from_db()
    assert talk.expected_count == 2


def test_update_planned_to_held_sets_the_record_date_and_fills_attendance(cast: Cast, time_machine) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC))
    event = actions.create_event(
        new_event(cast.branch_a, state=EventState.PLANNED, held_on=dt.date(2026, 11, 2)), actor=cast.secretary_a
    )
    time_machine.move_to(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC))
    actions.open_sign_in(event, actor=cast.secretary_a)
    actions.sign_in(
        cast.members_a[0], event.sign_in_code, now=dt.datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI), actor=None
    )
    time_machine.move_to(dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.UTC))
    before = audit.snapshot(event)
    event.state = EventState.HELD
    actions.update_event(event, actor=cast.secretary_a, before=before)
    event.refresh_from_db()
    assert event.recorded_on == dt.date(2026, 11, 5)
    got = statuses(event)
    assert got["张三"] == (P, True)  # signed in
    assert {s for name, (s, _v) in got.items() if name != "张三"} == {A}  # not signed in
    assert (event.expected_count, event.present_count, event.absent_count) == (5, 1, 4)
    assert AuditEntry.objects.for_object(event).filter(action="update").exists()


def test_a_held_event_cannot_go_back_to_planned(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    before = audit.snapshot(event)
    event.state = EventState.PLANNED
    with pytest.raises(ValidationError):
        actions.update_event(event, actor=cast.secretary_a, before=before)
    assert Event.objects.get(pk=event.pk).state == EventState.HELD


def test_cancel_needs_a_reason_and_a_planned_event(cast: Cast) -> None:
    event = actions.create_event(
        new_event(cast.branch_a, state=EventState.PLANNED, held_on=dt.date(2026, 12, 5)), actor=cast.secretary_a
    )
    with pytest.raises(ValidationError):
        actions.cancel_event(event, reason="  ", actor=cast.secretary_a)
    assert Event.objects.get(pk=event.pk).state == EventState.PLANNED
    actions.cancel_event(event, reason="疫情防控", actor=cast.secretary_a)
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED and event.cancel_reason == "疫情防控"
    assert AuditEntry.objects.for_object(event).filter(action="update", note="疫情防控").exists()
    held = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    with pytest.raises(ValidationError):
        actions.cancel_event(held, reason="记错了", actor=cast.secretary_a)


def test_group_meeting_needs_a_group_of_the_branch(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.create_event(new_event(cast.branch_a, kind=EventKind.GROUP_MEETING), actor=cast.secretary_a)
    assert "party_group" in exc.value.message_dict
    other = org_actions.add_party_group(PartyGroup(organization=cast.branch_b, name="一组"), actor=None)
    with pytest.raises(ValidationError):
        actions.create_event(
            new_event(cast.branch_a, kind=EventKind.GROUP_MEETING, party_group=other), actor=cast.secretary_a
        )


def test_a_held_party_lesson_says_who_gave_it(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.create_event(new_event(cast.branch_a, kind=EventKind.PARTY_LESSON), actor=cast.secretary_a)
    assert "lecturer_kind" in exc.value.message_dict
    lesson = actions.create_event(
        new_event(
            cast.branch_a,
            kind=EventKind.PARTY_LESSON,
            lecturer_kind=LecturerKind.SECRETARY,
            lecturer=cast.members_a[0],
        ),
        actor=cast.secretary_a,
    )
    assert lesson.lecturer_kind == LecturerKind.SECRETARY


def test_minutes_are_sanitized_and_fingerprinted(cast: Cast) -> None:
    event = actions.create_event(
        new_event(cast.branch_a, minutes='<p onclick="x()">学习<script>alert(1)</script>党章</p>'),
        actor=cast.secretary_a,
    )
    assert "script" not in event.minutes and "onclick" not in event.minutes
    assert event.minutes_digest == rules.minutes_digest("学习党章")


# --- Votes (D13-D15) ---------------------------------------------------------------------------


def vote(event: Event, **counts: int) -> Vote:
    return Vote(event=event, subject=VoteSubject.ADMISSION, title="接收预备党员", member=cast_wu(event), **counts)


def cast_wu(event: Event) -> Member:
    return Member.objects.get(organization=event.organization, name="吴十")


def test_record_vote_computes_quorum_and_pass_from_the_attendance(cast: Cast) -> None:
    zhang, li, *_ = cast.members_a
    event = actions.create_event(
        new_event(cast.branch_a), actor=cast.secretary_a, attendance={zhang.pk: (A, ""), li.pk: (A, "")}
    )
    v = vote(event, votes_for=2)
    result = actions.record_vote(v, actor=cast.secretary_a)
    v.refresh_from_db()
    # 4 voting members due (吴十 is probationary), 2 present: exactly half, no quorum.
    assert (v.voting_due, v.voting_present, v.quorate, v.passed) == (4, 2, False, False)
    assert not result.valid and any("D13" in str(p) for p in result.problems)
    assert AuditEntry.objects.for_object(v).get().action == "create"
    # 张三 was there after all: 3 of 4 present; 2 for is not more than half of 4.
    actions.record_attendance(event, {zhang.pk: (P, "")}, actor=cast.secretary_a)
    v.refresh_from_db()
    assert (v.voting_due, v.voting_present, v.quorate, v.passed) == (4, 3, True, False)
    # The written opinion of the absent 李四 (D14) carries it.
    v.written_for = 1
    result = actions.record_vote(v, actor=cast.secretary_a)
    v.refresh_from_db()
    assert result.valid and (v.quorate, v.passed) == (True, True)
    entry = AuditEntry.objects.for_object(v).filter(action="update").get()
    assert entry.changes["written_for"] == [0, 1]


def test_D15_exempt_members_are_not_due_to_vote(cast: Cast) -> None:
    zhang, li, *_ = cast.members_a
    event = actions.create_event(
        new_event(cast.branch_a), actor=cast.secretary_a, attendance={zhang.pk: (A, ""), li.pk: (A, "")}
    )
    v = vote(event, votes_for=2)
    actions.record_vote(v, actor=cast.secretary_a)
    v.refresh_from_db()
    assert (v.voting_due, v.quorate, v.passed) == (4, False, False)
    # 张三 is abroad at his own expense for more than half a year: not due (D15).
    actions.record_attendance(event, {zhang.pk: (X, "自费出国留学一年以上")}, actor=cast.secretary_a)
    v.refresh_from_db()
    assert (v.voting_due, v.voting_present, v.quorate, v.passed) == (3, 2, True, True)


def test_a_vote_with_more_ballots_than_voters_is_recorded_but_not_carried(cast: Cast) -> None:
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    v = vote(event, votes_for=4, votes_against=1)  # 5 ballots, 4 voting members present
    result = actions.record_vote(v, actor=cast.secretary_a)
    v.refresh_from_db()
    assert not v.quorate and not v.passed
    assert any("one vote per person" in str(p) for p in result.problems)


def test_votes_only_at_a_held_general_meeting(cast: Cast) -> None:
    theme = actions.create_event(new_event(cast.branch_a, kind=EventKind.THEME_DAY), actor=cast.secretary_a)
    with pytest.raises(ValidationError):
        actions.record_vote(vote(theme, votes_for=4), actor=cast.secretary_a)
    planned = actions.create_event(
        new_event(cast.branch_a, state=EventState.PLANNED, held_on=dt.date(2026, 12, 5)), actor=cast.secretary_a
    )
    with pytest.raises(ValidationError):
        actions.record_vote(vote(planned, votes_for=4), actor=cast.secretary_a)
    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    stranger = Vote(event=event, subject=VoteSubject.ADMISSION, title="接收", member=cast.members_b[0], votes_for=4)
    with pytest.raises(ValidationError):
        actions.record_vote(stranger, actor=cast.secretary_a)
    assert not Vote.objects.exists()


# --- Sign-in ------------------------------------------------------------------------------------


@pytest.fixture
def tonight(cast: Cast) -> Event:
    """A planned meeting of branch A tonight 19:00-21:00 with sign-in open."""
    event = actions.create_event(
        new_event(
            cast.branch_a,
            state=EventState.PLANNED,
            held_on=TODAY,
            starts_at=dt.time(19, 0),
            ends_at=dt.time(21, 0),
        ),
        actor=cast.secretary_a,
    )
    return actions.open_sign_in(event, actor=cast.secretary_a)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hour, minute), SHANGHAI)


def test_sign_in_success(cast: Cast, tonight: Event) -> None:
    assert len(tonight.sign_in_code) == 6 and tonight.sign_in_code.isdigit()
    zhang = cast.members_a[0]
    row = actions.sign_in(
        zhang, f" {tonight.sign_in_code[:3]} {tonight.sign_in_code[3:]}", now=at(18, 45), actor=cast.member_a
    )
    assert row.status == P and row.signed_in_at == at(18, 45) and row.voting
    assert AuditEntry.objects.for_object(row).get().actor == cast.member_a


def test_sign_in_errors(cast: Cast, tonight: Event) -> None:
    zhang = cast.members_a[0]
    wrong = "000000" if tonight.sign_in_code != "000000" else "111111"

    def error(member: Member, code: str, when: dt.datetime) -> str:
        with pytest.raises(ValidationError) as exc:
            actions.sign_in(member, code, now=when, actor=None)
        return str(exc.value.message_dict["code"])

    assert "No event today" in error(zhang, wrong, at(19, 30))
    assert "No event today" in error(zhang, tonight.sign_in_code[:5], at(19, 30))
    # Window: 30 minutes before the start to 30 minutes after the end.
    assert "open from 18:30 to 21:30" in error(zhang, tonight.sign_in_code, at(18, 29))
    assert "open from" in error(zhang, tonight.sign_in_code, at(21, 31))
    assert "not among the members due" in error(cast.members_b[0], tonight.sign_in_code, at(19, 30))
    actions.sign_in(zhang, tonight.sign_in_code, now=at(21, 30), actor=None)
    assert "signed in at 21:30 already" in error(zhang, tonight.sign_in_code, at(21, 30))
    assert Attendance.objects.filter(event=tonight).count() == 1


def test_sign_in_at_a_held_event_refreshes_its_counts(cast: Cast) -> None:
    event = actions.create_event(
        new_event(cast.branch_a, held_on=TODAY, starts_at=dt.time(16, 0), ends_at=dt.time(18, 0)),
        actor=cast.secretary_a,
        attendance={cast.members_a[0].pk: (A, "")},
    )
    actions.open_sign_in(event, actor=cast.secretary_a)
    actions.sign_in(cast.members_a[0], event.sign_in_code, now=at(18, 10), actor=None)
    event.refresh_from_db()
    assert (event.present_count, event.absent_count) == (5, 0)


def test_no_sign_in_for_a_cancelled_event(cast: Cast, tonight: Event) -> None:
    code = tonight.sign_in_code
    actions.cancel_event(tonight, reason="停电", actor=cast.secretary_a)
    with pytest.raises(ValidationError):
        actions.sign_in(cast.members_a[0], code, now=at(19, 30), actor=None)
    with pytest.raises(ValidationError):
        actions.open_sign_in(tonight, actor=cast.secretary_a)


# --- Planning ---------------------------------------------------------------------------------


def test_plan_period_creates_one_planned_event_per_missing_slot_and_is_idempotent(cast: Cast) -> None:
    window = rules.parse_span("2027-Q1")
    created = actions.plan_period(cast.branch_a, window, day_of_month=31, actor=cast.secretary_a)
    # L1 and L5 once in the quarter, L6 each month.
    assert sorted((e.kind, e.held_on) for e in created) == [
        (EventKind.GENERAL_MEETING, dt.date(2027, 1, 31)),
        (EventKind.PARTY_LESSON, dt.date(2027, 1, 31)),
        (EventKind.THEME_DAY, dt.date(2027, 1, 31)),
        (EventKind.THEME_DAY, dt.date(2027, 2, 28)),  # the last day of a short month
        (EventKind.THEME_DAY, dt.date(2027, 3, 31)),
    ]
    assert {e.state for e in created} == {EventState.PLANNED}
    assert actions.plan_period(cast.branch_a, window, day_of_month=31, actor=cast.secretary_a) == []
    assert Event.objects.count() == 5


def test_plan_period_skips_what_was_held_and_plans_each_group(cast: Cast) -> None:
    for name in ("一组", "二组"):
        org_actions.add_party_group(PartyGroup(organization=cast.branch_a, name=name), actor=None)
    actions.create_event(new_event(cast.branch_a, kind=EventKind.THEME_DAY, held_on=TODAY), actor=cast.secretary_a)
    window = rules.parse_span("2026-11")
    created = actions.plan_period(cast.branch_a, window, day_of_month=28, actor=cast.secretary_a, today=TODAY)
    assert sorted((e.kind, e.party_group.name if e.party_group else "") for e in created) == [
        (EventKind.GROUP_MEETING, "一组"),
        (EventKind.GROUP_MEETING, "二组"),
    ]
    assert actions.plan_period(cast.branch_a, window, day_of_month=28, actor=cast.secretary_a, today=TODAY) == []


def test_plan_period_plans_the_secretarys_lesson_too(cast: Cast) -> None:
    window = rules.parse_span("2027")
    created = actions.plan_period(cast.branch_a, window, day_of_month=10, actor=cast.secretary_a)
    lessons = [e for e in created if e.kind == EventKind.PARTY_LESSON]
    assert len(lessons) == 5  # one a quarter (L5, local) and the secretary's own (L5)
    assert [e.lecturer_kind for e in lessons].count(LecturerKind.SECRETARY) == 1
    assert len(created) == 4 + 5 + 12 + 3  # L1, L5, L6, and L7, L8, L9
    assert actions.plan_period(cast.branch_a, window, day_of_month=10, actor=cast.secretary_a) == []


def test_plan_period_refuses_a_bad_day(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        actions.plan_period(cast.branch_a, rules.parse_span("2027-Q1"), day_of_month=32, actor=cast.secretary_a)


# --- Requirement overrides --------------------------------------------------------------------


def org_override(org: Organization, valid_from: dt.date, valid_to: dt.date | None = None, count: int = 2):  # type: ignore[no-untyped-def]
    return RequirementOverride(
        key="general_meeting", organization=org, count=count, valid_from=valid_from, valid_to=valid_to, note="县委要求"
    )


def test_set_override_refuses_overlapping_periods(cast: Cast) -> None:
    # A secretary may not set requirements for their own branch (they would exempt it).
    with pytest.raises(PermissionDenied):
        actions.set_override(org_override(cast.branch_a, dt.date(2026, 1, 1)), actor=cast.secretary_a)
    first = actions.set_override(
        org_override(cast.branch_a, dt.date(2026, 1, 1), dt.date(2026, 12, 31)), actor=cast.committee_admin
    )
    assert first.set_by == cast.committee_admin
    assert AuditEntry.objects.for_object(first).get().action == "create"
    for start, end in ((dt.date(2026, 12, 31), None), (dt.date(2025, 1, 1), dt.date(2026, 1, 1))):
        with pytest.raises(ValidationError):
            actions.set_override(org_override(cast.branch_a, start, end), actor=cast.committee_admin)
    actions.set_override(org_override(cast.branch_a, dt.date(2027, 1, 1)), actor=cast.committee_admin)
    actions.set_override(org_override(cast.branch_b, dt.date(2026, 1, 1)), actor=cast.county_admin)  # another target
    # Editing an override does not clash with itself, and is audited as a change.
    first.count = 3
    actions.set_override(first, actor=cast.committee_admin)
    assert AuditEntry.objects.for_object(first).filter(action="update").get().changes["count"] == [2, 3]
    with pytest.raises(ValidationError):
        actions.set_override(
            RequirementOverride(key="no_such", organization=cast.branch_a, count=1, valid_from=TODAY, note="x"),
            actor=cast.committee_admin,
        )


def test_only_a_platform_administrator_sets_a_sector_override(cast: Cast) -> None:
    def sector_override() -> RequirementOverride:
        return RequirementOverride(
            key="theme_day", sector=Sector.VILLAGE, count=0, valid_from=dt.date(2026, 1, 1), note="农忙"
        )

    with pytest.raises(OutOfScope):
        actions.set_override(sector_override(), actor=cast.county_admin)
    with pytest.raises(PermissionDenied):
        actions.set_override(sector_override(), actor=cast.secretary_a)
    assert not RequirementOverride.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="requirementoverride").exists()
    saved = actions.set_override(sector_override(), actor=cast.platform_admin)
    with pytest.raises(OutOfScope):
        actions.remove_override(saved, actor=cast.county_admin)
    actions.remove_override(saved, actor=cast.platform_admin)
    assert not RequirementOverride.objects.exists()
    assert AuditEntry.objects.filter(content_type__model="requirementoverride", action="delete").count() == 1


# --- Scope: out-of-scope actors change nothing and leave no trace -----------------------------------


def test_out_of_scope_actor_is_refused_and_nothing_is_written(cast: Cast) -> None:
    b = cast.secretary_b
    entries = AuditEntry.objects.count()
    with pytest.raises(OutOfScope):
        actions.create_event(new_event(cast.branch_a), actor=b)
    assert not Event.objects.exists() and not Attendance.objects.exists()
    assert AuditEntry.objects.count() == entries

    event = actions.create_event(new_event(cast.branch_a), actor=cast.secretary_a)
    planned = actions.create_event(
        new_event(cast.branch_a, state=EventState.PLANNED, held_on=dt.date(2026, 12, 5)), actor=cast.secretary_a
    )
    other_admin = make_user("admin_y", Role.ORG_ADMIN, scope=cast.committee_y)
    entries = AuditEntry.objects.count()
    zhang = cast.members_a[0]
    attempts = [
        lambda: actions.record_attendance(event, {zhang.pk: (A, "")}, actor=b),
        lambda: actions.record_vote(vote(event, votes_for=4), actor=b),
        lambda: actions.cancel_event(Event.objects.get(pk=planned.pk), reason="改期", actor=b),
        lambda: actions.open_sign_in(Event.objects.get(pk=planned.pk), actor=b),
        lambda: actions.plan_period(cast.branch_a, rules.parse_span("2027-Q1"), day_of_month=1, actor=b),
    ]
    for attempt in attempts:
        with pytest.raises(OutOfScope):
            attempt()
    # An administrator of the other half of the tree cannot set branch A's requirements.
    with pytest.raises(OutOfScope):
        actions.set_override(org_override(cast.branch_a, dt.date(2026, 1, 1)), actor=other_admin)
    before = audit.snapshot(event)
    event.topic = "改了"
    with pytest.raises(OutOfScope):
        actions.update_event(event, actor=b, before=before)
    assert AuditEntry.objects.count() == entries
    assert Attendance.objects.get(event=event, member=zhang).status == P
    assert not Vote.objects.exists() and not RequirementOverride.objects.exists()
    assert Event.objects.get(pk=planned.pk).state == EventState.PLANNED
    assert Event.objects.get(pk=planned.pk).sign_in_code == ""
    assert Event.objects.get(pk=event.pk).topic == "学习党章"
    assert Event.objects.count() == 2


def test_a_member_cannot_record_events(cast: Cast) -> None:
    with pytest.raises(OutOfScope):
        actions.create_event(new_event(cast.branch_a), actor=cast.member_a)
    with pytest.raises(OutOfScope):
        actions.create_event(new_event(cast.branch_a), actor=cast.inspector)
    assert not Event.objects.exists()


def test_no_event_before_the_organization_existed(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.branch_a.pk).update(established_on=dt.date(2026, 6, 1))
    cast.branch_a.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        actions.create_event(new_event(cast.branch_a, held_on=dt.date(2026, 5, 31)), actor=cast.secretary_a)
    assert "established on 2026-06-01" in str(error.value)
    assert actions.create_event(new_event(cast.branch_a, held_on=dt.date(2026, 6, 1)), actor=cast.secretary_a).pk


def test_planning_a_running_quarter_never_plans_in_the_past(cast: Cast) -> None:
    created = actions.plan_period(
        cast.branch_a, rules.parse_span("2026-Q4"), day_of_month=1, actor=cast.secretary_a, today=dt.date(2026, 11, 20)
    )
    assert created and all(event.held_on >= dt.date(2026, 11, 20) for event in created)
    # October has ended: nothing is planned for it.
    assert not any(event.held_on.month == 10 for event in created)
