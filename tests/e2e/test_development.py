"""Member development in the browser: a secretary takes an applicant through to
probationary member, is stopped at a step done too early (D4), and sees the override an
administrator of the higher committee recorded for it."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from dangjian.core.dates import add_months
from dangjian.core.testing import make_id_number
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate, Step
from dangjian.development.testing import SCHEDULE, committee_post, general_meeting, take_step
from dangjian.members.choices import Gender, Status
from dangjian.members.models import Member
from tests.e2e.conftest import log_in

# The activist step is taken this many months earlier than SCHEDULE has it (6 months
# after the application, D4): too early, so it needs an administrator's override. The
# steps after it keep SCHEDULE's intervals from the activist step (D6, D7, ...).
EARLY = 4
REASON = "县委组织部同意提前确定（试点）"


def step_form(page: Page, kind: str) -> None:
    """Open the form of the next step ``kind`` from the candidate's page."""
    page.locator(f"#next-steps a[data-kind={kind}]").click()
    expect(page).to_have_url(re.compile(rf"/development/\d+/steps/{kind}/$"))
    expect(page.get_by_role("button", name="Record the step")).to_be_visible()


def timeline_item(page: Page, kind: str) -> Locator:
    return page.locator(f"#timeline li[data-kind={kind}]")


def test_secretary_takes_an_applicant_to_probationary_member(  # type: ignore[no-untyped-def]
    page: Page, browser, browser_context_args, live_server, cast_live
) -> None:
    base = live_server.url
    cast = cast_live
    branch = cast.branch_a
    today = timezone.localdate()
    applied = add_months(today.replace(day=1), -24)  # about two years ago: the schedule fits before today

    def on(index: int, months_earlier: int = 0) -> dt.date:
        """The date of SCHEDULE's ``index``-th entry, moved ``months_earlier``."""
        _kind, months, days = SCHEDULE[index]
        return add_months(applied, months - months_earlier) + dt.timedelta(days=days)

    # The branch's secretary holds the talk (D2); branch A has no committee posts yet.
    committee_post(cast.members_a[0], branch, applied - dt.timedelta(days=365))
    # The general meeting that votes on the admission (step 15), held and attended.
    meeting_on = on(16, EARLY)
    meeting = general_meeting(branch, meeting_on, cast.secretary_a)
    voters = meeting.attendances.filter(voting=True).count()
    assert voters >= 3

    # 1. Register the applicant.
    log_in(page, base, "secretary_a")
    page.goto(f"{base}/development/")
    page.get_by_role("link", name="Register an applicant").click()
    page.fill("input[name=name]", "陈小红")
    page.fill("input[name=id_number]", make_id_number(dt.date(2000, 4, 12), Gender.FEMALE))
    page.fill("input[name=phone]", "13900139001")
    page.fill("input[name=applied_on]", applied.isoformat())
    page.set_input_files(
        "input[name=application_scan]",
        files=[{"name": "application.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 scan"}],
    )
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Applicant registered")
    expect(page.get_by_role("heading", name="陈小红")).to_be_visible()
    expect(page.locator("#stage")).to_have_text("Applicant")
    match = re.search(r"/development/(\d+)/$", page.url)
    assert match, page.url
    candidate = Candidate.objects.get(pk=int(match.group(1)))
    assert candidate.organization == branch
    assert candidate.birth_date == dt.date(2000, 4, 12)  # read from the ID number
    expect(timeline_item(page, StepKind.APPLICATION)).to_contain_text(applied.isoformat())

    # 2. The talk, held by the secretary 张三 ten days later.
    step_form(page, StepKind.TALK)
    page.fill("input[name=on]", on(1).isoformat())
    page.check(f"input[name=people][value='{cast.members_a[0].pk}']")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Step recorded")
    expect(timeline_item(page, StepKind.TALK)).to_contain_text("张三")

    # 3. Activist two months after the application: too early (D4), the secretary is
    # stopped and cannot override.
    too_early = on(2, EARLY)
    step_form(page, StepKind.ACTIVIST)
    expect(page.locator("[name=override_reason]")).to_have_count(0)
    page.fill("input[name=on]", too_early.isoformat())
    page.select_option("select[name=recommendation]", "members")
    page.click("main button[type=submit]")
    problems = page.locator("#rule-problems li[data-rule]")
    expect(problems).to_have_count(1)
    expect(problems.first).to_have_attribute("data-rule", "D4")
    expect(problems.first).to_contain_text("6 months")
    expect(page.locator("#rule-problems")).to_contain_text("ask an administrator")
    expect(page.locator("[name=override_reason]")).to_have_count(0)
    expect(page.locator("input[name=on]")).to_have_value(too_early.isoformat())  # nothing lost
    assert not candidate.steps.filter(kind=StepKind.ACTIVIST).exists()

    # The administrator of the branch's committee records it anyway, with a reason.
    context = browser.new_context(**browser_context_args)
    admin = context.new_page()
    log_in(admin, base, "committee_x")
    admin.goto(f"{base}{candidate.get_absolute_url()}")
    step_form(admin, StepKind.ACTIVIST)
    admin.fill("input[name=on]", too_early.isoformat())
    admin.select_option("select[name=recommendation]", "members")
    admin.click("main button[type=submit]")
    expect(admin.locator("#rule-problems li[data-rule=D4]")).to_be_visible()
    expect(admin.locator("#rule-problems")).to_contain_text("As an administrator")
    admin.fill("textarea[name=override_reason]", REASON)
    admin.click("main button[type=submit]")
    expect(admin.locator(".alert-warning")).to_contain_text("against the rules")
    expect(timeline_item(admin, StepKind.ACTIVIST).locator("[data-override]")).to_contain_text(REASON)
    context.close()

    # The secretary sees the step marked as recorded against the rules, with the reason…
    page.goto(f"{base}{candidate.get_absolute_url()}")
    expect(page.locator("#stage")).to_have_text("Activist")
    override = timeline_item(page, StepKind.ACTIVIST).locator("[data-override]")
    expect(override).to_contain_text("Recorded against the rules")
    expect(override).to_contain_text("(D4)")
    expect(override).to_contain_text(REASON)
    expect(override).to_contain_text("committee_x")
    # …and in the overrides report.
    page.goto(f"{base}/development/overrides/")
    row = page.locator("tr", has_text="陈小红")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(too_early.isoformat())
    expect(row).to_contain_text("committee_x")

    # Steps 4 to 14 on the schedule, kept from the early activist step (recorded directly).
    for index in range(3, 16):
        take_step(candidate, SCHEDULE[index][0], on(index, EARLY), cast.secretary_a)
    assert candidate.steps.count() == 16  # 1-14, the repeated examination and the notice

    # 15. The admission vote at the held general meeting.
    page.goto(f"{base}{candidate.get_absolute_url()}")
    expect(page.locator("#stage")).to_have_text("Development object")
    step_form(page, StepKind.ADMISSION_VOTE)
    page.select_option("select[name=event]", str(meeting.pk))
    page.fill("input[name=votes_for]", str(voters))
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Step recorded")
    vote = timeline_item(page, StepKind.ADMISSION_VOTE)
    expect(vote).to_contain_text(meeting_on.isoformat())
    expect(vote).to_contain_text("Carried")

    # 16. The higher committee's talk (recorded directly).
    take_step(candidate, StepKind.APPROVAL_TALK, on(17, EARLY), cast.secretary_a)

    # 17. The committee's approval: a probationary member with a member record.
    page.goto(f"{base}{candidate.get_absolute_url()}")
    step_form(page, StepKind.ADMISSION_APPROVAL)
    expect(page.locator("select[name=decided_by] option:checked")).to_contain_text("城关镇党委")
    page.fill("input[name=on]", on(18, EARLY).isoformat())
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Step recorded")
    expect(page.locator("#stage")).to_have_text("Probationary member")
    expect(timeline_item(page, StepKind.ADMISSION_APPROVAL)).to_contain_text("城关镇党委")
    assert (
        not Step.objects.filter(candidate=candidate)
        .exclude(kind=StepKind.ACTIVIST)
        .exclude(overridden_problems=[])
        .exists()
    )

    page.get_by_role("link", name="Member record").click()
    expect(page.get_by_role("heading", name=re.compile("陈小红"))).to_be_visible()
    member = Member.objects.get(development=candidate)
    assert page.url.rstrip("/").endswith(f"/{member.pk}")
    assert member.status == Status.PROBATIONARY
    assert member.organization == branch
    assert member.joined_on == meeting_on  # admitted on the date of the vote
    assert Member.objects.filter(id_number_digest=candidate.id_number_digest).count() == 1
