"""Supervision and inspection in the browser: the county's inspector plans an inspection of
the branches, records a finding from an automatic signal of branch A, the branch reports the
rectification with evidence, the inspector sends it back, the branch reports again and the
inspector verifies it closed; the closure rate follows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in


def test_plan_find_from_signal_rectify_verify(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, browser_context_args, live_server, cast_live, tmp_path
) -> None:
    base = live_server.url
    cast = cast_live
    today = timezone.localdate()

    # The inspector plans an inspection of every branch of the county.
    log_in(page, base, "inspector")
    page.goto(f"{base}/inspections/")
    page.locator("#new-plan").click()
    page.fill("input[name=title]", "年度基层党建督查")
    page.select_option("select[name=target]", str(cast.county.pk))
    page.select_option("select[name=covering]", "branches")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#checklist li")).not_to_have_count(0)
    expect(page.locator("#visits")).to_contain_text(cast.branch_a.name)

    # At branch A: the signals of its records; one becomes a finding.
    page.locator("#visits a", has_text=cast.branch_a.name).click()
    signal = page.locator("#signals li[data-signal^='orglife.missing']").first
    expect(signal).to_be_visible()
    signal.get_by_role("link", name="Record as finding").click()
    expect(page.locator("#finding input[name=signal]")).not_to_have_value("")
    page.fill("#finding textarea[name=task]", "补开会议并完善记录")
    page.locator("#finding button[type=submit]").click()
    expect(page.locator("#findings")).to_contain_text("From the automatic signal")
    expect(page.locator("#signals li[data-signal^='orglife.missing'] >> text=recorded").first).to_be_visible()

    # The branch reports the rectification from its To do list, with evidence.
    branch = browser.new_page(**browser_context_args)
    log_in(branch, base, "secretary_a")
    branch.goto(f"{base}/inspections/")
    branch.locator("#assigned a", has_text="补开会议并完善记录").click()
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes")
    branch.fill("#move-report textarea[name=text]", "已补开支部党员大会")
    branch.set_input_files("#move-report input[name=evidence]", str(evidence))
    branch.locator("#move-report button").click()
    expect(branch.locator("h1")).to_contain_text("Rectification reported")

    # The inspector sends it back, the branch reports again, the inspector verifies.
    page.goto(f"{base}/inbox/")
    page.get_by_text("补开会议并完善记录").first.click()
    page.fill("#move-return textarea[name=text]", "会议记录缺少签到")
    page.locator("#move-return button").click()
    expect(page.locator("h1")).to_contain_text("Not accepted, redo")
    branch.reload()
    branch.fill("#move-report textarea[name=text]", "已补充签到表")
    branch.locator("#move-report button").click()
    page.reload()
    page.fill("#move-verify textarea[name=text]", "核实整改到位")
    page.locator("#move-verify button").click()
    expect(page.locator("h1")).to_contain_text("Verified closed")
    moves = page.locator("#steps li").evaluate_all("items => items.map(i => i.dataset.move)")
    assert moves == ["assign", "report", "return", "report", "verify"]
    expect(page.locator("#steps")).to_contain_text("Evidence")

    # The closure rate of the plan counts it.
    page.goto(f"{base}/inspections/?org={cast.county.pk}")
    expect(page.locator("#plans")).to_contain_text("100%")
    branch.close()
