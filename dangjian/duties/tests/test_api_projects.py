"""The API of party-building projects (/api/projects/) and of the decisions register
(/api/decisions/): scoped like the pages (out of scope is 404, members see nothing), every
write through the duties actions with their refusals as 400 by field, spending from the
funds ledger, evidence and documents as multipart, and an event of organizational life
out of the caller's scope as unknown as one that does not exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.core.testing import Cast, api_for, ids, openapi_schema
from dangjian.development.testing import general_meeting
from dangjian.dues import actions as dues
from dangjian.duties import actions
from dangjian.duties.choices import ProjectState
from dangjian.duties.models import Decision, Milestone, Project

M = dt.date
TODAY = M(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


def project(cast: Cast, org: Any = None, title: str = "红色先锋服务队", actor: Any = None) -> Project:
    return actions.create_project(
        org or cast.branch_a,
        title=title,
        goals="每月为困难群众服务一次",
        starts_on=M(2026, 1, 1),
        ends_on=M(2026, 12, 31),
        budget=Decimal("2000"),
        actor=actor,
    )


def spend(org: Any, amount: str, p: Project | None = None) -> None:
    dues.record_expenditure(
        org,
        category="activities",
        amount=Decimal(amount),
        on=M(2026, 4, 1),
        description="服务队物资",
        approver="书记",
        project=p,
        actor=None,
    )


def decision(cast: Cast, org: Any = None, **fields: Any) -> Decision:
    data = {"kind": "large_sum", "title": "村集体购置农机", "decided_on": M(2026, 5, 12), "meeting": "村两委联席会议"}
    return actions.record_decision(org or cast.branch_a, actor=None, **{**data, **fields})


# --- projects -------------------------------------------------------------------------


def test_projects_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    a = project(cast)
    b = project(cast, cast.branch_b, "非公党建品牌")
    x = project(cast, cast.committee_x, "党委项目")
    actions.close_project(x, closed_on=M(2026, 11, 1), grade="good", evaluation="好", actor=cast.county_admin)
    assert ids(api_for(cast.secretary_a).get("/api/projects/")) == {a.pk}
    assert ids(api_for(cast.secretary_b).get("/api/projects/")) == {b.pk}
    assert ids(api_for(cast.committee_admin).get("/api/projects/")) == {a.pk, x.pk}
    assert ids(api_for(cast.inspector).get("/api/projects/")) == {a.pk, b.pk, x.pk}
    assert ids(api_for(cast.member_a).get("/api/projects/")) == set()
    assert ids(api_for(cast.instructor).get("/api/projects/")) == set()  # no duties area
    assert APIClient().get("/api/projects/").status_code == 401
    # Secretary B sees nothing of branch A, by id or through a filter.
    assert api_for(cast.secretary_b).get(f"/api/projects/{a.pk}/").status_code == 404
    assert ids(api_for(cast.secretary_b).get(f"/api/projects/?organization={cast.branch_a.pk}")) == set()
    county = api_for(cast.county_admin)
    assert ids(county.get(f"/api/projects/?organization={cast.committee_x.pk}")) == {a.pk, x.pk}  # subtree
    assert ids(county.get(f"/api/projects/?organization={cast.branch_b.pk}")) == {b.pk}
    assert ids(county.get("/api/projects/?state=closed")) == {x.pk}
    assert ids(county.get("/api/projects/?state=running")) == {a.pk, b.pk}
    for query in ("state=done", "organization=x", "organization=0"):
        assert county.get(f"/api/projects/?{query}").status_code == 400, query
    row = next(r for r in county.get("/api/projects/").json()["results"] if r["id"] == x.pk)
    assert {k: row[k] for k in ("organization_name", "budget", "spent", "state", "closed_on", "grade")} == {
        "organization_name": "城关镇党委",
        "budget": "2000.00",
        "spent": "0.00",
        "state": "closed",
        "closed_on": "2026-11-01",
        "grade": "good",
    }


def test_a_project_comes_with_its_milestones_and_what_was_spent(cast: Cast) -> None:
    p = project(cast)
    first = actions.add_milestone(p, title="组建服务队", due_on=M(2026, 3, 31), actor=None)
    actions.add_milestone(p, title="年度总结", due_on=M(2026, 12, 20), actor=None)
    actions.complete_milestone(first, done_on=M(2026, 3, 20), note="12名党员报名", actor=None)
    dues.record_income(
        cast.branch_a, source="budget", amount=Decimal("9000"), on=M(2026, 1, 5), description="经费", actor=None
    )
    spend(cast.branch_a, "800", p)
    spend(cast.branch_a, "150.50", p)
    spend(cast.branch_a, "300")  # not for the project
    dues.record_expenditure(  # above the approval threshold: pending, not counted
        cast.branch_a,
        category="activities",
        amount=Decimal("2500"),
        on=M(2026, 5, 1),
        description="大额",
        project=p,
        actor=None,
    )
    body = api_for(cast.secretary_a).get(f"/api/projects/{p.pk}/").json()
    # Each entry once, however many milestones the project has.
    assert (body["spent"], body["budget"], body["state"], body["post"]) == ("950.50", "2000.00", "running", "secretary")
    assert [(m["title"], m["due_on"], m["done_on"], m["note"], m["evidence_url"]) for m in body["milestones"]] == [
        ("组建服务队", "2026-03-31", "2026-03-20", "12名党员报名", None),
        ("年度总结", "2026-12-20", None, "", None),
    ]
    listed = api_for(cast.secretary_a).get("/api/projects/").json()["results"]
    assert [r["spent"] for r in listed] == ["950.50"] and "milestones" not in listed[0]
    assert api_for(cast.member_a).get(f"/api/projects/{p.pk}/").status_code == 404
    assert api_for(cast.committee_admin).get("/api/projects/999999/").status_code == 404
    assert api_for(cast.committee_admin).delete(f"/api/projects/{p.pk}/").status_code == 405
    assert api_for(cast.secretary_b).delete(f"/api/projects/{p.pk}/").status_code == 404


def test_create_a_project_for_an_organization_of_ones_subtree(cast: Cast) -> None:
    api = api_for(cast.secretary_a)
    data = {
        "organization": cast.branch_a.pk,
        "title": " 红色先锋服务队 ",
        "goals": "服务群众",
        "post": "committee_member",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "budget": "1500.5",
    }
    response = api.post("/api/projects/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("organization", "title", "post", "budget", "spent", "state", "grade")} == {
        "organization": cast.branch_a.pk,
        "title": "红色先锋服务队",
        "post": "committee_member",
        "budget": "1500.50",
        "spent": "0.00",
        "state": "running",
        "grade": "",
    }
    assert Project.objects.get(pk=body["id"]).organization == cast.branch_a
    for org in (cast.branch_b, cast.committee_x):
        refused = api.post("/api/projects/", {**data, "organization": org.pk}, format="json")
        assert refused.status_code == 400 and list(refused.json()) == ["organization"]
    bad = api.post("/api/projects/", {"organization": cast.branch_a.pk, "budget": "-1"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"title", "goals", "starts_on", "ends_on", "budget"}
    assert api.post("/api/projects/", {**data, "post": "chief"}, format="json").json().keys() == {"post"}
    backwards = api.post("/api/projects/", {**data, "ends_on": "2025-12-31"}, format="json")
    assert backwards.json() == {"non_field_errors": ["The project ends after it starts."]}
    for user in (cast.inspector, cast.member_a, cast.instructor):
        assert api_for(user).post("/api/projects/", data, format="json").status_code == 403
    assert Project.objects.count() == 1


def test_milestones_are_added_and_done_with_evidence(cast: Cast) -> None:
    p = project(cast)
    api = api_for(cast.secretary_a)
    url = f"/api/projects/{p.pk}/milestones/"
    added = api.post(url, {"title": "走访", "due_on": "2026-06-30"}, format="json")
    assert added.status_code == 201, added.content
    assert {k: added.json()[k] for k in ("project", "title", "due_on", "done_on")} == {
        "project": p.pk,
        "title": "走访",
        "due_on": "2026-06-30",
        "done_on": None,
    }
    milestone = Milestone.objects.get(pk=added.json()["id"])
    assert api.post(url, {"title": "x", "due_on": "2027-02-01"}, format="json").json() == {
        "due_on": ["A milestone falls within the project, 2026-01-01 to 2026-12-31."]
    }
    assert api.post(url, {"due_on": "soon"}, format="json").json().keys() == {"title", "due_on"}
    for user in (cast.secretary_b, cast.inspector, cast.member_a, cast.instructor):
        assert api_for(user).post(url, {"title": "x", "due_on": "2026-06-30"}, format="json").status_code == 404
    assert api.get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404
    # Done: a milestone of this project, by its organization, with the evidence.
    done_url = f"/api/projects/{p.pk}/complete-milestone/"
    other = actions.add_milestone(
        project(cast, cast.branch_b, "其他"), title="y", due_on=M(2026, 6, 1), actor=cast.secretary_b
    )
    own_other = actions.add_milestone(project(cast, title="另一个"), title="z", due_on=M(2026, 6, 1), actor=None)
    for wrong in (other.pk, own_other.pk, 999999, "x"):
        refused = api.post(done_url, {"milestone": wrong, "note": "x"}, format="json")
        assert refused.status_code == 400 and list(refused.json()) == ["milestone"], wrong
    assert api.post(done_url, {"milestone": milestone.pk, "note": " "}, format="json").json() == {
        "note": ["Say what was done, or why."]
    }
    future = api.post(done_url, {"milestone": milestone.pk, "note": "x", "done_on": "2026-11-24"}, format="json")
    assert future.json() == {"done_on": ["The date is in the future."]}
    scan = SimpleUploadedFile("m.png", b"\x89PNG\r\n", "image/png")
    done = api.post(
        done_url,
        {"milestone": milestone.pk, "done_on": "2026-06-20", "note": "走访30户", "evidence": scan},
        format="multipart",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["done_on"], body["note"]) == ("2026-06-20", "走访30户")
    assert body["evidence_url"] == f"http://testserver/duties/projects/milestones/{milestone.pk}/evidence/"
    page = Client()
    page.force_login(cast.committee_admin)
    assert page.get(f"/duties/projects/milestones/{milestone.pk}/evidence/").status_code == 200
    page.force_login(cast.secretary_b)
    assert page.get(f"/duties/projects/milestones/{milestone.pk}/evidence/").status_code == 404
    again = api.post(done_url, {"milestone": milestone.pk, "note": "再"}, format="json")
    assert again.json() == {"non_field_errors": ["The milestone is already done."]}
    later = actions.add_milestone(p, title="总结", due_on=M(2026, 12, 1), actor=None)
    bad = SimpleUploadedFile("m.exe", b"MZ", content_type="application/octet-stream")
    refused = api.post(done_url, {"milestone": later.pk, "note": "x", "evidence": bad}, format="multipart")
    assert refused.status_code == 400 and list(refused.json()) == ["evidence"]
    assert Milestone.objects.get(pk=later.pk).done_on is None  # nothing half-written
    today = api.post(done_url, {"milestone": later.pk, "note": "完成"}, format="json")
    assert today.json()["done_on"] == "2026-11-23" and today.json()["evidence_url"] is None
    assert api_for(cast.secretary_b).post(done_url, {"milestone": milestone.pk}, format="json").status_code == 404


def test_the_organization_above_closes_the_project(cast: Cast) -> None:
    p = project(cast)
    url = f"/api/projects/{p.pk}/close/"
    data = {"closed_on": "2026-11-20", "grade": "excellent", "evaluation": "群众满意度高"}
    # The branch does not evaluate its own project; others do not see it.
    for user in (cast.secretary_a, cast.secretary_b, cast.inspector, cast.member_a):
        assert api_for(user).post(url, data, format="json").status_code == 404, user
    committee = api_for(cast.committee_admin)
    assert committee.post(url, {**data, "grade": "great"}, format="json").json().keys() == {"grade"}
    assert committee.post(url, {"evaluation": "x"}, format="json").json().keys() == {"grade"}
    assert committee.post(url, {**data, "evaluation": " "}, format="json").json() == {
        "evaluation": ["Give the grade and the evaluation."]
    }
    assert committee.post(url, {**data, "closed_on": "2025-12-31"}, format="json").json() == {
        "closed_on": ["Close on a day from the start to today."]
    }
    closed = committee.post(url, data, format="json")
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["state"], body["closed_on"], body["grade"], body["evaluation"], body["milestones"]) == (
        "closed",
        "2026-11-20",
        "excellent",
        "群众满意度高",
        [],
    )
    assert committee.post(url, data, format="json").json() == {"non_field_errors": ["The project is closed."]}
    added = api_for(cast.secretary_a).post(
        f"/api/projects/{p.pk}/milestones/", {"title": "x", "due_on": "2026-06-30"}, format="json"
    )
    assert added.json() == {"non_field_errors": ["The project is closed."]}
    assert Project.objects.get(pk=p.pk).state == ProjectState.CLOSED


# --- the decisions register -----------------------------------------------------------


def test_decisions_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    meeting = general_meeting(cast.branch_a, M(2026, 5, 10), None)
    discussed = decision(cast, prior_discussion=meeting)
    bare = decision(cast, kind="appointment", title="任命村会计", decided_on=M(2025, 6, 1))
    other = decision(cast, cast.branch_b, title="购置设备")
    assert ids(api_for(cast.secretary_a).get("/api/decisions/")) == {discussed.pk, bare.pk}
    assert ids(api_for(cast.secretary_b).get("/api/decisions/")) == {other.pk}
    assert ids(api_for(cast.inspector).get("/api/decisions/")) == {discussed.pk, bare.pk, other.pk}
    assert ids(api_for(cast.member_a).get("/api/decisions/")) == set()
    assert ids(api_for(cast.instructor).get("/api/decisions/")) == set()
    assert api_for(cast.secretary_b).get(f"/api/decisions/{discussed.pk}/").status_code == 404
    assert ids(api_for(cast.secretary_b).get(f"/api/decisions/?organization={cast.branch_a.pk}")) == set()
    county = api_for(cast.county_admin)
    assert ids(county.get(f"/api/decisions/?organization={cast.committee_x.pk}")) == {discussed.pk, bare.pk}
    assert ids(county.get("/api/decisions/?kind=appointment")) == {bare.pk}
    assert ids(county.get("/api/decisions/?without_prior_discussion=true")) == {bare.pk, other.pk}
    assert ids(county.get("/api/decisions/?without_prior_discussion=false")) == {discussed.pk}
    assert ids(county.get("/api/decisions/?year=2025")) == {bare.pk}
    for query in ("kind=other", "year=1800", "organization=x"):
        assert county.get(f"/api/decisions/?{query}").status_code == 400, query
    body = api_for(cast.secretary_a).get(f"/api/decisions/{discussed.pk}/").json()
    assert body == {
        "id": discussed.pk,
        "organization": cast.branch_a.pk,
        "organization_name": "东关村党支部",
        "kind": "large_sum",
        "title": "村集体购置农机",
        "decided_on": "2026-05-12",
        "meeting": "村两委联席会议",
        "prior_discussion": meeting.pk,
        "prior_discussion_held_on": "2026-05-10",
        "discussed_first": True,
        "participants": "",
        "votes_for": None,
        "votes_against": None,
        "votes_abstained": None,
        "document_url": None,
    }
    assert api_for(cast.secretary_a).get(f"/api/decisions/{bare.pk}/").json()["prior_discussion_held_on"] is None


def test_record_a_decision(cast: Cast) -> None:
    meeting = general_meeting(cast.branch_a, M(2026, 5, 10), None)
    api = api_for(cast.secretary_a)
    data = {
        "organization": cast.branch_a.pk,
        "kind": "appointment",
        "title": "任命村会计",
        "decided_on": "2026-05-12",
        "meeting": "村委会",
        "prior_discussion": meeting.pk,
        "votes_for": 5,
        "votes_against": 0,
    }
    response = api.post("/api/decisions/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["prior_discussion"], body["discussed_first"], body["votes_for"], body["votes_against"]) == (
        meeting.pk,
        True,
        5,
        0,
    )
    assert Decision.objects.get(pk=body["id"]).prior_discussion == meeting
    # The action's checks of the prior discussion, by field.
    early = api.post("/api/decisions/", {**data, "decided_on": "2026-05-01"}, format="json")
    assert early.json() == {"prior_discussion": ["The party organization discusses a decision before it is taken."]}
    future = api.post("/api/decisions/", {**data, "decided_on": "2026-11-24"}, format="json")
    assert future.json() == {"decided_on": ["The date is in the future."]}
    bad = api.post("/api/decisions/", {"organization": cast.branch_a.pk, "votes_for": -1}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"kind", "title", "decided_on", "meeting", "votes_for"}
    assert api.post("/api/decisions/", {**data, "kind": "minor"}, format="json").json().keys() == {"kind"}
    refused = api.post("/api/decisions/", {**data, "organization": cast.branch_b.pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["organization"]
    for user in (cast.inspector, cast.member_a, cast.instructor):
        assert api_for(user).post("/api/decisions/", data, format="json").status_code == 403
    # With a document, as multipart, without a prior discussion.
    document = SimpleUploadedFile("d.pdf", b"%PDF-1.4", "application/pdf")
    plain = {k: v for k, v in data.items() if k != "prior_discussion"}
    uploaded = api.post("/api/decisions/", {**plain, "title": "修建村道", "document": document}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    created = Decision.objects.get(pk=uploaded.json()["id"])
    assert not created.discussed_first and "document" not in uploaded.json()
    assert uploaded.json()["document_url"] == f"http://testserver/duties/decisions/{created.pk}/document/"
    page = Client()
    page.force_login(cast.secretary_a)
    assert page.get(f"/duties/decisions/{created.pk}/document/").status_code == 200
    page.force_login(cast.secretary_b)
    assert page.get(f"/duties/decisions/{created.pk}/document/").status_code == 404
    exe = SimpleUploadedFile("d.exe", b"MZ", content_type="application/octet-stream")
    refused = api.post("/api/decisions/", {**plain, "document": exe}, format="multipart")
    assert refused.status_code == 400 and list(refused.json()) == ["document"]
    assert Decision.objects.count() == 2


def test_an_event_out_of_scope_is_unknown(cast: Cast) -> None:
    """Another branch's meeting answers exactly like an id that does not exist: nothing
    about it shows, not even that it exists."""
    theirs = general_meeting(cast.branch_b, M(2026, 5, 10), None)
    data = {"kind": "large_sum", "title": "x", "decided_on": "2026-05-12", "meeting": "会议"}
    missing = 999999

    def errors(user: Any, event: int, org: Any) -> Any:
        response = api_for(user).post(
            "/api/decisions/", {**data, "organization": org.pk, "prior_discussion": event}, format="json"
        )
        assert response.status_code == 400
        return response.json()

    for user in (cast.secretary_a, cast.committee_admin):
        refused = errors(user, theirs.pk, cast.branch_a)
        assert refused == {"prior_discussion": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
        assert str(refused).replace(str(theirs.pk), "N") == str(errors(user, missing, cast.branch_a)).replace(
            str(missing), "N"
        )
        assert "纺织公司" not in str(refused) and "发展党员" not in str(refused)
    # The county sees both branches' meetings: the action says whose meeting it must be.
    assert errors(cast.county_admin, theirs.pk, cast.branch_a) == {
        "prior_discussion": ["The discussion is a meeting of 东关村党支部."]
    }
    assert not Decision.objects.exists()


# --- query counts and schema ----------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast) -> None:
    dues.record_income(
        cast.branch_a, source="budget", amount=Decimal("9000"), on=M(2026, 1, 5), description="经费", actor=None
    )
    first = project(cast)
    meeting = general_meeting(cast.branch_a, M(2026, 5, 10), None)
    county = api_for(cast.county_admin)
    urls = ["/api/projects/", "/api/decisions/", f"/api/projects/{first.pk}/"]

    def more(n: int) -> None:
        p = project(cast, title=f"项目{n}")
        milestone = actions.add_milestone(first, title=f"阶段{n}", due_on=M(2026, n, 1), actor=None)
        actions.complete_milestone(milestone, done_on=M(2026, n, 2), note="完成", actor=None)
        spend(cast.branch_a, "10", p)
        spend(cast.branch_a, "10", first)
        decision(cast, title=f"决策{n}", prior_discussion=meeting)
        decision(cast, cast.branch_b, title=f"决策B{n}")

    more(1)
    before = {url: _queries(county, url) for url in urls}
    more(2)
    more(3)
    assert {url: _queries(county, url) for url in urls} == before


def test_schema_describes_projects_and_decisions(db: Any) -> None:
    """What ``manage.py spectacular --fail-on-warn --validate`` checks, and the paths."""
    schema, warnings = openapi_schema()
    assert not warnings, warnings
    paths = schema["paths"]
    for path in (
        "/api/projects/",
        "/api/projects/{id}/",
        "/api/projects/{id}/milestones/",
        "/api/projects/{id}/complete-milestone/",
        "/api/projects/{id}/close/",
        "/api/decisions/",
        "/api/decisions/{id}/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/decisions/"]["get"]["parameters"]}
    assert {"organization", "kind", "without_prior_discussion", "year"} <= params
    assert "multipart/form-data" in paths["/api/projects/{id}/complete-milestone/"]["post"]["requestBody"]["content"]
