"""Dues actions and queries: the standard is computed, never typed; payments by month,
all or nothing; arrears and the collection rate from the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast
from dangjian.dues import actions, queries
from dangjian.dues.choices import DuesCategory, PaymentMethod
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.models import Member

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


JANUARY = M(2026, 1, 1)


def salary(member: Member, base: str, valid_from: dt.date = JANUARY, **extra: object) -> DuesStandard:
    return actions.set_standard(
        member, category=DuesCategory.SALARY, base=Decimal(base), valid_from=valid_from, actor=None, **extra
    )


def test_the_standard_is_computed_with_its_bracket_and_kept_as_history(cast: Cast) -> None:
    zhang = cast.members_a[0]
    first = salary(zhang, "4200")
    assert (first.amount, first.rate, first.rule, first.bracket) == (
        Decimal("42.00"),
        Decimal("0.01"),
        "F1",
        "3000–5000: 1%",
    )
    raised = salary(zhang, "6000", M(2026, 7, 15))  # F9: from the month of the new pay
    assert raised.valid_from == M(2026, 7, 1) and raised.amount == Decimal("90.00")
    assert actions.standard_for(zhang, M(2026, 6, 1)) == first
    assert actions.standard_for(zhang, M(2026, 7, 1)) == raised
    assert AuditEntry.objects.for_object(raised).count() == 1


def test_no_standard_before_admission_and_bad_input_names_the_rule(cast: Cast) -> None:
    wu = cast.members_a[4]  # probationary, admitted 2026-03-01
    with pytest.raises(ValidationError, match="F8"):
        salary(wu, "3000", M(2026, 2, 1))
    assert salary(wu, "3000", M(2026, 3, 1)).amount == Decimal("15.00")  # F8: same rates
    with pytest.raises(ValidationError, match="F5"):
        actions.set_standard(cast.members_a[1], category=DuesCategory.FARMER, valid_from=M(2026, 1, 1), actor=None)
    with pytest.raises(ValidationError, match="F7"):
        salary(cast.members_a[1], "3000", reduced_amount=Decimal("20"), reduction_reason="困难")


def test_payments_by_month_at_the_standard_in_force_all_or_nothing(cast: Cast) -> None:
    zhang = cast.members_a[0]
    salary(zhang, "4200")
    salary(zhang, "6000", M(2026, 7, 1))
    paid = actions.record_payments(
        zhang, [M(2026, 6, 1), M(2026, 7, 1)], method=PaymentMethod.CASH, paid_on=M(2026, 7, 20), actor=None
    )
    assert [(p.month, p.amount) for p in paid] == [(M(2026, 6, 1), Decimal("42.00")), (M(2026, 7, 1), Decimal("90.00"))]
    with pytest.raises(ValidationError) as exc:
        actions.record_payments(
            zhang,
            [M(2025, 12, 1), M(2026, 7, 1), M(2026, 8, 1)],
            method=PaymentMethod.CASH,
            paid_on=M(2026, 8, 1),
            actor=None,
        )
    assert "2026-07 is already paid" in str(exc.value) and "No dues standard is set for 2025-12" in str(exc.value)
    assert Payment.objects.filter(member=zhang).count() == 2  # nothing of the refused payment


def test_arrears_and_the_collection_rate_come_from_the_records(cast: Cast) -> None:
    zhang, li, wang, *_ = cast.members_a
    for member in (zhang, li, wang):
        salary(member, "4200", M(2026, 5, 1))
    salary(wang, "4200", M(2026, 6, 1), reduced_amount=Decimal(0), reduction_reason="大病，镇党委批准")  # F7
    months = [M(2026, m, 1) for m in range(5, 11)]
    actions.record_payments(zhang, months, method=PaymentMethod.PAYROLL, paid_on=M(2026, 10, 31), actor=None)
    actions.record_payments(li, months[:2], method=PaymentMethod.CASH, paid_on=M(2026, 6, 30), actor=None)
    owed = {
        a.member.name: a.months
        for a in queries.arrears(Member.objects.filter(organization=cast.branch_a), M(2026, 10, 15))
    }
    assert owed == {"李四": months[2:], "王五": [M(2026, 5, 1)]}
    october = queries.collection(Member.objects.filter(organization=cast.branch_a), M(2026, 10, 1))
    assert (october["due"], october["paid"]) == (2, 1)  # 王五 is exempt, 赵六 and 吴十 have no standard
    assert october["rate"] == 0.5
    may = queries.collection(Member.objects.filter(organization=cast.branch_a), M(2026, 5, 1))
    assert (may["due"], may["paid"]) == (3, 2)


def test_a_secretary_sets_dues_in_their_branch_only(cast: Cast) -> None:
    from dangjian.core.scoping import OutOfScope

    actions.set_standard(
        cast.members_a[1],
        category=DuesCategory.RETIRED,
        base=Decimal("5200"),
        valid_from=JANUARY,
        actor=cast.secretary_a,
    )
    with pytest.raises(OutOfScope):
        actions.set_standard(
            cast.members_b[0],
            category=DuesCategory.SALARY,
            base=Decimal("3000"),
            valid_from=JANUARY,
            actor=cast.secretary_a,
        )
    assert not DuesStandard.objects.filter(member=cast.members_b[0]).exists()
    assert list(DuesStandard.objects.restrict(cast.member_a)) == []  # 张三 has none; 李四's is not his


def test_collection_by_child_sums_to_the_subtree_in_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    october = M(2026, 10, 1)
    for member in [*cast.members_a[:3], *cast.members_b[:2]]:
        salary(member, "4200", M(2026, 9, 1))
    actions.record_payments(cast.members_a[0], [october], method=PaymentMethod.CASH, paid_on=M(2026, 10, 9), actor=None)
    actions.record_payments(cast.members_b[0], [october], method=PaymentMethod.CASH, paid_on=M(2026, 10, 9), actor=None)
    everyone = Member.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        rows = queries.collection_by_child(everyone, cast.county, october)
    assert len(ctx.captured_queries) == 2
    got = {row["organization"].code: (row["due"], row["paid"]) for row in rows}
    assert got == {"CX": (3, 1), "CY": (2, 1)}
    total = queries.collection(everyone, october)
    assert (total["due"], total["paid"]) == (sum(r["due"] for r in rows), sum(r["paid"] for r in rows))
    # A branch is its own row.
    [own] = queries.collection_by_child(everyone, cast.branch_a, october)
    assert (own["organization"], own["due"], own["paid"]) == (cast.branch_a, 3, 1)
    year = queries.collection_year(everyone, 2026, M(2026, 10, 15))
    assert [(r["month"].month, r["due"], r["paid"]) for r in year][-2:] == [(9, 5, 0), (10, 5, 2)]


@pytest.mark.parametrize(
    "case",
    [
        # (standard from, exemption from, months paid, admitted, expected)
        ("2026-01", None, [], None, True),  # ten months unpaid: S1
        ("2026-01", None, [4], None, True),  # April paid, the last six (May-October) not
        ("2026-01", None, [5], None, False),  # May paid: five in a row
        ("2026-01", None, [6], None, False),  # June paid breaks the run
        ("2026-01", None, [10], None, False),  # last month paid
        ("2026-06", None, [], None, False),  # owed only since June: five months
        ("2026-05", None, [], None, True),  # owed since May: exactly six
        ("2026-01", "2026-08", [], None, False),  # exempted (F7) within the six months
        ("2026-06", None, [], "2026-06-15", False),  # admitted in June (F8): not yet six
    ],
)
def test_unpaid_in_a_row_in_sql_agrees_with_the_arrears_of_the_records(cast: Cast, case: tuple) -> None:  # type: ignore[type-arg]
    start, exempt, paid, admitted, expected = case
    li = cast.members_a[1]
    if admitted:
        Member.objects.filter(pk=li.pk).update(
            joined_on=dt.date.fromisoformat(admitted), full_on=None, status="probationary"
        )
        li.refresh_from_db()
    salary(li, "4200", dt.date.fromisoformat(f"{start}-01"))
    if exempt:
        salary(
            li, "4200", dt.date.fromisoformat(f"{exempt}-01"), reduced_amount=Decimal(0), reduction_reason="镇党委批准"
        )
    if paid:
        actions.record_payments(li, [M(2026, m, 1) for m in paid], method="cash", paid_on=M(2026, 11, 1), actor=None)
    through = M(2026, 10, 31)
    members = Member.objects.filter(organization=cast.branch_a)
    flagged = set(queries.unpaid_in_a_row(members, through, 6).values_list("pk", flat=True))
    assert (li.pk in flagged) is expected
    by_records = {a.member.pk for a in queries.arrears(members, through) if a.current_run >= 6}
    assert flagged == by_records
