"""Handing dues over up the tree and the reconciliation: for any subtree and period, the
sums handed over equal the sums collected minus retained (issue 5), checked against a
per-organization oracle over random payments and handovers."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast, make_member, make_org
from dangjian.dues import actions, queries
from dangjian.dues.choices import PaymentKind
from dangjian.dues.models import Handover, Payment
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization

M = dt.date
DAYS = st.dates(M(2026, 1, 1), M(2026, 11, 22))


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def pay(member: Any, amount: str, paid_on: dt.date, kind: str = PaymentKind.REGULAR, month: int = 1) -> Payment:
    return Payment.objects.create(
        member=member,
        organization=member.organization,
        kind=kind,
        month=M(2026, month, 1),
        amount=Decimal(amount),
        method="cash",
        paid_on=paid_on,
    )


def test_a_branch_hands_over_to_its_committee_which_confirms(cast: Cast) -> None:
    pay(cast.members_a[0], "42.00", M(2026, 3, 5))
    pay(cast.members_a[1], "8.00", M(2026, 3, 6))
    with pytest.raises(ValidationError, match=r"holds 50\.00 yuan"):
        actions.hand_over(
            cast.branch_a,
            amount=Decimal("60"),
            handed_on=M(2026, 3, 31),
            months_from=M(2026, 1, 1),
            months_to=M(2026, 3, 1),
            actor=cast.secretary_a,
        )
    handover = actions.hand_over(
        cast.branch_a,
        amount=Decimal("50"),
        handed_on=M(2026, 3, 31),
        months_from=M(2026, 1, 1),
        months_to=M(2026, 3, 1),
        receipt_no="HK-1",
        actor=cast.secretary_a,
    )
    assert handover.to_organization == cast.committee_x  # the level directly above
    assert queries.held(cast.branch_a, M(2026, 3, 31)) == 0
    assert queries.held(cast.committee_x, M(2026, 3, 31)) == Decimal("50.00")
    assert queries.held(cast.committee_x, M(2026, 3, 30)) == 0
    with pytest.raises(ValidationError, match="receiving organization"):
        actions.confirm_handover(handover, confirmed_on=M(2026, 4, 2), actor=cast.secretary_a)
    with pytest.raises(OutOfScope):  # another branch's secretary cannot hand over for it
        actions.hand_over(
            cast.branch_a,
            amount=Decimal("1"),
            handed_on=M(2026, 4, 1),
            months_from=M(2026, 1, 1),
            months_to=M(2026, 1, 1),
            actor=cast.secretary_b,
        )
    actions.confirm_handover(handover, confirmed_on=M(2026, 4, 2), actor=cast.committee_admin)
    handover.refresh_from_db()
    assert handover.confirmed_by == cast.committee_admin
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        actions.withdraw_handover(handover, actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="no higher organization"):
        actions.hand_over(
            cast.county,
            amount=Decimal("1"),
            handed_on=M(2026, 4, 1),
            months_from=M(2026, 1, 1),
            months_to=M(2026, 1, 1),
            actor=None,
        )


def test_the_reconciliation_of_a_committee_and_its_branches(cast: Cast) -> None:
    pay(cast.members_a[0], "42.00", M(2026, 3, 5))
    pay(cast.members_a[1], "1000.00", M(2026, 3, 6), kind=PaymentKind.VOLUNTARY)  # F10: wholly up
    actions.hand_over(
        cast.branch_a,
        amount=Decimal("1030"),
        handed_on=M(2026, 3, 31),
        months_from=M(2026, 3, 1),
        months_to=M(2026, 3, 1),
        actor=None,
    )
    actions.hand_over(
        cast.committee_x,
        amount=Decimal("1000"),
        handed_on=M(2026, 4, 10),
        months_from=M(2026, 3, 1),
        months_to=M(2026, 3, 1),
        actor=None,
    )
    rows = queries.reconciliation(cast.committee_x, M(2026, 1, 1), M(2026, 12, 31))
    own, branch = rows
    assert (own.collected, own.received, own.handed_up, own.retained, own.unconfirmed) == (0, 1030, 1000, 30, 1000)
    assert (branch.collected, branch.wholly_up, branch.handed_up, branch.retained) == (1042, 1000, 1030, 12)
    total = queries.subtree_totals(rows)
    assert (total.collected, total.handed_up, total.retained) == (1042, 1000, 42)
    county = queries.reconciliation(cast.county, M(2026, 1, 1), M(2026, 12, 31))
    assert [(r.organization, r.collected, r.handed_up) for r in county] == [
        (cast.county, 0, 0),
        (cast.committee_x, 1042, 1000),
        (cast.committee_y, 0, 0),
    ]
    assert county[0].received == 1000
    march = queries.reconciliation(cast.committee_x, M(2026, 3, 1), M(2026, 3, 31))
    assert (march[0].received, march[0].handed_up) == (1030, 0)  # handed up in April


def test_the_reconciliation_takes_a_fixed_number_of_queries(cast: Cast, django_assert_num_queries: Any) -> None:
    for n in range(3):
        make_org(f"支部{n}", OrgKind.BRANCH, Sector.VILLAGE, Organization.objects.get(pk=cast.committee_x.pk))
    pay(cast.members_a[0], "5.00", M(2026, 3, 5))
    with django_assert_num_queries(7):  # five, and the F10 figure in force
        queries.reconciliation(Organization.objects.get(pk=cast.county.pk), M(2026, 1, 1), M(2026, 12, 31))


new_payment = st.tuples(st.integers(0, 50), st.integers(1, 100_000), DAYS)
new_handover = st.tuples(st.integers(0, 50), st.integers(1, 100), DAYS)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    extra_branches=st.integers(0, 3),
    payments=st.lists(new_payment, min_size=1, max_size=25),
    handovers=st.lists(new_handover, max_size=15),
    period=st.tuples(DAYS, DAYS).map(sorted),
)
def test_for_any_subtree_handed_over_equals_collected_minus_retained(
    cast: Cast, extra_branches: int, payments: list, handovers: list, period: list
) -> None:
    with transaction.atomic():
        committee_x = Organization.objects.get(pk=cast.committee_x.pk)
        members = [*cast.members_a, *cast.members_b]
        for n in range(extra_branches):
            branch = make_org(f"支部{n}", OrgKind.BRANCH, Sector.VILLAGE, committee_x)
            members.append(make_member(branch, f"党员{n}"))
        for who, cents, day in payments:
            member = members[who % len(members)]
            Payment.objects.create(
                member=member,
                organization=member.organization,
                kind=PaymentKind.VOLUNTARY,
                month=day.replace(day=1),
                amount=Decimal(cents) / 100,
                method="cash",
                paid_on=day,
            )
        orgs = list(Organization.objects.exclude(pk=cast.county.pk).order_by("path"))
        for which, percent, day in handovers:
            org = orgs[which % len(orgs)]
            amount = (queries.held(org, day) * percent / 100).quantize(Decimal("0.01"))
            if amount > 0:
                with contextlib.suppress(ValidationError):  # backdated before a later handover needing it
                    actions.hand_over(org, amount=amount, handed_on=day, months_from=day, months_to=day, actor=None)
        start, end = period
        everyone = list(Organization.objects.order_by("path"))
        paid = list(Payment.objects.filter(paid_on__gte=start, paid_on__lte=end).select_related("organization"))
        moved = list(
            Handover.objects.filter(handed_on__gte=start, handed_on__lte=end).select_related(
                "from_organization", "to_organization"
            )
        )

        def retained(org: Organization) -> Decimal:  # the oracle: one organization's own books
            return (
                sum((p.amount for p in paid if p.organization_id == org.pk), Decimal(0))
                + sum((h.amount for h in moved if h.to_organization_id == org.pk), Decimal(0))
                - sum((h.amount for h in moved if h.from_organization_id == org.pk), Decimal(0))
            )

        def inside(org: Organization, root: Organization) -> bool:
            return org.path.startswith(root.path)

        for root in everyone:
            rows = queries.reconciliation(root, start, end)
            assert rows[0].retained == retained(root)
            for row in [*rows[1:], queries.subtree_totals(rows)]:
                subtree = [o for o in everyone if inside(o, row.organization)]
                collected = sum((p.amount for p in paid if inside(p.organization, row.organization)), Decimal(0))
                left = sum(
                    (
                        h.amount
                        for h in moved
                        if inside(h.from_organization, row.organization)
                        and not inside(h.to_organization, row.organization)
                    ),
                    Decimal(0),
                )
                assert row.collected == collected
                assert row.handed_up == left
                assert row.handed_up == row.collected - sum((retained(o) for o in subtree), Decimal(0))
                assert row.retained == sum((retained(o) for o in subtree), Decimal(0))
        transaction.set_rollback(True)


def handover(org: Any, amount: str, day: dt.date) -> Handover:
    return actions.hand_over(org, amount=Decimal(amount), handed_on=day, months_from=day, months_to=day, actor=None)


def test_a_backdated_handover_cannot_overdraw_a_later_one(cast: Cast) -> None:
    pay(cast.members_a[0], "42.00", M(2026, 3, 5))
    handover(cast.branch_a, "42", M(2026, 11, 20))
    with pytest.raises(ValidationError, match=r"holds 0\.00 yuan of dues on 2026-11-20"):
        handover(cast.branch_a, "42", M(2026, 11, 15))  # held 42 that day, but it left on the 20th
    pay(cast.members_a[1], "10.00", M(2026, 4, 1))
    handover(cast.branch_a, "10", M(2026, 11, 15))
    assert queries.held(cast.branch_a, M(2026, 11, 22)) == 0


def test_a_withdrawal_cannot_leave_the_receiver_negative(cast: Cast) -> None:
    pay(cast.members_a[0], "42.00", M(2026, 3, 5))
    first = handover(cast.branch_a, "42", M(2026, 4, 1))
    handover(cast.committee_x, "42", M(2026, 4, 10))  # the committee passed it on
    with pytest.raises(ValidationError, match="already passed this money on"):
        actions.withdraw_handover(first, actor=None)
    assert Handover.objects.filter(pk=first.pk).exists()


def test_no_dues_for_months_after_the_member_left(cast: Cast) -> None:
    from dangjian.members.models import Member

    zhang = cast.members_a[0]
    actions.set_standard(zhang, category="salary", base=Decimal("4200"), valid_from=M(2026, 1, 1), actor=None)
    Member.objects.filter(pk=zhang.pk).update(status="deceased", left_on=M(2026, 6, 10))
    zhang.refresh_from_db()
    with pytest.raises(ValidationError, match="2026-07 is after the member left on 2026-06-10"):
        actions.record_payments(zhang, [M(2026, 6, 1), M(2026, 7, 1)], method="cash", paid_on=M(2026, 6, 5), actor=None)
    assert len(actions.record_payments(zhang, [M(2026, 6, 1)], method="cash", paid_on=M(2026, 6, 5), actor=None)) == 1
