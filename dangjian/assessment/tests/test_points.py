"""Member points from substantive records (issue 7, item 7): attendance recorded at
organizational life, dues paid within the month or late, items of one's post accepted,
candidates cultivated or introduced; the nearest organization's rules or the defaults;
caps; the league table of a branch and a member's own breakdown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.assessment import actions, points, rules
from dangjian.assessment.choices import PointSource
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast
from dangjian.dues import actions as dues
from dangjian.members.models import Member

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def test_caps_hold_both_ways() -> None:
    rule = rules.PointRule("x", D(2), D(5))
    assert rules.points_of(2, rule) == D("4.00")
    assert rules.points_of(10, rule) == D("5.00")
    assert rules.points_of(10, rules.PointRule("y", D(-3), D(5))) == D("-5.00")
    assert rules.points_of(0, rule) == D("0.00")
    assert str(rules.points_of(0, rules.PointRule("y", D(-3), D(5)))) == "0.00"  # not "-0.00" on the page


def test_points_come_from_the_records(cast: Cast) -> None:
    member = cast.members_a[0]
    # Dues: January paid in January, February paid in March (late).
    dues.set_standard(member, category="farmer", valid_from=M(2026, 1, 1), farmer_amount=D("1"), actor=None)
    dues.record_payments(member, [M(2026, 1, 1)], paid_on=M(2026, 1, 20), method="cash", actor=None)
    dues.record_payments(member, [M(2026, 2, 1)], paid_on=M(2026, 3, 2), method="cash", actor=None)
    found = points.counts([member], 2026)[member.pk]
    assert (found[PointSource.DUES_ON_TIME], found[PointSource.DUES_LATE]) == (1, 1)
    _rules, tally = points.of_member(member, 2026)
    assert tally.points[PointSource.DUES_ON_TIME] == D("1.00")
    assert tally.points[PointSource.DUES_LATE] == D("-0.50")
    assert tally.total == D("0.50")


def test_nearest_rules_apply_and_the_pages(cast: Cast) -> None:
    owner, used = points.rules_for(cast.branch_a, 2026)
    assert owner is None and used == list(rules.DEFAULT_POINTS)
    custom = [(source, D(5), D(50)) for source, _label in PointSource.choices]
    actions.set_points_rules(cast.committee_x, year=2026, rules=custom, actor=cast.committee_admin)
    owner, used = points.rules_for(cast.branch_a, 2026)
    assert owner == cast.committee_x and {r.points for r in used} == {D(5)}
    assert points.rules_for(cast.branch_b, 2026)[0] is None  # another subtree keeps the defaults
    assert points.rules_for(cast.branch_a, 2025)[0] is None  # and another year
    secretary = Client(HTTP_ACCEPT_LANGUAGE="en")
    secretary.force_login(cast.secretary_a)
    page = secretary.get(reverse("assessment:points") + f"?org={cast.branch_a.pk}&year=2026")
    assert page.status_code == 200 and len(page.context["tallies"]) == len(cast.members_a)
    assert page.context["can_set"] is True
    assert secretary.get(reverse("assessment:points") + f"?org={cast.branch_b.pk}").status_code == 404
    data = {}
    for source, _label in PointSource.choices:
        data[source], data[f"{source}.cap"] = "1", "10"
    bad = secretary.post(
        reverse("assessment:points") + f"?org={cast.branch_a.pk}&year=2026", {**data, "dues.late.cap": "-1"}
    )
    assert bad.status_code == 400
    ok = secretary.post(reverse("assessment:points") + f"?org={cast.branch_a.pk}&year=2026", data)
    assert ok.status_code == 302 and points.rules_for(cast.branch_a, 2026)[0] == cast.branch_a
    inspector = Client(HTTP_ACCEPT_LANGUAGE="en")
    inspector.force_login(cast.inspector)
    assert inspector.post(reverse("assessment:points") + f"?org={cast.branch_a.pk}", data).status_code == 404
    seen = inspector.get(reverse("assessment:points") + f"?org={cast.branch_a.pk}&year=2026")
    assert len(seen.context["tallies"]) == len(cast.members_a) and seen.context["can_set"] is False
    with pytest.raises(OutOfScope):  # PointsRule's area is the members': inspectors read it
        actions.set_points_rules(cast.branch_a, year=2026, rules=custom, actor=cast.inspector)
    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(cast.member_a)
    own = member.get(reverse("assessment:points"))
    assert own.status_code == 200 and own.context["tally"].member == cast.member_a.member
    assert member.post(reverse("assessment:points") + f"?org={cast.branch_a.pk}", data).status_code in (403, 404)


def test_the_league_holds_the_members_in_scope_only(cast: Cast) -> None:
    _owner, _rules, tallies = points.league(cast.branch_a, 2026, Member.objects.restrict(cast.secretary_a))
    assert len(tallies) == len(cast.members_a)
    assert points.league(cast.branch_b, 2026, Member.objects.restrict(cast.secretary_a))[2] == []


def test_attendance_counts_present_and_absent(cast: Cast) -> None:
    from dangjian.orglife.models import Attendance, Event

    event = Event.objects.create(
        organization=cast.branch_a, kind="general_meeting", topic="学习", held_on=M(2026, 3, 5), state="held"
    )
    Attendance.objects.create(event=event, member=cast.members_a[0], status="present")
    Attendance.objects.create(event=event, member=cast.members_a[1], status="absent")
    Attendance.objects.create(event=event, member=cast.members_a[2], status="excused", reason="出差")
    found = points.counts(cast.members_a[:3], 2026)
    assert found[cast.members_a[0].pk][PointSource.PRESENT] == 1
    assert found[cast.members_a[1].pk][PointSource.ABSENT] == 1
    assert found[cast.members_a[2].pk].get(PointSource.PRESENT, 0) == 0
    assert found[cast.members_a[2].pk].get(PointSource.ABSENT, 0) == 0


def test_the_league_gives_tied_totals_the_same_place(cast: Cast) -> None:
    for member in cast.members_a[:2]:  # the same points: one month of dues paid on time
        dues.set_standard(member, category="farmer", valid_from=M(2026, 1, 1), farmer_amount=D("1"), actor=None)
        dues.record_payments(member, [M(2026, 1, 1)], paid_on=M(2026, 1, 20), method="cash", actor=None)
    _owner, _rules, tallies = points.league(cast.branch_a, 2026, Member.objects.restrict(cast.secretary_a))
    assert len(tallies) >= 4
    assert [t.place for t in tallies] == [1, 1] + [3] * (len(tallies) - 2)
    assert {t.member for t in tallies[:2]} == set(cast.members_a[:2])
