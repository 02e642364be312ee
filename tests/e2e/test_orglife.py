"""Organizational life in the browser: a secretary records a branch general meeting with
attendance and a vote and sees the compliance figure change; a member signs in at a
theme party day with the host's code on a phone-sized screen."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.orglife import actions
from dangjian.orglife.choices import EventKind
from dangjian.orglife.models import Attendance, Event
from tests.e2e.conftest import log_in


def general_meeting_cell(page: Page) -> str:
    """The "own events" row's general meeting cell of the compliance table."""
    return page.locator("tr[data-org] td").nth(1).inner_text().strip()


def test_secretary_records_a_general_meeting(page: Page, live_server, cast_live) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    branch = cast_live.branch_a
    log_in(page, base, "secretary_a")

    page.goto(f"{base}/life/compliance/?org={branch.pk}")
    expect(page.locator("h1")).to_contain_text("Compliance")
    before = general_meeting_cell(page)
    assert before.startswith("0 /"), before

    page.goto(f"{base}/life/new/general_meeting/?org={branch.pk}")
    page.fill("input[name=topic]", "学习党章 专题党员大会")
    page.fill("input[name=place]", "村委会会议室")
    page.fill("input[name=starts_at]", "09:00")
    page.fill("input[name=ends_at]", "11:00")
    page.locator("trix-editor").click()
    page.keyboard.type("会议学习了党章第一章。")
    page.click("main button[type=submit]")

    # Everyone due is listed, present by default; an excuse needs a reason.
    expect(page.locator("h1")).to_have_text("Attendance")
    row = page.locator("tr", has_text="王五")
    row.locator("input[value=excused]").check()
    page.click("main button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("reason")
    page.locator("tr", has_text="王五").locator("input[type=text]").fill("出差")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Attendance saved")
    expect(page.locator("[data-attendance]")).to_contain_text("Present 4")

    # A vote: 4 voting members due (吴十 is probationary), 3 present, 3 for → carried.
    page.click("text=Record a vote")
    page.select_option("select[name=subject]", "other")
    page.fill("input[name=title]", "通过年度学习计划")
    page.fill("input[name=votes_for]", "3")
    page.click("main button[type=submit]")
    expect(page.locator("[data-vote-result]")).to_have_text("Carried")

    page.goto(f"{base}/life/compliance/?org={branch.pk}")
    after = general_meeting_cell(page)
    assert after.startswith("1 /"), after
    assert after.split("/")[1].split()[0] == before.split("/")[1].split()[0]
    assert Event.objects.get(topic="学习党章 专题党员大会").recorded_on == timezone.localdate()


def test_member_signs_in_with_the_code_on_a_phone(browser, live_server, cast_live) -> None:  # type: ignore[no-untyped-def]
    branch = cast_live.branch_a
    event = actions.create_event(
        Event(
            organization=branch, kind=EventKind.THEME_DAY, held_on=timezone.localdate(), topic="主题党日：重温入党誓词"
        ),
        actor=None,
    )
    actions.open_sign_in(event, actor=None)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "member_a")
    page.goto(f"{live_server.url}/life/mine/")
    expect(page.get_by_text("主题党日：重温入党誓词")).to_be_visible()
    page.fill("input[name=code]", "000000" if event.sign_in_code != "000000" else "111111")
    page.click("form[action$='/life/sign-in/'] button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("No event today has this sign-in code")
    page.fill("input[name=code]", event.sign_in_code)
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text(re.compile("Signed in"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone: {width}px"
    assert Attendance.objects.get(event=event, member=cast_live.member_a.member).signed_in_at is not None
    # Once only.
    page.goto(f"{live_server.url}/life/sign-in/?code={event.sign_in_code}")
    page.click("main button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("already")
    context.close()
