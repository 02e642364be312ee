"""Rules of organizational life: the L1-L9 figures as rules.md gives them, the vote rules
D13/D14 at their boundaries (and as a Hypothesis property), the committee quorum (L3),
periods, status thresholds and the minutes fingerprint."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dangjian.core.actions import set_figure
from dangjian.core.rulesets import REGISTRY, value
from dangjian.orglife import rules
from dangjian.orglife.choices import EventKind, LecturerKind, Period, Status
from dangjian.orgs.choices import OrgKind

BRANCH = {OrgKind.BRANCH}
COMMITTEES = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GRASSROOTS_COMMITTEE}

# rules.md L1-L9: requirement key → (rule, event kind, period, default count, kinds of organization)
EXPECTED = {
    "general_meeting": ("L1", EventKind.GENERAL_MEETING, Period.QUARTER, 1, BRANCH),
    "committee_meeting": ("L3", EventKind.COMMITTEE_MEETING, Period.MONTH, 1, {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH}),
    "group_meeting": ("L4", EventKind.GROUP_MEETING, Period.MONTH, 1, BRANCH),
    "party_lesson": ("L5", EventKind.PARTY_LESSON, Period.QUARTER, 1, BRANCH),
    "secretary_lesson": ("L5", EventKind.PARTY_LESSON, Period.YEAR, 1, COMMITTEES),
    "theme_day": ("L6", EventKind.THEME_DAY, Period.MONTH, 1, BRANCH),
    "life_meeting": ("L7", EventKind.LIFE_MEETING, Period.YEAR, 1, BRANCH),
    "democratic_evaluation": ("L8", EventKind.DEMOCRATIC_EVALUATION, Period.YEAR, 1, BRANCH),
    "heart_talk": ("L9", EventKind.HEART_TALK, Period.YEAR, 1, COMMITTEES),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_requirement_defaults_match_rules_md(key: str) -> None:
    rule, kind, period, default, kinds = EXPECTED[key]
    req = rules.REQUIREMENT_BY_KEY[key]
    assert (req.rule, req.event_kind, req.period, req.org_kinds) == (rule, kind, period, kinds)
    assert req.figure.default == default and req.figure.rule == rule
    assert REGISTRY[req.figure.key] == req.figure  # versioned data, not a literal


def test_every_rule_L1_to_L9_but_L2_has_a_requirement() -> None:
    assert {req.rule for req in rules.REQUIREMENTS} == {"L1", "L3", "L4", "L5", "L6", "L7", "L8", "L9"}
    assert set(rules.REQUIREMENT_BY_KEY) == set(EXPECTED)


def test_special_requirements() -> None:
    by_key = rules.REQUIREMENT_BY_KEY
    # L3 needs a committee, L4 groups and counts per group.
    assert by_key["committee_meeting"].condition == rules.HAS_COMMITTEE
    assert by_key["group_meeting"].condition == rules.HAS_GROUPS and by_key["group_meeting"].per_group
    # L5: the secretary's own lesson; the branches' quarterly lesson is a local rule.
    assert by_key["secretary_lesson"].lecturer_kind == LecturerKind.SECRETARY
    assert by_key["party_lesson"].lecturer_kind == ""
    assert by_key["party_lesson"].figure.confidence == "local"
    assert by_key["secretary_lesson"].figure.confidence == "firm"
    # L8 may be combined with L7.
    assert by_key["democratic_evaluation"].combined_kind == EventKind.LIFE_MEETING
    assert [k for k, r in by_key.items() if r.combined_kind] == ["democratic_evaluation"]
    # L10: three meetings and one lesson.
    assert rules.THREE_MEETINGS_ONE_LESSON == ("general_meeting", "committee_meeting", "group_meeting", "party_lesson")


# --- Votes D13/D14 --------------------------------------------------------------------------


def test_D13_exactly_half_present_is_no_quorum() -> None:
    result = rules.vote_result(voting_due=10, voting_present=5, votes_for=5)
    assert not result.quorate and not result.valid
    assert any("D13" in str(p) and "10" in str(p) and "5" in str(p) for p in result.problems)


def test_D13_more_than_half_present_is_a_quorum() -> None:
    assert rules.vote_result(voting_due=10, voting_present=6, votes_for=6).quorate
    assert rules.vote_result(voting_due=7, voting_present=4, votes_for=4).quorate
    assert not rules.vote_result(voting_due=7, voting_present=3, votes_for=3).quorate


def test_D14_for_votes_count_against_those_due_not_those_present() -> None:
    # 5 of the 6 present vote for: a majority of those present, not of the 10 due.
    result = rules.vote_result(voting_due=10, voting_present=6, votes_for=5, votes_against=1)
    assert result.quorate and not result.passed and not result.valid
    assert any("D14" in str(p) and "10" in str(p) for p in result.problems)
    assert rules.vote_result(voting_due=10, voting_present=6, votes_for=6).passed


def test_D14_written_opinions_of_absent_voting_members_count() -> None:
    result = rules.vote_result(voting_due=10, voting_present=6, votes_for=4, votes_against=2, written_for=2)
    assert result.votes_for == 6 and result.passed and result.valid and result.problems == []


def test_D14_more_votes_cast_than_present_is_invalid() -> None:
    result = rules.vote_result(voting_due=10, voting_present=6, votes_for=6, votes_against=1)
    assert not result.quorate and not result.passed
    assert any("one vote per person" in str(p) for p in result.problems)


def test_D14_more_written_opinions_than_absentees_is_invalid() -> None:
    result = rules.vote_result(voting_due=10, voting_present=8, votes_for=5, written_for=2, written_against=1)
    assert not result.passed and not result.quorate
    assert any("written opinions" in str(p) and "2" in str(p) for p in result.problems)
    assert rules.vote_result(voting_due=10, voting_present=8, votes_for=5, written_for=2).valid


def test_no_voting_members_due_is_never_valid() -> None:
    result = rules.vote_result(voting_due=0, voting_present=0, votes_for=0)
    assert not result.quorate and not result.passed


@given(
    due=st.integers(0, 60),
    present=st.integers(0, 60),
    votes_for=st.integers(0, 60),
    against=st.integers(0, 20),
    abstain=st.integers(0, 20),
    written_for=st.integers(0, 20),
    written_against=st.integers(0, 20),
)
def test_vote_result_property(
    due: int, present: int, votes_for: int, against: int, abstain: int, written_for: int, written_against: int
) -> None:
    assume(present <= due)
    result = rules.vote_result(
        voting_due=due,
        voting_present=present,
        votes_for=votes_for,
        votes_against=against,
        abstentions=abstain,
        written_for=written_for,
        written_against=written_against,
        on=dt.date(2026, 6, 1),
    )
    consistent = votes_for + against + abstain <= present and written_for + written_against <= due - present
    assert result.passed == (consistent and 2 * (votes_for + written_for) > due)
    assert result.quorate == (consistent and 2 * present > due)
    assert result.valid == (result.passed and result.quorate)
    assert (result.problems == []) == result.valid


# --- Committee quorum (L3) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "present", "problem"),
    [(5, 2, True), (5, 3, False), (4, 2, False), (4, 1, True), (3, 1, True), (3, 2, False), (0, 0, False)],
)
def test_L3_committee_quorum_is_at_least_half(size: int, present: int, problem: bool) -> None:
    message = rules.committee_quorum_problem(size, present)
    assert (message is not None) == problem
    if message:
        assert "L3" in str(message) and str(size) in str(message)


# --- Periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "start", "end", "label"),
    [
        (dt.date(2024, 2, 10), Period.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02"),  # leap year
        (dt.date(2026, 2, 28), Period.MONTH, dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026-02"),
        (dt.date(2026, 12, 31), Period.MONTH, dt.date(2026, 12, 1), dt.date(2026, 12, 31), "2026-12"),
        (dt.date(2026, 4, 30), Period.MONTH, dt.date(2026, 4, 1), dt.date(2026, 4, 30), "2026-04"),
        (dt.date(2024, 1, 1), Period.QUARTER, dt.date(2024, 1, 1), dt.date(2024, 3, 31), "2024-Q1"),
        (dt.date(2026, 6, 30), Period.QUARTER, dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026-Q2"),
        (dt.date(2026, 11, 23), Period.QUARTER, dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026-Q4"),
        (dt.date(2026, 7, 1), Period.YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
    ],
)
def test_span_of(day: dt.date, period: str, start: dt.date, end: dt.date, label: str) -> None:
    span = rules.span_of(day, period)
    assert (span.start, span.end, span.label, span.period) == (start, end, label, period)
    assert rules.parse_span(label) == span


def test_span_middle_days() -> None:
    assert rules.parse_span("2026-Q2").mid == dt.date(2026, 5, 16)
    assert rules.parse_span("2026").mid == dt.date(2026, 7, 2)
    assert rules.parse_span("2024").mid == dt.date(2024, 7, 1)  # leap year
    assert rules.parse_span("2026-02").mid == dt.date(2026, 2, 14)


def test_span_of_refuses_an_unknown_period() -> None:
    with pytest.raises(ValueError):
        rules.span_of(dt.date(2026, 1, 1), "week")


def test_spans_in() -> None:
    year = rules.parse_span("2026")
    assert [s.label for s in rules.spans_in(year, Period.QUARTER)] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert len(rules.spans_in(year, Period.MONTH)) == 12
    assert rules.spans_in(year, Period.YEAR) == [year]
    quarter = rules.parse_span("2024-Q1")
    assert [s.end for s in rules.spans_in(quarter, Period.MONTH)] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
    ]
    assert rules.spans_in(quarter, Period.YEAR) == []  # a yearly requirement is not counted in a quarter
    assert rules.spans_in(rules.parse_span("2026-05"), Period.QUARTER) == []


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26", "abc", "2026/07", "", "2026-Q"])
def test_parse_span_refuses_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_span(text)


def test_parse_span_accepts_loose_spelling() -> None:
    assert rules.parse_span(" 2026-q3 ") == rules.parse_span("2026-Q3")
    assert rules.parse_span("2026-7") == rules.parse_span("2026-07")


@given(day=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), period=st.sampled_from(Period.values))
def test_spans_contain_their_day_and_tile_the_year(day: dt.date, period: str) -> None:
    span = rules.span_of(day, period)
    assert span.contains(day) and span.start <= span.mid <= span.end
    assert rules.span_of(span.start, period) == rules.span_of(span.end, period) == span
    assert not span.contains(span.end + dt.timedelta(days=1))
    spans = rules.spans_in(rules.span_of(day, Period.YEAR), period)
    assert spans[0].start == dt.date(day.year, 1, 1) and spans[-1].end == dt.date(day.year, 12, 31)
    for earlier, later in itertools.pairwise(spans):
        assert later.start == earlier.end + dt.timedelta(days=1)


# --- Status, deadlines and cut-offs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "status"),
    [(None, Status.NONE), (1.0, Status.GREEN), (0.9, Status.GREEN), (0.89, Status.YELLOW), (0.6, Status.YELLOW),
     (0.59, Status.RED), (0.0, Status.RED)],
)  # fmt: skip
@pytest.mark.django_db  # local figures may have local values
def test_status_thresholds(rate: float | None, status: Status) -> None:
    assert rules.status_of(rate, dt.date(2026, 1, 1)) == status


@pytest.mark.django_db
def test_status_thresholds_are_local_figures() -> None:
    set_figure(key=rules.GREEN_FROM.key, value=0.8, effective_from=dt.date(2026, 1, 1), note="本地", actor=None)
    assert rules.status_of(0.85, dt.date(2026, 1, 1)) == Status.GREEN
    assert rules.status_of(0.85, dt.date(2025, 12, 31)) == Status.YELLOW


@pytest.mark.django_db
def test_late_after_is_the_period_end_plus_the_grace_days() -> None:
    span = rules.parse_span("2026-Q1")
    assert rules.late_after(span) == dt.date(2026, 3, 31)
    set_figure(key=rules.RECORD_GRACE_DAYS.key, value=10, effective_from=dt.date(2020, 1, 1), note="本地", actor=None)
    assert rules.late_after(span) == dt.date(2026, 4, 10)


def test_S1_S2_cutoffs_are_six_months_back_at_month_ends() -> None:
    assert value(rules.DRIFT_MONTHS.key, dt.date(2026, 1, 1)) == 6
    assert rules.drift_cutoff(dt.date(2026, 11, 23)) == dt.date(2026, 5, 23)
    assert rules.drift_cutoff(dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
    assert rules.drift_cutoff(dt.date(2024, 8, 31)) == dt.date(2024, 2, 29)
    assert rules.lost_contact_cutoff(dt.date(2026, 11, 23)) == dt.date(2026, 5, 23)


# --- Minutes fingerprint ------------------------------------------------------------------------


def test_minutes_digest_ignores_tags_entities_and_white_space() -> None:
    plain = rules.minutes_digest("学习 党章 第一章")
    assert plain == rules.minutes_digest("<p>学习   党章</p>\n<div><strong>第一章</strong></div>")
    assert plain == rules.minutes_digest("  学习&nbsp;党章\t第一章 ")
    assert plain != rules.minutes_digest("学习 党章 第二章")
    assert len(plain) == 64


def test_empty_minutes_have_no_digest() -> None:
    assert rules.minutes_digest("") == ""
    assert rules.minutes_digest("<p> </p><br>") == ""
    assert rules.minutes_text("<p>a</p><p>b</p>") == "a b"
