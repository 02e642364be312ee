"""Party dues in the browser: a branch secretary downloads last month's dues sheet,
fills in who paid, uploads it, checks the preview, records it, and sees the arrears list
shrink."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from dangjian.core.dates import add_months
from dangjian.dues import actions
from dangjian.dues.choices import DuesCategory
from dangjian.dues.models import Payment
from tests.e2e.conftest import log_in


def test_secretary_records_a_month_from_a_sheet(  # type: ignore[no-untyped-def]
    page: Page, browser, browser_context_args, live_server, cast_live, tmp_path
) -> None:
    cast = cast_live
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    since = add_months(last_month, -2)  # three months owed by each member with a standard
    for member, base in zip(cast.members_a[:3], ("4200", "2500", "6000"), strict=True):
        actions.set_standard(member, category=DuesCategory.SALARY, base=Decimal(base), valid_from=since, actor=None)
    zhang, li, wang = cast.members_a[:3]
    log_in(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/dues/")
    arrears = page.locator("#arrears")
    for member in (zhang, li, wang):
        expect(arrears.locator(f"tr[data-member='{member.pk}'] td").nth(2)).to_have_text("3")

    with page.expect_download() as download_info:
        page.locator("#sheet a").first.click()
    sheet = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active  # noqa: SIM115
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert [r[2] for r in body] == ["李四", "王五", "张三"]  # by pinyin
    paid_on = timezone.localdate() - dt.timedelta(days=1) if timezone.localdate().day > 1 else timezone.localdate()
    filled = Workbook()
    filled.active.append(header)
    for row in body:
        if row[2] == "李四":
            row[3] = f"{since:%Y-%m}~{last_month:%Y-%m}"  # pays the three months owed
            row[4] = None
        if row[2] in ("李四", "张三"):  # 王五 has not paid: his row is deleted
            row[5], row[6], row[7] = "现金", paid_on, "SJ-2026-001"
            filled.active.append(row)
    path = tmp_path / "dues.xlsx"
    filled.save(path)

    page.locator("#sheet a.btn-danger").click()
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    preview = page.locator("table").filter(has_text="Months paid for")
    expect(preview).to_contain_text("李四")
    expect(preview).to_contain_text(f"{since:%Y-%m}, {add_months(since, 1):%Y-%m}, {last_month:%Y-%m}")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator(".alert-success")).to_contain_text("2 rows imported")
    page.get_by_role("link", name="See the arrears").click()

    expect(arrears.locator(f"tr[data-member='{li.pk}']")).to_have_count(0)  # nothing owed any more
    expect(arrears.locator(f"tr[data-member='{zhang.pk}'] td").nth(2)).to_have_text("2")
    expect(arrears.locator(f"tr[data-member='{wang.pk}'] td").nth(2)).to_have_text("3")
    assert Payment.objects.filter(member=li).count() == 3
    assert set(Payment.objects.values_list("receipt_no", flat=True)) == {"SJ-2026-001"}
