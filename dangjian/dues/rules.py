"""Party dues (rules.md F1-F11, Organization Department provisions 2008, effective
2008-04-01) as figures plus pure functions: the monthly amount for a member's category
and income base, with the bracket and rate used, in exact decimals.

Money is ``Decimal`` yuan, never float. The brackets are versioned figures (a change of
the provisions is a new version with its date); the rounding of the computed amount is
a local figure (the provisions give rates, not a rounding rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.dues.choices import DuesCategory

DUES_2008 = _("Provisions on party dues, Organization Department (2008)")
PRODUCT = _("Dangjian setting (not a regulation figure)")

# Brackets as [upper bound inclusive (None: no bound), rate]: the rate applies to the
# whole base, not to the part inside the bracket (F1).
SALARY_BRACKETS = Figure(
    key="F1.salary_brackets",
    rule="F1",
    default=[["3000", "0.005"], ["5000", "0.01"], ["10000", "0.015"], [None, "0.02"]],
    description=_("Monthly dues on salary: rate by after-tax monthly pay (upper bound inclusive)"),
    source=DUES_2008,
)
PENSION_BRACKETS = Figure(
    key="F4.pension_brackets",
    rule="F4",
    default=[["5000", "0.005"], [None, "0.01"]],
    description=_("Monthly dues of retired members: rate by pension (upper bound inclusive)"),
    source=DUES_2008,
)
FARMER_RANGE = Figure(
    key="F5.farmer_range",
    rule="F5",
    default={"min": "0.2", "max": "1"},
    description=_("Monthly dues of farmers, set by the branch within this range (yuan)"),
    source=DUES_2008,
)
LOW_INCOME_AMOUNT = Figure(
    key="F6.low_income_amount",
    rule="F6",
    default="0.2",
    description=_("Monthly dues of students, laid-off and unemployed members and those on relief (yuan)"),
    source=DUES_2008,
)
LARGE_VOLUNTARY = Figure(
    key="F10.large_voluntary",
    rule="F10",
    default="1000",
    description=_("A voluntary one-off payment of at least this amount goes wholly to the Centre (yuan)"),
    source=DUES_2008,
)
ROUNDING = Figure(
    key="F.rounding",
    rule="F1",
    default="0.01",
    description=_("Computed monthly dues are rounded half up to this unit (yuan)"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)

APPROVAL_THRESHOLD = Figure(
    key="FUND.approval_threshold",
    rule="FUND",
    default="2000",
    description=_(
        "A party-building funds expenditure above this amount waits for approval by the higher organization (yuan)"
    ),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)

register(
    SALARY_BRACKETS, PENSION_BRACKETS, FARMER_RANGE, LOW_INCOME_AMOUNT, LARGE_VOLUNTARY, ROUNDING, APPROVAL_THRESHOLD
)

BRACKETS = {
    DuesCategory.SALARY: SALARY_BRACKETS,
    DuesCategory.ANNUAL_SALARY: SALARY_BRACKETS,  # F2: as F1, on actual monthly pay
    DuesCategory.SELF_EMPLOYED: SALARY_BRACKETS,  # F3: as F1, on last quarter's average net income
    DuesCategory.RETIRED: PENSION_BRACKETS,
}
RULE_OF = {
    DuesCategory.SALARY: "F1",
    DuesCategory.ANNUAL_SALARY: "F2",
    DuesCategory.SELF_EMPLOYED: "F3",
    DuesCategory.RETIRED: "F4",
    DuesCategory.FARMER: "F5",
    DuesCategory.LOW_INCOME: "F6",
}


class DuesError(ValueError):
    """Input the provisions cannot compute dues from; the message names the rule."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Bracket:
    """One line of a rate table: bases above ``lower`` up to ``upper`` (inclusive) pay
    ``rate`` of the whole base."""

    lower: Decimal | None
    upper: Decimal | None
    rate: Decimal

    def __str__(self) -> str:
        low = "0" if self.lower is None else f"{self.lower}"
        high = "…" if self.upper is None else f"{self.upper}"
        percent = (self.rate * 100).normalize()
        return f"{low}–{high}: {percent:f}%"


@dataclass(frozen=True)
class Standard:
    """A member's monthly dues: the amount, the rule, and for rated categories the base,
    the bracket and the rate used (shown to the user: enter once, see how it was computed)."""

    amount: Decimal
    rule: str
    base: Decimal | None = None
    bracket: Bracket | None = None
    rate: Decimal | None = None


def brackets(category: str, on: dt.date) -> list[Bracket]:
    """The rate table in force on ``on`` for a rated category."""
    table = value(BRACKETS[DuesCategory(category)].key, on)
    out: list[Bracket] = []
    lower: Decimal | None = None
    for upper, rate in table:
        bound = None if upper is None else Decimal(str(upper))
        out.append(Bracket(lower=lower, upper=bound, rate=Decimal(str(rate))))
        lower = bound
    return out


def bracket_for(category: str, base: Decimal, on: dt.date) -> Bracket:
    """The bracket whose range holds ``base`` (upper bounds inclusive, F1, F4)."""
    for bracket in brackets(category, on):
        if bracket.upper is None or base <= bracket.upper:
            return bracket
    raise DuesError(_("The rate table has no open top bracket."))  # pragma: no cover - figure shape


def round_amount(amount: Decimal, on: dt.date) -> Decimal:
    unit = Decimal(str(value(ROUNDING.key, on)))
    return amount.quantize(unit, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def monthly_dues(
    category: str,
    *,
    on: dt.date,
    base: Decimal | None = None,
    farmer_amount: Decimal | None = None,
) -> Standard:
    """The monthly dues of a member of ``category`` on ``on`` (F1-F6; F8: probationary
    members the same way). ``base`` is the monthly income base for rated categories (see
    ``income_base``); ``farmer_amount`` the amount the branch set for a farmer (F5)."""
    category = DuesCategory(category)
    rule = RULE_OF[category]
    if category == DuesCategory.LOW_INCOME:
        return Standard(amount=Decimal(str(value(LOW_INCOME_AMOUNT.key, on))).quantize(Decimal("0.01")), rule=rule)
    if category == DuesCategory.FARMER:
        limits = value(FARMER_RANGE.key, on)
        low, high = Decimal(str(limits["min"])), Decimal(str(limits["max"]))
        if farmer_amount is None or not low <= farmer_amount <= high:
            raise DuesError(
                _("A farmer pays %(min)s to %(max)s yuan a month, as the branch sets (F5).") % {"min": low, "max": high}
            )
        return Standard(amount=farmer_amount.quantize(Decimal("0.01")), rule=rule)
    if base is None or base < 0:
        raise DuesError(_("Give the monthly income base (%(rule)s).") % {"rule": rule})
    bracket = bracket_for(category, base, on)
    return Standard(
        amount=round_amount(base * bracket.rate, on), rule=rule, base=base, bracket=bracket, rate=bracket.rate
    )


def income_base(pay: Decimal, *, excluded: Decimal = Decimal(0)) -> Decimal:
    """The base of F1/F11: fixed regular pay less what F11 leaves out (income tax, social
    insurance and housing fund, annuities, reform allowances, irregular bonuses, incentive
    performance pay), summed in ``excluded``."""
    if pay < 0 or excluded < 0:
        raise DuesError(_("Pay and deductions are amounts of zero or more (F11)."))
    return max(pay - excluded, Decimal(0))


def goes_to_centre(voluntary: Decimal, on: dt.date) -> bool:
    """Whether a voluntary one-off payment goes wholly to the Centre (F10)."""
    return voluntary >= Decimal(str(value(LARGE_VOLUNTARY.key, on)))


def first_month_due(admitted_on: dt.date) -> dt.date:
    """The first month a probationary member pays for: that of the admission meeting (F8)."""
    return admitted_on.replace(day=1)


def standard_from(change_on: dt.date) -> dt.date:
    """A change of pay applies from the month of the new pay (F9)."""
    return change_on.replace(day=1)


def needs_approval(amount: Decimal, on: dt.date) -> bool:
    """Whether an expenditure of ``amount`` waits for the higher organization's approval
    (local setting ``FUND.approval_threshold``; at the threshold it does not)."""
    return amount > Decimal(str(value(APPROVAL_THRESHOLD.key, on)))
