"""Structure warnings (O1-O3, O7-O9) and member counts over the tree: each warning firing
and not firing at its threshold, and the query counts the docstrings promise."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import audit
from dangjian.core.actions import set_figure
from dangjian.core.rulesets import value
from dangjian.core.testing import Cast, make_member, make_org
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind, Status, TransferReason, Transition
from dangjian.members.models import Member, Post
from dangjian.orgs import actions
from dangjian.orgs.choices import OrgKind, Sector, StructureWarning
from dangjian.orgs.models import Organization, Unit
from dangjian.orgs.queries import (
    MemberCounts,
    children_counts,
    own_counts,
    subtree_counts,
    warning_filter,
    warning_totals,
    warnings_of,
    with_parent_id,
    with_structure,
)
from dangjian.orgs.rules import RENEWAL_NOTICE_MONTHS

TODAY = dt.date(2026, 11, 23)
W = StructureWarning


@pytest.fixture(autouse=True)
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    """Actions compare dates with the real today; pin it (10:00 UTC is 18:00 in Shanghai)."""
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    return TODAY


def warns(org: Organization, today: dt.date = TODAY) -> set[str]:
    annotated = with_structure(Organization.objects.filter(pk=org.pk), today).get()
    return set(warnings_of(annotated))


def new_branch(cast: Cast, *, full: int, probationary: int = 0, name: str = "测试支部") -> Organization:
    branch = make_org(name, OrgKind.BRANCH, Sector.NON_PUBLIC_ENTERPRISE, cast.committee_y)
    add_members(branch, full=full, probationary=probationary)
    return branch


def add_members(branch: Organization, *, full: int = 0, probationary: int = 0) -> list[Member]:
    members = [make_member(branch, "党员") for _ in range(full)]
    members += [
        make_member(branch, "预备党员", status=Status.PROBATIONARY, joined_on=dt.date(2026, 3, 1))
        for _ in range(probationary)
    ]
    return members


def give_post(member: Member, org: Organization, party_post: str) -> Post:
    post = Post(
        member=member, kind=PostKind.PARTY, organization=org, party_post=party_post, started_on=dt.date(2024, 1, 1)
    )
    return member_actions.add_post(post, actor=None)


def add_units(org: Organization, n: int) -> None:
    for i in range(n):
        actions.add_unit(Unit(organization=org, name=f"单位{org.pk}-{i}"), actor=None)


def elect(org: Organization, elected_on: dt.date, years: int = 3):  # type: ignore[no-untyped-def]
    return actions.record_election(org, elected_on=elected_on, years=years, actor=None)


# --- O1: undersized branch, joint branch covering too many units --------------------------------


def test_O1_undersized_fires_below_3_full_members(cast: Cast) -> None:
    branch = new_branch(cast, full=2, probationary=5)  # probationary members do not count
    assert W.UNDERSIZED in warns(branch)
    add_members(branch, full=1)
    assert W.UNDERSIZED not in warns(branch)


def test_O1_undersized_after_a_member_leaves(cast: Cast) -> None:
    assert W.UNDERSIZED not in warns(cast.branch_b)  # exactly 3 full members
    member_actions.record_transition(
        cast.members_b[0], Transition.DECEASED, on=dt.date(2026, 11, 1), reason="病故", actor=None
    )
    assert W.UNDERSIZED in warns(cast.branch_b)


def test_O1_undersized_is_about_branches_only(cast: Cast) -> None:
    """Committees have no members of their own (members belong to branches)."""
    assert W.UNDERSIZED not in warns(cast.committee_x)
    assert W.UNDERSIZED not in warns(cast.county)
    empty = new_branch(cast, full=0)
    assert W.UNDERSIZED in warns(empty)


def test_O1_joint_branch_covers_at_most_5_units(cast: Cast) -> None:
    add_units(cast.branch_b, 5)
    assert W.TOO_MANY_UNITS not in warns(cast.branch_b)
    add_units(cast.branch_b, 1)
    assert W.TOO_MANY_UNITS in warns(cast.branch_b)


def test_O1_units_of_a_committee_are_not_a_joint_branch(cast: Cast) -> None:
    add_units(cast.committee_y, 6)
    assert W.TOO_MANY_UNITS not in warns(cast.committee_y)


# --- O2: oversized branch -----------------------------------------------------------------------------


def test_O2_branch_of_more_than_50_members(cast: Cast) -> None:
    branch = new_branch(cast, full=45, probationary=5)  # probationary members count here
    assert W.OVERSIZED not in warns(branch)
    add_members(branch, probationary=1)
    assert W.OVERSIZED in warns(branch)


def test_O2_former_members_do_not_count(cast: Cast) -> None:
    branch = new_branch(cast, full=51)
    assert W.OVERSIZED in warns(branch)
    leaver = Member.objects.filter(organization=branch).first()
    assert leaver is not None
    member_actions.record_transition(leaver, Transition.WITHDRAWN, on=dt.date(2026, 10, 1), reason="退党", actor=None)
    assert W.OVERSIZED not in warns(branch)


# --- O3: committee and secretary -----------------------------------------------------------------------


def test_O3_branch_of_7_full_members_needs_a_committee_of_3(cast: Cast) -> None:
    branch = new_branch(cast, full=7)
    members = list(Member.objects.filter(organization=branch))
    give_post(members[0], branch, PartyPost.SECRETARY)
    give_post(members[1], branch, PartyPost.DEPUTY_SECRETARY)
    give_post(members[2], branch, PartyPost.PARTY_GROUP_LEADER)  # not a committee post
    assert W.NO_COMMITTEE in warns(branch)
    give_post(members[3], branch, PartyPost.COMMITTEE_MEMBER)
    assert W.NO_COMMITTEE not in warns(branch)


def test_O3_below_7_full_members_no_committee_is_needed(cast: Cast) -> None:
    branch = new_branch(cast, full=6, probationary=3)
    assert W.NO_COMMITTEE not in warns(branch)
    add_members(branch, full=1)
    assert W.NO_COMMITTEE in warns(branch)


def test_O3_ended_posts_do_not_make_a_committee(cast: Cast) -> None:
    branch = new_branch(cast, full=7)
    members = list(Member.objects.filter(organization=branch))
    posts = [
        give_post(members[0], branch, PartyPost.SECRETARY),
        give_post(members[1], branch, PartyPost.COMMITTEE_MEMBER),
        give_post(members[2], branch, PartyPost.COMMITTEE_MEMBER),
    ]
    assert W.NO_COMMITTEE not in warns(branch)
    member_actions.end_post(posts[2], ended_on=dt.date(2026, 6, 30), actor=None)
    assert W.NO_COMMITTEE in warns(branch)


def test_O3_posts_in_another_organization_do_not_count(cast: Cast) -> None:
    branch = new_branch(cast, full=7)
    posts = [PartyPost.SECRETARY, PartyPost.COMMITTEE_MEMBER, PartyPost.COMMITTEE_MEMBER]
    for member, post in zip(cast.members_b, posts, strict=True):
        give_post(member, cast.branch_b, post)
    assert W.NO_COMMITTEE in warns(branch)
    assert W.NO_SECRETARY in warns(branch)
    assert W.NO_SECRETARY not in warns(cast.branch_b)


def test_O3_no_secretary_until_one_is_appointed(cast: Cast) -> None:
    assert W.NO_SECRETARY in warns(cast.branch_b)
    give_post(cast.members_b[1], cast.branch_b, PartyPost.DEPUTY_SECRETARY)
    assert W.NO_SECRETARY in warns(cast.branch_b)  # a deputy is not the secretary
    secretary = give_post(cast.members_b[0], cast.branch_b, PartyPost.SECRETARY)
    assert W.NO_SECRETARY not in warns(cast.branch_b)
    member_actions.end_post(secretary, ended_on=dt.date(2026, 10, 31), actor=None)
    assert W.NO_SECRETARY in warns(cast.branch_b)


def test_O3_no_secretary_applies_to_organizations_with_terms(cast: Cast) -> None:
    assert W.NO_SECRETARY in warns(cast.committee_x)
    give_post(cast.members_a[0], cast.committee_x, PartyPost.SECRETARY)
    assert W.NO_SECRETARY not in warns(cast.committee_x)
    assert W.NO_SECRETARY not in warns(cast.county)  # a leading committee is out of scope


def test_O3_deceased_secretary_leaves_the_branch_without_a_secretary(cast: Cast) -> None:
    give_post(cast.members_b[0], cast.branch_b, PartyPost.SECRETARY)
    member_actions.record_transition(
        cast.members_b[0], Transition.DECEASED, on=dt.date(2026, 11, 1), reason="病故", actor=None
    )
    assert W.NO_SECRETARY in warns(cast.branch_b)


def test_O3_secretary_transferred_away_leaves_the_branch_without_a_secretary(cast: Cast) -> None:
    give_post(cast.members_b[0], cast.branch_b, PartyPost.SECRETARY)
    transfer = member_actions.start_transfer(
        cast.members_b[0],
        to_org=cast.branch_a,
        to_external="",
        reason=TransferReason.WORK,
        letter_number="组转字001",
        issued_on=dt.date(2026, 11, 1),
        same_city=True,
        actor=None,
    )
    member_actions.accept_transfer(transfer, accepted_on=dt.date(2026, 11, 5), actor=None)
    assert W.NO_SECRETARY in warns(cast.branch_b)


# --- O7, O8, O9: terms --------------------------------------------------------------------------------


def test_O7_no_term_until_an_election_is_recorded(cast: Cast) -> None:
    assert W.NO_TERM in warns(cast.branch_b)
    assert W.NO_TERM in warns(cast.committee_y)
    assert W.NO_TERM not in warns(cast.county)  # leading committees have no terms here
    elect(cast.branch_b, dt.date(2025, 1, 10))
    assert W.NO_TERM not in warns(cast.branch_b)
    assert W.NO_TERM in warns(cast.committee_y)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 4, 14), set()),  # 2 months and a day before the renewal date
        (dt.date(2026, 4, 15), {W.TERM_DUE_SOON}),  # exactly 2 months before
        (dt.date(2026, 6, 14), {W.TERM_DUE_SOON}),
        (dt.date(2026, 6, 15), {W.TERM_DUE_SOON}),  # the renewal date itself is not yet overdue
        (dt.date(2026, 6, 16), {W.TERM_OVERDUE}),
        (dt.date(2030, 1, 1), {W.TERM_OVERDUE}),
    ],
)
def test_O8_O9_term_overdue_and_due_soon_thresholds(cast: Cast, today: dt.date, expected: set[str]) -> None:
    elect(cast.branch_b, dt.date(2023, 6, 15), years=3)  # renewal due 2026-06-15
    term_warnings = warns(cast.branch_b, today) & {W.TERM_DUE_SOON, W.TERM_OVERDUE, W.NO_TERM}
    assert term_warnings == expected


def test_O9_notice_window_at_a_month_end(cast: Cast) -> None:
    elect(cast.branch_b, dt.date(2023, 2, 28), years=3)  # due 2026-02-28
    elect(cast.committee_y, dt.date(2021, 3, 1), years=5)  # due 2026-03-01
    # From 31 December two months on is 28 February (clamped).
    assert W.TERM_DUE_SOON in warns(cast.branch_b, dt.date(2025, 12, 31))
    assert W.TERM_DUE_SOON not in warns(cast.committee_y, dt.date(2025, 12, 31))
    assert W.TERM_DUE_SOON not in warns(cast.branch_b, dt.date(2025, 12, 27))


def test_O8_postponed_renewal_moves_the_warnings(cast: Cast) -> None:
    term = elect(cast.branch_b, dt.date(2023, 6, 15), years=3)  # due 2026-06-15
    assert W.TERM_OVERDUE in warns(cast.branch_b, dt.date(2026, 7, 1))
    actions.postpone_renewal(term, postponed_to=dt.date(2026, 12, 15), approval="县委组织部", actor=None)
    assert warns(cast.branch_b, dt.date(2026, 7, 1)) & {W.TERM_OVERDUE, W.TERM_DUE_SOON} == set()
    assert W.TERM_DUE_SOON in warns(cast.branch_b, dt.date(2026, 10, 15))
    assert W.TERM_OVERDUE in warns(cast.branch_b, dt.date(2026, 12, 16))


def test_O7_only_the_current_term_counts(cast: Cast) -> None:
    elect(cast.branch_b, dt.date(2020, 1, 10), years=3)  # due 2023-01-10, long past
    elect(cast.branch_b, dt.date(2023, 1, 10), years=5)  # due 2028-01-10
    assert warns(cast.branch_b) & {W.TERM_OVERDUE, W.TERM_DUE_SOON, W.NO_TERM} == set()


def test_O9_override_changes_the_notice_window_from_its_date_only(cast: Cast) -> None:
    elect(cast.branch_b, dt.date(2023, 6, 20), years=3)  # due 2026-06-20
    assert W.TERM_DUE_SOON not in warns(cast.branch_b, dt.date(2026, 4, 1))  # window 2 months: to 06-01
    set_figure(key=RENEWAL_NOTICE_MONTHS.key, value=3, effective_from=dt.date(2026, 4, 1), note="市委通知", actor=None)
    assert W.TERM_DUE_SOON not in warns(cast.branch_b, dt.date(2026, 3, 31))  # before: still 2 months
    assert W.TERM_DUE_SOON in warns(cast.branch_b, dt.date(2026, 4, 1))  # from: 3 months, to 07-01
    assert W.TERM_DUE_SOON not in warns(cast.branch_b, dt.date(2026, 3, 19))


def test_with_structure_defaults_to_today(cast: Cast) -> None:
    elect(cast.branch_b, dt.date(2023, 12, 1), years=3)  # due 2026-12-01, within 2 months of 2026-11-23
    annotated = with_structure(Organization.objects.filter(pk=cast.branch_b.pk)).get()
    assert W.TERM_DUE_SOON in warnings_of(annotated)


# --- Dissolved organizations, the annotation itself ------------------------------------------------------


def test_dissolved_organizations_have_no_warnings(cast: Cast) -> None:
    branch = new_branch(cast, full=1)
    assert {W.UNDERSIZED, W.NO_SECRETARY, W.NO_TERM} <= warns(branch)
    before = audit.snapshot(branch)
    branch.dissolved_on = dt.date(2026, 10, 1)
    actions.update_organization(branch, actor=None, before=before)
    assert warns(branch) == set()


def test_warnings_of_the_cast(cast: Cast) -> None:
    annotated = with_structure(Organization.objects.filter(pk=cast.branch_a.pk), TODAY).get()
    assert warnings_of(annotated) == [W.NO_SECRETARY, W.NO_TERM]  # in the order of StructureWarning
    assert annotated.full_members == 4 and annotated.active_members == 5
    assert annotated.unit_count == 0 and annotated.committee_size == 0
    assert annotated.has_secretary is False and annotated.term_due_on is None


def test_warnings_of_an_organization_not_annotated_is_empty(cast: Cast) -> None:
    assert warnings_of(cast.branch_a) == []


def test_warning_filter_selects_organizations_with_the_warning(cast: Cast) -> None:
    small = new_branch(cast, full=1)
    undersized = with_structure(Organization.objects.all(), TODAY).filter(warning_filter(W.UNDERSIZED))
    assert list(undersized) == [small]
    with pytest.raises(ValueError):
        warning_filter("not_a_warning")


def test_with_structure_is_one_query_at_any_size(cast: Cast, django_assert_num_queries) -> None:
    value(RENEWAL_NOTICE_MONTHS.key, TODAY)  # local figures are cached: warm the cache as pages do
    with django_assert_num_queries(1):
        small = list(with_structure(Organization.objects.all(), TODAY))
    for i in range(3):
        branch = new_branch(cast, full=2, name=f"支部{i}")
        give_post(Member.objects.filter(organization=branch).first(), branch, PartyPost.SECRETARY)
        add_units(branch, 2)
        elect(branch, dt.date(2024, 1, 1))
    value(RENEWAL_NOTICE_MONTHS.key, TODAY)
    with django_assert_num_queries(1):
        large = list(with_structure(Organization.objects.all(), TODAY))
    assert len(large) == len(small) + 3


# --- warning_totals --------------------------------------------------------------------------------------


def test_warning_totals_of_the_cast_is_one_query(cast: Cast, django_assert_num_queries) -> None:
    value(RENEWAL_NOTICE_MONTHS.key, TODAY)  # warm the figure cache
    with django_assert_num_queries(1):
        totals = warning_totals(Organization.objects.all(), TODAY)
    # Two committees and two branches have terms; none has a secretary or a term.
    assert totals == {
        W.UNDERSIZED: 0,
        W.OVERSIZED: 0,
        W.TOO_MANY_UNITS: 0,
        W.NO_COMMITTEE: 0,
        W.NO_SECRETARY: 4,
        W.NO_TERM: 4,
        W.TERM_OVERDUE: 0,
        W.TERM_DUE_SOON: 0,
    }


def test_warning_totals_count_each_warning_over_the_queryset(cast: Cast, django_assert_num_queries) -> None:
    new_branch(cast, full=2, name="小支部一")
    new_branch(cast, full=0, name="小支部二")
    elect(cast.branch_b, dt.date(2022, 1, 1), years=3)  # overdue
    elect(cast.branch_a, dt.date(2021, 12, 1), years=5)  # due 2026-12-01: soon
    add_units(cast.branch_a, 6)
    value(RENEWAL_NOTICE_MONTHS.key, TODAY)
    with django_assert_num_queries(1):
        totals = warning_totals(Organization.objects.all(), TODAY)
    assert totals[W.UNDERSIZED] == 2
    assert totals[W.TOO_MANY_UNITS] == 1
    assert totals[W.NO_TERM] == 4  # two committees and the two new branches
    assert totals[W.TERM_OVERDUE] == 1
    assert totals[W.TERM_DUE_SOON] == 1
    under_y = warning_totals(Organization.objects.filter(path__startswith=cast.committee_y.path), TODAY)
    assert under_y[W.UNDERSIZED] == 2 and under_y[W.TERM_DUE_SOON] == 0 and under_y[W.TERM_OVERDUE] == 1


# --- Member counts ------------------------------------------------------------------------------------------


def test_subtree_counts_are_one_query(cast: Cast, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        county = subtree_counts(cast.county)
    assert county == MemberCounts(full=7, probationary=1, mobile=0)
    assert county.total == 8
    assert subtree_counts(cast.committee_x) == MemberCounts(full=4, probationary=1)
    assert subtree_counts(cast.committee_y) == MemberCounts(full=3)
    assert subtree_counts(cast.branch_b) == MemberCounts(full=3)


def test_counts_leave_out_former_members_and_count_mobile_ones(cast: Cast) -> None:
    member_actions.record_transition(
        cast.members_a[1], Transition.DECEASED, on=dt.date(2026, 11, 1), reason="病故", actor=None
    )
    mobile = cast.members_a[0]
    before = audit.snapshot(mobile)
    mobile.is_mobile = True
    mobile.mobile_location = "广东省深圳市"
    mobile.mobile_since = dt.date(2026, 1, 1)
    member_actions.update_member(mobile, actor=None, before=before)
    assert subtree_counts(cast.county) == MemberCounts(full=6, probationary=1, mobile=1)
    assert own_counts(cast.branch_a) == MemberCounts(full=3, probationary=1, mobile=1)


def test_own_counts_are_the_organizations_own_members(cast: Cast, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        branch = own_counts(cast.branch_a)
    assert branch == MemberCounts(full=4, probationary=1)
    assert own_counts(cast.committee_x) == MemberCounts()  # its members sit in its branches
    assert subtree_counts(cast.committee_x).total == 5


def test_children_counts_is_one_query_keyed_by_child_path(cast: Cast, django_assert_num_queries) -> None:
    general = make_org("总支", OrgKind.GENERAL_BRANCH, Sector.OTHER, cast.committee_x)
    grandchild = make_org("总支一支部", OrgKind.BRANCH, Sector.OTHER, general)
    add_members(grandchild, full=2, probationary=1)
    make_org("空支部", OrgKind.BRANCH, Sector.OTHER, cast.committee_x)
    with django_assert_num_queries(1):
        counts = children_counts(cast.county)
    assert counts == {
        cast.committee_x.path: MemberCounts(full=6, probationary=2),
        cast.committee_y.path: MemberCounts(full=3),
    }
    with django_assert_num_queries(1):
        under_x = children_counts(cast.committee_x)
    # Grandchildren add up into their child; a child without members is absent.
    assert under_x == {
        cast.branch_a.path: MemberCounts(full=4, probationary=1),
        general.path: MemberCounts(full=2, probationary=1),
    }
    assert children_counts(cast.branch_a) == {}


def test_children_counts_stay_one_query_with_many_children(cast: Cast, django_assert_num_queries) -> None:
    branches = [make_org(f"支部{i}", OrgKind.BRANCH, Sector.OTHER, cast.committee_y) for i in range(12)]
    for i, branch in enumerate(branches):
        add_members(branch, full=i % 3)
    with django_assert_num_queries(1):
        counts = children_counts(cast.committee_y)
    for i, branch in enumerate(branches):
        assert counts.get(branch.path, MemberCounts()).full == i % 3
    assert counts[cast.branch_b.path] == MemberCounts(full=3)
    assert sum(c.total for c in counts.values()) == subtree_counts(cast.committee_y).total


def test_with_parent_id(cast: Cast) -> None:
    annotated = {o.pk: o.parent_pk for o in with_parent_id(Organization.objects.all())}
    assert annotated[cast.county.pk] is None
    assert annotated[cast.committee_x.pk] == cast.county.pk
    assert annotated[cast.branch_a.pk] == cast.committee_x.pk
    assert annotated[cast.branch_b.pk] == cast.committee_y.pk
