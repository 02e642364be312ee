"""Assessment in the browser: the county's assessor scores a manual indicator for the
whole group on one sheet, opens the draft for appeals, committee X appeals from its own
page, the county dismisses the appeal with reasons and publishes; the ranking and the
consequence of the last place appear, and the committee sees its place."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dangjian.assessment import actions
from dangjian.assessment.choices import Method
from dangjian.assessment.models import Indicator, Round
from tests.e2e.conftest import log_in


def test_score_appeal_publish_rank_consequence(  # type: ignore[no-untyped-def]
    page: Page, browser: Browser, browser_context_args, live_server, cast_live, tmp_path
) -> None:
    base = live_server.url
    cast = cast_live
    today = timezone.localdate()
    scheme = actions.create_scheme(cast.county, year=today.year, title="年度考核", actor=cast.county_admin)
    actions.add_assessed(scheme, [cast.committee_x, cast.committee_y], actor=cast.county_admin)
    scheme.consequence_rules.update(min_group=2, places=1)
    round_ = actions.open_round(
        scheme,
        kind="year_end",
        starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year, 12, 31),
        actor=cast.county_admin,
    )
    first, second = Indicator.objects.filter(dimension__scheme=scheme, method=Method.MANUAL).order_by("position")
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")

    # The assessor scores both indicators on their sheets.
    log_in(page, base, "county")
    page.goto(f"{base}{round_.get_absolute_url()}")
    for indicator, x, y in ((first, "20", "12"), (second, "14", "8")):
        page.locator("#progress a", has_text=indicator.title).click()
        page.fill(f"input[name=value-{cast.committee_x.pk}]", x)
        page.fill(f"input[name=value-{cast.committee_y.pk}]", y)
        if indicator.evidence_required:
            page.set_input_files(f"input[name=evidence-{cast.committee_x.pk}]", str(evidence))
            page.set_input_files(f"input[name=evidence-{cast.committee_y.pk}]", str(evidence))
        page.get_by_role("button", name="Save the scores").click()
        expect(page.locator("#progress")).to_contain_text("2 / 2")
    page.fill("#review input[name=appeal_until]", today.isoformat())
    page.locator("#review button").click()
    expect(page.locator("#round-state")).to_contain_text("appeals open")

    # Committee X sees its draft and appeals.
    committee = browser.new_page(**browser_context_args)
    log_in(committee, base, "committee_x")
    committee.goto(f"{base}/assessment/")
    committee.locator("#own a", has_text=cast.committee_x.name).click()
    expect(committee.locator(".breakdown").first).to_contain_text(first.title)
    committee.fill(".appeal textarea[name=text]", "业务目标已完成，附证明")
    committee.locator(".appeal button").click()
    expect(committee.locator("main")).to_contain_text("业务目标已完成")

    # The county dismisses it with reasons and publishes.
    page.reload()
    page.select_option(".decide select[name=upheld]", "0")
    page.fill(".decide textarea[name=response]", "证明材料不足")
    page.locator(".decide button").click()
    expect(page.locator("#appeals")).to_contain_text("Dismissed")
    # Appeals run through the window's last day; publication comes after it.
    page.locator("#publish button").click()
    expect(page.locator("main")).to_contain_text("Appeals are open until")
    Round.objects.filter(pk=round_.pk).update(appeal_until=today - dt.timedelta(days=1))
    page.locator("#publish button").click()
    expect(page.locator("#round-state")).to_contain_text("Published")
    rows = page.locator("#ranking tbody tr")
    expect(rows.nth(0)).to_contain_text(cast.committee_x.name)
    expect(rows.nth(1)).to_contain_text(cast.committee_y.name)
    expect(page.locator("#consequences")).to_contain_text(cast.committee_y.name)
    expect(page.locator("#consequences")).to_contain_text("Admonishment talk")

    committee.reload()
    expect(committee.locator("main")).to_contain_text("place 1 of 2")
    committee.close()
