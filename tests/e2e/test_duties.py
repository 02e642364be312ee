"""The responsibility system in the browser: a committee publishes a work list, the
branch acknowledges and reports, the committee returns the item, the branch fixes it, and
the committee accepts it with a score; every move stays in the item's history."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in


def test_publish_report_return_fix_accept(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, browser_context_args, live_server, cast_live
) -> None:
    base = live_server.url
    cast = cast_live
    deadline = timezone.localdate() + dt.timedelta(days=30)

    # The township committee writes its list and publishes it.
    log_in(page, base, "committee_x")
    page.goto(f"{base}/duties/")
    page.locator("#new-list").click()
    page.fill("input[name=title]", "2026年党建工作责任清单")
    page.get_by_role("button", name="Save").click()
    page.locator("#add-item").click()
    page.fill("input[name=title]", "按期完成支部换届")
    page.select_option("select[name=assignee]", str(cast.branch_a.pk))
    page.fill("input[name=deadline]", deadline.isoformat())
    page.fill("textarea[name=requirements]", "按O7、O8要求，提前两个月请示")
    page.get_by_role("button", name="Save").click()
    page.locator("#publish").click()
    expect(page.locator("#items")).to_contain_text("Assigned")

    # The branch secretary acknowledges and reports it done.
    branch = browser.new_page(**browser_context_args)
    log_in(branch, base, "secretary_a")
    branch.goto(f"{base}/duties/")
    branch.locator("#assigned a", has_text="按期完成支部换届").click()
    branch.locator("#move-acknowledge button").click()
    branch.fill("#move-report textarea[name=text]", "已召开党员大会完成换届")
    branch.locator("#move-report button").click()
    expect(branch.locator("h1")).to_contain_text("Reported done")

    # The committee returns it with the reason.
    page.goto(f"{base}/")
    page.goto(f"{base}/inbox/")
    page.get_by_text("按期完成支部换届").first.click()
    page.fill("#move-return textarea[name=text]", "缺选举结果报告和批复")
    page.locator("#move-return button").click()
    expect(page.locator("h1")).to_contain_text("Returned")

    # The branch sees it in its to-do list, fixes it and reports again.
    branch.goto(f"{base}/inbox/")
    branch.get_by_text("按期完成支部换届").first.click()
    branch.fill("#move-report textarea[name=text]", "已补报选举结果报告，镇党委已批复")
    branch.locator("#move-report button").click()

    # The committee accepts it with a score.
    page.reload()
    page.fill("#move-accept input[name=score]", "9")
    page.locator("#move-accept button").click()
    expect(page.locator("h1")).to_contain_text("Accepted · 9.0")
    expect(page.locator("#history li")).to_have_count(6)
    moves = page.locator("#history li").evaluate_all("items => items.map(i => i.dataset.move)")
    assert moves == ["assign", "acknowledge", "report", "return", "report", "accept"]
    branch.close()
