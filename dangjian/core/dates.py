"""Calendar arithmetic on dates in the organization's local calendar (Asia/Shanghai)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` on (negative goes back), clamped to the month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` on; 29 February becomes 28 February in common years."""
    return add_months(day, 12 * years)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years of age on ``on`` (someone born on 29 February turns a year older on
    1 March in common years)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# Years a plan, a list or a filter may name (the founding of the state to a far future).
FIRST_YEAR, LAST_YEAR = 1949, 2999
