"""A secretary's first day: log in, browse the tree, add a member (mistyping the ID
number first), import a roster and watch it go in."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import Workbook
from playwright.sync_api import Page, expect

from dangjian.core.imports import REGISTRY
from dangjian.core.testing import make_id_number
from dangjian.members.models import Member
from tests.e2e.conftest import log_in


def roster(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    columns = REGISTRY["members"].columns
    sheet.append([c.template_header() for c in columns])
    for i in range(rows):
        values = {
            "organization": "BA",
            "name": f"花名册{i:02d}",
            "id_number": make_id_number(dt.date(1970, 1, 1) + dt.timedelta(days=37 * i)),
            "status": "正式党员",
            "joined_on": "2000-07-01",
            "full_on": "2001-07-01",
        }
        sheet.append([values.get(c.key, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_secretary_first_day(page: Page, live_server, cast_live, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BACKGROUND_JOBS = "thread"  # the import runs beside the page, which polls for progress
    base = live_server.url
    log_in(page, base, "county")

    # Browse the tree: expand a committee, its branches load on demand.
    page.get_by_role("link", name="Organizations").first.click()
    expect(page.get_by_text("城关镇党委")).to_be_visible()
    page.locator("li:has(> a:text-is('城关镇党委')) > .dj-toggle").click()
    expect(page.get_by_role("link", name="东关村党支部")).to_be_visible()
    page.get_by_role("link", name="东关村党支部").click()
    expect(page.get_by_role("heading", name="东关村党支部")).to_be_visible()

    # Add a member with a mistyped ID number: a specific error, nothing lost.
    page.get_by_role("link", name="Add member").click()
    good = make_id_number(dt.date(1988, 8, 8))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.fill("input[name=name]", "诸葛亮")
    page.fill("input[name=id_number]", bad)
    page.select_option("select[name=status]", "full")
    page.fill("input[name=joined_on]", "2010-07-01")
    page.fill("input[name=full_on]", "2011-07-01")
    page.fill("input[name=phone]", "13912345678")
    page.click("main button[type=submit]")
    expect(page.get_by_text("The check character is")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("诸葛亮")
    expect(page.locator("input[name=phone]")).to_have_value("13912345678")
    page.fill("input[name=id_number]", good)
    page.click("main button[type=submit]")
    expect(page.get_by_role("heading", name=re.compile("诸葛亮"))).to_be_visible()
    expect(page.get_by_text("1988-08-08", exact=True)).to_be_visible()  # read from the ID number
    assert Member.objects.filter(name="诸葛亮", organization__code="BA").exists()

    # Import a roster: check, preview, import with progress, see the members.
    page.locator("nav .dropdown-toggle", has_text="county").click()  # the account menu
    page.get_by_role("link", name="Import").first.click()
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "roster.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": roster(40),
            }
        ],
    )
    page.click("main button[type=submit]")
    expect(page.get_by_role("button", name=re.compile("Import 40 rows"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text("花名册00")).to_be_visible()
    page.get_by_role("button", name=re.compile("Import 40 rows")).click()
    expect(page.get_by_text("40 rows imported")).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="See the members").click()
    page.fill("input[name=q]", "hmc")
    page.click("form.card button[type=submit]")
    expect(page.get_by_role("link", name="花名册39")).to_be_visible()
    assert Member.objects.filter(name__startswith="花名册").count() == 40
    page.screenshot(path="test-results/foundation-members.png", full_page=True)
