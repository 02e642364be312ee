"""Review of supervision and inspection: one test for each defect fixed (a finding dated
before the inspection, the closure rate rounded up to 100%, a failed checklist edit shown
in the wrong form, a signal without a rule taking an unrelated checklist item, the
inspected organization without a way to its inspection, the political review's word for
the inspection's conclusion, the link of the override signal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from dangjian.core import alerts
from dangjian.core.testing import Cast, make_org
from dangjian.development import alerts as development_alerts
from dangjian.development.choices import StepKind
from dangjian.development.testing import committee_post, new_candidate, take_step, walk
from dangjian.inspections import actions, queries
from dangjian.inspections.choices import Coverage, RectificationMove
from dangjian.inspections.forms import VisitForm
from dangjian.inspections.models import Plan, Visit
from dangjian.orgs.choices import OrgKind, Sector

M = dt.date
TODAY = M(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def county_plan(cast: Cast, covering: str = Coverage.BRANCHES) -> Plan:
    return actions.create_plan(
        cast.county,
        target=cast.county,
        title="2026年基层党建督查",
        year=2026,
        starts_on=M(2026, 11, 1),
        ends_on=M(2026, 12, 15),
        covering=covering,
        actor=cast.inspector,
    )


# --- a finding is dated within the inspection ----------------------------------------


def test_a_finding_is_not_dated_before_the_inspection_starts(cast: Cast) -> None:
    """A finding dated before the plan starts (year 1 was accepted) made a rectification
    overdue the day it was recorded; like the inspection itself, it is refused."""
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    with pytest.raises(ValidationError, match="The inspection starts on 2026-11-01"):
        actions.record_finding(visit, text="x", found_on=M(2026, 10, 31), actor=cast.inspector)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(cast.inspector)
    response = api.post(f"/api/inspections/{visit.pk}/findings/", {"text": "x", "found_on": "0001-01-01"})
    assert response.status_code == 400
    assert response.json() == {"found_on": ["The inspection starts on 2026-11-01."]}
    page = login(cast.inspector).post(
        visit.get_absolute_url(),
        {
            "what": "finding",
            "text": "三会一课记录不全",
            "found_on": "2026-10-01",
            "rectify": "on",
            "owner": cast.branch_a.pk,
            "post": "secretary",
        },
    )
    assert page.status_code == 400
    assert "The inspection starts on 2026-11-01." in page.content.decode()
    assert "三会一课记录不全" in page.content.decode()  # what was typed is shown again
    assert not visit.findings.exists()
    # On the first day it is recorded.
    assert actions.record_finding(visit, text="x", found_on=M(2026, 11, 1), actor=cast.inspector).pk


# --- the closure rate -------------------------------------------------------------------


def test_closure_rate_is_rounded_down_so_100_percent_means_all_closed(cast: Cast) -> None:
    """The pages rounded the rate (widthratio): 199 of 200 showed 100%, 2 of 3 67%."""
    assert queries.with_rate({"verified": 199, "total": 200})["percent"] == 99
    assert render_to_string("inspections/_rate.html", {"row": queries.with_rate({"verified": 199, "total": 200})}) == (
        "99%\n"
    )
    assert render_to_string("inspections/_rate.html", {"row": queries.with_rate({"verified": 0, "total": 0})}) == (
        "—\n"
    )
    assert render_to_string("inspections/_rate.html", {"row": None}) == "—\n"
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    rectifications = [
        actions.record_finding(visit, text=f"问题{n}", found_on=TODAY, actor=cast.inspector).rectification
        for n in range(3)
    ]
    for rectification in rectifications[:2]:
        actions.make_move(rectification, RectificationMove.REPORT, actor=cast.secretary_a, text="已整改")
        actions.make_move(rectification, RectificationMove.VERIFY, actor=cast.inspector, text="已核实")
    client = login(cast.inspector)
    plans = client.get(reverse("inspections:plans") + f"?org={cast.county.pk}")
    (row,) = [row for p, row in plans.context["plans"] if p == plan]
    assert (row["verified"], row["total"], row["percent"]) == (2, 3, 66)
    assert "66%" in plans.content.decode() and "67%" not in plans.content.decode()
    page = client.get(plan.get_absolute_url())
    assert page.context["totals"]["percent"] == 66
    assert "66%" in page.content.decode() and "67%" not in page.content.decode()


# --- the checklist is edited in place -------------------------------------------------


def test_a_failed_checklist_edit_is_shown_again_in_its_own_item(cast: Cast) -> None:
    """A change refused (an empty text) came back in the form *adding* an item, with the
    typed rule and the error there, while the item's own form showed the old text."""
    plan = county_plan(cast)
    check = plan.checks.get(rule="L4")
    response = login(cast.inspector).post(
        plan.get_absolute_url(), {"what": "change", "check": check.pk, "rule": "L4X", "text": ""}
    )
    assert response.status_code == 400
    assert response.context["check_form"].is_bound is False  # the adding form stays empty
    change = response.context["change_form"]
    assert change.errors == {"text": ["This field is required."]}
    assert response.context["failed_check"] == check
    html = response.content.decode()
    item = html[html.index(f'name="check" value="{check.pk}"') :]
    item = item[: item.index("</form>")]
    assert 'value="L4X"' in item and "This field is required." in item
    adding = html[html.index('id="add-check"') :]
    assert "This field is required." not in adding[: adding.index("</form>")]
    check.refresh_from_db()
    assert (check.rule, check.text) == ("L4", "Party group meetings held monthly")


# --- a signal without a rule --------------------------------------------------------------


def test_a_signal_without_a_rule_takes_no_checklist_item(cast: Cast, monkeypatch: Any) -> None:
    """*Record as finding* looked up the checklist item of the signal's rule; for the work
    items' signals (no rule) that was the first item added without a rule."""

    def work_items(organization: Any, today: dt.date) -> Any:
        yield alerts.Alert(code="duties.overdue", rule="", text="2 work items past their deadline")

    def meetings(organization: Any, today: dt.date) -> Any:
        yield alerts.Alert(code="orglife.missing.general_meeting", rule="L1", text="General meeting missing")

    monkeypatch.setattr(alerts, "SOURCES", [work_items, meetings])
    plan = county_plan(cast)
    actions.add_check(plan, rule="", text="党建阵地建设", actor=cast.inspector)
    visit = plan.visits.get(organization=cast.branch_a)
    client = login(cast.inspector)
    form = client.get(f"{visit.get_absolute_url()}?signal=duties.overdue").context["finding_form"]
    assert form.initial["signal"] == "duties.overdue"
    assert form.initial.get("check") is None
    form = client.get(f"{visit.get_absolute_url()}?signal=orglife.missing.general_meeting").context["finding_form"]
    assert form.initial["check"] == plan.checks.get(rule="L1")


# --- the inspected organization reaches its inspection ----------------------------------


def test_the_inspected_organization_finds_its_inspections_on_the_page(cast: Cast) -> None:
    """The inspected organization may see its inspection (date, conclusion, findings) but
    nothing linked to it unless a rectification was required of it."""
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    actions.record_visit(visit, inspected_on=TODAY, summary="基本规范", actor=cast.inspector)
    url = reverse("inspections:plans")
    page = login(cast.secretary_a).get(url)
    assert list(page.context["inspected"]) == [visit]
    assert visit.get_absolute_url() in page.content.decode()
    assert login(cast.secretary_a).get(visit.get_absolute_url()).status_code == 200
    assert list(login(cast.secretary_b).get(url).context["inspected"]) == [plan.visits.get(organization=cast.branch_b)]
    # The committee above branch A sees branch A's, not branch B's.
    assert list(login(cast.committee_admin).get(url).context["inspected"]) == [visit]
    # Those who see the plan reach its inspections through it: no second list.
    assert list(login(cast.inspector).get(url + f"?org={cast.county.pk}").context["inspected"]) == []
    assert list(login(cast.platform_admin).get(url).context["inspected"]) == []
    # Another year's are not this year's.
    assert list(login(cast.secretary_a).get(url + "?year=2025").context["inspected"]) == []


def test_the_list_of_ones_inspections_does_not_grow_queries(cast: Cast) -> None:
    plan = county_plan(cast)
    client = login(cast.committee_admin)
    url = reverse("inspections:plans")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries_run:
            assert client.get(url).status_code == 200
        return len(queries_run)

    first = count()
    for n in range(3):
        org = make_org(f"新支部{n}", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
        added = actions.add_visit(plan, organization=org, actor=cast.inspector)
        actions.record_finding(added, text="x", found_on=TODAY, actor=cast.inspector)
    assert len(client.get(url).context["inspected"]) == 4
    assert count() == first


# --- words ----------------------------------------------------------------------------


def test_the_conclusion_of_an_inspection_is_not_the_political_reviews() -> None:
    """ "conclusion" was one msgid with development's political review (审查结论), so the
    inspection's form said 审查结论 in Chinese; it has its own, in the context "inspection"."""
    with translation.override("zh-hans"):
        assert str(VisitForm().fields["summary"].label) != "审查结论"
        assert str(Visit._meta.get_field("summary").verbose_name) != "审查结论"
    with translation.override("en"):
        assert str(VisitForm().fields["summary"].label) == "Conclusion"


# --- the signals' links ---------------------------------------------------------------


def test_the_override_signal_links_to_the_organizations_overrides_of_the_year(cast: Cast) -> None:
    """The signal counted one organization's steps of this year but linked to every
    override in the user's scope, of every year."""
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    applied = M(2026, 2, 2)
    candidate = new_candidate(cast.branch_a, "陈一", applied_on=applied, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.TALK)
    take_step(candidate, StepKind.ACTIVIST, M(2026, 4, 1), cast.committee_admin, override_reason="上级同意")
    (signal,) = [s for s in development_alerts.development_signals(cast.branch_a, TODAY) if "override" in s.code]
    assert signal.code == "development.override.D4"
    assert signal.url == f"{reverse('development:overrides')}?within={cast.branch_a.pk}&date_from=2026-01-01"
    page = login(cast.county_admin).get(signal.url)
    assert page.status_code == 200
    assert "陈一" in page.content.decode()
    assert (
        "陈一"
        not in login(cast.county_admin)
        .get(f"{reverse('development:overrides')}?within={cast.branch_b.pk}&date_from=2026-01-01")
        .content.decode()
    )


def test_the_reporter_is_not_offered_the_verification(cast: Cast) -> None:
    """The county administrator covering both sides reports for the branch; the page then
    offers them no *Verify closed* (the action would refuse it), the inspector it."""
    p = actions.create_plan(
        cast.county,
        target=cast.county,
        title="复核",
        year=2026,
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 12, 1),
        covering="branches",
        actor=cast.inspector,
    )
    r = actions.record_finding(
        p.visits.get(organization=cast.branch_a), text="x", found_on=dt.date(2026, 11, 2), actor=cast.inspector
    ).rectification
    actions.make_move(r, RectificationMove.REPORT, actor=cast.county_admin, text="代报")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.county_admin)
    assert "verify" not in [m for m, _label, _form in client.get(r.get_absolute_url()).context["moves"]]
    client.force_login(cast.inspector)
    assert "verify" in [m for m, _label, _form in client.get(r.get_absolute_url()).context["moves"]]
