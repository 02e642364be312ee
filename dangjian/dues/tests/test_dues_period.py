"""``queries.collection_by_organization`` over a period counts exactly what ``collection``
counts month by month (F7, F8), per organization, on awkward records.

The records are written as rows, not through the actions: the period query must agree
with the monthly one on anything the database can hold, including what the forms refuse
(a payment for an exempted month or before admission, a standard from the middle of a
month, a payment dated on another day than the first)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from dangjian.core.dates import add_months
from dangjian.core.testing import Cast, make_member
from dangjian.dues import queries
from dangjian.dues.choices import DuesCategory, PaymentKind, PaymentMethod
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.models import Member

M = dt.date
MONTHS = [add_months(M(2025, 1, 1), i) for i in range(30)]  # January 2025 to June 2027


def monthly(members: list[Member], first: dt.date, last: dt.date) -> dict[str, tuple[int, int]]:
    """The oracle: ``collection`` of each organization, month by month, added up."""
    out: dict[str, tuple[int, int]] = {}
    for path in {m.organization.path for m in members}:
        in_org = Member.objects.filter(organization__path=path)
        due = paid = 0
        for month in queries.months_between(first, last):
            row = queries.collection(in_org, month)
            due, paid = due + row["due"], paid + row["paid"]
        if due:
            out[path] = (due, paid)
    return out


def standard(member: Member, valid_from: dt.date, reduced: str | None = None) -> DuesStandard:
    return DuesStandard(
        member=member,
        valid_from=valid_from,
        category=DuesCategory.SALARY,
        amount=Decimal("20.00"),
        rule="F1",
        reduced_amount=None if reduced is None else Decimal(reduced),
        reduction_reason="" if reduced is None else "批准",
    )


def payment(member: Member, month: dt.date, kind: str = PaymentKind.REGULAR) -> Payment:
    return Payment(
        member=member,
        organization=member.organization,
        kind=kind,
        month=month,
        amount=Decimal("20.00"),
        method=PaymentMethod.CASH,
        paid_on=month,
    )


@pytest.fixture
def people(cast: Cast) -> list[Member]:
    """Members in both branches, admitted and leaving at various days around the periods."""
    rng = random.Random(7)
    out = []
    for i in range(14):
        org = cast.branch_a if i % 2 else cast.branch_b
        joined = M(2024, 6, 1) + dt.timedelta(days=rng.randrange(0, 900))
        member = make_member(org, f"成员{i}", joined_on=joined, full_on=None, status="probationary")
        if i % 3 == 0:
            member.left_on = joined + dt.timedelta(days=rng.randrange(20, 500))
            member.save(update_fields=["left_on"])
        out.append(member)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_period_adds_up_the_months(cast: Cast, people: list[Member], seed: int) -> None:
    rng = random.Random(seed)
    standards, payments = [], []
    for member in people:
        used: set[dt.date] = set()
        for _ in range(rng.randrange(0, 4)):  # some members have no standard at all
            day = rng.choice(MONTHS) + dt.timedelta(days=rng.choice([0, 0, 0, 14]))
            if day in used:
                continue
            used.add(day)
            standards.append(standard(member, day, rng.choice([None, None, "0", "5.00"])))
        if rng.random() < 0.6:  # most pay the months they owe, with gaps
            joined = member.joined_on.replace(day=1)
            left = member.left_on or MONTHS[-1]
            paid_months = [m for m in MONTHS if joined <= m <= left and rng.random() < 0.8]
        else:  # anything, also months before admission, after leaving or exempted
            paid_months = rng.sample(MONTHS, rng.randrange(0, len(MONTHS)))
        for month in paid_months:
            payments.append(payment(member, month))
        payments.append(payment(member, rng.choice(MONTHS), PaymentKind.VOLUNTARY))
        # A payment dated on another day than the first of the month never counts.
        if rng.random() < 0.5 and len(paid_months) < len(MONTHS):
            off = rng.choice([m for m in MONTHS if m not in paid_months]) + dt.timedelta(days=3)
            payments.append(payment(member, off))
    DuesStandard.objects.bulk_create(standards)
    Payment.objects.bulk_create(payments)
    for first, last in [
        (M(2026, 1, 1), M(2026, 12, 1)),
        (M(2025, 3, 1), M(2027, 6, 1)),
        (M(2026, 7, 1), M(2026, 7, 1)),
    ]:
        assert queries.collection_by_organization(cast.county, first, last) == monthly(people, first, last)


def test_an_exempted_stretch_and_payments_around_it(cast: Cast) -> None:
    """January–December: exempt from April (F7) until a new standard from the 10th of
    August, in force from September; paid every month; left on 3 November."""
    member = make_member(cast.branch_a, "王五", joined_on=M(2025, 12, 20), full_on=None, status="probationary")
    member.left_on = M(2026, 11, 3)
    member.save(update_fields=["left_on"])
    DuesStandard.objects.bulk_create(
        [standard(member, M(2026, 1, 1)), standard(member, M(2026, 4, 1), "0"), standard(member, M(2026, 8, 10))]
    )
    Payment.objects.bulk_create([payment(member, add_months(M(2026, 1, 1), i)) for i in range(12)])
    # January-March, then exempt April-August (the new standard is in force from September),
    # September-November (left on 3 November): six months owed, each paid.
    year = queries.collection_by_organization(cast.county, M(2026, 1, 1), M(2026, 12, 1))
    assert year == {cast.branch_a.path: (6, 6)}
    assert monthly([member], M(2026, 1, 1), M(2026, 12, 1)) == {cast.branch_a.path: (6, 6)}
    # From April to August nothing is owed, and the payments of those months do not count.
    assert queries.collection_by_organization(cast.county, M(2026, 4, 1), M(2026, 8, 1)) == {}


def test_a_subtree_any_days_and_one_query(cast: Cast, people: list[Member], django_assert_num_queries: Any) -> None:
    for member in people:
        standard(member, M(2026, 1, 1)).save()
        Payment.objects.bulk_create([payment(member, M(2026, 3, 1))])
    year = (M(2026, 1, 1), M(2026, 12, 1))
    whole = queries.collection_by_organization(cast.county, *year)
    assert whole == monthly(people, *year) and set(whole) == {cast.branch_a.path, cast.branch_b.path}
    # The subtree of committee X holds branch A only.
    assert queries.collection_by_organization(cast.committee_x, *year) == {
        cast.branch_a.path: whole[cast.branch_a.path]
    }
    # Any day of the first and last months stands for the month.
    assert queries.collection_by_organization(cast.county, M(2026, 1, 15), M(2026, 12, 20)) == whole
    with django_assert_num_queries(1):
        queries.collection_by_organization(cast.county, *year)
    with django_assert_num_queries(0):
        assert queries.collection_by_organization(cast.county, M(2026, 5, 1), M(2026, 4, 30)) == {}
