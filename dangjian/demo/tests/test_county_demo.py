"""The demo county's year of organizational life: built once for the module (about
20 seconds) on a fixed day, rolled back afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count, Q

from dangjian.accounts.models import User
from dangjian.demo.county import CountyBuilder
from dangjian.members.models import Member
from dangjian.orglife import compliance, queries, rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, Signal, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

SEED = 1
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)  # a Friday in the fourth quarter
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Organization]:
    """The demo county (its root), kept for the module's tests and then rolled back."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        root = CountyBuilder(SEED, TODAY).build()["root"]
        yield root
        transaction.set_rollback(True)


def orglife_events() -> Any:
    """The events of the organizational-life demo, without the branch general meetings
    the development demo held for its admission votes (dangjian.demo.development)."""
    return Event.objects.filter(development_steps__isnull=True)


def timeline() -> list[tuple[str, dt.date, str, str, str]]:
    return list(
        orglife_events()
        .order_by("organization__path", "held_on", "kind", "topic")
        .values_list("organization__name", "held_on", "kind", "topic", "state")
    )


def test_every_branch_keeps_a_year_of_life(demo: Organization, db: Any) -> None:
    held = orglife_events().filter(state=EventState.HELD)
    assert held.count() > 1000
    assert held.filter(held_on__lt=dt.date(TODAY.year, 1, 1)).count() == 0
    assert held.filter(held_on__gt=TODAY).count() == 0
    branches = Organization.objects.filter(kind=OrgKind.BRANCH)
    assert not branches.exclude(pk__in=held.values("organization")).exists()
    kinds = set(held.values_list("kind", flat=True))
    assert {
        EventKind.GENERAL_MEETING,
        EventKind.COMMITTEE_MEETING,
        EventKind.GROUP_MEETING,
        EventKind.PARTY_LESSON,
        EventKind.THEME_DAY,
        EventKind.LIFE_MEETING,
        EventKind.HEART_TALK,
    } <= kinds
    assert held.filter(kind=EventKind.LIFE_MEETING, includes_evaluation=True).exists()
    assert held.filter(kind=EventKind.PARTY_LESSON, lecturer_kind="secretary", lecturer__isnull=False).exists()
    assert held.filter(minutes__startswith="<p>").count() > held.count() * 0.9
    excused = set(
        held.filter(attendances__status=AttendanceStatus.EXCUSED).values_list("attendances__reason", flat=True)
    )
    assert {"出差", "病假", "外出务工"} <= excused


def test_planned_events_include_today_with_sign_in_for_the_demo_member(demo: Organization, db: Any) -> None:
    member = User.objects.get(username="member_a").member
    assert member is not None
    upcoming = Event.objects.filter(
        organization=member.organization, state=EventState.PLANNED, held_on__gte=TODAY
    ).order_by("held_on")
    assert upcoming.count() >= 2
    today = upcoming.first()
    assert today is not None and today.held_on == TODAY and len(today.sign_in_code) == 6
    assert Event.objects.filter(state=EventState.PLANNED).exclude(organization=member.organization).exists()


def test_compliance_is_green_yellow_and_red(demo: Organization, db: Any) -> None:
    tallies = compliance.rollup(demo, compliance.current_window(TODAY), today=TODAY, group="org")
    rates = [t.rate for t in tallies.values() if t.rate is not None]
    assert any(rate < 0.6 for rate in rates)
    assert any(0.6 <= rate < 0.9 for rate in rates)
    assert sum(rate >= 0.9 for rate in rates) > len(rates) / 2  # most branches are diligent
    total = compliance.total(demo, compliance.current_window(TODAY), today=TODAY)
    assert total.late > 0 and total.missing > 0 and total.pending > 0


def test_stored_counts_and_digests_match_the_records(demo: Organization, db: Any) -> None:
    events = Event.objects.filter(state=EventState.HELD).annotate(
        rows=Count("attendances", filter=~Q(attendances__status=AttendanceStatus.EXEMPT)),
        present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
        excused=Count("attendances", filter=Q(attendances__status=AttendanceStatus.EXCUSED)),
        absent=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ABSENT)),
    )
    for event in events:
        counts = (event.expected_count, event.present_count, event.excused_count, event.absent_count)
        assert counts == (event.rows, event.present, event.excused, event.absent), event
        assert event.minutes_digest == rules.minutes_digest(event.minutes), event
        assert event.recorded_on is not None and event.held_on <= event.recorded_on <= TODAY, event


def test_formalism_signals_and_votes(demo: Organization, db: Any) -> None:
    events = Event.objects.all()
    for signal in Signal:
        assert queries.flagged(events, TODAY, signal).exists(), signal
    admission = Vote.objects.get(subject=VoteSubject.ADMISSION, development_step__isnull=True)
    assert admission.quorate and admission.passed
    assert admission.member is not None and admission.event.held_on == admission.member.joined_on
    failed = Vote.objects.exclude(subject=VoteSubject.ADMISSION).filter(development_step__isnull=True).get()
    assert not failed.quorate and failed.voting_present * 2 <= failed.voting_due


def test_some_members_drift(demo: Organization, db: Any) -> None:
    drifting = list(queries.drifting(Member.objects.all(), TODAY))
    reasons = sorted(m.drift_reason for m in drifting)
    assert reasons.count("no_life") in (2, 3)
    assert reasons.count("lost_contact") == 1
    lost = next(m for m in drifting if m.drift_reason == "lost_contact")
    assert lost.lost_contact_since is not None and lost.lost_contact_since < TODAY - dt.timedelta(days=7 * 30)


def test_the_same_seed_gives_the_same_year(demo: Organization, db: Any) -> None:
    first = timeline()
    with transaction.atomic():
        orglife_events().delete()
        CountyBuilder(SEED, TODAY).create_orglife(demo)
        again = timeline()
        transaction.set_rollback(True)
    assert again == first


def test_dues_collection_arrears_handovers_and_funds(demo: Organization, db: Any) -> None:
    from dangjian.dues import queries as dues
    from dangjian.dues.models import FundEntry, Handover

    members = Member.objects.filter(organization__path__startswith=demo.path)
    october = dues.collection(members, dt.date(2026, 10, 1))
    assert 0.85 < october["rate"] < 1
    showcase = Organization.objects.get(name="东关村党支部")
    flagged = dues.unpaid_in_a_row(members.filter(organization=showcase), dt.date(2026, 10, 31), 6)
    assert flagged.count() >= 1
    rows = dues.reconciliation(demo, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    total = dues.subtree_totals(rows)
    assert total.collected > 0 and total.handed_up == 0  # the county is the top: nothing leaves it
    assert rows[0].received > 0 and rows[0].retained == rows[0].received  # the county collects nothing itself
    assert Handover.objects.filter(confirmed_on__isnull=True).exists()
    assert FundEntry.objects.filter(state="pending", organization=showcase).exists()
    township = Organization.objects.get(name="城关镇党委")
    assert dues.fund_balance(township) > 0


def test_duties_at_every_link(demo: Organization, db: Any) -> None:
    from dangjian.duties.models import Item, WorkList

    states = set(Item.objects.values_list("state", flat=True))
    assert {"assigned", "acknowledged", "reported", "returned", "accepted", "pursued"} <= states
    assert Item.objects.filter(parent__isnull=False).count() == 2
    assert WorkList.objects.filter(state="draft", copied_from__isnull=False).exists()


def test_inspections_with_findings_from_signals_and_rectifications_at_every_state(demo: Organization, db: Any) -> None:
    from dangjian.inspections.models import Finding, Plan, Rectification

    assert Plan.objects.count() == 2
    states = set(Rectification.objects.values_list("state", flat=True))
    assert states == {"open", "reported", "returned", "verified"}
    linked = Finding.objects.exclude(signal="").filter(visit__organization__name="东关村党支部")
    assert linked.count() == 2 and all(f.signal_text for f in linked)
    # The demo secretary has something overdue to rectify, the inspector something to verify.
    from dangjian.core.inbox import collect

    secretary = User.objects.get(username="secretary_a")
    inspector = User.objects.get(username="inspector")
    assert "inspections.overdue" in {g.key for g in collect(secretary, TODAY)}
    assert "inspections.to_verify" in {g.key for g in collect(inspector, TODAY)}


def test_assessment_with_two_years_published_and_an_appeal(demo: Organization, db: Any) -> None:
    from dangjian.assessment.models import Appeal, Consequence, Result, Scheme

    assert Scheme.objects.count() == 3
    assert Result.objects.filter(round__kind="year_end").count() == 100  # 50 branches, two years
    # The same three branches at the bottom both years: a public notification in the second.
    second = Consequence.objects.filter(round__scheme__year=TODAY.year - 1)
    assert second.count() == 3 and set(second.values_list("rule", flat=True)) == {"bottom_2"}
    assert Appeal.objects.filter(organization__name="东关村党支部", state="pending").count() == 1


def test_democratic_evaluation_of_the_demo_branch(demo: Organization, db: Any) -> None:
    from dangjian.core.inbox import collect
    from dangjian.evaluation.models import FollowUp, Round

    last, this = Round.objects.filter(organization__name="东关村党支部").order_by("year")
    # Last year's, decided at the December branch general meeting: one member basically
    # qualified, followed up and corrected; one excellent lowered for the quota, with a reason.
    assert (last.year, last.step) == (TODAY.year - 1, "decided")
    assert last.meeting is not None and last.meeting.held_on.year == TODAY.year - 1
    grades = set(last.evaluations.values_list("grade", flat=True))
    assert {"excellent", "qualified", "basically_qualified"} <= grades
    assert last.evaluations.filter(grade="basically_qualified").count() == 1
    assert last.evaluations.exclude(grade_reason="").exists()
    follow_up = FollowUp.objects.get(evaluation__round=last)
    assert (follow_up.grade, follow_up.state) == ("basically_qualified", "corrected")
    assert follow_up.helper is not None and follow_up.plan and follow_up.closed_on <= TODAY
    # This year's is at the democratic rating; the demo member handed in from the phone.
    assert (this.year, this.step) == (TODAY.year, "rating")
    member = User.objects.get(username="member_a").member
    own = this.evaluations.get(member=member)
    assert own.self_by_member and own.self_on == TODAY
    assert not this.evaluations.filter(self_text="", excused_reason="").exists()
    secretary = User.objects.get(username="secretary_a")
    assert "evaluation.open" in {g.key for g in collect(secretary, TODAY)}
