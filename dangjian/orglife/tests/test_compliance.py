"""The compliance engine (one SQL query) against the per-organization Python loop of
``reference.py``: hand-built cases with the numbers written out, the edge cases of the
definitions (organizations created or dissolved mid-period, late records, overrides,
capping), every grouping, a Hypothesis property over random trees, and the query count."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.actions import set_figure
from dangjian.core.rulesets import value
from dangjian.core.testing import Cast, make_member, make_org
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind
from dangjian.members.models import Post
from dangjian.orglife import compliance, rules
from dangjian.orglife.choices import EventKind, EventState, LecturerKind, Status
from dangjian.orglife.compliance import Tally
from dangjian.orglife.models import Event, RequirementOverride
from dangjian.orglife.reference import compliance_by_loop, slots_by_loop
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization, PartyGroup

TODAY = dt.date(2026, 11, 23)
YEAR = rules.parse_span("2026")


@pytest.fixture(autouse=True)
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    return TODAY


_topics = itertools.count(1)


def held(
    org: Organization,
    kind: str,
    day: dt.date,
    *,
    recorded_on: dt.date | str | None = "same day",
    state: str = EventState.HELD,
    **fields: object,
) -> Event:
    """An event row as the actions leave it: recorded the day it was held unless given
    (``None``: no record date, as in imported history)."""
    if recorded_on == "same day":
        recorded_on = day if state == EventState.HELD else None
    return Event.objects.create(
        organization=org,
        kind=kind,
        state=state,
        held_on=day,
        recorded_on=recorded_on,
        topic=f"议题{next(_topics)}",
        cancel_reason="改期" if state == EventState.CANCELLED else "",
        **fields,
    )


def override(key: str, count: int, valid_from: dt.date, valid_to: dt.date | None = None, **target: object):
    return RequirementOverride.objects.create(
        key=key, count=count, valid_from=valid_from, valid_to=valid_to, note="测试", **target
    )


def by_key(root: Organization, window: rules.Span = YEAR, today: dt.date = TODAY) -> dict[str, Tally]:
    """The engine's tallies of ``root`` alone, per requirement key."""
    return compliance.rollup(root, window, today=today, only_org=True, by_requirement=True)


def assert_engine_matches_reference(root: Organization, window: rules.Span, today: dt.date) -> dict[int, Tally]:
    engine = compliance.rollup(root, window, today=today, group="org")
    oracle = compliance_by_loop(root, window, today=today)
    assert engine == oracle
    return engine


# --- Hand-built cases, numbers written out -----------------------------------------------------


def test_a_branch_with_no_events_owes_the_regulation_figures(cast: Cast) -> None:
    """Branch A in 2026 on 23 November: L1 4 quarters, L5 4 quarters + 1 secretary lesson,
    L6 12 months, L7, L8, L9 once each; no committee, no groups (no L3, no L4)."""
    tallies = by_key(cast.branch_a)
    assert set(tallies) == {
        "general_meeting",
        "party_lesson",
        "secretary_lesson",
        "theme_day",
        "life_meeting",
        "democratic_evaluation",
        "heart_talk",
    }
    assert tallies["general_meeting"] == Tally(required=4, missing=3, pending=1)
    assert tallies["theme_day"] == Tally(required=12, missing=10, pending=2)  # November is running
    assert tallies["life_meeting"] == Tally(required=1, pending=1)
    own = compliance.rollup(cast.branch_a, YEAR, today=TODAY, only_org=True)[None]
    assert own == Tally(required=24, missing=16, pending=8)
    assert own.rate == 0.0 and own.status() == Status.RED
    # A grassroots committee owes the secretary's lesson and the talks (L5, L9); the
    # county committee nothing.
    assert compliance.rollup(cast.committee_x, YEAR, today=TODAY, only_org=True)[None] == Tally(required=2, pending=2)
    assert compliance.rollup(cast.county, YEAR, today=TODAY, only_org=True)[None] == Tally()
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_on_time_late_and_capping_per_slot(cast: Cast) -> None:
    a = cast.branch_a
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 2, 10), recorded_on=dt.date(2026, 3, 31))  # last day: on time
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 3, 10))  # a second Q1 meeting: capped
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 5, 10), recorded_on=dt.date(2026, 7, 1))  # late
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 10, 10))  # Q4 running, held
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 8, 1), state=EventState.PLANNED)
    held(a, EventKind.GENERAL_MEETING, dt.date(2026, 8, 2), state=EventState.CANCELLED)
    held(cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, 8, 3))  # another branch's
    # Q3 has no held meeting: the extra Q1 meeting does not make up for it.
    assert by_key(a)["general_meeting"] == Tally(required=4, on_time=2, late=1, missing=1, pending=0)
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_a_record_without_record_date_counts_by_its_date(cast: Cast) -> None:
    held(cast.branch_a, EventKind.LIFE_MEETING, dt.date(2026, 6, 1), recorded_on=None)
    assert by_key(cast.branch_a)["life_meeting"] == Tally(required=1, on_time=1)
    assert_engine_matches_reference(cast.branch_a, YEAR, TODAY)


def test_late_records_and_the_grace_days_figure(cast: Cast) -> None:
    held(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 1, 20), recorded_on=dt.date(2026, 2, 5))
    assert by_key(cast.branch_a, rules.parse_span("2026-01"))["theme_day"] == Tally(required=1, late=1)
    set_figure(
        key=rules.RECORD_GRACE_DAYS.key, value=5, effective_from=dt.date(2020, 1, 1), note="本地规定", actor=None
    )
    assert by_key(cast.branch_a, rules.parse_span("2026-01"))["theme_day"] == Tally(required=1, on_time=1)
    assert_engine_matches_reference(cast.branch_a, YEAR, TODAY)


def test_a_period_that_ended_yesterday_is_missing_not_pending(cast: Cast) -> None:
    window = rules.parse_span("2026-10")
    assert by_key(cast.branch_a, window, dt.date(2026, 10, 31))["theme_day"] == Tally(required=1, pending=1)
    assert by_key(cast.branch_a, window, dt.date(2026, 11, 1))["theme_day"] == Tally(required=1, missing=1)


def test_L8_counts_a_life_meeting_that_included_the_evaluation(cast: Cast) -> None:
    held(cast.branch_a, EventKind.LIFE_MEETING, dt.date(2026, 1, 15), includes_evaluation=True)
    tallies = by_key(cast.branch_a)
    assert tallies["life_meeting"].held == 1
    assert tallies["democratic_evaluation"].held == 1
    held(cast.branch_b, EventKind.LIFE_MEETING, dt.date(2026, 1, 15))  # not combined
    tallies = by_key(cast.branch_b)
    assert tallies["life_meeting"].held == 1
    assert tallies["democratic_evaluation"].held == 0
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_L5_only_the_secretarys_lesson_counts_for_the_secretary(cast: Cast) -> None:
    held(cast.branch_a, EventKind.PARTY_LESSON, dt.date(2026, 2, 1), lecturer_kind=LecturerKind.MEMBER)
    tallies = by_key(cast.branch_a)
    assert tallies["party_lesson"].held == 1 and tallies["secretary_lesson"].held == 0
    held(cast.branch_a, EventKind.PARTY_LESSON, dt.date(2026, 5, 1), lecturer_kind=LecturerKind.SECRETARY)
    tallies = by_key(cast.branch_a)
    assert tallies["party_lesson"].held == 2 and tallies["secretary_lesson"].held == 1
    assert_engine_matches_reference(cast.branch_a, YEAR, TODAY)


def give_posts(org: Organization, members: list, posts: list[str]) -> None:
    for member, post in zip(members, posts, strict=False):
        member_actions.add_post(
            Post(member=member, kind=PostKind.PARTY, organization=org, party_post=post, started_on=dt.date(2025, 1, 1)),
            actor=None,
        )


def test_L3_is_owed_only_with_a_committee_of_the_minimum_size(cast: Cast) -> None:
    give_posts(cast.branch_a, cast.members_a, [PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY])
    assert "committee_meeting" not in by_key(cast.branch_a)
    give_posts(cast.branch_a, cast.members_a[2:], [PartyPost.COMMITTEE_MEMBER])
    cast.branch_a.refresh_from_db()
    assert cast.branch_a.committee_size == value("O3.committee_min_size", TODAY) == 3
    assert by_key(cast.branch_a)["committee_meeting"] == Tally(required=12, missing=10, pending=2)
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_L4_is_owed_per_party_group(cast: Cast) -> None:
    assert "group_meeting" not in by_key(cast.branch_a)
    g1 = PartyGroup.objects.create(organization=cast.branch_a, name="第一小组")
    PartyGroup.objects.create(organization=cast.branch_a, name="第二小组")
    held(cast.branch_a, EventKind.GROUP_MEETING, dt.date(2026, 3, 5), party_group=g1)
    held(cast.branch_a, EventKind.GROUP_MEETING, dt.date(2026, 3, 6), party_group=g1)
    held(cast.branch_a, EventKind.GROUP_MEETING, dt.date(2026, 3, 7), party_group=g1)  # capped at 2 in March
    assert by_key(cast.branch_a)["group_meeting"] == Tally(required=24, on_time=2, missing=18, pending=4)
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_overrides_organization_beats_sector_and_kind_beats_sector(cast: Cast) -> None:
    a = cast.branch_a  # village branch
    override("theme_day", 0, dt.date(2020, 1, 1), sector=Sector.VILLAGE)
    assert "theme_day" not in by_key(a)
    override("theme_day", 2, dt.date(2020, 1, 1), sector=Sector.VILLAGE, org_kind=OrgKind.BRANCH)
    assert by_key(a)["theme_day"].required == 24
    override("theme_day", 3, dt.date(2020, 1, 1), organization=a)
    assert by_key(a)["theme_day"].required == 36
    assert by_key(cast.branch_b)["theme_day"].required == 12  # another sector: the regulation figure
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_an_override_is_in_force_from_the_period_that_starts_inside_it(cast: Cast) -> None:
    # From 15 August to 20 November: September, October and November start inside it;
    # the third quarter (starts 1 July) does not, nor does the fourth (1 October is inside).
    override("theme_day", 0, dt.date(2026, 8, 15), dt.date(2026, 11, 20), organization=cast.branch_a)
    override("general_meeting", 2, dt.date(2026, 8, 15), dt.date(2026, 11, 20), organization=cast.branch_a)
    tallies = by_key(cast.branch_a)
    assert tallies["theme_day"].required == 9
    assert tallies["general_meeting"].required == 1 + 1 + 1 + 2
    assert_engine_matches_reference(cast.branch_a, YEAR, TODAY)


def test_an_override_can_require_an_event_of_a_kind_the_regulation_does_not_name(cast: Cast) -> None:
    # Township committees of this county hold a general meeting of their own each quarter.
    override("general_meeting", 1, dt.date(2020, 1, 1), sector=Sector.TOWNSHIP)
    assert by_key(cast.committee_x)["general_meeting"] == Tally(required=4, missing=3, pending=1)
    assert "general_meeting" not in by_key(cast.committee_y)
    override("heart_talk", 2, dt.date(2020, 1, 1), organization=cast.county)
    assert by_key(cast.county)["heart_talk"].required == 2
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_an_organization_created_mid_quarter_owes_from_the_periods_whose_middle_it_saw(cast: Cast) -> None:
    branch = make_org("新建支部", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
    # Q2 runs 1 April - 30 June, its middle day is 16 May; May's is 16 May too.
    Organization.objects.filter(pk=branch.pk).update(established_on=dt.date(2026, 5, 17))
    branch.refresh_from_db()
    tallies = by_key(branch)
    assert tallies["general_meeting"].required == 2  # Q3, Q4
    assert tallies["theme_day"].required == 7  # June - December
    assert tallies["life_meeting"].required == 1  # it saw the year's middle, 2 July
    Organization.objects.filter(pk=branch.pk).update(established_on=dt.date(2026, 5, 16))
    tallies = by_key(branch)
    assert tallies["general_meeting"].required == 3
    assert tallies["theme_day"].required == 8
    Organization.objects.filter(pk=branch.pk).update(established_on=dt.date(2026, 7, 3))
    tallies = by_key(branch)
    assert "life_meeting" not in tallies
    assert tallies["general_meeting"].required == 2
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


def test_a_dissolved_organization_owes_nothing_after(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.branch_b.pk).update(dissolved_on=dt.date(2026, 8, 15))
    cast.branch_b.refresh_from_db()
    tallies = by_key(cast.branch_b)
    # Q3's middle is 15 August: dissolved that day, it no longer owes Q3.
    assert tallies["general_meeting"].required == 2
    assert tallies["theme_day"].required == 7  # January - July
    assert tallies["life_meeting"].required == 1  # it existed on 2 July
    assert_engine_matches_reference(cast.county, YEAR, TODAY)


# --- Groupings ------------------------------------------------------------------------------


def some_events(cast: Cast) -> None:
    give_posts(
        cast.branch_a, cast.members_a, [PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY, PartyPost.COMMITTEE_MEMBER]
    )
    PartyGroup.objects.create(organization=cast.branch_b, name="一组")
    for month in range(1, 12):
        held(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, month, 8))
        held(
            cast.branch_a,
            EventKind.COMMITTEE_MEETING,
            dt.date(2026, month, 9),
            recorded_on=dt.date(2026, month, 9) + dt.timedelta(days=25),
        )
        if month % 2:
            held(cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, month, 10))
            held(cast.branch_b, EventKind.GROUP_MEETING, dt.date(2026, month, 11))
    held(cast.committee_x, EventKind.HEART_TALK, dt.date(2026, 3, 3))
    sub = make_org("二支部", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
    held(sub, EventKind.PARTY_LESSON, dt.date(2026, 4, 4), lecturer_kind=LecturerKind.SECRETARY)


def summed(tallies: dict, key) -> dict:  # type: ignore[no-untyped-def]
    out: dict = defaultdict(Tally)
    for k, tally in tallies.items():
        out[key(k)].add(tally)
    return dict(out)


@pytest.mark.parametrize("window", ["2026", "2026-Q2", "2026-11"])
def test_every_grouping_is_a_sum_of_the_slots(cast: Cast, window: str) -> None:
    some_events(cast)
    span = rules.parse_span(window)
    slots = slots_by_loop(cast.county, span, today=TODAY)
    assert slots, "the cast owes something in every window"
    orgs = {org.pk: org for org in Organization.objects.all()}
    child_len = (cast.county.depth + 1) * Organization.steplen

    def rollup(**kw: object) -> dict:  # type: ignore[type-arg]
        return compliance.rollup(cast.county, span, today=TODAY, **kw)  # type: ignore[arg-type]

    assert rollup(group="org") == summed(slots, lambda k: k[0])
    assert rollup() == summed(slots, lambda k: None)
    assert rollup(group="child") == summed(slots, lambda k: orgs[k[0]].path[:child_len])
    assert set(rollup(group="child")) == {cast.committee_x.path, cast.committee_y.path}
    assert rollup(by_requirement=True) == summed(slots, lambda k: k[1])
    assert rollup(by_span=True) == summed(slots, lambda k: k[2])
    assert rollup(group="org", by_requirement=True, by_span=True) == slots
    assert rollup(group="child", by_requirement=True) == summed(slots, lambda k: (orgs[k[0]].path[:child_len], k[1]))
    assert compliance.total(cast.county, span, today=TODAY) == rollup()[None]
    assert compliance.children(cast.county, span, today=TODAY) == rollup(group="child")
    assert rollup(keys=["theme_day"]) == summed({k: t for k, t in slots.items() if k[1] == "theme_day"}, lambda k: None)


def test_child_grouping_keeps_the_roots_own_events_under_its_path(cast: Cast) -> None:
    tallies = compliance.children(cast.committee_x, YEAR, today=TODAY)
    assert tallies[cast.committee_x.path] == Tally(required=2, pending=2)
    assert tallies[cast.branch_a.path].required == 24


def test_statuses_of_siblings_and_roots(cast: Cast) -> None:
    some_events(cast)
    out = compliance.statuses([cast.committee_x, cast.committee_y, cast.county], YEAR, today=TODAY)
    loop = compliance_by_loop(cast.county, YEAR, today=TODAY)
    for org in (cast.committee_x, cast.committee_y, cast.county):
        subtree = Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True)
        expected = Tally()
        for pk in subtree:
            expected.add(loop.get(pk, Tally()))
        assert out[org.pk] == expected


# --- Query count ---------------------------------------------------------------------------


def test_rollup_is_two_queries_whatever_the_subtree_size(cast: Cast, django_assert_num_queries) -> None:
    compliance.rollup(cast.county, YEAR, today=TODAY, group="org")  # warm the cache of local figures
    with django_assert_num_queries(2):  # the override kinds, then the rollup
        small = compliance.rollup(cast.county, YEAR, today=TODAY, group="org")
    for i in range(6):
        branch = make_org(f"支部{i}", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
        make_member(branch, "党员")
        PartyGroup.objects.create(organization=branch, name="一组")
        override("theme_day", 2, dt.date(2020, 1, 1), organization=branch)
        for month in (1, 4, 7):
            held(branch, EventKind.GENERAL_MEETING, dt.date(2026, month, 3))
    compliance.rollup(cast.county, YEAR, today=TODAY, group="org")
    with django_assert_num_queries(2):
        large = compliance.rollup(cast.county, YEAR, today=TODAY, group="org", by_requirement=True, by_span=True)
    assert len(small) == 4 and len({k[0] for k in large}) == 10


# --- Property: the engine equals the per-organization loop -----------------------------------

# Days where the definitions change their answer: first, middle and last days of periods.
BOUNDARIES = sorted(
    {
        day
        for period in ("month", "quarter", "year")
        for window in ("2025", "2026", "2027")
        for span in rules.spans_in(rules.parse_span(window), period)
        for day in (span.start, span.mid, span.end, span.end + dt.timedelta(days=1))
        if dt.date(2025, 10, 1) <= day <= dt.date(2027, 3, 31)
    }
)
DAYS = st.dates(dt.date(2025, 10, 1), dt.date(2027, 3, 31)) | st.sampled_from(BOUNDARIES)
WINDOWS = st.sampled_from(["2026", "2026", "2026-Q1", "2026-Q3", "2026-Q4", "2026-02", "2026-11", "2027-Q1", "2025"])
KINDS_UNDER = {
    OrgKind.GRASSROOTS_COMMITTEE: [OrgKind.GENERAL_BRANCH, OrgKind.BRANCH],
    OrgKind.GENERAL_BRANCH: [OrgKind.BRANCH],
}

new_org = st.fixed_dictionaries(
    {
        "parent": st.integers(0, 10),
        "kind": st.sampled_from([OrgKind.BRANCH, OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GRASSROOTS_COMMITTEE]),
        "sector": st.sampled_from([Sector.VILLAGE, Sector.TOWNSHIP, Sector.NON_PUBLIC_ENTERPRISE]),
        "established_on": st.none() | DAYS,
        "dissolved_on": st.none() | DAYS,
        "committee_size": st.integers(0, 5),
        "groups": st.integers(0, 2),
    }
)
new_event = st.fixed_dictionaries(
    {
        "org": st.integers(0, 20),
        "kind": st.sampled_from(EventKind.values),
        "held_on": st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) | st.sampled_from(BOUNDARIES),
        "state": st.sampled_from(
            [EventState.HELD, EventState.HELD, EventState.HELD, EventState.PLANNED, EventState.CANCELLED]
        ),
        "recorded_after": st.none() | st.integers(0, 120),
        "recorded_on": st.none() | st.sampled_from(BOUNDARIES),
        "lecturer_kind": st.sampled_from(["", *LecturerKind.values]),
        "includes_evaluation": st.booleans(),
    }
)
new_override = st.fixed_dictionaries(
    {
        "key": st.sampled_from([req.key for req in rules.REQUIREMENTS]),
        "target": st.integers(0, 30),  # an organization, or a sector (with or without a kind)
        "count": st.integers(0, 3),
        "valid_from": st.sampled_from(BOUNDARIES),
        "days": st.none() | st.integers(0, 300),
    }
)


def recorded_on(spec: dict) -> dt.date | None:  # type: ignore[type-arg]
    if spec["recorded_on"] is not None and spec["recorded_on"] >= spec["held_on"]:
        return spec["recorded_on"]  # often the last day of a period, or the day after
    if spec["recorded_after"] is None:
        return None
    return spec["held_on"] + dt.timedelta(days=spec["recorded_after"])


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    orgs=st.lists(new_org, max_size=5),
    events=st.lists(new_event, min_size=15, max_size=60),
    overrides=st.lists(new_override, max_size=6),
    window=WINDOWS,
    today=st.dates(dt.date(2025, 12, 1), dt.date(2027, 6, 30)),
    root_index=st.just(0) | st.integers(0, 10),  # the county's whole tree half of the time
)
def test_engine_equals_the_per_organization_loop(
    cast: Cast, orgs: list, events: list, overrides: list, window: str, today: dt.date, root_index: int
) -> None:
    with transaction.atomic():
        tree = [
            Organization.objects.get(pk=pk)
            for pk in (cast.committee_x.pk, cast.committee_y.pk, cast.branch_a.pk, cast.branch_b.pk)
        ]
        parents = [org for org in tree if org.kind != OrgKind.BRANCH]
        for spec in orgs:
            parent = Organization.objects.get(pk=parents[spec["parent"] % len(parents)].pk)
            kind = (
                spec["kind"]
                if spec["kind"] in KINDS_UNDER.get(parent.kind, []) or parent.kind == OrgKind.GRASSROOTS_COMMITTEE
                else OrgKind.BRANCH
            )
            org = make_org("随机组织", kind, spec["sector"], parent)
            dissolved = spec["dissolved_on"]
            if dissolved is not None and spec["established_on"] is not None and dissolved < spec["established_on"]:
                dissolved = None
            Organization.objects.filter(pk=org.pk).update(
                established_on=spec["established_on"], dissolved_on=dissolved, committee_size=spec["committee_size"]
            )
            if kind == OrgKind.BRANCH:
                for g in range(spec["groups"]):
                    PartyGroup.objects.create(organization=org, name=f"小组{g}")
            tree.append(org)
            if kind != OrgKind.BRANCH:
                parents.append(org)
        Organization.objects.filter(pk=cast.branch_a.pk).update(committee_size=3)
        everyone = [cast.county, *tree]
        Event.objects.bulk_create(
            Event(
                organization=tree[spec["org"] % len(tree)],  # the county owes nothing of its own
                kind=spec["kind"],
                state=spec["state"],
                held_on=spec["held_on"],
                recorded_on=recorded_on(spec),
                lecturer_kind=spec["lecturer_kind"] if spec["kind"] == EventKind.PARTY_LESSON else "",
                includes_evaluation=spec["includes_evaluation"] and spec["kind"] == EventKind.LIFE_MEETING,
                cancel_reason="改期" if spec["state"] == EventState.CANCELLED else "",
                topic="随机",
            )
            for spec in events
        )
        sectors = [Sector.VILLAGE, Sector.TOWNSHIP, Sector.NON_PUBLIC_ENTERPRISE]
        seen: set[tuple] = set()
        for spec in overrides:
            target: dict[str, object]
            if spec["target"] < len(everyone):
                target = {"organization": everyone[spec["target"]]}
            else:
                n = spec["target"] - len(everyone)
                kind = "" if n % 2 else [OrgKind.BRANCH, OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GENERAL_BRANCH][n % 3]
                target = {"sector": sectors[n % 3], "org_kind": kind}
            ident = (spec["key"], tuple(sorted((k, str(v)) for k, v in target.items())))
            if ident in seen:  # set_override keeps the periods of one target apart
                continue
            seen.add(ident)
            valid_to = None if spec["days"] is None else spec["valid_from"] + dt.timedelta(days=spec["days"])
            override(spec["key"], spec["count"], spec["valid_from"], valid_to, **target)
        root = everyone[root_index % len(everyone)]
        root.refresh_from_db()
        span = rules.parse_span(window)
        engine = assert_engine_matches_reference(root, span, today)
        total = Tally()
        for tally in engine.values():
            total.add(tally)
        assert compliance.rollup(root, span, today=today).get(None, Tally()) == total
        transaction.set_rollback(True)
