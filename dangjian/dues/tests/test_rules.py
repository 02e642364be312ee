"""Dues rules F1-F11 against the table of the 2008 provisions (rules.md F): every bracket
boundary just below, at and just above, for each category; amounts never fall when
income rises within a category; exact decimals and rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core import actions as core_actions
from dangjian.dues.choices import DuesCategory as C
from dangjian.dues.rules import (
    DuesError,
    first_month_due,
    goes_to_centre,
    income_base,
    monthly_dues,
    standard_from,
)

pytestmark = pytest.mark.django_db  # figures read local values through the cache and the database

ON = dt.date(2026, 11, 1)
CENT = Decimal("0.01")


def amount(category: str, base: str) -> Decimal:
    return monthly_dues(category, on=ON, base=Decimal(base)).amount


# (base, expected rate) around every bound of F1: upper bounds inclusive.
F1_TABLE = [
    ("0", "0.005"),
    ("2999.99", "0.005"),
    ("3000", "0.005"),
    ("3000.01", "0.01"),
    ("4999.99", "0.01"),
    ("5000", "0.01"),
    ("5000.01", "0.015"),
    ("9999.99", "0.015"),
    ("10000", "0.015"),
    ("10000.01", "0.02"),
    ("25000", "0.02"),
]


@pytest.mark.parametrize("category", [C.SALARY, C.ANNUAL_SALARY, C.SELF_EMPLOYED])
@pytest.mark.parametrize(("base", "rate"), F1_TABLE)
def test_F1_F2_F3_rate_by_bracket_on_the_whole_base(category: str, base: str, rate: str) -> None:
    standard = monthly_dues(category, on=ON, base=Decimal(base))
    assert standard.rate == Decimal(rate)
    assert standard.amount == (Decimal(base) * Decimal(rate)).quantize(CENT)
    assert standard.rule == {C.SALARY: "F1", C.ANNUAL_SALARY: "F2", C.SELF_EMPLOYED: "F3"}[category]
    assert standard.base == Decimal(base) and standard.bracket is not None


def test_F1_examples_in_yuan() -> None:
    assert amount(C.SALARY, "3000") == Decimal("15.00")
    assert amount(C.SALARY, "3000.01") == Decimal("30.00")  # the whole base at 1%
    assert amount(C.SALARY, "5000") == Decimal("50.00")
    assert amount(C.SALARY, "5000.01") == Decimal("75.00")
    assert amount(C.SALARY, "10000") == Decimal("150.00")
    assert amount(C.SALARY, "10000.01") == Decimal("200.00")
    assert amount(C.SALARY, "2345.67") == Decimal("11.73")  # 11.72835 rounded half up


@pytest.mark.parametrize(
    ("base", "rate"),
    [("0", "0.005"), ("4999.99", "0.005"), ("5000", "0.005"), ("5000.01", "0.01"), ("12000", "0.01")],
)
def test_F4_retired_members_by_pension(base: str, rate: str) -> None:
    standard = monthly_dues(C.RETIRED, on=ON, base=Decimal(base))
    assert (standard.rate, standard.rule) == (Decimal(rate), "F4")
    assert standard.amount == (Decimal(base) * Decimal(rate)).quantize(CENT)


def test_F4_brackets_read_as_text() -> None:
    standard = monthly_dues(C.RETIRED, on=ON, base=Decimal("5000.01"))
    assert str(standard.bracket) == "5000–…: 1%"


@pytest.mark.parametrize(("given", "ok"), [("0.19", False), ("0.2", True), ("0.5", True), ("1", True), ("1.01", False)])
def test_F5_farmers_pay_what_the_branch_sets_within_the_range(given: str, ok: bool) -> None:
    if ok:
        standard = monthly_dues(C.FARMER, on=ON, farmer_amount=Decimal(given))
        assert (standard.amount, standard.rule, standard.rate) == (Decimal(given).quantize(CENT), "F5", None)
    else:
        with pytest.raises(DuesError, match=r"0\.2 to 1 yuan a month.*F5"):
            monthly_dues(C.FARMER, on=ON, farmer_amount=Decimal(given))
    with pytest.raises(DuesError):
        monthly_dues(C.FARMER, on=ON)


def test_F6_students_unemployed_and_relief_pay_two_jiao() -> None:
    standard = monthly_dues(C.LOW_INCOME, on=ON, base=Decimal("99999"))
    assert (standard.amount, standard.rule) == (Decimal("0.20"), "F6")


def test_rated_categories_need_a_base() -> None:
    with pytest.raises(DuesError, match="F1"):
        monthly_dues(C.SALARY, on=ON)
    with pytest.raises(DuesError, match="F4"):
        monthly_dues(C.RETIRED, on=ON, base=Decimal("-1"))


def test_F8_probationary_members_pay_from_the_month_of_admission() -> None:
    assert first_month_due(dt.date(2026, 3, 17)) == dt.date(2026, 3, 1)


def test_F9_a_new_pay_applies_from_its_month() -> None:
    assert standard_from(dt.date(2026, 7, 31)) == dt.date(2026, 7, 1)


def test_F10_large_voluntary_payments_go_to_the_centre() -> None:
    assert not goes_to_centre(Decimal("999.99"), ON)
    assert goes_to_centre(Decimal("1000"), ON)


def test_F11_the_base_leaves_out_tax_insurance_and_allowances() -> None:
    assert income_base(Decimal("8000"), excluded=Decimal("1850.50")) == Decimal("6149.50")
    assert income_base(Decimal("1000"), excluded=Decimal("1200")) == Decimal(0)
    with pytest.raises(DuesError, match="F11"):
        income_base(Decimal("-1"))


def test_the_rounding_unit_is_a_local_figure() -> None:
    assert amount(C.SALARY, "2345.67") == Decimal("11.73")
    core_actions.set_figure(key="F.rounding", value="0.1", effective_from=dt.date(2026, 1, 1), note="到角", actor=None)
    assert amount(C.SALARY, "2345.67") == Decimal("11.70")
    assert monthly_dues(C.SALARY, on=dt.date(2025, 12, 1), base=Decimal("2345.67")).amount == Decimal("11.73")


def test_national_brackets_are_not_overridable() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        core_actions.set_figure(
            key="F1.salary_brackets", value=[[None, "0.01"]], effective_from=ON, note="", actor=None
        )


MONEY = st.decimals(min_value=Decimal(0), max_value=Decimal(200000), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    category=st.sampled_from([C.SALARY, C.ANNUAL_SALARY, C.SELF_EMPLOYED, C.RETIRED]),
    low=MONEY,
    high=MONEY,
)
def test_dues_never_fall_when_income_rises_within_a_category(
    db: None, category: str, low: Decimal, high: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    assert monthly_dues(category, on=ON, base=low).amount <= monthly_dues(category, on=ON, base=high).amount


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=MONEY)
def test_amounts_are_exact_cents(db: None, base: Decimal) -> None:
    result = monthly_dues(C.SALARY, on=ON, base=base).amount
    assert isinstance(result, Decimal) and result == result.quantize(CENT)
