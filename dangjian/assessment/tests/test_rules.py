"""The arithmetic of the assessment (issue 7 quality bars): combining assessors' scores
(average, dropping the extremes), automatic scores, capped bonus and deduction items,
ranking ties, grades by bands and quotas with ties at the boundary, and every consequence
rule over sequences of years, including a group whose membership changed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.assessment import rules
from dangjian.assessment.choices import Combine, Position
from dangjian.assessment.rules import DEFAULT_CONSEQUENCES, DEFAULT_GRADES, Band, Total


def test_combine_average_and_trimmed() -> None:
    assert rules.combine([], Combine.MEAN) is None
    assert rules.combine([D("8"), D("9")], Combine.MEAN) == D("8.50")
    assert rules.combine([D("8"), D("9")], Combine.TRIMMED) == D("8.50")  # fewer than 3: plain average
    assert rules.combine([D("2"), D("8"), D("9"), D("10")], Combine.TRIMMED) == D("8.50")
    assert rules.combine([D("2"), D("8"), D("9"), D("10")], Combine.MEAN) == D("7.25")
    assert rules.combine([D("9"), D("9"), D("9")], Combine.TRIMMED) == D("9.00")
    assert rules.combine([D("1"), D("1"), D("2")], Combine.MEAN) == D("1.33")  # half up to cents
    assert rules.combine([D("0.005"), D("0.005")], Combine.MEAN) == D("0.01")


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=9))
def test_combined_score_lies_between_the_extremes(scores: list[D]) -> None:
    for how in Combine:
        value = rules.combine(scores, how)
        assert value is not None and min(scores) <= value <= max(scores)


def test_automatic_score_scales_the_full_score() -> None:
    assert rules.automatic_score(D(10), 0.85) == D("8.50")
    assert rules.automatic_score(D(10), 1.2) == D("10.00")
    assert rules.automatic_score(D(10), -0.1) == D("0.00")
    assert rules.automatic_score(D(15), None) == D("15.00")  # nothing owed: nothing missed
    assert rules.automatic_score(D(7), 1 / 3) == D("2.33")


def test_bonus_and_deductions_are_capped_and_the_total_adds_up() -> None:
    assert rules.capped([D(2), D(3)], D(4)) == D("4.00")
    assert rules.capped([D(1)], D(4)) == D("1.00")
    assert rules.capped([], D(4)) == D("0.00")
    total = Total(party=D("55.5"), business=D("35"), bonus=D("4"), deduction=D("6.25"))
    assert total.total == D("88.25")


def test_ranking_ties_share_the_better_place() -> None:
    assert rules.rank({"a": D(100), "b": D(90), "c": D(90), "d": D(80)}) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert rules.from_bottom({"a": D(100), "b": D(90), "c": D(90), "d": D(80)}) == {"a": 4, "b": 2, "c": 2, "d": 1}
    assert rules.rank({"a": D(5), "b": D(5), "c": D(5)}) == {"a": 1, "b": 1, "c": 1}
    assert rules.rank({}) == {}


@given(st.dictionaries(st.integers(0, 50), st.decimals(min_value=0, max_value=100, places=1), max_size=30))
def test_ranking_properties(totals: dict[int, D]) -> None:
    places = rules.rank(totals)
    for a in totals:
        # The place is one plus the number of strictly better totals.
        assert places[a] == 1 + sum(1 for b in totals if totals[b] > totals[a])


def test_grades_by_bands_at_the_floors() -> None:
    assert [rules.grade_by_bands(D(x), DEFAULT_GRADES) for x in ("90", "89.99", "80", "60", "59.99", "0")] == [
        "excellent",
        "good",
        "good",
        "fair",
        "poor",
        "poor",
    ]


def test_grades_by_quotas_hold_ties_back() -> None:
    bands = (Band("excellent", "E", D(0), 20), Band("good", "G", D(0), 30), Band("fair", "F", D(60)), Band("poor", "P"))
    # Ten organizations: 2 excellent places, 3 good places.
    totals = {i: D(100 - i) for i in range(10)}
    grades = rules.grade_by_quotas(totals, bands)
    assert [grades[i] for i in range(10)] == ["excellent"] * 2 + ["good"] * 3 + ["fair"] * 5
    # The second and third are tied: neither is excellent (the quota is a maximum).
    totals = {0: D(99), 1: D(95), 2: D(95), 3: D(90), 4: D(89), 5: D(88), 6: D(80), 7: D(70), 8: D(50), 9: D(40)}
    grades = rules.grade_by_quotas(totals, bands)
    assert (grades[0], grades[1], grades[2]) == ("excellent", "good", "good")
    assert (grades[3], grades[4]) == ("good", "fair")  # good holds 3: 1, 2, 3
    assert (grades[8], grades[9]) == ("poor", "poor")  # below the floor of fair
    # A quota band with a floor: only those reaching it.
    floored = (Band("excellent", "E", D(95), 50), Band("fair", "F"))
    assert rules.grade_by_quotas({0: D(96), 1: D(94)}, floored) == {0: "excellent", 1: "fair"}
    assert rules.grade_by_quotas({}, bands) == {}


@given(st.lists(st.decimals(min_value=0, max_value=100, places=0), min_size=1, max_size=40))
def test_quotas_are_never_exceeded_and_better_never_gets_worse(values: list[D]) -> None:
    bands = (Band("excellent", "E", D(0), 20), Band("good", "G", D(0), 30), Band("fair", "F"))
    totals = dict(enumerate(values))
    grades = rules.grade_by_quotas(totals, bands)
    n = len(values)
    assert sum(1 for g in grades.values() if g == "excellent") <= n * 20 // 100
    assert sum(1 for g in grades.values() if g == "good") <= n * 30 // 100
    order = {"excellent": 0, "good": 1, "fair": 2}
    for a in totals:
        for b in totals:
            if totals[a] > totals[b]:
                assert order[grades[a]] <= order[grades[b]]
            if totals[a] == totals[b]:
                assert grades[a] == grades[b]


# --- consequences -------------------------------------------------------------------------

# Places in a group of ten.
LAST = rules.Place(10, 1, 10)
THIRD_LAST = rules.Place(8, 3, 10)
FOURTH_LAST = rules.Place(7, 4, 10)
FIRST = rules.Place(1, 10, 10)


def measures(history: dict[int, rules.Place], year: int) -> list[tuple[str, list[int]]]:
    return [(rule.key, years) for rule, years in rules.consequences_for(history, year, DEFAULT_CONSEQUENCES)]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ({2026: LAST}, [("bottom_1", [2026])]),
        ({2026: THIRD_LAST}, [("bottom_1", [2026])]),
        ({2026: FOURTH_LAST}, []),
        ({2025: LAST, 2026: THIRD_LAST}, [("bottom_2", [2025, 2026])]),
        ({2024: LAST, 2025: LAST, 2026: LAST}, [("bottom_3", [2024, 2025, 2026])]),
        # Four years running: still the three-year rule (the most severe one reached).
        ({2023: LAST, 2024: LAST, 2025: LAST, 2026: LAST}, [("bottom_3", [2024, 2025, 2026])]),
        # A better year breaks the run.
        ({2024: LAST, 2025: FOURTH_LAST, 2026: LAST}, [("bottom_1", [2026])]),
        # Not in the group in 2025 (membership changed): the run starts again.
        ({2024: LAST, 2026: LAST}, [("bottom_1", [2026])]),
        ({2024: FIRST, 2025: FIRST}, []),
        ({2024: FIRST, 2025: FIRST, 2026: FIRST}, [("top_3", [2024, 2025, 2026])]),
        ({2024: FIRST, 2025: rules.Place(2, 9, 10), 2026: FIRST}, []),
        # A group too small in 2025 does not count that year.
        ({2025: rules.Place(3, 1, 3), 2026: LAST}, [("bottom_1", [2026])]),
        # Nothing for a year without a result.
        ({2025: LAST}, []),
    ],
)
def test_consequence_rules_over_years(history: dict[int, rules.Place], expected: list[tuple[str, list[int]]]) -> None:
    assert measures(history, 2026) == expected


def test_a_small_group_triggers_nothing_and_a_large_one_both_sides() -> None:
    """In a group of two, the first would also be among the last three: the rules need a
    group of ``min_group``; with a lower minimum both sides apply."""
    small = {2024: rules.Place(1, 2, 2), 2025: rules.Place(1, 2, 2), 2026: rules.Place(1, 2, 2)}
    assert measures(small, 2026) == []
    loose = tuple(rules.Consequence(r.key, r.position, r.places, r.years, r.measure, 2) for r in DEFAULT_CONSEQUENCES)
    found = [(r.key, years) for r, years in rules.consequences_for(small, 2026, loose)]
    assert found == [("bottom_3", [2024, 2025, 2026]), ("top_3", [2024, 2025, 2026])]


def test_thresholds_are_data() -> None:
    strict = (rules.Consequence("b", Position.BOTTOM, 1, 2, "x", 10),)
    assert rules.consequences_for({2025: THIRD_LAST, 2026: THIRD_LAST}, 2026, strict) == []
    assert [r.key for r, _ in rules.consequences_for({2025: LAST, 2026: LAST}, 2026, strict)] == ["b"]
