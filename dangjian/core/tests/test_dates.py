"""Calendar arithmetic the deadline rules stand on: month ends, leap years, full years of age."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.dates import add_months, add_years, age_on

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
months = st.integers(min_value=-600, max_value=600)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 15), 1, dt.date(2026, 4, 15)),
        (dt.date(2026, 3, 15), 0, dt.date(2026, 3, 15)),
        (dt.date(2026, 11, 30), 2, dt.date(2027, 1, 30)),  # across the year end
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
        (dt.date(2027, 1, 1), -1, dt.date(2026, 12, 1)),
        (dt.date(2026, 3, 15), -14, dt.date(2025, 1, 15)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),  # clamped to the month's last day
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap February
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 2, 28), 1, dt.date(2026, 3, 28)),  # not moved to the month end
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2023, 7, 1), 1, dt.date(2024, 7, 1)),
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),  # 29 February → 28 February
        (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),  # leap year again
        (dt.date(2024, 2, 29), -1, dt.date(2023, 2, 28)),
        (dt.date(2000, 2, 29), 100, dt.date(2100, 2, 28)),  # 2100 is not a leap year
        (dt.date(2023, 2, 28), 1, dt.date(2024, 2, 28)),  # not moved to 29 February
        (dt.date(2021, 12, 31), 5, dt.date(2026, 12, 31)),
    ],
)
def test_add_years(day: dt.date, years: int, expected: dt.date) -> None:
    assert add_years(day, years) == expected


@given(dates, months)
def test_add_months_moves_exactly_that_many_calendar_months(day: dt.date, n: int) -> None:
    moved = add_months(day, n)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    assert moved.day <= day.day
    if day.day <= 28:
        assert moved.day == day.day
        assert add_months(moved, -n) == day


@given(dates, st.integers(min_value=-100, max_value=100))
def test_add_years_is_twelve_months(day: dt.date, n: int) -> None:
    assert add_years(day, n) == add_months(day, 12 * n)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2000, 6, 15), dt.date(2018, 6, 14), 17),  # the day before the birthday
        (dt.date(2000, 6, 15), dt.date(2018, 6, 15), 18),  # on the birthday
        (dt.date(2000, 6, 15), dt.date(2018, 6, 16), 18),
        (dt.date(2000, 12, 31), dt.date(2018, 12, 30), 17),
        (dt.date(2000, 12, 31), dt.date(2018, 12, 31), 18),
        (dt.date(2001, 1, 1), dt.date(2018, 12, 31), 17),
        (dt.date(2000, 6, 15), dt.date(2000, 6, 15), 0),
        # Born on 29 February: a year older on 1 March in common years…
        (dt.date(2004, 2, 29), dt.date(2022, 2, 28), 17),
        (dt.date(2004, 2, 29), dt.date(2022, 3, 1), 18),
        # …and on 29 February in leap years.
        (dt.date(2004, 2, 29), dt.date(2024, 2, 28), 19),
        (dt.date(2004, 2, 29), dt.date(2024, 2, 29), 20),
    ],
)
def test_age_on(birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(birth, on) == age


@given(dates, st.integers(min_value=1, max_value=100))
def test_age_is_n_on_the_nth_birthday_and_n_minus_1_the_day_before(birth: dt.date, n: int) -> None:
    year = birth.year + n
    leap_day_in_common_year = (birth.month, birth.day) == (2, 29) and not calendar.isleap(year)
    birthday = dt.date(year, 3, 1) if leap_day_in_common_year else birth.replace(year=year)
    assert age_on(birth, birthday) == n
    assert age_on(birth, birthday - dt.timedelta(days=1)) == n - 1
