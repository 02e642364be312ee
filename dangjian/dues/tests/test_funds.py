"""The party-building funds ledger: income and spending, allocations recorded once by
the higher organization, approval above the local threshold, the balance and the yearly
statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.actions import set_figure
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast
from dangjian.dues import actions, queries
from dangjian.dues.choices import FundCategory, FundSource, FundState

M = dt.date
FEBRUARY, MARCH = M(2026, 2, 1), M(2026, 3, 1)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def income(org: Any, amount: str, on: dt.date = FEBRUARY, **extra: Any) -> Any:
    return actions.record_income(
        org,
        source=extra.pop("source", FundSource.BUDGET),
        amount=Decimal(amount),
        on=on,
        description="党建工作经费",
        actor=extra.pop("actor", None),
        **extra,
    )


def spend(org: Any, amount: str, actor: Any = None, approver: str = "张书记", on: dt.date = MARCH) -> Any:
    return actions.record_expenditure(
        org,
        category=FundCategory.TRAINING,
        amount=Decimal(amount),
        on=on,
        description="党员培训",
        approver=approver,
        actor=actor,
    )


def test_income_spending_and_the_balance(cast: Cast) -> None:
    income(cast.branch_a, "3000.00")
    spend(cast.branch_a, "500.00")
    assert queries.fund_balance(cast.branch_a) == Decimal("2500.00")
    with pytest.raises(ValidationError, match=r"2500\.00 yuan available"):
        spend(cast.branch_a, "2600.00")
    with pytest.raises(ValidationError, match="Name who approved"):
        spend(cast.branch_a, "10.00", approver=" ")
    with pytest.raises(ValidationError, match="future"):
        spend(cast.branch_a, "10.00", on=M(2026, 12, 1))


def test_an_allocation_from_the_higher_organization_is_entered_once(cast: Cast) -> None:
    income(cast.committee_x, "10000.00")
    grant = income(
        cast.branch_a, "4000.00", source=FundSource.HIGHER, granted_by=cast.committee_x, actor=cast.committee_admin
    )
    assert queries.fund_balance(cast.committee_x) == Decimal("6000.00")
    assert queries.fund_balance(cast.branch_a) == Decimal("4000.00")
    assert grant in queries.fund_entries(cast.committee_x) and grant in queries.fund_entries(cast.branch_a)
    with pytest.raises(ValidationError, match=r"6000\.00 yuan available"):
        income(cast.branch_a, "7000", source=FundSource.HIGHER, granted_by=cast.committee_x)
    with pytest.raises(ValidationError, match="higher organization"):
        income(cast.committee_x, "1", source=FundSource.HIGHER, granted_by=cast.branch_a)
    with pytest.raises(OutOfScope):  # a branch cannot allocate the committee's money to itself
        income(cast.branch_a, "1", source=FundSource.HIGHER, granted_by=cast.committee_x, actor=cast.secretary_a)


def test_above_the_threshold_the_higher_organization_approves(cast: Cast) -> None:
    income(cast.branch_a, "5000.00")
    at = spend(cast.branch_a, "2000.00", actor=cast.secretary_a)  # at the threshold: no approval
    assert at.state == FundState.RECORDED
    big = spend(cast.branch_a, "2000.01", actor=cast.secretary_a, approver="")
    assert big.state == FundState.PENDING
    assert queries.fund_balance(cast.branch_a) == Decimal("3000.00")  # pending does not count yet
    with pytest.raises(ValidationError, match=r"999\.99 yuan available"):  # but it is reserved
        spend(cast.branch_a, "1000.00")
    assert not actions.can_decide(cast.secretary_a, big)  # the recorder, and not higher
    assert not actions.can_decide(cast.secretary_b, big)
    assert actions.can_decide(cast.committee_admin, big)
    with pytest.raises(ValidationError, match="higher organization decides"):
        actions.decide_expenditure(big, approve=True, actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="reason for rejecting"):
        actions.decide_expenditure(big, approve=False, actor=cast.committee_admin)
    decided = actions.decide_expenditure(big, approve=True, note="同意", actor=cast.committee_admin)
    assert (decided.state, decided.decided_by, decided.approver) == (
        FundState.APPROVED,
        cast.committee_admin,
        str(cast.committee_admin),
    )
    assert queries.fund_balance(cast.branch_a) == Decimal("999.99")
    with pytest.raises(ValidationError):
        actions.decide_expenditure(decided, approve=False, note="x", actor=cast.committee_admin)


def test_the_threshold_is_a_local_setting(cast: Cast) -> None:
    income(cast.branch_a, "5000.00")
    set_figure(key="FUND.approval_threshold", value="100", effective_from=M(2026, 1, 1), note="县委规定", actor=None)
    assert spend(cast.branch_a, "100.01", approver="").state == FundState.PENDING
    assert spend(cast.branch_a, "100.00").state == FundState.RECORDED


def test_the_yearly_statement(cast: Cast) -> None:
    income(cast.committee_x, "10000.00", on=M(2025, 12, 1))
    spend(cast.committee_x, "1000.00", on=M(2025, 12, 2))
    income(cast.committee_x, "2000.00", on=M(2026, 1, 5), source=FundSource.RETURNED_DUES)
    income(cast.branch_a, "3000.00", source=FundSource.HIGHER, granted_by=cast.committee_x, on=M(2026, 2, 1))
    spend(cast.committee_x, "800.00", on=M(2026, 3, 1))
    spend(cast.committee_x, "5000.00", on=M(2026, 4, 1), approver="")  # pending: not in the statement's sums
    statement = queries.fund_statement(cast.committee_x, 2026)
    assert statement.opening == Decimal("9000.00")
    assert dict(statement.income)["Returned party dues"] == Decimal("2000.00")
    spending = dict(statement.spending)
    assert spending["Education and training"] == Decimal("800.00")
    assert spending["Allocations to lower organizations"] == Decimal("3000.00")
    assert statement.closing == Decimal("7200.00") == queries.fund_balance(cast.committee_x)
    assert [e.amount for e in statement.pending] == [Decimal("5000.00")]
    assert len(statement.entries) == 3


def test_an_allocation_from_a_higher_organization_in_the_product_is_recorded_by_it(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="recorded there"):
        income(cast.branch_a, "100", source=FundSource.HIGHER)
    assert income(cast.county, "100", source=FundSource.HIGHER).granted_by is None  # from outside the product
