"""The rules of the democratic evaluation (L8, V1, V2, V3) as pure functions: the grade the
ballots suggest at the boundaries of its thresholds, the grade sets, the tallies, the order
of the steps and the follow-up's transitions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.evaluation import rules
from dangjian.evaluation.choices import FollowUpMove, FollowUpState, Grade, Step

FOUR = tuple(Grade.values)
THREE = (Grade.EXCELLENT.value, Grade.QUALIFIED.value, Grade.UNQUALIFIED.value)
HALF = {"unqualified": 0.5, "basically_qualified": 0.5, "excellent": 0.5}

E, Q, B, U = "excellent", "qualified", "basically_qualified", "unqualified"


@pytest.mark.parametrize(
    ("tallies", "ballots", "expected"),
    [
        # V1 suggestion: more than half unqualified → unqualified; exactly half is not more.
        ({U: 6, Q: 4}, 10, U),
        ({U: 5, Q: 5}, 10, Q),
        ({U: 5, E: 5}, 10, Q),
        # Basically qualified: more than half rate the member basically qualified or lower.
        ({U: 5, B: 1, Q: 4}, 10, B),
        ({U: 3, B: 2, Q: 5}, 10, Q),
        ({U: 3, B: 3, Q: 4}, 10, B),
        ({B: 6, E: 4}, 10, B),
        # Excellent: more than half rate the member excellent.
        ({E: 6, Q: 4}, 10, E),
        ({E: 5, Q: 5}, 10, Q),
        ({E: 4, Q: 3}, 7, E),
        ({E: 3, Q: 4}, 7, Q),
        # Ratings left blank on some ballots count against no grade.
        ({E: 4, Q: 1}, 9, Q),
        ({Q: 1}, 1, Q),
        ({U: 1}, 1, U),
        ({}, 0, None),
    ],
)
def test_suggestion_thresholds_at_the_boundaries(tallies: dict[str, int], ballots: int, expected: str | None) -> None:
    assert rules.suggest_grade(tallies, ballots, FOUR, HALF) == expected


def test_three_grade_units_have_no_basically_qualified() -> None:
    assert rules.suggest_grade({U: 3, Q: 4}, 7, THREE, HALF) == Q
    assert rules.suggest_grade({U: 4, Q: 3}, 7, THREE, HALF) == U
    assert rules.suggest_grade({E: 4, Q: 3}, 7, THREE, HALF) == E
    # Without "excellent" in use, many excellent ratings still suggest qualified.
    assert rules.suggest_grade({E: 9, Q: 1}, 10, (Q, B, U), HALF) == Q


def test_thresholds_are_a_local_figure() -> None:
    strict = {"unqualified": 0.5, "basically_qualified": 0.5, "excellent": 0.8}
    assert rules.suggest_grade({E: 8, Q: 2}, 10, FOUR, strict) == Q
    assert rules.suggest_grade({E: 9, Q: 1}, 10, FOUR, strict) == E
    assert rules.SUGGESTION_SHARES.confidence == "local"


def test_a_third_is_a_third() -> None:
    """A third of 12 is 4 exactly: 4 unqualified are not more than a third, 5 are (the
    share typed as 0.3333… is read as a fraction, not a float)."""
    third = {"unqualified": 1 / 3, "basically_qualified": 1.0, "excellent": 1.0}
    assert rules.suggest_grade({U: 4, Q: 8}, 12, FOUR, third) == Q
    assert rules.suggest_grade({U: 5, Q: 7}, 12, FOUR, third) == U


@given(
    st.integers(min_value=1, max_value=60).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.integers(min_value=0, max_value=n), min_size=4, max_size=4).filter(lambda xs: sum(xs) <= n),
        )
    )
)
def test_suggestion_is_always_a_grade_in_use(case: tuple[int, list[int]]) -> None:
    ballots, counts = case
    tallies = dict(zip(FOUR, counts, strict=True))
    suggested = rules.suggest_grade(tallies, ballots, FOUR, HALF)
    assert suggested in FOUR
    if tallies[U] * 2 > ballots:
        assert suggested == U
    three = {**tallies, B: 0}
    assert rules.suggest_grade(three, ballots, THREE, HALF) in THREE


def test_grade_sets(db: None) -> None:
    assert rules.grades_in_use(rules.GRADES.default) == FOUR
    assert rules.grades_in_use({**rules.GRADES.default, "basically_qualified": False}) == THREE
    # Qualified and unqualified are always there, whatever the table says.
    assert rules.grades_in_use(dict.fromkeys(FOUR, False)) == (Q, U)
    assert rules.GRADES.confidence == "local"
    assert rules.grades_on(dt.date(2026, 11, 23)) == FOUR


def test_tally_problems() -> None:
    assert rules.tally_problems({E: 3, Q: 7, B: 0, U: 0}, 10, FOUR) == []
    assert "11 ratings but 10 ballots" in str(rules.tally_problems({E: 4, Q: 7, B: 0, U: 0}, 10, FOUR)[0])
    assert "No rating" in str(rules.tally_problems(dict.fromkeys(FOUR, 0), 10, FOUR)[0])
    assert "does not use" in str(rules.tally_problems({E: 1, Q: 2, B: 1, U: 0}, 10, THREE)[0])


def test_distribution() -> None:
    assert rules.distribution({E: 3, Q: 6, B: 1, U: 0}, 10, FOUR) == [(E, 3, 0.3), (Q, 6, 0.6), (B, 1, 0.1), (U, 0, 0)]
    assert rules.distribution({}, 0, THREE) == [(E, 0, 0.0), (Q, 0, 0.0), (U, 0, 0.0)]


def test_order_of_steps() -> None:
    assert rules.STEPS == (Step.SELF, Step.MUTUAL, Step.RATING, Step.DECISION, Step.DECIDED)
    assert rules.step_problem(Step.SELF, (Step.SELF,)) is None
    problem = str(rules.step_problem(Step.SELF, (Step.RATING, Step.DECISION)))
    assert "“Democratic rating”" in problem and "“Self-evaluation”" in problem and "L8" in problem


def test_time_limits_of_v2(db: None) -> None:
    decided = dt.date(2026, 8, 31)
    assert rules.default_deadline(decided) == dt.date(2027, 2, 28)  # six months, end of February
    assert rules.latest_deadline(decided) == dt.date(2027, 8, 31)
    assert rules.rejoin_after(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)
    assert rules.CORRECTION_MONTHS.confidence == "local" and rules.CORRECTION_MAX_MONTHS.confidence == "firm"


@pytest.mark.parametrize("state", list(FollowUpState))
@pytest.mark.parametrize("grade", [Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED])
def test_follow_up_moves(state: str, grade: str) -> None:
    moves = set(rules.moves_for(state, grade))
    if state == FollowUpState.CORRECTING and grade == Grade.UNQUALIFIED:
        assert moves == {FollowUpMove.CORRECT, FollowUpMove.PERSUADE}
    elif state == FollowUpState.CORRECTING:
        assert moves == {FollowUpMove.CORRECT, FollowUpMove.NOT_CORRECTED}
    elif state == FollowUpState.PERSUADING and grade == Grade.UNQUALIFIED:
        assert moves == {FollowUpMove.WITHDRAW, FollowUpMove.REMOVE}
    else:
        assert moves == set()
    assert not rules.allowed(state, grade, "nonsense")


def test_removal_needs_the_order_of_v3_and_a_passed_vote() -> None:
    day = dt.date(2026, 6, 1)
    ok = {
        "persuaded_on": day,
        "proposed_on": day,
        "filed_on": day,
        "vote_held_on": day,
        "vote_passed": True,
        "removed_on": day,
    }
    assert rules.removal_problems(**ok) == {}
    assert set(rules.removal_problems(**{**ok, "vote_passed": False})) == {"vote"}
    assert set(rules.removal_problems(**{**ok, "vote_held_on": None})) == {"vote"}
    assert set(rules.removal_problems(**{**ok, "proposed_on": day - dt.timedelta(days=1)})) == {"proposed_on"}
    assert set(rules.removal_problems(**{**ok, "filed_on": day - dt.timedelta(days=1)})) == {"filed_on"}
    late = {**ok, "filed_on": day + dt.timedelta(days=1), "proposed_on": day}
    assert set(rules.removal_problems(**late)) == {"vote"}
    assert set(rules.removal_problems(**{**ok, "removed_on": day - dt.timedelta(days=1)})) == {"on"}
