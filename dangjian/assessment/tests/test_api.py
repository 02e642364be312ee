"""The assessment API (/api/assessment-schemes/, -rounds/, -appeals/, -results/,
-consequences/): scoped like the pages (out of scope is 404, members see nothing, the
assessing side sees the whole group, an assessed organization sees its own sheet, result,
appeals and consequences and never another organization's name), every write through the
assessment actions with their refusals as 400 by field, a write on the side the caller
does not cover is 404, the sheets computed live until publication, evidence as
multipart, list queries that do not grow with rows, and the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.assessment import actions, engine
from dangjian.assessment.choices import Method, RoundKind, RoundState
from dangjian.assessment.models import Appeal, Consequence, Indicator, Result, Round, Scheme, Score
from dangjian.core.testing import Cast, api_for, ids, openapi_schema

M = dt.date
TODAY = M(2026, 12, 20)
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


def pdf(name: str = "e.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 x", content_type="application/pdf")


def county_scheme(cast: Cast, year: int = 2026) -> Scheme:
    """The county's scheme (60 party-building points) for committees X and Y."""
    s = actions.create_scheme(
        cast.county, year=year, title=f"{year}年基层党组织考核", party_share=60, actor=cast.county_admin
    )
    actions.add_assessed(s, [cast.committee_x, cast.committee_y], actor=cast.county_admin)
    return s


def committee_scheme(cast: Cast) -> Scheme:
    """Committee X's own scheme for branch A."""
    s = actions.create_scheme(cast.committee_x, year=2026, title="2026年支部考核", actor=cast.committee_admin)
    actions.add_assessed(s, [cast.branch_a], actor=cast.committee_admin)
    return s


def year_end(s: Scheme) -> Round:
    return actions.open_round(
        s, kind=RoundKind.YEAR_END, starts_on=M(s.year, 1, 1), ends_on=M(s.year, 12, 31), actor=None
    )


def manual(s: Scheme) -> list[Indicator]:
    return list(Indicator.objects.filter(dimension__scheme=s, method=Method.MANUAL).order_by("position"))


def item(s: Scheme, method: str) -> Indicator:
    return Indicator.objects.get(dimension__scheme=s, method=method)


def score_all(cast: Cast, r: Round, value: D = D("30")) -> None:
    """Every manual indicator of every organization of the group, by the county."""
    for assessed in r.scheme.assessed.select_related("organization"):
        for indicator in manual(r.scheme):
            actions.record_score(
                r,
                organization=assessed.organization,
                indicator=indicator,
                value=min(value, indicator.max_score),
                evidence=pdf(),
                actor=cast.county_admin,
            )


def in_review(cast: Cast, r: Round, until: dt.date = TODAY) -> Round:
    score_all(cast, r)
    return actions.open_review(r, appeal_until=until, actor=None)


def published(r: Round, time_machine: Any) -> Round:
    """Publish the day after the appeal window, then come back to today."""
    time_machine.move_to(dt.datetime.combine(r.appeal_until, dt.time(2), dt.UTC) + dt.timedelta(days=1), tick=False)
    actions.publish(r, actor=None)
    time_machine.move_to(dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC), tick=False)
    r.refresh_from_db()
    return r


def post(user: Any, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return api_for(user).post(url, data or {}, format=kwargs.pop("format", "json"), **kwargs)


# --- schemes --------------------------------------------------------------------------


def test_schemes_are_seen_by_the_assessing_side_and_filtered(cast: Cast) -> None:
    county = county_scheme(cast)
    earlier = county_scheme(cast, year=2025)
    committee = committee_scheme(cast)
    year_end(county)
    # A scheme is the assessing organization's: the assessed ones do not see it.
    assert ids(api_for(cast.committee_admin).get("/api/assessment-schemes/")) == {committee.pk}
    everything = {county.pk, earlier.pk, committee.pk}
    for user in (cast.county_admin, cast.inspector, cast.platform_admin):
        assert ids(api_for(user).get("/api/assessment-schemes/")) == everything, user
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-schemes/")) == set(), user
    assert APIClient().get("/api/assessment-schemes/").status_code == 401
    county_api = api_for(cast.county_admin)
    assert ids(county_api.get("/api/assessment-schemes/?year=2025")) == {earlier.pk}
    assert ids(county_api.get(f"/api/assessment-schemes/?organization={cast.committee_x.pk}")) == {committee.pk}
    assert ids(county_api.get(f"/api/assessment-schemes/?organization={cast.county.pk}")) == everything
    assert ids(county_api.get("/api/assessment-schemes/?state=frozen")) == {county.pk}
    assert ids(county_api.get("/api/assessment-schemes/?state=draft&year=2026")) == {committee.pk}
    committee_api = api_for(cast.committee_admin)
    assert ids(committee_api.get(f"/api/assessment-schemes/?organization={cast.county.pk}")) == set()
    for query in ("year=bad", "year=1800", "organization=x", "organization=0", "state=closed"):
        assert county_api.get(f"/api/assessment-schemes/?{query}").status_code == 400, query
    row = next(r for r in county_api.get("/api/assessment-schemes/").json()["results"] if r["id"] == county.pk)
    assert row == {
        "id": county.pk,
        "organization": cast.county.pk,
        "organization_name": "测试县委",
        "year": 2026,
        "title": "2026年基层党组织考核",
        "party_share": 60,
        "combine": "trimmed",
        "grading": "bands",
        "appeal_days": 7,
        "state": "frozen",
        "series": None,
        "copied_from": None,
    }


def test_a_scheme_comes_with_its_indicators_grades_rules_group_rounds_and_problems(cast: Cast) -> None:
    s = county_scheme(cast)
    url = f"/api/assessment-schemes/{s.pk}/"
    body = api_for(cast.county_admin).get(url).json()
    assert [(d["title"], d["category"]) for d in body["dimensions"]] == [
        ("Party building", "party"),
        ("Administrative and business work", "business"),
        ("Bonus and deductions", "party"),
    ]
    party = body["dimensions"][0]["indicators"]
    assert {i["method"] for i in party} == {"automatic"}
    assert sum(D(i["max_score"]) for i in party) == 60
    dues = next(i for i in party if i["source"] == "dues.collection")
    assert dues["source_label"] == "Party dues collected by month (F)"
    business = body["dimensions"][1]["indicators"]
    assert [(i["method"], i["max_score"], i["evidence_required"], i["source_label"]) for i in business] == [
        ("manual", "24.00", True, ""),
        ("manual", "16.00", False, ""),
    ]
    assert [(i["method"], i["max_score"]) for i in body["dimensions"][2]["indicators"]] == [
        ("bonus", "5.00"),
        ("deduction", "10.00"),
    ]
    assert [(g["grade"], g["floor"], g["share"]) for g in body["grades"]] == [
        ("excellent", "90.00", 20),
        ("good", "80.00", 50),
        ("fair", "60.00", None),
        ("poor", "0.00", None),
    ]
    assert [(r["key"], r["position"], r["places"], r["years"]) for r in body["consequence_rules"]] == [
        ("bottom_1", "bottom", 3, 1),
        ("bottom_2", "bottom", 3, 2),
        ("bottom_3", "bottom", 3, 3),
        ("top_3", "top", 1, 3),
    ]
    assert [(a["organization"], a["organization_name"]) for a in body["assessed"]] == [
        (cast.committee_x.pk, "城关镇党委"),
        (cast.committee_y.pk, "非公党委"),
    ]
    assert (body["rounds"], body["problems"]) == ([], [])
    r = year_end(s)
    rounds = api_for(cast.county_admin).get(url).json()["rounds"]
    assert [(x["id"], x["kind"], x["state"], x["assessing_organization_name"]) for x in rounds] == [
        (r.pk, "year_end", "scoring", "测试县委")
    ]
    empty = actions.create_scheme(cast.county, year=2027, title="空", actor=None)
    assert api_for(cast.county_admin).get(f"/api/assessment-schemes/{empty.pk}/").json()["problems"] == [
        "Add the organizations to assess."
    ]
    for user in (cast.committee_admin, cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert api_for(user).get(url).status_code == 404, user
    assert api_for(cast.county_admin).get("/api/assessment-schemes/999999/").status_code == 404
    assert api_for(cast.county_admin).delete(url).status_code == 405
    assert api_for(cast.committee_admin).delete(url).status_code == 404


def test_create_a_scheme(cast: Cast) -> None:
    data = {"organization": cast.committee_x.pk, "year": 2026, "title": " 2026年支部考核 ", "party_share": 70}
    response = post(cast.committee_admin, "/api/assessment-schemes/", {**data, "combine": "mean"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("organization", "title", "party_share", "combine", "grading", "state")} == {
        "organization": cast.committee_x.pk,
        "title": "2026年支部考核",
        "party_share": 70,
        "combine": "mean",
        "grading": "bands",
        "state": "draft",
    }
    assert "dimensions" not in body
    detail = api_for(cast.committee_admin).get(f"/api/assessment-schemes/{body['id']}/").json()
    assert detail["problems"] == ["Add the organizations to assess."]
    assert sum(D(i["max_score"]) for i in detail["dimensions"][1]["indicators"]) == 30
    assert Scheme.objects.get(pk=body["id"]).organization == cast.committee_x
    refusals = [
        (
            {"organization": cast.committee_y.pk},
            {"organization": [f'Invalid pk "{cast.committee_y.pk}" - object does not exist.']},
        ),
        ({"party_share": 101}, {"party_share": ["Ensure this value is less than or equal to 100."]}),
        ({"year": 1800}, {"year": ["Ensure this value is greater than or equal to 1949."]}),
        ({"combine": "median"}, {"combine": ['"median" is not a valid choice.']}),
        ({"appeal_days": 0}, {"appeal_days": ["Ensure this value is greater than or equal to 1."]}),
        ({"title": " "}, {"title": ["This field may not be blank."]}),
    ]
    for change, errors in refusals:
        refused = post(cast.committee_admin, "/api/assessment-schemes/", {**data, **change})
        assert refused.status_code == 400 and refused.json() == errors, change
    missing = post(cast.committee_admin, "/api/assessment-schemes/", {})
    assert missing.status_code == 400 and set(missing.json()) == {"organization", "year", "title"}
    for user in (cast.member_a, cast.instructor):
        assert post(user, "/api/assessment-schemes/", data).status_code == 403, user
    assert Scheme.objects.count() == 1


def test_copy_a_scheme_add_its_group_and_open_rounds(cast: Cast) -> None:
    s = committee_scheme(cast)
    api = api_for(cast.committee_admin)
    url = f"/api/assessment-schemes/{s.pk}/"
    # The group: organizations under the scheme's, resolved through the caller's scope.
    assert post(cast.committee_admin, url + "assessed/", {"organizations": [cast.branch_b.pk]}).json() == {
        "organizations": [f'Invalid pk "{cast.branch_b.pk}" - object does not exist.']
    }
    assert post(cast.county_admin, url + "assessed/", {"organizations": [cast.branch_b.pk]}).json() == {
        "organizations": ["Assess organizations under 城关镇党委."]
    }
    assert post(cast.committee_admin, url + "assessed/", {"organizations": [cast.committee_x.pk]}).json() == {
        "organizations": ["Assess organizations under 城关镇党委."]
    }
    assert post(cast.committee_admin, url + "assessed/", {"organizations": []}).json() == {
        "organizations": ["This list may not be empty."]
    }
    added = post(cast.committee_admin, url + "assessed/", {"organizations": [cast.branch_a.pk]})
    assert added.status_code == 200 and [a["organization"] for a in added.json()["assessed"]] == [cast.branch_a.pk]
    # Rounds: a period within the year, once per kind; the scheme freezes.
    rounds = url + "rounds/"
    period = {"kind": "mid_year", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}
    assert post(cast.committee_admin, rounds, {**period, "starts_on": "2025-12-01"}).json() == {
        "ends_on": ["The period lies within 2026."]
    }
    assert post(cast.committee_admin, rounds, {**period, "kind": "quarter"}).json() == {
        "kind": ['"quarter" is not a valid choice.']
    }
    assert post(cast.committee_admin, rounds, {"kind": "mid_year"}).json().keys() == {"starts_on", "ends_on"}
    auto = Indicator.objects.filter(dimension__scheme=s, method=Method.AUTOMATIC).first()
    assert auto is not None
    points = auto.max_score
    actions.change_indicator(auto, max_score=D(1), actor=None)
    refused = post(cast.committee_admin, rounds, period).json()
    assert list(refused) == ["non_field_errors"] and "add up to" in refused["non_field_errors"][0]
    actions.change_indicator(auto, max_score=points, actor=None)
    opened = post(cast.committee_admin, rounds, period)
    assert opened.status_code == 201, opened.content
    assert {k: opened.json()[k] for k in ("scheme", "kind", "starts_on", "ends_on", "state", "year")} == {
        "scheme": s.pk,
        "kind": "mid_year",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "state": "scoring",
        "year": 2026,
    }
    assert post(cast.committee_admin, rounds, period).json() == {"kind": ["This round is already open."]}
    assert api.get(url).json()["state"] == "frozen"
    assert post(cast.committee_admin, url + "assessed/", {"organizations": [cast.branch_a.pk]}).json() == {
        "non_field_errors": ["Scoring has started: the scheme is frozen. Copy it to change it."]
    }
    # Next year's copy, in the same series.
    assert post(cast.committee_admin, url + "copy/", {"year": 3000}).json().keys() == {"year"}
    assert post(cast.committee_admin, url + "copy/", {}).json() == {"year": ["This field is required."]}
    copy = post(cast.committee_admin, url + "copy/", {"year": 2027})
    assert copy.status_code == 201, copy.content
    body = copy.json()
    assert (body["year"], body["title"], body["state"], body["series"], body["copied_from"]) == (
        2027,
        "2027年支部考核",
        "draft",
        s.pk,
        s.pk,
    )
    assert [a["organization"] for a in body["assessed"]] == [cast.branch_a.pk] and body["rounds"] == []
    # Not the assessing side, or no assessment area: the scheme is not found.
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        for action, data in (
            ("assessed/", {"organizations": [cast.branch_a.pk]}),
            ("rounds/", period),
            ("copy/", {"year": 2028}),
        ):
            assert post(user, url + action, data).status_code == 404, (user, action)
    for action in ("assessed/", "rounds/", "copy/"):
        assert api.get(url + action).status_code == 405
        assert api_for(cast.secretary_b).get(url + action).status_code == 404
    assert Scheme.objects.count() == 2 and Round.objects.count() == 1


# --- rounds and sheets ----------------------------------------------------------------


def test_rounds_are_seen_by_the_assessing_side_and_filtered(cast: Cast) -> None:
    county = county_scheme(cast)
    end = year_end(county)
    mid = actions.open_round(
        county, kind=RoundKind.MID_YEAR, starts_on=M(2026, 1, 1), ends_on=M(2026, 6, 30), actor=None
    )
    own = year_end(committee_scheme(cast))
    earlier = year_end(county_scheme(cast, year=2025))
    everything = {end.pk, mid.pk, own.pk, earlier.pk}
    for user in (cast.county_admin, cast.inspector, cast.platform_admin):
        assert ids(api_for(user).get("/api/assessment-rounds/")) == everything, user
    # A round is its scheme's: the assessed side sees its sheets, not the round.
    assert ids(api_for(cast.committee_admin).get("/api/assessment-rounds/")) == {own.pk}
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-rounds/")) == set(), user
    for user in (cast.committee_admin, cast.secretary_a, cast.secretary_b):
        assert api_for(user).get(f"/api/assessment-rounds/{end.pk}/").status_code == 404, user
    api = api_for(cast.county_admin)
    assert ids(api.get(f"/api/assessment-rounds/?scheme={county.pk}")) == {end.pk, mid.pk}
    assert ids(api.get("/api/assessment-rounds/?year=2025")) == {earlier.pk}
    assert ids(api.get("/api/assessment-rounds/?kind=mid_year")) == {mid.pk}
    in_review(cast, own)
    assert ids(api.get("/api/assessment-rounds/?state=review")) == {own.pk}
    assert ids(api.get(f"/api/assessment-rounds/?state=scoring&scheme={county.pk}&kind=year_end")) == {end.pk}
    for query in ("scheme=x", "scheme=0", "year=99999", "state=done", "kind=quarter"):
        assert api.get(f"/api/assessment-rounds/?{query}").status_code == 400, query
    assert api.get(f"/api/assessment-rounds/{end.pk}/").json() == {
        "id": end.pk,
        "scheme": county.pk,
        "scheme_title": "2026年基层党组织考核",
        "year": 2026,
        "assessing_organization": cast.county.pk,
        "assessing_organization_name": "测试县委",
        "kind": "year_end",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "state": "scoring",
        "appeal_until": None,
        "published_on": None,
    }
    assert api.delete(f"/api/assessment-rounds/{end.pk}/").status_code == 405
    assert api_for(cast.committee_admin).delete(f"/api/assessment-rounds/{end.pk}/").status_code == 404


def expected_sheet(r: Round, org: Any) -> dict[str, Any]:
    sheets = engine.compute(r, TODAY)
    sheet = sheets[org.pk]
    return {
        "organization": org.pk,
        "organization_name": org.name,
        "party": str(sheet.total.party),
        "business": str(sheet.total.business),
        "bonus": str(sheet.total.bonus),
        "deduction": str(sheet.total.deduction),
        "total": str(sheet.total.total),
        "place": sheet.place,
        "place_from_bottom": sheet.place_from_bottom,
        "group_size": len(sheets),
    }


def test_a_rounds_sheets_live_then_stored(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    r = year_end(s)
    url = f"/api/assessment-rounds/{r.pk}/sheets/"
    first, second = manual(s)
    actions.record_score(r, organization=cast.committee_x, indicator=second, value=D(12), actor=cast.county_admin)
    actions.record_adjustment(
        r,
        organization=cast.committee_y,
        indicator=item(s, Method.DEDUCTION),
        points=D(2),
        reason="违纪",
        actor=cast.county_admin,
    )
    # While scoring: the whole group, best first, unscored lines as null.
    sheets = api_for(cast.county_admin).get(url).json()
    assert [row["organization_name"] for row in sheets] == ["城关镇党委", "非公党委"]
    x = sheets[0]
    lines = {line["indicator"]: line for line in x["lines"]}
    assert {k: lines[first.pk][k] for k in ("title", "dimension", "method", "max_score", "score", "detail")} == {
        "title": first.title,  # stored in the creator's language
        "dimension": first.dimension.title,
        "method": "manual",
        "max_score": "24.00",
        "score": None,
        "detail": {"assessors": 0},
    }
    assert (lines[second.pk]["score"], lines[second.pk]["detail"]) == ("12.00", {"assessors": 1})
    automatic = [line for line in x["lines"] if line["method"] == "automatic"]
    assert len(automatic) == 6 and all(set(line["detail"]) == {"done", "due", "rate"} for line in automatic)
    assert {k: x[k] for k in expected_sheet(r, cast.committee_x)} == expected_sheet(r, cast.committee_x)
    deduction = next(line for line in sheets[1]["lines"] if line["method"] == "deduction")
    assert (deduction["score"], deduction["detail"]) == ("2.00", {"items": 1, "raw": "2.00"})
    assert (sheets[1]["deduction"], x["grade"], x["grade_label"]) == ("2.00", "poor", "Poor")
    # Published: the stored results, the same figures as the draft of the day.
    score_all(cast, r)
    actions.open_review(r, appeal_until=TODAY, actor=None)
    draft = api_for(cast.inspector).get(url).json()
    assert [row["organization"] for row in draft] == [cast.committee_x.pk, cast.committee_y.pk]
    published(r, time_machine)
    assert api_for(cast.county_admin).get(url).json() == draft
    # Not the assessing side, or no assessment area: the round is not found.
    for user in (cast.committee_admin, cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert api_for(user).get(url).status_code == 404, user
    assert api_for(cast.county_admin).get("/api/assessment-rounds/999999/sheets/").status_code == 404
    assert api_for(cast.county_admin).post(url).status_code == 405
    assert api_for(cast.committee_admin).post(url).status_code == 404


def test_an_organization_sees_its_own_sheets_and_no_other_organization(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    mid = actions.open_round(s, kind=RoundKind.MID_YEAR, starts_on=M(2026, 1, 1), ends_on=M(2026, 6, 30), actor=None)
    score_all(cast, mid)
    actions.open_review(mid, appeal_until=TODAY, actor=None)
    appeal = actions.file_appeal(mid, organization=cast.committee_x, text="得分偏低", actor=cast.committee_admin)
    actions.file_appeal(mid, organization=cast.committee_y, text="扣分有误", actor=cast.county_admin)
    for pending in Appeal.objects.all():
        actions.decide_appeal(pending, upheld=False, response="维持", actor=None)
    published(mid, time_machine)
    end = year_end(s)
    x = s.assessed.get(organization=cast.committee_x)
    y = s.assessed.get(organization=cast.committee_y)
    own = committee_scheme(cast).assessed.get()
    # The assessing side sees the whole group; each organization its own place in it.
    assert ids(api_for(cast.county_admin).get("/api/assessment-sheets/")) == {x.pk, y.pk, own.pk}
    assert ids(api_for(cast.committee_admin).get("/api/assessment-sheets/")) == {x.pk, own.pk}
    assert ids(api_for(cast.secretary_a).get("/api/assessment-sheets/")) == {own.pk}
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-sheets/")) == set(), user
    api = api_for(cast.county_admin)
    assert ids(api.get(f"/api/assessment-sheets/?scheme={s.pk}")) == {x.pk, y.pk}
    assert ids(api.get(f"/api/assessment-sheets/?organization={cast.committee_x.pk}")) == {x.pk, own.pk}
    assert ids(api.get("/api/assessment-sheets/?year=2025")) == set()
    for query in ("scheme=x", "organization=0", "year=20000"):
        assert api.get(f"/api/assessment-sheets/?{query}").status_code == 400, query
    response = api_for(cast.committee_admin).get(f"/api/assessment-sheets/{x.pk}/")
    assert response.status_code == 200 and "非公党委" not in response.content.decode()
    body = response.json()
    assert {k: body[k] for k in body if k != "rounds"} == {
        "id": x.pk,
        "scheme": s.pk,
        "scheme_title": "2026年基层党组织考核",
        "year": 2026,
        "assessing_organization": cast.county.pk,
        "assessing_organization_name": "测试县委",
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
    }
    published_round, live_round = body["rounds"]
    assert (published_round["round"]["id"], published_round["round"]["state"]) == (mid.pk, "published")
    stored = Result.objects.get(round=mid, organization=cast.committee_x)
    assert (published_round["sheet"]["total"], published_round["sheet"]["place"]) == (str(stored.total), stored.place)
    assert published_round["sheet"]["lines"] == api.get(f"/api/assessment-results/{stored.pk}/").json()["lines"]
    assert [(a["id"], a["state"]) for a in published_round["appeals"]] == [(appeal.pk, "dismissed")]
    # The year-end round while scoring: its own live sheet.
    assert (live_round["round"]["id"], live_round["round"]["state"], live_round["appeals"]) == (end.pk, "scoring", [])
    assert {k: live_round["sheet"][k] for k in expected_sheet(end, cast.committee_x)} == expected_sheet(
        end, cast.committee_x
    )
    everyone = api.get(f"/api/assessment-sheets/{y.pk}/").json()
    assert [len(r["appeals"]) for r in everyone["rounds"]] == [1, 0]
    for user in (cast.committee_admin, cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert api_for(user).get(f"/api/assessment-sheets/{y.pk}/").status_code == 404, user
    # Nor do its lists name another organization.
    committee = api_for(cast.committee_admin)
    for url in (
        "/api/assessment-sheets/",
        "/api/assessment-rounds/",
        "/api/assessment-appeals/",
        "/api/assessment-results/",
        "/api/assessment-consequences/",
    ):
        response = committee.get(url)
        assert response.status_code == 200 and "非公党委" not in response.content.decode(), url
    assert api.delete(f"/api/assessment-sheets/{x.pk}/").status_code == 405
    assert api_for(cast.secretary_b).delete(f"/api/assessment-sheets/{x.pk}/").status_code == 404


# --- scores and items ------------------------------------------------------------------


def test_record_scores(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    r = year_end(s)
    url = f"/api/assessment-rounds/{r.pk}/scores/"
    first, second = manual(s)
    data = {"organization": cast.committee_x.pk, "indicator": first.pk, "value": "20.5", "note": "达标"}
    response = post(cast.inspector, url, {**data, "evidence": pdf()}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in body if k != "id"} == {
        "round": r.pk,
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
        "indicator": first.pk,
        "indicator_title": first.title,
        "assessor": "inspector",
        "value": "20.50",
        "note": "达标",
        "has_evidence": True,
    }
    # The assessor's new score replaces theirs and keeps the evidence.
    again = post(cast.inspector, url, {**data, "value": "21"})
    assert again.status_code == 201 and again.json()["id"] == body["id"] and again.json()["has_evidence"] is True
    other = committee_scheme(cast)
    automatic = Indicator.objects.filter(dimension__scheme=s, method=Method.AUTOMATIC).first()
    refusals = [
        ({"value": "24.01"}, {"value": ["Score between 0 and 24.00."]}),
        ({"value": "-1"}, {"value": ["Score between 0 and 24.00."]}),
        ({"value": "x"}, {"value": ["A valid number is required."]}),
        ({"organization": cast.branch_a.pk}, {"organization": ["东关村党支部 is not in the group."]}),
        ({"indicator": automatic.pk}, {"indicator": ["Choose a manual indicator of this scheme."]}),
        ({"indicator": manual(other)[0].pk}, {"indicator": ["Choose a manual indicator of this scheme."]}),
        ({"indicator": 999999}, {"indicator": ['Invalid pk "999999" - object does not exist.']}),
        ({"note": "x" * 301}, {"note": ["Ensure this field has no more than 300 characters."]}),
    ]
    for change, errors in refusals:
        refused = post(cast.county_admin, url, {**data, **change, "evidence": pdf()}, format="multipart")
        assert refused.status_code == 400 and refused.json() == errors, change
    # Evidence once per organization: the inspector's serves the county's score of X, not Y.
    assert post(cast.county_admin, url, {**data, "organization": cast.committee_y.pk}).json() == {
        "evidence": ["This indicator is scored with evidence: attach it."]
    }
    wrong = post(cast.county_admin, url, {**data, "evidence": pdf("e.exe")}, format="multipart")
    assert wrong.status_code == 400 and list(wrong.json()) == ["evidence"]
    shared = post(cast.county_admin, url, data)
    assert shared.status_code == 201 and shared.json()["has_evidence"] is False
    missing = post(cast.county_admin, url, {})
    assert missing.status_code == 400 and set(missing.json()) == {"organization", "indicator", "value"}
    plain = post(cast.county_admin, url, {**data, "indicator": second.pk, "value": "16"})
    assert plain.status_code == 201 and plain.json()["has_evidence"] is False
    # The assessed side, and those without the area, do not find the round to score.
    for user in (cast.committee_admin, cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert post(user, url, {**data, "evidence": pdf()}, format="multipart").status_code == 404, user
    assert api_for(cast.county_admin).get(url).status_code == 405
    assert api_for(cast.committee_admin).get(url).status_code == 404
    # Until publication.
    score_all(cast, r)
    actions.open_review(r, appeal_until=TODAY, actor=None)
    assert (
        post(cast.county_admin, url, {**data, "indicator": second.pk, "value": "15"}).status_code == 201
    )  # corrections
    published(r, time_machine)
    assert post(cast.county_admin, url, {**data, "indicator": second.pk, "value": "15"}).json() == {
        "non_field_errors": ["The round is published."]
    }
    assert Score.objects.filter(assessor=cast.inspector).count() == 1


def test_record_bonus_points_and_deductions(cast: Cast) -> None:
    s = county_scheme(cast)
    r = year_end(s)
    url = f"/api/assessment-rounds/{r.pk}/adjustments/"
    bonus = item(s, Method.BONUS)
    data = {"organization": cast.committee_x.pk, "indicator": bonus.pk, "points": "3", "reason": " 表彰 "}
    response = post(cast.county_admin, url, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in body if k != "id"} == {
        "round": r.pk,
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
        "indicator": bonus.pk,
        "indicator_title": "Honours and innovations",
        "points": "3.00",
        "reason": "表彰",
        "by": "county",
        "has_evidence": False,
    }
    more = post(cast.county_admin, url, {**data, "points": "4", "evidence": pdf()}, format="multipart")
    assert more.status_code == 201 and more.json()["has_evidence"] is True
    sheet = api_for(cast.county_admin).get(f"/api/assessment-rounds/{r.pk}/sheets/").json()[0]
    line = next(line for line in sheet["lines"] if line["indicator"] == bonus.pk)
    assert (line["score"], line["detail"], sheet["bonus"]) == ("5.00", {"items": 2, "raw": "7.00"}, "5.00")  # cap
    refusals = [
        ({"points": "0"}, {"points": ["Give the points (more than 0)."]}),
        ({"reason": " "}, {"reason": ["Say why."]}),
        ({"indicator": manual(s)[0].pk}, {"indicator": ["Choose a bonus or deduction item of this scheme."]}),
        ({"organization": cast.county.pk}, {"organization": ["测试县委 is not in the group."]}),
    ]
    for change, errors in refusals:
        refused = post(cast.county_admin, url, {**data, **change})
        assert refused.status_code == 400 and refused.json() == errors, change
    for user in (cast.committee_admin, cast.secretary_b, cast.member_a, cast.instructor):
        assert post(user, url, data).status_code == 404, user
    assert api_for(cast.county_admin).get(url).status_code == 405
    assert r.adjustments.count() == 2


# --- review, appeals, publication -------------------------------------------------------


def test_review_appeals_decisions_and_publication(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    r = year_end(s)
    base = f"/api/assessment-rounds/{r.pk}/"
    assert post(cast.county_admin, base + "review/", {"appeal_until": "2026-12-25"}).json() == {
        "non_field_errors": ["Not every manual indicator is scored yet for: 城关镇党委、非公党委."]
    }
    score_all(cast, r)
    appeal = {"organization": cast.committee_x.pk, "text": "业务得分偏低"}
    assert post(cast.committee_admin, base + "appeals/", appeal).json() == {
        "non_field_errors": ["Appeals are not open for this round."]
    }
    assert post(cast.county_admin, base + "review/", {"appeal_until": "2026-12-19"}).json() == {
        "appeal_until": ["Appeals are open until today or later."]
    }
    assert post(cast.county_admin, base + "review/", {"appeal_until": "soon"}).json() == {"appeal_until": [DATE_FORMAT]}
    assert post(cast.committee_admin, base + "review/", {"appeal_until": "2026-12-22"}).status_code == 404
    review = post(cast.county_admin, base + "review/", {"appeal_until": "2026-12-22"})
    assert review.status_code == 200, review.content
    assert (review.json()["state"], review.json()["appeal_until"]) == ("review", "2026-12-22")
    assert post(cast.county_admin, base + "review/", {"appeal_until": "2026-12-22"}).json() == {
        "non_field_errors": ["The round is not being scored."]
    }
    # Appeals by the assessed side, for its own organization.
    first = manual(s)[0]
    filed = post(cast.committee_admin, base + "appeals/", {**appeal, "indicator": first.pk})
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert {k: body[k] for k in body if k != "id"} == {
        "round": r.pk,
        "scheme_title": "2026年基层党组织考核",
        "year": 2026,
        "kind": "year_end",
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
        "indicator": first.pk,
        "indicator_title": first.title,
        "text": "业务得分偏低",
        "filed_on": "2026-12-20",
        "state": "pending",
        "response": "",
        "decided_on": None,
    }
    other = manual(committee_scheme(cast))[0]
    refusals = [
        (
            {"organization": cast.committee_y.pk},
            {"organization": [f'Invalid pk "{cast.committee_y.pk}" - object does not exist.']},
        ),
        ({"organization": cast.branch_a.pk}, {"organization": ["东关村党支部 is not in the group."]}),
        ({"indicator": other.pk}, {"indicator": [f'Invalid pk "{other.pk}" - object does not exist.']}),
        ({"text": " "}, {"text": ["Give the grounds of the appeal."]}),
    ]
    for change, errors in refusals:
        refused = post(cast.committee_admin, base + "appeals/", {**appeal, **change})
        assert refused.status_code == 400 and refused.json() == errors, change
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert post(user, base + "appeals/", appeal).status_code == 404, user
    whole = post(cast.county_admin, base + "appeals/", {"organization": cast.committee_y.pk, "text": "代为申诉"})
    assert whole.status_code == 201 and whole.json()["indicator"] is None
    # Appeals are seen by the appealing organization and the assessing side.
    x_appeal, y_appeal = body["id"], whole.json()["id"]
    assert ids(api_for(cast.committee_admin).get("/api/assessment-appeals/")) == {x_appeal}
    assert ids(api_for(cast.county_admin).get("/api/assessment-appeals/")) == {x_appeal, y_appeal}
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-appeals/")) == set(), user
    assert api_for(cast.committee_admin).get(f"/api/assessment-appeals/{y_appeal}/").status_code == 404
    # Publication waits for the window and the decisions.
    assert post(cast.county_admin, base + "publish/").json() == {
        "non_field_errors": ["Appeals are open until 2026-12-22."]
    }
    time_machine.move_to(dt.datetime(2026, 12, 23, 2, 0, tzinfo=dt.UTC), tick=False)
    assert post(cast.committee_admin, base + "appeals/", appeal).json() == {
        "non_field_errors": ["Appeals are not open for this round."]
    }
    assert post(cast.county_admin, base + "publish/").json() == {
        "non_field_errors": ["Decide the pending appeals first."]
    }
    decide = f"/api/assessment-appeals/{x_appeal}/decide/"
    assert post(cast.committee_admin, decide, {"upheld": True, "response": "x"}).status_code == 404  # not its side
    assert post(cast.county_admin, decide, {"upheld": True}).json() == {"response": ["Give the reasons."]}
    assert post(cast.county_admin, decide, {"response": "x"}).json() == {"upheld": ["This field is required."]}
    decided = post(cast.county_admin, decide, {"upheld": True, "response": " 复核后调整 "})
    assert decided.status_code == 200, decided.content
    assert {k: decided.json()[k] for k in ("state", "response", "decided_on")} == {
        "state": "upheld",
        "response": "复核后调整",
        "decided_on": "2026-12-23",
    }
    assert post(cast.county_admin, decide, {"upheld": False, "response": "x"}).json() == {
        "non_field_errors": ["The appeal is already decided."]
    }
    assert (
        post(
            cast.county_admin, f"/api/assessment-appeals/{y_appeal}/decide/", {"upheld": False, "response": "维持"}
        ).json()["state"]
        == "dismissed"
    )
    api = api_for(cast.county_admin)
    assert ids(api.get("/api/assessment-appeals/?state=upheld")) == {x_appeal}
    assert ids(api.get(f"/api/assessment-appeals/?round={r.pk}&state=dismissed")) == {y_appeal}
    assert ids(api.get("/api/assessment-appeals/?round=999999")) == set()
    for query in ("round=x", "state=open"):
        assert api.get(f"/api/assessment-appeals/?{query}").status_code == 400, query
    assert post(cast.committee_admin, base + "publish/").status_code == 404
    done = post(cast.county_admin, base + "publish/")
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["published_on"]) == ("published", "2026-12-23")
    assert Result.objects.filter(round=r).count() == 2
    assert post(cast.county_admin, base + "publish/").json() == {
        "non_field_errors": ["Publish after the draft results were open for appeals."]
    }
    assert post(
        cast.county_admin, f"/api/assessment-appeals/{y_appeal}/decide/", {"upheld": True, "response": "x"}
    ).json() == {"non_field_errors": ["The appeal is already decided."]}
    for action in ("review/", "publish/", "appeals/"):
        assert api.get(base + action).status_code == 405
        assert api_for(cast.secretary_b).get(base + action).status_code == 404
    assert api.get(decide).status_code == 405
    assert api_for(cast.secretary_b).get(decide).status_code == 404


# --- results and consequences ------------------------------------------------------------


def test_results_are_seen_in_scope_with_their_breakdown(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    r = in_review(cast, year_end(s))
    actions.record_adjustment(
        r,
        organization=cast.committee_y,
        indicator=item(s, Method.DEDUCTION),
        points=D(2),
        reason="违纪",
        actor=cast.county_admin,
    )
    draft = {
        row["organization"]: row
        for row in api_for(cast.county_admin).get(f"/api/assessment-rounds/{r.pk}/sheets/").json()
    }
    published(r, time_machine)
    own = year_end(committee_scheme(cast))
    published(in_review(cast, own), time_machine)
    x = Result.objects.get(round=r, organization=cast.committee_x)
    y = Result.objects.get(round=r, organization=cast.committee_y)
    a = Result.objects.get(round=own)
    assert ids(api_for(cast.county_admin).get("/api/assessment-results/")) == {x.pk, y.pk, a.pk}
    assert ids(api_for(cast.committee_admin).get("/api/assessment-results/")) == {x.pk, a.pk}
    assert ids(api_for(cast.secretary_a).get("/api/assessment-results/")) == {a.pk}
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-results/")) == set(), user
    api = api_for(cast.county_admin)
    assert ids(api.get(f"/api/assessment-results/?round={r.pk}")) == {x.pk, y.pk}
    assert ids(api.get(f"/api/assessment-results/?organization={cast.committee_x.pk}")) == {x.pk, a.pk}
    assert ids(api.get("/api/assessment-results/?year=2025")) == set()
    for query in ("round=x", "organization=x", "year=1"):
        assert api.get(f"/api/assessment-results/?{query}").status_code == 400, query
    row = next(row for row in api.get("/api/assessment-results/").json()["results"] if row["id"] == y.pk)
    assert row == {
        "id": y.pk,
        "round": r.pk,
        "scheme": s.pk,
        "scheme_title": "2026年基层党组织考核",
        "year": 2026,
        "kind": "year_end",
        "published_on": "2026-12-21",
        "organization": cast.committee_y.pk,
        "organization_name": "非公党委",
        "party": draft[cast.committee_y.pk]["party"],
        "business": draft[cast.committee_y.pk]["business"],
        "bonus": "0.00",
        "deduction": "2.00",
        "total": draft[cast.committee_y.pk]["total"],
        "place": 2,
        "place_from_bottom": 1,
        "group_size": 2,
        "grade": draft[cast.committee_y.pk]["grade"],
        "grade_label": draft[cast.committee_y.pk]["grade_label"],
    }
    detail = api_for(cast.committee_admin).get(f"/api/assessment-results/{x.pk}/").json()
    assert detail["lines"] == draft[cast.committee_x.pk]["lines"]
    assert api_for(cast.committee_admin).get(f"/api/assessment-results/{y.pk}/").status_code == 404
    assert api_for(cast.secretary_a).get(f"/api/assessment-results/{x.pk}/").status_code == 404
    assert api.delete(f"/api/assessment-results/{x.pk}/").status_code == 405


def test_consequences_and_their_follow_up(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    s.consequence_rules.update(min_group=2, places=1)  # a group of two: the last one
    r = in_review(cast, year_end(s))
    actions.record_adjustment(
        r,
        organization=cast.committee_x,
        indicator=item(s, Method.DEDUCTION),
        points=D(5),
        reason="x",
        actor=cast.county_admin,
    )
    published(r, time_machine)
    c = Consequence.objects.get()
    assert (c.organization, c.rule) == (cast.committee_x, "bottom_1")
    for user in (cast.county_admin, cast.inspector, cast.committee_admin):
        assert ids(api_for(user).get("/api/assessment-consequences/")) == {c.pk}, user
    for user in (cast.secretary_a, cast.secretary_b, cast.member_a, cast.instructor):
        assert ids(api_for(user).get("/api/assessment-consequences/")) == set(), user
    api = api_for(cast.county_admin)
    assert ids(api.get("/api/assessment-consequences/?year=2026&state=open")) == {c.pk}
    assert ids(api.get("/api/assessment-consequences/?state=done")) == set()
    assert ids(api.get(f"/api/assessment-consequences/?organization={cast.committee_y.pk}")) == set()
    for query in ("year=x", "state=closed", "organization=x"):
        assert api.get(f"/api/assessment-consequences/?{query}").status_code == 400, query
    url = f"/api/assessment-consequences/{c.pk}/follow-up/"
    assert post(cast.county_admin, url, {"note": " "}).json() == {"note": ["Say what was done, or why."]}
    assert post(cast.county_admin, url, {"note": "x", "done_on": "2026-12-21"}).json() == {
        "done_on": ["The date is in the future."]
    }
    assert post(cast.county_admin, url, {"note": "x", "done_on": "x"}).json() == {"done_on": [DATE_FORMAT]}
    # The organization it concerns sees it but does not record its own follow-up.
    assert post(cast.committee_admin, url, {"note": "已谈话"}).status_code == 404
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert post(user, url, {"note": "x"}).status_code == 404, user
    done = post(cast.county_admin, url, {"note": " 已约谈 "})
    assert done.status_code == 200, done.content
    assert done.json() == {
        "id": c.pk,
        "round": r.pk,
        "scheme_title": "2026年基层党组织考核",
        "year": 2026,
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
        "rule": "bottom_1",
        "measure": "Admonishment talk with the principal party and administrative leaders",
        "years": [2026],
        "state": "done",
        "done_on": "2026-12-20",
        "done_by": "county",
        "note": "已约谈",
    }
    assert post(cast.county_admin, url, {"note": "x"}).json() == {"non_field_errors": ["Already done."]}
    assert api_for(cast.committee_admin).get(f"/api/assessment-consequences/{c.pk}/").json()["state"] == "done"
    assert api.get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404


def test_a_member_sees_nothing(cast: Cast, time_machine: Any) -> None:
    s = county_scheme(cast)
    s.consequence_rules.update(min_group=2)
    r = in_review(cast, year_end(s))
    appeal = actions.file_appeal(r, organization=cast.committee_x, text="x", actor=None)
    actions.decide_appeal(appeal, upheld=False, response="x", actor=None)
    published(r, time_machine)
    member = api_for(cast.member_a)
    for url in (
        "/api/assessment-schemes/",
        "/api/assessment-rounds/",
        "/api/assessment-sheets/",
        "/api/assessment-appeals/",
        "/api/assessment-results/",
        "/api/assessment-consequences/",
    ):
        assert ids(member.get(url)) == set(), url
    for url in (
        f"/api/assessment-schemes/{s.pk}/",
        f"/api/assessment-rounds/{r.pk}/",
        f"/api/assessment-rounds/{r.pk}/sheets/",
        f"/api/assessment-sheets/{s.assessed.get(organization=cast.committee_x).pk}/",
        f"/api/assessment-appeals/{appeal.pk}/",
        f"/api/assessment-results/{Result.objects.first().pk}/",  # type: ignore[union-attr]
        f"/api/assessment-consequences/{Consequence.objects.first().pk}/",  # type: ignore[union-attr]
    ):
        assert member.get(url).status_code == 404, url
    data = {"organization": cast.branch_a.pk, "year": 2026, "title": "x"}
    assert member.post("/api/assessment-schemes/", data, format="json").status_code == 403
    appeal_data = {"organization": cast.branch_a.pk, "text": "x"}
    assert member.post(f"/api/assessment-rounds/{r.pk}/appeals/", appeal_data, format="json").status_code == 404


# --- query counts and schema ----------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast, time_machine: Any) -> None:
    first = county_scheme(cast)
    first.consequence_rules.update(min_group=2)
    api = api_for(cast.county_admin)

    def more(n: int) -> Round:
        s = actions.copy_scheme(first, year=2026 - n, actor=None)
        r = in_review(cast, year_end(s))
        appeal = actions.file_appeal(r, organization=cast.committee_x, text=f"申诉{n}", actor=None)
        actions.decide_appeal(appeal, upheld=False, response="维持", actor=None)
        return published(r, time_machine)

    r = more(1)
    live = year_end(first)
    urls = [
        "/api/assessment-schemes/",
        "/api/assessment-rounds/",
        "/api/assessment-appeals/",
        "/api/assessment-results/",
        "/api/assessment-consequences/",
        "/api/assessment-sheets/",
        f"/api/assessment-schemes/{first.pk}/",
        f"/api/assessment-rounds/{r.pk}/sheets/",
        f"/api/assessment-rounds/{live.pk}/sheets/",
        f"/api/assessment-sheets/{first.assessed.first().pk}/",  # type: ignore[union-attr]
    ]
    before = {url: _queries(api, url) for url in urls}
    more(2)
    more(3)
    assert {url: _queries(api, url) for url in urls} == before
    assert Result.objects.count() == 6 and Consequence.objects.count() >= 3
    # A larger group costs the same queries as a smaller one.
    small = actions.create_scheme(cast.county, year=2026, title="小", party_share=60, actor=None)
    actions.add_assessed(small, [cast.committee_x], actor=None)
    large = actions.create_scheme(cast.county, year=2026, title="大", party_share=60, actor=None)
    orgs = [cast.committee_x, cast.committee_y, cast.branch_a, cast.branch_b]
    actions.add_assessed(large, orgs, actor=None)
    small_round, large_round = year_end(small), year_end(large)
    assert _queries(api, f"/api/assessment-rounds/{small_round.pk}/sheets/") == _queries(
        api, f"/api/assessment-rounds/{large_round.pk}/sheets/"
    )
    assert _queries(api, f"/api/assessment-sheets/{small.assessed.get().pk}/") == _queries(
        api,
        f"/api/assessment-sheets/{large.assessed.first().pk}/",  # type: ignore[union-attr]
    )


def test_schema_describes_assessment(db: Any) -> None:
    """What ``manage.py spectacular --fail-on-warn --validate`` checks, and the paths."""
    schema, warnings = openapi_schema()
    assert not warnings, warnings
    paths = schema["paths"]
    for path in (
        "/api/assessment-schemes/",
        "/api/assessment-schemes/{id}/",
        "/api/assessment-schemes/{id}/copy/",
        "/api/assessment-schemes/{id}/assessed/",
        "/api/assessment-schemes/{id}/rounds/",
        "/api/assessment-rounds/",
        "/api/assessment-rounds/{id}/",
        "/api/assessment-rounds/{id}/sheets/",
        "/api/assessment-rounds/{id}/scores/",
        "/api/assessment-rounds/{id}/adjustments/",
        "/api/assessment-rounds/{id}/review/",
        "/api/assessment-rounds/{id}/publish/",
        "/api/assessment-rounds/{id}/appeals/",
        "/api/assessment-sheets/",
        "/api/assessment-sheets/{id}/",
        "/api/assessment-appeals/",
        "/api/assessment-appeals/{id}/",
        "/api/assessment-appeals/{id}/decide/",
        "/api/assessment-results/",
        "/api/assessment-results/{id}/",
        "/api/assessment-consequences/",
        "/api/assessment-consequences/{id}/",
        "/api/assessment-consequences/{id}/follow-up/",
    ):
        assert path in paths, path
    assert {p["name"] for p in paths["/api/assessment-rounds/"]["get"]["parameters"]} >= {
        "scheme",
        "year",
        "state",
        "kind",
    }
    sheets = paths["/api/assessment-rounds/{id}/sheets/"]["get"]
    assert [p["name"] for p in sheets["parameters"]] == ["id"]  # neither filtered nor paginated
    assert sheets["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "multipart/form-data" in paths["/api/assessment-rounds/{id}/scores/"]["post"]["requestBody"]["content"]
    detail = schema["components"]["schemas"]["SchemeDetail"]["properties"]
    assert {"dimensions", "grades", "consequence_rules", "assessed", "rounds", "problems"} <= set(detail)


# --- problems found ---------------------------------------------------------------------


def test_the_last_day_of_the_appeal_window_is_not_cut_short(cast: Cast) -> None:
    r = in_review(cast, year_end(county_scheme(cast)), until=TODAY)
    with pytest.raises(ValidationError):
        actions.publish(r, actor=cast.county_admin)
    actions.file_appeal(r, organization=cast.committee_x, text="最后一天申诉", actor=cast.committee_admin)
    assert Round.objects.get(pk=r.pk).state == RoundState.REVIEW
