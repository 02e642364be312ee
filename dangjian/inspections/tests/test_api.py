"""The supervision and inspection API (/api/inspection-plans/, /api/inspections/,
/api/rectifications/): scoped like the pages (out of scope is 404, members see nothing,
the inspected branch sees its own inspections but not the plan), every write through the
inspections actions with their refusals as 400 by field, a write on the side the caller
does not cover is 404, the automatic signals computed live, evidence as multipart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.core import alerts
from dangjian.core.testing import Cast, api_for, ids, openapi_schema
from dangjian.inspections import actions, rules
from dangjian.inspections.choices import Coverage, RectificationMove, RectificationState
from dangjian.inspections.models import Check, Finding, Plan, Rectification, RectificationEvent, Visit

M = dt.date
TODAY = M(2026, 11, 23)
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


def county_plan(cast: Cast, covering: str = Coverage.BRANCHES, year: int = 2026) -> Plan:
    """The county's inspection of every branch (A and B), by the county's inspector."""
    return actions.create_plan(
        cast.county,
        target=cast.county,
        title=f"{year}年基层党建督查",
        year=year,
        starts_on=M(year, 11, 1),
        ends_on=M(year, 12, 15),
        inspectors="县委组织部督查组",
        covering=covering,
        actor=cast.inspector,
    )


def committee_plan(cast: Cast) -> Plan:
    """Committee X's own inspection of branch A."""
    return actions.create_plan(
        cast.committee_x,
        target=cast.committee_x,
        title="党委自查",
        year=2026,
        starts_on=M(2026, 11, 1),
        ends_on=M(2026, 11, 30),
        covering=Coverage.BRANCHES,
        actor=cast.committee_admin,
    )


def finding_at(plan: Plan, org: Any, text: str = "L1 会议缺记录", **fields: Any) -> Finding:
    return actions.record_finding(
        plan.visits.get(organization=org),
        text=text,
        found_on=fields.pop("found_on", M(2026, 11, 10)),
        actor=None,
        **fields,
    )


def move(user: Any, rectification: Rectification, name: str, **fields: Any) -> Any:
    return api_for(user).post(f"/api/rectifications/{rectification.pk}/move/", {"move": name, **fields}, format="json")


# --- plans ----------------------------------------------------------------------------


def test_plans_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    county = county_plan(cast)
    earlier = county_plan(cast, Coverage.CHILDREN, year=2025)
    committee = committee_plan(cast)
    own = actions.create_plan(
        cast.branch_a,
        target=cast.branch_a,
        title="支部自查",
        year=2026,
        starts_on=TODAY,
        ends_on=TODAY,
        actor=cast.secretary_a,
    )
    # A plan is the inspecting organization's: the inspected branch does not see it.
    assert ids(api_for(cast.secretary_a).get("/api/inspection-plans/")) == {own.pk}
    assert ids(api_for(cast.secretary_b).get("/api/inspection-plans/")) == set()
    assert ids(api_for(cast.committee_admin).get("/api/inspection-plans/")) == {committee.pk, own.pk}
    everything = {county.pk, earlier.pk, committee.pk, own.pk}
    assert ids(api_for(cast.inspector).get("/api/inspection-plans/")) == everything
    assert ids(api_for(cast.member_a).get("/api/inspection-plans/")) == set()
    assert ids(api_for(cast.instructor).get("/api/inspection-plans/")) == set()  # no inspections area
    assert APIClient().get("/api/inspection-plans/").status_code == 401
    inspector = api_for(cast.inspector)
    assert ids(inspector.get("/api/inspection-plans/?year=2025")) == {earlier.pk}
    assert ids(inspector.get(f"/api/inspection-plans/?organization={cast.committee_x.pk}")) == {committee.pk, own.pk}
    assert ids(inspector.get(f"/api/inspection-plans/?organization={cast.branch_b.pk}")) == set()
    assert ids(api_for(cast.secretary_b).get(f"/api/inspection-plans/?organization={cast.branch_a.pk}")) == set()
    for query in ("year=bad", "year=1800", "organization=x"):
        assert inspector.get(f"/api/inspection-plans/?{query}").status_code == 400, query
    row = next(r for r in inspector.get("/api/inspection-plans/").json()["results"] if r["id"] == county.pk)
    assert row == {
        "id": county.pk,
        "organization": cast.county.pk,
        "organization_name": "测试县委",
        "target": cast.county.pk,
        "target_name": "测试县委",
        "title": "2026年基层党建督查",
        "year": 2026,
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-15",
        "inspectors": "县委组织部督查组",
        "focus": "",
    }


def test_a_plan_comes_with_its_checklist_and_inspections(cast: Cast) -> None:
    plan = county_plan(cast)
    body = api_for(cast.inspector).get(f"/api/inspection-plans/{plan.pk}/").json()
    assert [(c["rule"], c["text"], c["position"]) for c in body["checks"]] == [
        (c.rule, str(c.text), n) for n, c in enumerate(rules.CHECKLIST, start=1)
    ]
    assert [(v["organization_name"], v["plan"], v["inspected_on"]) for v in body["visits"]] == [
        ("东关村党支部", plan.pk, None),
        ("纺织公司党支部", plan.pk, None),
    ]
    for user in (cast.secretary_a, cast.secretary_b, cast.committee_admin, cast.member_a, cast.instructor):
        assert api_for(user).get(f"/api/inspection-plans/{plan.pk}/").status_code == 404, user
    assert api_for(cast.inspector).get("/api/inspection-plans/999999/").status_code == 404
    assert api_for(cast.inspector).delete(f"/api/inspection-plans/{plan.pk}/").status_code == 405
    assert api_for(cast.secretary_b).delete(f"/api/inspection-plans/{plan.pk}/").status_code == 404


def test_create_a_plan(cast: Cast) -> None:
    api = api_for(cast.inspector)
    data = {
        "organization": cast.county.pk,
        "target": cast.county.pk,
        "title": " 2026年基层党建督查 ",
        "year": 2026,
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-15",
        "covering": "branches",
        "focus": "三会一课",
    }
    response = api.post("/api/inspection-plans/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organization"], body["target"], body["title"], body["focus"]) == (
        cast.county.pk,
        cast.county.pk,
        "2026年基层党建督查",
        "三会一课",
    )
    assert "covering" not in body and "checklist_from" not in body
    plan = Plan.objects.get(pk=body["id"])
    assert set(plan.visits.values_list("organization", flat=True)) == {cast.branch_a.pk, cast.branch_b.pk}
    assert plan.checks.count() == len(rules.CHECKLIST)
    # Defaults: the target itself; the checklist copied from an earlier plan.
    actions.add_check(plan, rule="x1", text="党建阵地建设", actor=cast.inspector)
    copy = api.post(
        "/api/inspection-plans/",
        {**data, "covering": "root", "target": cast.committee_x.pk, "checklist_from": plan.pk},
        format="json",
    )
    assert copy.status_code == 201, copy.content
    copied = Plan.objects.get(pk=copy.json()["id"])
    assert list(copied.visits.values_list("organization", flat=True)) == [cast.committee_x.pk]
    assert list(copied.checks.values_list("rule", "text")) == list(plan.checks.values_list("rule", "text"))
    plain = {k: v for k, v in data.items() if k != "covering"}
    default = api.post("/api/inspection-plans/", plain, format="json")
    assert default.status_code == 201
    assert Visit.objects.get(plan=default.json()["id"]).organization == cast.county
    # Refusals by field: from the serializer and from the action.
    committee = api_for(cast.committee_admin)
    own = {**data, "organization": cast.committee_x.pk, "target": cast.committee_x.pk}
    assert committee.post("/api/inspection-plans/", {**own, "checklist_from": plan.pk}, format="json").json() == {
        "checklist_from": [f'Invalid pk "{plan.pk}" - object does not exist.']
    }
    committees = committee_plan(cast)
    assert api.post("/api/inspection-plans/", {**data, "checklist_from": committees.pk}, format="json").json() == {
        "checklist_from": ["Copy the checklist of one of this organization's plans."]
    }
    assert committee.post("/api/inspection-plans/", {**own, "target": cast.committee_y.pk}, format="json").json() == {
        "target": [f'Invalid pk "{cast.committee_y.pk}" - object does not exist.']
    }
    assert api.post("/api/inspection-plans/", {**own, "target": cast.committee_y.pk}, format="json").json() == {
        "target": ["Inspect 城关镇党委 or an organization under it."]
    }
    above = committee.post("/api/inspection-plans/", data, format="json")
    assert above.status_code == 400 and set(above.json()) == {"organization", "target"}
    secretary = api_for(cast.secretary_a)
    branch = {**data, "organization": cast.branch_a.pk, "target": cast.branch_a.pk}
    assert secretary.post("/api/inspection-plans/", {**branch, "covering": "children"}, format="json").json() == {
        "covering": ["There is no such organization under 东关村党支部."]
    }
    assert secretary.post("/api/inspection-plans/", {**branch, "covering": "all"}, format="json").json().keys() == {
        "covering"
    }
    backwards = secretary.post("/api/inspection-plans/", {**branch, "ends_on": "2026-10-01"}, format="json")
    assert backwards.json() == {"non_field_errors": ["The inspection ends after it starts."]}
    bad = secretary.post("/api/inspection-plans/", {"organization": cast.branch_a.pk, "year": 1800}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"target", "title", "year", "starts_on", "ends_on"}
    for user in (cast.member_a, cast.instructor):
        assert api_for(user).post("/api/inspection-plans/", data, format="json").status_code == 403
    assert Plan.objects.count() == 4  # three by the inspector, the committee's own


def test_checklist_items_and_organizations_are_added(cast: Cast) -> None:
    plan = county_plan(cast, Coverage.ROOT)
    api = api_for(cast.inspector)
    checks = f"/api/inspection-plans/{plan.pk}/checks/"
    added = api.post(checks, {"rule": " x1 ", "text": " 党建阵地建设 "}, format="json")
    assert added.status_code == 201, added.content
    assert {k: added.json()[k] for k in ("plan", "rule", "text", "position")} == {
        "plan": plan.pk,
        "rule": "X1",
        "text": "党建阵地建设",
        "position": len(rules.CHECKLIST) + 1,
    }
    assert api.post(checks, {"text": "无规则的检查项"}, format="json").json()["rule"] == ""
    assert api.post(checks, {"rule": "L1"}, format="json").json() == {"text": ["This field is required."]}
    assert api.post(checks, {"rule": "TOO-LONG-RULE", "text": "x"}, format="json").json().keys() == {"rule"}
    visits = f"/api/inspection-plans/{plan.pk}/visits/"
    response = api.post(visits, {"organization": cast.branch_b.pk}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["organization"], response.json()["organization_name"], response.json()["plan"]) == (
        cast.branch_b.pk,
        "纺织公司党支部",
        plan.pk,
    )
    assert api.post(visits, {"organization": cast.branch_b.pk}, format="json").json() == {
        "organization": ["纺织公司党支部 is already in the plan."]
    }
    assert api.post(visits, {}, format="json").json().keys() == {"organization"}
    # The committee's plan takes organizations of its own subtree only.
    committees = committee_plan(cast)
    outside = api.post(
        f"/api/inspection-plans/{committees.pk}/visits/", {"organization": cast.branch_b.pk}, format="json"
    )
    assert outside.json() == {"organization": ["Inspect 城关镇党委 or an organization under it."]}
    unseen = api_for(cast.committee_admin).post(
        f"/api/inspection-plans/{committees.pk}/visits/", {"organization": cast.county.pk}, format="json"
    )
    assert unseen.status_code == 400 and list(unseen.json()) == ["organization"]
    # Not the inspecting side, or a read-only role: the plan is not found.
    for user in (cast.secretary_a, cast.secretary_b, cast.committee_admin, cast.member_a, cast.instructor):
        assert api_for(user).post(checks, {"text": "x"}, format="json").status_code == 404, user
        assert api_for(user).post(visits, {"organization": cast.branch_a.pk}, format="json").status_code == 404
    assert api.get(checks).status_code == 405 and api.get(visits).status_code == 405
    assert api_for(cast.secretary_b).get(checks).status_code == 404
    assert plan.checks.count() == len(rules.CHECKLIST) + 2 and plan.visits.count() == 2


# --- inspections and findings ---------------------------------------------------------


def test_inspections_are_seen_by_both_sides_and_filtered(cast: Cast) -> None:
    county = county_plan(cast)
    committee = committee_plan(cast)
    a = county.visits.get(organization=cast.branch_a)
    b = county.visits.get(organization=cast.branch_b)
    own = committee.visits.get()
    assert ids(api_for(cast.secretary_a).get("/api/inspections/")) == {a.pk, own.pk}
    assert ids(api_for(cast.secretary_b).get("/api/inspections/")) == {b.pk}
    assert ids(api_for(cast.committee_admin).get("/api/inspections/")) == {a.pk, own.pk}
    assert ids(api_for(cast.inspector).get("/api/inspections/")) == {a.pk, b.pk, own.pk}
    assert ids(api_for(cast.member_a).get("/api/inspections/")) == set()
    assert ids(api_for(cast.instructor).get("/api/inspections/")) == set()
    assert api_for(cast.secretary_b).get(f"/api/inspections/{a.pk}/").status_code == 404
    assert ids(api_for(cast.secretary_b).get(f"/api/inspections/?organization={cast.branch_a.pk}")) == set()
    inspector = api_for(cast.inspector)
    assert ids(inspector.get(f"/api/inspections/?plan={county.pk}")) == {a.pk, b.pk}
    assert ids(inspector.get(f"/api/inspections/?organization={cast.committee_x.pk}")) == {a.pk, own.pk}
    assert ids(inspector.get(f"/api/inspections/?plan={committee.pk}&organization={cast.branch_b.pk}")) == set()
    for query in ("plan=x", "plan=0", "organization=99999999999"):
        assert inspector.get(f"/api/inspections/?{query}").status_code == 400, query
    row = next(r for r in api_for(cast.secretary_a).get("/api/inspections/").json()["results"] if r["id"] == a.pk)
    assert row == {
        "id": a.pk,
        "plan": county.pk,
        "plan_title": "2026年基层党建督查",
        "year": 2026,
        "inspecting_organization": cast.county.pk,
        "inspecting_organization_name": "测试县委",
        "organization": cast.branch_a.pk,
        "organization_name": "东关村党支部",
        "inspected_on": None,
        "summary": "",
    }


def test_an_inspection_comes_with_its_findings_and_the_signals_of_today(cast: Cast) -> None:
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    check = plan.checks.get(rule="L1")
    finding = finding_at(plan, cast.branch_a, check=check, signal="orglife.missing.L1", signal_text="缺2次")
    bare = finding_at(plan, cast.branch_a, text="阵地不规范", rectify=False, found_on=M(2026, 11, 12))
    body = api_for(cast.secretary_a).get(f"/api/inspections/{visit.pk}/").json()
    assert body["findings"] == [
        {
            "id": finding.pk,
            "visit": visit.pk,
            "check": check.pk,
            "check_rule": "L1",
            "text": "L1 会议缺记录",
            "signal": "orglife.missing.L1",
            "signal_text": "缺2次",
            "found_on": "2026-11-10",
            "rectification": {
                "id": finding.rectification.pk,
                "owner": cast.branch_a.pk,
                "owner_name": "东关村党支部",
                "post": "secretary",
                "task": "L1 会议缺记录",
                "deadline": "2026-12-10",
                "state": "open",
                "overdue": False,
            },
        },
        {
            "id": bare.pk,
            "visit": visit.pk,
            "check": None,
            "check_rule": None,
            "text": "阵地不规范",
            "signal": "",
            "signal_text": "",
            "found_on": "2026-11-12",
            "rectification": None,
        },
    ]
    expected = [
        {"code": s.code, "rule": s.rule, "text": str(s.text), "url": s.url}
        for s in alerts.for_organization(cast.branch_a, TODAY)
    ]
    assert expected and body["signals"] == expected
    assert "findings" not in api_for(cast.secretary_a).get("/api/inspections/").json()["results"][0]


def test_record_findings_and_their_rectifications(cast: Cast) -> None:
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    url = f"/api/inspections/{visit.pk}/findings/"
    api = api_for(cast.inspector)
    check = plan.checks.get(rule="L1")
    data = {
        "text": " 支部党员大会缺记录 ",
        "found_on": "2026-11-10",
        "check": check.pk,
        "signal": "orglife.missing.L1",
        "signal_text": "缺2次",
        "task": "补齐会议记录",
        "owner": cast.branch_a.pk,
        "post": "deputy_secretary",
        "deadline": "2026-11-30",
    }
    response = api.post(url, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["visit"], body["check"], body["text"], body["signal"]) == (
        visit.pk,
        check.pk,
        "支部党员大会缺记录",
        "orglife.missing.L1",
    )
    assert {k: body["rectification"][k] for k in ("owner", "post", "task", "deadline", "state")} == {
        "owner": cast.branch_a.pk,
        "post": "deputy_secretary",
        "task": "补齐会议记录",
        "deadline": "2026-11-30",
        "state": "open",
    }
    assert Rectification.objects.get(pk=body["rectification"]["id"]).events.get().move == RectificationMove.ASSIGN
    # Defaults: found today, the inspected organization, the local period, the finding's text.
    plain = api.post(url, {"text": "谈心谈话不足"}, format="json").json()
    assert (plain["found_on"], plain["check"], plain["rectification"]["owner"]) == (
        "2026-11-23",
        None,
        cast.branch_a.pk,
    )
    assert (plain["rectification"]["deadline"], plain["rectification"]["task"]) == ("2026-12-23", "谈心谈话不足")
    assert api.post(url, {"text": "仅提醒", "rectify": False}, format="json").json()["rectification"] is None
    before = Finding.objects.count()
    # Refusals by field: from the serializer and from the action, nothing half-written.
    other_check = committee_plan(cast).checks.first()
    assert other_check is not None
    refusals = [
        ({"check": other_check.pk}, {"check": [f'Invalid pk "{other_check.pk}" - object does not exist.']}),
        (
            {"owner": cast.branch_b.pk},
            {"owner": ["The rectification is for 东关村党支部 or an organization under it."]},
        ),
        ({"deadline": "2026-11-01"}, {"deadline": ["The deadline is on or after the day of the finding."]}),
        ({"found_on": "2026-11-24"}, {"found_on": ["The date is in the future."]}),
        ({"found_on": "today"}, {"found_on": [DATE_FORMAT]}),
        ({"post": "chief"}, {"post": ['"chief" is not a valid choice.']}),
        ({"text": " "}, {"text": ["This field may not be blank."]}),
        ({"signal": "x" * 61}, {"signal": ["Ensure this field has no more than 60 characters."]}),
    ]
    for change, errors in refusals:
        refused = api.post(url, {**data, **change}, format="json")
        assert refused.status_code == 400 and refused.json() == errors, change
    assert Finding.objects.count() == before
    # The inspected branch sees the inspection but does not record findings; others do not see it.
    for user in (cast.secretary_a, cast.secretary_b, cast.committee_admin, cast.member_a, cast.instructor):
        assert api_for(user).post(url, {"text": "x"}, format="json").status_code == 404, user
    # Nor does the branch learn which checklist items the plan has.
    probe = api_for(cast.secretary_a).post(url, {"text": "x", "check": check.pk}, format="json")
    assert probe.json() == {"check": [f'Invalid pk "{check.pk}" - object does not exist.']}
    assert api.get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404
    assert Finding.objects.count() == before


def test_record_the_inspection(cast: Cast) -> None:
    plan = county_plan(cast)
    visit = plan.visits.get(organization=cast.branch_a)
    url = f"/api/inspections/{visit.pk}/record/"
    api = api_for(cast.inspector)
    assert api.post(url, {"inspected_on": "2026-10-31"}, format="json").json() == {
        "inspected_on": ["The inspection starts on 2026-11-01."]
    }
    assert api.post(url, {"inspected_on": "2026-11-24"}, format="json").json() == {
        "inspected_on": ["The date is in the future."]
    }
    assert api.post(url, {"inspected_on": "x"}, format="json").json() == {"inspected_on": [DATE_FORMAT]}
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a):
        assert api_for(user).post(url, {"summary": "x"}, format="json").status_code == 404, user
    response = api.post(url, {"inspected_on": "2026-11-20", "summary": " 总体较好 "}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["inspected_on"], response.json()["summary"]) == ("2026-11-20", "总体较好")
    today = api.post(url, {}, format="json").json()
    assert (today["inspected_on"], today["summary"]) == ("2026-11-23", "")
    assert api.get(url).status_code == 405


# --- rectifications -------------------------------------------------------------------


def test_rectifications_are_seen_by_both_sides_and_filtered(cast: Cast) -> None:
    plan = county_plan(cast)
    a = finding_at(plan, cast.branch_a).rectification
    b = finding_at(plan, cast.branch_b, deadline=M(2026, 11, 20)).rectification
    own = finding_at(committee_plan(cast), cast.branch_a, text="党委发现").rectification
    earlier = finding_at(county_plan(cast, year=2025), cast.branch_a, found_on=M(2025, 11, 10)).rectification
    actions.make_move(a, RectificationMove.REPORT, actor=cast.secretary_a, text="已整改")
    assert ids(api_for(cast.secretary_a).get("/api/rectifications/")) == {a.pk, own.pk, earlier.pk}
    assert ids(api_for(cast.secretary_b).get("/api/rectifications/")) == {b.pk}
    assert ids(api_for(cast.committee_admin).get("/api/rectifications/")) == {a.pk, own.pk, earlier.pk}
    assert ids(api_for(cast.inspector).get("/api/rectifications/")) == {a.pk, b.pk, own.pk, earlier.pk}
    assert ids(api_for(cast.member_a).get("/api/rectifications/")) == set()
    assert ids(api_for(cast.instructor).get("/api/rectifications/")) == set()
    assert api_for(cast.secretary_b).get(f"/api/rectifications/{a.pk}/").status_code == 404
    assert ids(api_for(cast.secretary_b).get(f"/api/rectifications/?owner={cast.branch_a.pk}")) == set()
    inspector = api_for(cast.inspector)
    assert ids(inspector.get("/api/rectifications/?state=reported")) == {a.pk}
    assert ids(inspector.get("/api/rectifications/?state=open")) == {b.pk, own.pk, earlier.pk}
    assert ids(inspector.get("/api/rectifications/?overdue=true")) == {b.pk, earlier.pk}
    assert ids(inspector.get("/api/rectifications/?overdue=false")) == {a.pk, own.pk}
    assert ids(inspector.get(f"/api/rectifications/?owner={cast.committee_x.pk}")) == {a.pk, own.pk, earlier.pk}
    assert ids(inspector.get("/api/rectifications/?year=2025")) == {earlier.pk}
    assert ids(inspector.get(f"/api/rectifications/?year=2026&owner={cast.branch_b.pk}")) == {b.pk}
    for query in ("state=closed", "owner=x", "year=99999"):
        assert inspector.get(f"/api/rectifications/?{query}").status_code == 400, query
    row = next(r for r in inspector.get("/api/rectifications/").json()["results"] if r["id"] == b.pk)
    assert row == {
        "id": b.pk,
        "finding": b.finding_id,
        "finding_text": "L1 会议缺记录",
        "visit": b.finding.visit_id,
        "plan": plan.pk,
        "plan_title": "2026年基层党建督查",
        "year": 2026,
        "inspecting_organization": cast.county.pk,
        "inspecting_organization_name": "测试县委",
        "owner": cast.branch_b.pk,
        "owner_name": "纺织公司党支部",
        "post": "secretary",
        "task": "L1 会议缺记录",
        "deadline": "2026-11-20",
        "state": "open",
        "reported_on": None,
        "verified_on": None,
        "overdue": True,
    }


def test_a_rectification_to_its_verified_closure(cast: Cast) -> None:
    """progress (with evidence) → report → return → report → verify, each by its side."""
    rectification = finding_at(county_plan(cast), cast.branch_a).rectification
    api = api_for(cast.secretary_a)
    scan = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    progress = api.post(
        f"/api/rectifications/{rectification.pk}/move/",
        {"move": "progress", "on": "2026-11-15", "text": "已补记录一次", "evidence": scan},
        format="multipart",
    )
    assert progress.status_code == 201, progress.content
    event = RectificationEvent.objects.get(pk=progress.json()["event"]["id"])
    assert progress.json()["event"]["evidence_url"] == f"http://testserver/inspections/evidence/{event.pk}/"
    assert progress.json()["rectification"]["state"] == "open"
    page = Client()
    page.force_login(cast.inspector)
    assert page.get(f"/inspections/evidence/{event.pk}/").status_code == 200
    page.force_login(cast.secretary_b)
    assert page.get(f"/inspections/evidence/{event.pk}/").status_code == 404
    steps = [
        (cast.secretary_a, "report", {"text": "已全部补齐"}, "reported"),
        (cast.inspector, "return", {"text": "缺签到表"}, "returned"),
        (cast.secretary_a, "report", {"text": "已补签到表"}, "reported"),
        (cast.inspector, "verify", {"text": "核实"}, "verified"),
    ]
    for user, name, fields, state in steps:
        response = move(user, rectification, name, **fields)
        assert response.status_code == 201, (name, response.content)
        body = response.json()
        assert (body["event"]["move"], body["event"]["rectification"], body["rectification"]["state"]) == (
            name,
            rectification.pk,
            state,
        )
    assert (body["rectification"]["reported_on"], body["rectification"]["verified_on"]) == ("2026-11-23", "2026-11-23")
    history = api.get(f"/api/rectifications/{rectification.pk}/").json()["events"]
    assert [(e["move"], e["on"], e["by"], e["evidence_url"] is not None) for e in history] == [
        ("assign", "2026-11-10", None, False),
        ("progress", "2026-11-15", "secretary_a", True),
        ("report", "2026-11-23", "secretary_a", False),
        ("return", "2026-11-23", "inspector", False),
        ("report", "2026-11-23", "secretary_a", False),
        ("verify", "2026-11-23", "inspector", False),
    ]
    assert Rectification.objects.get(pk=rectification.pk).state == RectificationState.VERIFIED


def not_now(label: str) -> dict[str, list[str]]:
    return {"non_field_errors": [f"“{label}” is not possible while the rectification is “To rectify”."]}


@pytest.mark.parametrize(
    ("user", "name", "fields", "errors"),
    [
        # The state machine: nothing to verify or return before a report.
        ("inspector", "verify", {"text": "x"}, not_now("Verified closed")),
        ("inspector", "return", {"text": "x"}, not_now("Not accepted, redo")),
        # What the move records, from the action.
        ("secretary_a", "report", {"text": " "}, {"text": ["Say what was done, or why."]}),
        ("secretary_a", "report", {"text": "x", "on": "2026-11-24"}, {"on": ["The date is in the future."]}),
        (
            "secretary_a",
            "report",
            {"text": "x", "on": "2026-11-09"},
            {"on": ["A move is dated on or after the previous one, 2026-11-10."]},
        ),
        # The request itself.
        ("secretary_a", "assign", {"text": "x"}, {"move": ['"assign" is not a valid choice.']}),
        ("secretary_a", "close", {"text": "x"}, {"move": ['"close" is not a valid choice.']}),
        ("secretary_a", "report", {"text": "x", "on": "yesterday"}, {"on": [DATE_FORMAT]}),
    ],
)
def test_moves_refused(cast: Cast, user: str, name: str, fields: dict[str, Any], errors: dict[str, Any]) -> None:
    rectification = finding_at(county_plan(cast), cast.branch_a).rectification
    response = move(getattr(cast, user), rectification, name, **fields)
    assert response.status_code == 400
    assert response.json() == errors
    assert Rectification.objects.get(pk=rectification.pk).state == RectificationState.OPEN
    assert rectification.events.count() == 1


def test_evidence_goes_with_the_owners_moves(cast: Cast) -> None:
    rectification = finding_at(county_plan(cast), cast.branch_a).rectification
    actions.make_move(rectification, RectificationMove.REPORT, actor=cast.secretary_a, text="已整改")
    scan = SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")
    refused = api_for(cast.inspector).post(
        f"/api/rectifications/{rectification.pk}/move/",
        {"move": "verify", "text": "核实", "evidence": scan},
        format="multipart",
    )
    assert refused.json() == {"evidence": ["“Verified closed” does not take this field."]}
    bad = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    actions.make_move(rectification, RectificationMove.RETURN, actor=cast.inspector, text="不完整")
    wrong_type = api_for(cast.secretary_a).post(
        f"/api/rectifications/{rectification.pk}/move/",
        {"move": "report", "text": "再报", "evidence": bad},
        format="multipart",
    )
    assert wrong_type.status_code == 400 and list(wrong_type.json()) == ["evidence"]
    assert Rectification.objects.get(pk=rectification.pk).state == RectificationState.RETURNED  # nothing half-written


def test_a_side_the_caller_does_not_cover_is_not_found(cast: Cast) -> None:
    rectification = finding_at(county_plan(cast), cast.branch_a).rectification
    url = f"/api/rectifications/{rectification.pk}/move/"
    # The inspecting side does not report for the branch unless it covers it too; the
    # owner does not verify its own rectification.
    assert move(cast.committee_admin, rectification, "report", text="x").status_code == 201  # covers branch A
    assert move(cast.secretary_a, rectification, "verify", text="x").status_code == 404
    assert move(cast.committee_admin, rectification, "verify", text="x").status_code == 404  # not the county's side
    # Someone covering both sides verifies only what someone else reported.
    county = move(cast.county_admin, rectification, "verify", text="核实")
    assert county.status_code == 201, county.content
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert move(user, rectification, "progress", text="x").status_code == 404, user
    assert api_for(cast.inspector).get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404
    assert api_for(cast.inspector).post("/api/rectifications/999999/move/", {"move": "verify"}).status_code == 404
    other = finding_at(county_plan(cast), cast.branch_a, text="另一").rectification
    move(cast.county_admin, other, "report", text="代为报告")
    assert move(cast.county_admin, other, "verify", text="x").json() == {
        "non_field_errors": ["A rectification is verified by someone other than who reported it."]
    }


def test_a_member_sees_nothing(cast: Cast) -> None:
    plan = county_plan(cast)
    rectification = finding_at(plan, cast.branch_a).rectification
    visit = plan.visits.get(organization=cast.branch_a)
    member = api_for(cast.member_a)
    for url in ("/api/inspection-plans/", "/api/inspections/", "/api/rectifications/"):
        assert ids(member.get(url)) == set()
    for url in (
        f"/api/inspection-plans/{plan.pk}/",
        f"/api/inspections/{visit.pk}/",
        f"/api/rectifications/{rectification.pk}/",
    ):
        assert member.get(url).status_code == 404
    data = {"organization": cast.branch_a.pk, "target": cast.branch_a.pk, "title": "x", "year": 2026}
    assert member.post("/api/inspection-plans/", data, format="json").status_code == 403


# --- query counts and schema ----------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast) -> None:
    plan = county_plan(cast)
    first = finding_at(plan, cast.branch_a).rectification
    inspector = api_for(cast.inspector)
    urls = [
        "/api/inspection-plans/",
        "/api/inspections/",
        "/api/rectifications/",
        f"/api/inspection-plans/{plan.pk}/",
        f"/api/rectifications/{first.pk}/",
    ]

    def more(n: int) -> None:
        extra = county_plan(cast, year=2026 - n)
        actions.add_check(plan, rule=f"X{n}", text=f"检查{n}", actor=None)
        for org in (cast.branch_a, cast.branch_b):
            finding_at(extra, org, text=f"问题{n}", found_on=M(2026 - n, 11, 10))
        actions.make_move(first, RectificationMove.PROGRESS, actor=cast.secretary_a, text=f"进展{n}")

    more(1)
    before = {url: _queries(inspector, url) for url in urls}
    more(2)
    more(3)
    assert {url: _queries(inspector, url) for url in urls} == before
    assert Visit.objects.count() == 8 and Check.objects.filter(plan=plan).count() == len(rules.CHECKLIST) + 3


def test_schema_describes_inspections(db: Any) -> None:
    """What ``manage.py spectacular --fail-on-warn --validate`` checks, and the paths."""
    schema, warnings = openapi_schema()
    assert not warnings, warnings
    paths = schema["paths"]
    for path in (
        "/api/inspection-plans/",
        "/api/inspection-plans/{id}/",
        "/api/inspection-plans/{id}/checks/",
        "/api/inspection-plans/{id}/visits/",
        "/api/inspections/",
        "/api/inspections/{id}/",
        "/api/inspections/{id}/findings/",
        "/api/inspections/{id}/record/",
        "/api/rectifications/",
        "/api/rectifications/{id}/",
        "/api/rectifications/{id}/move/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/rectifications/"]["get"]["parameters"]}
    assert {"state", "overdue", "owner", "year"} <= params
    detail = schema["components"]["schemas"]["InspectionDetail"]["properties"]
    assert {"findings", "signals"} <= set(detail)
    assert "multipart/form-data" in paths["/api/rectifications/{id}/move/"]["post"]["requestBody"]["content"]
