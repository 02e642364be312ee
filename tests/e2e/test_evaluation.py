"""The democratic evaluation of members in the browser: the secretary of branch A opens this
year's evaluation, the member hands in their self-evaluation on a phone, the secretary closes
the self-evaluations, records the mutual evaluation, enters the tallies of the paper ballots
(a row counted wrong comes back with what was typed), decides the grades at the branch's
meeting, and the member sees their grade."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dangjian.evaluation import actions, testing
from dangjian.evaluation.models import Round
from tests.e2e.conftest import log_in


def test_open_rate_decide_and_the_member_sees_the_grade(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, browser_context_args, live_server, cast_live
) -> None:
    base = live_server.url
    cast = cast_live
    today = timezone.localdate()

    # The secretary opens this year's evaluation: the roster comes from the records.
    log_in(page, base, "secretary_a")
    page.goto(f"{base}/life/")
    page.locator("#evaluation-link").click()
    page.locator("#open-round").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("Self-evaluation")
    expect(page.locator("#roster tbody tr")).to_have_count(5)

    # The member hands in the self-evaluation on a phone, from the menu.
    phone = browser.new_page(**{**browser_context_args, "viewport": {"width": 390, "height": 844}})
    log_in(phone, base, "member_a")
    phone.goto(f"{base}/evaluation/")
    phone.get_by_role("link", name="Hand in my self-evaluation").click()
    phone.fill("textarea[name=text]", "一年来认真学习党的理论，积极参加组织生活。")
    phone.get_by_role("button", name="Hand in").click()
    expect(phone.locator("#self-evaluation")).to_contain_text("by the member")

    # The others from their paper forms; the secretary closes the step and records the
    # mutual evaluation.
    round_ = Round.objects.get()
    for evaluation in round_.evaluations.exclude(member=cast.members_a[0]):
        actions.hand_in_self_evaluation(evaluation, text="纸质自评", on=today, actor=cast.secretary_a)
    page.reload()
    page.locator("#close-self button").click()
    page.fill("#mutual textarea[name=summary]", "逐一开展互评")
    page.locator("#mutual button").click()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("Democratic rating")

    # The tallies of the paper ballots: one row counted wrong comes back, nothing saved.
    page.locator("#enter-tallies").click()
    page.fill("input[name=ballots]", "5")
    for row in page.locator("#tallies tbody tr").all():
        row.locator("input").nth(1).fill("5")  # qualified
    first = page.locator("#tallies tbody tr").first
    first.locator("input").nth(0).fill("3")  # excellent: 8 ratings of 5 ballots
    page.get_by_role("button", name="Save the tallies").click()
    expect(page.locator("#sheet-errors")).to_be_visible()
    expect(page.locator("#tallies tbody tr.table-danger")).to_contain_text("8 ratings but 5 ballots were cast")
    expect(first.locator("input").nth(0)).to_have_value("3")
    first.locator("input").nth(0).fill("")
    member_row = page.locator("#tallies tbody tr", has_text=cast.members_a[0].name)
    member_row.locator("input").nth(0).fill("4")
    member_row.locator("input").nth(1).fill("1")
    page.get_by_role("button", name="Save the tallies").click()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("The branch's decision")
    expect(page.locator(f"#roster tr[data-member='{cast.members_a[0].pk}']")).to_contain_text("Excellent")

    # The decision at the branch's evaluation meeting, recorded in organizational life.
    testing.meeting(cast.branch_a, today)
    page.locator("#decide").click()
    page.locator("select[name=meeting]").select_option(index=1)
    lowered = page.locator("#grades tbody tr", has_text=cast.members_a[1].name)
    lowered.locator("select").select_option("basically_qualified")
    page.get_by_role("button", name="Decide the grades").click()
    expect(lowered).to_contain_text("give the reason for “Basically qualified”")
    lowered.locator("input[type=text]").fill("长期不参加组织生活")
    page.get_by_role("button", name="Decide the grades").click()
    expect(page.locator("#steps li.text-bg-success")).to_have_count(4)
    expect(page.locator("#counts [data-count=basically_qualified]")).to_contain_text("1")

    # The member sees the grade.
    phone.goto(f"{base}/evaluation/")
    expect(phone.locator("[data-grade=excellent]")).to_be_visible()
    phone.close()
