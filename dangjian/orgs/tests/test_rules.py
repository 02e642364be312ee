"""Rules of organizations and terms: term length by kind and sector (O7), renewal dates,
the allowed range (O7) and postponement (O8) — and the actions that apply them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.actions import set_figure
from dangjian.core.testing import Cast, make_org
from dangjian.orgs import actions
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Term
from dangjian.orgs.rules import (
    POSTPONEMENT_MAX_MONTHS,
    TERM_YEARS,
    TERM_YEARS_RANGE,
    check_term,
    default_term_years,
    term_due_on,
)

TODAY = dt.date(2026, 11, 23)


def fields(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [p.field for p in problems]


# --- O7 term length ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "sector", "years"),
    [
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.TOWNSHIP, 5),
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.STATE_OWNED_ENTERPRISE, 5),
        (OrgKind.GENERAL_BRANCH, Sector.PUBLIC_INSTITUTION, 3),
        (OrgKind.BRANCH, Sector.NON_PUBLIC_ENTERPRISE, 3),
        (OrgKind.BRANCH, Sector.GOVERNMENT_ORGAN, 3),
        # Village and community organizations: 5, whatever their kind.
        (OrgKind.BRANCH, Sector.VILLAGE, 5),
        (OrgKind.BRANCH, Sector.COMMUNITY, 5),
        (OrgKind.GENERAL_BRANCH, Sector.VILLAGE, 5),
        (OrgKind.GENERAL_BRANCH, Sector.COMMUNITY, 5),
        # Not in the table: the shortest allowed term.
        (OrgKind.LEADING_COMMITTEE, Sector.OTHER, 3),
    ],
)
def test_O7_default_term_years_by_kind_and_sector(kind: str, sector: str, years: int) -> None:
    assert default_term_years(kind, sector, TODAY) == years


def test_O7_figures_are_firm() -> None:
    assert not TERM_YEARS.configurable
    assert not TERM_YEARS_RANGE.configurable
    assert not POSTPONEMENT_MAX_MONTHS.configurable
    assert TERM_YEARS_RANGE.default == [3, 5]


@pytest.mark.parametrize(
    ("elected_on", "years", "due"),
    [
        (dt.date(2021, 3, 15), 3, dt.date(2024, 3, 15)),
        (dt.date(2021, 3, 15), 5, dt.date(2026, 3, 15)),
        (dt.date(2020, 2, 29), 3, dt.date(2023, 2, 28)),  # elected on 29 February
        (dt.date(2020, 2, 29), 4, dt.date(2024, 2, 29)),
        (dt.date(2021, 12, 31), 5, dt.date(2026, 12, 31)),
    ],
)
def test_O7_term_due_on(elected_on: dt.date, years: int, due: dt.date) -> None:
    assert term_due_on(elected_on, years) == due


@pytest.mark.parametrize("years", [3, 4, 5])
def test_O7_terms_of_3_to_5_years_are_valid(years: int) -> None:
    assert check_term(elected_on=dt.date(2024, 6, 1), years=years, today=TODAY) == []


@pytest.mark.parametrize("years", [0, 1, 2, 6, 10])
def test_O7_terms_outside_3_to_5_years_are_refused(years: int) -> None:
    problems = check_term(elected_on=dt.date(2024, 6, 1), years=years, today=TODAY)
    assert fields(problems) == ["years"]
    assert "O7" in str(problems[0].message) and f"{years} given" in str(problems[0].message)


def test_election_date_not_in_the_future() -> None:
    assert check_term(elected_on=TODAY, years=3, today=TODAY) == []
    problems = check_term(elected_on=TODAY + dt.timedelta(days=1), years=3, today=TODAY)
    assert fields(problems) == ["elected_on"]


def test_new_term_starts_after_the_previous_election() -> None:
    previous = dt.date(2023, 5, 10)
    assert fields(check_term(elected_on=previous, years=3, today=TODAY, previous_elected_on=previous)) == ["elected_on"]
    assert fields(
        check_term(elected_on=previous - dt.timedelta(days=1), years=3, today=TODAY, previous_elected_on=previous)
    ) == ["elected_on"]
    assert (
        check_term(elected_on=previous + dt.timedelta(days=1), years=3, today=TODAY, previous_elected_on=previous) == []
    )


# --- O8 postponement ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elected_on", "years", "postponed_to", "ok"),
    [
        # Regular renewal 2026-03-15; latest delay 2027-03-15.
        (dt.date(2023, 3, 15), 3, dt.date(2026, 3, 14), False),
        (dt.date(2023, 3, 15), 3, dt.date(2026, 3, 15), False),  # not a delay
        (dt.date(2023, 3, 15), 3, dt.date(2026, 3, 16), True),
        (dt.date(2023, 3, 15), 3, dt.date(2027, 3, 15), True),  # exactly 12 months
        (dt.date(2023, 3, 15), 3, dt.date(2027, 3, 16), False),
        # Elected on 29 February: due 2024-02-29, latest delay 2025-02-28.
        (dt.date(2020, 2, 29), 4, dt.date(2025, 2, 28), True),
        (dt.date(2020, 2, 29), 4, dt.date(2025, 3, 1), False),
        # Month end: due 2026-08-31, latest 2027-08-31.
        (dt.date(2021, 8, 31), 5, dt.date(2027, 8, 31), True),
        (dt.date(2021, 8, 31), 5, dt.date(2027, 9, 1), False),
    ],
)
def test_O8_postponement_at_most_12_months(elected_on: dt.date, years: int, postponed_to: dt.date, ok: bool) -> None:
    problems = check_term(elected_on=elected_on, years=years, today=TODAY, postponed_to=postponed_to)
    assert (problems == []) is ok
    if not ok:
        assert fields(problems) == ["postponed_to"]


def test_O8_messages_name_the_dates() -> None:
    early = check_term(elected_on=dt.date(2023, 3, 15), years=3, today=TODAY, postponed_to=dt.date(2026, 1, 1))
    assert "2026-03-15" in str(early[0].message)
    late = check_term(elected_on=dt.date(2023, 3, 15), years=3, today=TODAY, postponed_to=dt.date(2028, 1, 1))
    assert "2027-03-15" in str(late[0].message) and "O8" in str(late[0].message)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=TODAY),
    st.integers(min_value=3, max_value=5),
    st.integers(min_value=1, max_value=800),
)
def test_O8_property_delay_allowed_iff_within_a_year_of_the_due_date(
    elected_on: dt.date, years: int, days: int
) -> None:
    due = term_due_on(elected_on, years)
    postponed_to = due + dt.timedelta(days=days)
    limit = due.replace(year=due.year + 1) if (due.month, due.day) != (2, 29) else dt.date(due.year + 1, 2, 28)
    problems = check_term(elected_on=elected_on, years=years, today=TODAY, postponed_to=postponed_to)
    assert (problems == []) == (postponed_to <= limit)


# --- The actions apply the rules --------------------------------------------------------------------


@pytest.fixture
def now(time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    return TODAY


def test_O7_record_election_defaults_the_term_from_kind_and_sector(cast: Cast, now: dt.date) -> None:
    village = actions.record_election(cast.branch_a, elected_on=dt.date(2024, 2, 29), years=None, actor=None)
    assert village.years == 5 and village.due_on == dt.date(2029, 2, 28)
    enterprise = actions.record_election(cast.branch_b, elected_on=dt.date(2025, 1, 10), years=None, actor=None)
    assert enterprise.years == 3 and enterprise.due_on == dt.date(2028, 1, 10)
    committee = actions.record_election(cast.committee_y, elected_on=dt.date(2025, 1, 10), years=None, actor=None)
    assert committee.years == 5


def test_O7_record_election_refuses_a_term_out_of_range(cast: Cast, now: dt.date) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.record_election(cast.branch_b, elected_on=dt.date(2025, 1, 10), years=6, actor=None)
    assert "years" in exc.value.message_dict
    assert not Term.objects.filter(organization=cast.branch_b).exists()


def test_O7_new_election_ends_the_current_term(cast: Cast, now: dt.date) -> None:
    first = actions.record_election(cast.branch_b, elected_on=dt.date(2022, 1, 10), years=3, actor=None)
    with pytest.raises(ValidationError):
        actions.record_election(cast.branch_b, elected_on=dt.date(2022, 1, 10), years=3, actor=None)
    second = actions.record_election(cast.branch_b, elected_on=dt.date(2025, 1, 10), years=3, actor=None)
    first.refresh_from_db()
    assert first.ended_on == dt.date(2025, 1, 10)
    assert list(Term.objects.filter(organization=cast.branch_b).current()) == [second]


def test_O7_leading_committees_record_no_terms(cast: Cast, now: dt.date) -> None:
    with pytest.raises(ValidationError):
        actions.record_election(cast.county, elected_on=dt.date(2025, 1, 10), years=5, actor=None)


def test_O8_postpone_renewal_within_a_year_with_approval(cast: Cast, now: dt.date) -> None:
    term = actions.record_election(cast.branch_b, elected_on=dt.date(2023, 3, 15), years=3, actor=None)
    with pytest.raises(ValidationError) as exc:
        actions.postpone_renewal(term, postponed_to=dt.date(2027, 3, 16), approval="县委组织部", actor=None)
    assert "postponed_to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.postpone_renewal(term, postponed_to=dt.date(2026, 9, 1), approval="  ", actor=None)
    assert "postponement_approval" in exc.value.message_dict
    actions.postpone_renewal(term, postponed_to=dt.date(2027, 3, 15), approval="县委组织部", actor=None)
    term.refresh_from_db()
    assert term.postponed_to == dt.date(2027, 3, 15) and term.due_on == dt.date(2026, 3, 15)


def test_O7_term_figures_cannot_be_set_locally(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        set_figure(key=TERM_YEARS.key, value={}, effective_from=TODAY, note="", actor=None)


def test_O7_record_election_uses_the_sector_of_the_organization(cast: Cast, now: dt.date) -> None:
    community = make_org("社区党总支", OrgKind.GENERAL_BRANCH, Sector.COMMUNITY, cast.committee_x)
    school = make_org("学校党总支", OrgKind.GENERAL_BRANCH, Sector.PUBLIC_INSTITUTION, cast.committee_x)
    assert actions.record_election(community, elected_on=dt.date(2025, 5, 1), years=None, actor=None).years == 5
    assert actions.record_election(school, elected_on=dt.date(2025, 5, 1), years=None, actor=None).years == 3
