"""Recording a branch's dues from a sheet: the month's sheet lists who owes, the filled
sheet is checked by the payment rules row by row, and it is recorded all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.imports import CellError
from dangjian.core.models import AuditEntry, ImportBatch, ImportState
from dangjian.core.testing import Cast
from dangjian.dues import actions, queries
from dangjian.dues.choices import DuesCategory
from dangjian.dues.imports import parse_months
from dangjian.dues.models import Payment
from dangjian.members.models import Member

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def standards(cast: Cast) -> None:
    for member, base in zip(cast.members_a[:4], ("4200", "2500", "12000", "6000"), strict=True):
        actions.set_standard(
            member, category=DuesCategory.SALARY, base=Decimal(base), valid_from=M(2026, 1, 1), actor=None
        )


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def sheet_rows(client: Client, month: str = "2026-10") -> tuple[list[Any], list[list[Any]]]:
    response = client.get(reverse("dues:sheet"), {"month": month})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def upload(client: Client, header: list[Any], rows: list[list[Any]]) -> ImportBatch:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "dues.xlsx"
    response = client.post(reverse("core:import", args=["dues-payments"]), {"file": buffer})
    assert response.status_code == 302, response.content[:300]
    return ImportBatch.objects.latest("pk")


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2026-10", [M(2026, 10, 1)]),
        ("2026年10月", [M(2026, 10, 1)]),
        ("2026/9~2026/11", [M(2026, 9, 1), M(2026, 10, 1), M(2026, 11, 1)]),
        ("2026-11至2027-01", [M(2026, 11, 1), M(2026, 12, 1), M(2027, 1, 1)]),
        ("2026-09-2026-10", [M(2026, 9, 1), M(2026, 10, 1)]),
        ("2026-09, 2026-10，2026-09", [M(2026, 9, 1), M(2026, 10, 1)]),
        (M(2026, 10, 17), [M(2026, 10, 1)]),
    ],
)
def test_months_are_read_as_people_write_them(text: Any, months: list[dt.date]) -> None:
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["10月", "2026-13", "2026-10~2026-09", "2026-01~2029-01", "last month"])
def test_bad_months_are_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(CellError):
        parse_months(text)


def test_the_sheet_of_a_month_lists_who_owes_with_the_amount(cast: Cast, standards: None) -> None:
    zhang = cast.members_a[0]
    actions.record_payments(zhang, [M(2026, 10, 1)], method="cash", paid_on=M(2026, 10, 20), actor=None)
    header, rows = sheet_rows(login(cast.secretary_a))
    assert header[:3] == ["党员编号 / Member number", "身份证号码 / Resident ID number", "姓名 / Name"]
    assert header[-1] == "党支部 / Branch"
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        (cast.members_a[1].pk, "李四", "2026-10", 12.5),
        (cast.members_a[2].pk, "王五", "2026-10", 240),
        (cast.members_a[3].pk, "赵六", "2026-10", 90),
    ]  # 张三 paid; 吴十 has no standard; branch B is not in the secretary's scope
    assert login(cast.member_a).get(reverse("dues:sheet")).status_code == 403


def test_a_filled_sheet_is_recorded_and_the_arrears_shrink(cast: Cast, standards: None) -> None:
    client = login(cast.secretary_a)
    header, rows = sheet_rows(client)
    rows[0][3] = "2026-09~2026-10"  # 李四 pays September too, and corrects the amount
    rows[0][4] = 25
    for row in rows:
        row[5], row[6], row[7] = "现金", M(2026, 11, 2), "SJ-001"
    rows = [r for r in rows if r[2] in ("李四", "王五")]  # 张三 and 赵六 have not paid
    batch = upload(client, header, rows)
    assert batch.state == ImportState.READY, batch.errors
    page = client.get(reverse("core:import_detail", args=[batch.pk])).content.decode()
    assert "2026-09, 2026-10" in page and "李四" in page
    before = {
        a.member.name: a.count
        for a in queries.arrears(Member.objects.filter(organization=cast.branch_a), M(2026, 10, 31))
    }
    client.post(reverse("core:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.state, batch.imported_count) == (ImportState.DONE, 2)
    after = {
        a.member.name: a.count
        for a in queries.arrears(Member.objects.filter(organization=cast.branch_a), M(2026, 10, 31))
    }
    assert after["李四"] == before["李四"] - 2 and after["王五"] == before["王五"] - 1
    assert after["赵六"] == before["赵六"]
    li = Payment.objects.filter(member=cast.members_a[1]).order_by("month")
    assert [(p.month, p.amount, p.method, p.receipt_no) for p in li] == [
        (M(2026, 9, 1), Decimal("12.50"), "cash", "SJ-001"),
        (M(2026, 10, 1), Decimal("12.50"), "cash", "SJ-001"),
    ]
    assert AuditEntry.objects.filter(content_type__model="payment", source="import").count() == 3


def test_a_sheet_with_errors_reports_every_row_and_records_nothing(cast: Cast, standards: None) -> None:
    client = login(cast.secretary_a)
    header, rows = sheet_rows(client)
    for row in rows:
        row[5], row[6] = "转账", M(2026, 11, 2)
    rows[0][2] = "李 四四"  # wrong name for the number
    rows[1][4] = 100  # 王五's October dues are 240.00
    rows[2][3] = "2025-01"  # before 张三's first standard (rows: 李四, 王五, 张三, 赵六)
    extra = [
        [cast.members_b[0].pk, "", "钱七", "2026-10", "", "现金", M(2026, 11, 2)],  # another branch
        ["", "", "孙八", "2026-10", "", "现金", M(2026, 11, 2)],  # no number
        [cast.members_a[2].pk, "", "王五", "2026-10", "", "现金", M(2026, 11, 2)],  # the same month twice
        [cast.members_a[3].pk, "", "赵六", "2026-10", "", "支票", M(2026, 11, 2)],  # unknown method
        [cast.members_a[3].pk, "", "赵六", "2026-11", "", "现金", M(2026, 12, 2)],  # in the future
    ]
    batch = upload(client, header, rows + extra)
    assert batch.state == ImportState.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert found[(2, "Name")] == f"Member {cast.members_a[1].pk} is 李四."
    assert found[(3, "Amount (yuan)")] == "The dues of 2026-10 are 240.00 yuan."
    assert found[(4, "Months paid for")] == "No dues standard is set for 2025-01."
    assert (5, "Member number") not in found  # 赵六's row is right
    assert found[(6, "Member number")] == "No member with this number in your scope."
    assert found[(7, "Resident ID number")] == "Give the member number or the resident ID number."
    assert found[(8, "Months paid for")] == "2026-10 is already on row 3."
    assert found[(9, "Paid by")].startswith("“支票” is not one of")
    assert found[(10, "Paid on")] == "The payment date is in the future."
    assert len(batch.errors) == 8
    assert not Payment.objects.exists()


def test_members_are_found_by_resident_id_number_too(cast: Cast, standards: None) -> None:
    client = login(cast.secretary_a)
    header, _rows = sheet_rows(client)
    li = cast.members_a[1]
    batch = upload(client, header, [["", li.id_number, "李四", "2026-10", "12.50", "代扣", M(2026, 11, 2)]])
    assert batch.state == ImportState.READY, batch.errors
    client.post(reverse("core:import_commit", args=[batch.pk]))
    assert Payment.objects.get(member=li).method == "payroll"
