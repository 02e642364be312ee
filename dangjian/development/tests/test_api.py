"""The development API (/api/candidates/ and its ``steps/``): scoped like the pages, the
same action and rules (D1-D25) as the forms, rule problems as JSON by rule id, overrides
by administrators only, ID numbers masked for roles without the right, and a schema that
still generates without warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, api_for, ids, make_id_number, make_member, make_org, openapi_schema
from dangjian.development.choices import Stage, StepKind
from dangjian.development.models import Candidate, Step
from dangjian.development.testing import committee_post, general_meeting, new_candidate, schedule_date, walk
from dangjian.members.choices import Gender, PartyPost
from dangjian.orglife.models import Vote
from dangjian.orgs.choices import OrgKind, Sector

TODAY = dt.date(2026, 11, 23)
APPLIED = dt.date(2023, 12, 1)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture(autouse=True)
def committees(cast: Cast) -> None:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    committee_post(cast.members_b[0], cast.branch_b, dt.date(2020, 1, 1))


@pytest.fixture
def api(cast: Cast) -> APIClient:
    return api_for(cast.secretary_a)


@pytest.fixture
def applicant(cast: Cast) -> Candidate:
    """Branch A: applied on 2026-03-01, talk on 2026-03-11; activist possible from
    2026-09-01 (D4)."""
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    return walk(candidate, cast.secretary_a, until=StepKind.TALK)


@pytest.fixture
def other(cast: Cast) -> Candidate:
    """Branch B: applied on 2026-09-01, talk overdue (D2)."""
    return new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_b)


def steps_url(candidate: Candidate) -> str:
    return f"/api/candidates/{candidate.pk}/steps/"


# --- Candidates ------------------------------------------------------------------------------


def test_list_and_filter_candidates_in_scope(
    cast: Cast, api: APIClient, applicant: Candidate, other: Candidate
) -> None:
    late = new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    assert ids(api.get("/api/candidates/")) == {applicant.pk, late.pk}
    assert ids(api.get("/api/candidates/?due=overdue")) == {late.pk}
    assert ids(api.get("/api/candidates/?next_kind=s03")) == {applicant.pk}
    assert ids(api.get("/api/candidates/?q=lin")) == {late.pk}  # by pinyin
    assert ids(api_for(cast.secretary_b).get("/api/candidates/")) == {other.pk}
    assert ids(api_for(cast.instructor).get("/api/candidates/")) == {other.pk}
    county = api_for(cast.county_admin)
    assert ids(county.get("/api/candidates/")) == {applicant.pk, late.pk, other.pk}
    assert ids(county.get(f"/api/candidates/?within={cast.committee_y.pk}")) == {other.pk}
    assert ids(county.get("/api/candidates/?due=overdue")) == {late.pk, other.pk}
    assert ids(api_for(cast.member_a).get("/api/candidates/")) == set()
    row = next(r for r in api.get("/api/candidates/").json()["results"] if r["id"] == late.pk)
    assert (row["organization_name"], row["stage"], row["next_kind"], row["due_on"], row["due_rule"]) == (
        "东关村党支部",
        "applicant",
        "s02",
        "2026-10-01",
        "D2",
    )
    assert "id_number" not in row and "phone" not in row


def test_retrieve_is_scoped_and_masks_the_id_number(cast: Cast, api: APIClient, other: Candidate) -> None:
    url = f"/api/candidates/{other.pk}/"
    assert api.get(url).status_code == 404
    assert api_for(cast.member_a).get(url).status_code == 404
    assert api_for(cast.secretary_b).get(url).json()["id_number_display"] == other.id_number
    assert api_for(cast.county_admin).get(url).json()["id_number_display"] == other.id_number
    for user in (cast.instructor, cast.inspector):
        shown = api_for(user).get(url).json()["id_number_display"]
        assert shown == "*" * 14 + other.id_number[-4:] and shown != other.id_number, user


def payload(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": cast.branch_a.pk,
        "name": "林小红",
        "id_number": make_id_number(dt.date(2001, 3, 4), Gender.FEMALE),
        "workplace": "东关村小学",
        "phone": "13912345678",
        "applied_on": "2026-11-20",
    }
    data.update(overrides)
    return data


def test_create_a_candidate_through_the_action(cast: Cast, api: APIClient) -> None:
    missing = api.post("/api/candidates/", {k: v for k, v in payload(cast).items() if k != "applied_on"}, format="json")
    assert missing.status_code == 400 and "applied_on" in missing.json()
    assert not Candidate.objects.exists()

    data = payload(cast)
    response = api.post("/api/candidates/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    candidate = Candidate.objects.get()
    assert body["id"] == candidate.pk
    assert (body["stage"], body["reached"], body["next_kind"], body["due_on"]) == ("applicant", 1, "s02", "2026-12-20")
    assert body["birth_date"] == "2001-03-04" and body["gender"] == Gender.FEMALE  # from the ID number
    assert body["id_number_display"] == data["id_number"]
    assert "id_number" not in body and "applied_on" not in body and "phone" not in body
    assert candidate.steps.get().on == dt.date(2026, 11, 20)
    assert AuditEntry.objects.for_object(candidate).filter(action="create").exists()
    # The same person again while in the procedure is refused.
    again = api.post("/api/candidates/", data, format="json")
    assert again.status_code == 400 and "already in the procedure" in str(again.json())
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "key", "message"),
    [
        ("under_18", "non_field_errors", "the minimum age is 18 full years (D1)"),
        ("bad_id", "id_number", "should be"),
        ("member", "id_number", "This person is already a party member."),
        ("future", "non_field_errors", "The date is in the future."),
    ],
)
def test_create_refuses_bad_input(cast: Cast, api: APIClient, case: str, key: str, message: str) -> None:
    data = payload(cast)
    if case == "under_18":
        data["id_number"] = make_id_number(dt.date(2010, 6, 1), Gender.FEMALE)
    elif case == "bad_id":
        good = data["id_number"]
        data["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    elif case == "member":
        data["id_number"] = cast.members_a[1].id_number
    else:
        data["applied_on"] = "2026-12-01"
    response = api.post("/api/candidates/", data, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[key]), response.json()
    assert not Candidate.objects.exists() and not Step.objects.exists()


def test_create_out_of_scope_is_refused_without_naming_the_organization(cast: Cast, api: APIClient) -> None:
    for org in (cast.branch_b, cast.committee_y):
        response = api.post("/api/candidates/", payload(cast, organization=org.pk), format="json")
        assert response.status_code == 400 and "organization" in response.json(), response.json()
        assert org.name not in response.content.decode()
    assert api_for(cast.member_a).post("/api/candidates/", payload(cast), format="json").status_code == 403
    assert api_for(cast.inspector).post("/api/candidates/", payload(cast), format="json").status_code == 403
    assert not Candidate.objects.exists()


def test_update_personal_data(cast: Cast, api: APIClient, applicant: Candidate, other: Candidate) -> None:
    response = api.patch(f"/api/candidates/{applicant.pk}/", {"workplace": "县第一中学"}, format="json")
    assert response.status_code == 200, response.json()
    applicant.refresh_from_db()
    assert applicant.workplace == "县第一中学"
    moved = api.patch(f"/api/candidates/{applicant.pk}/", {"organization": cast.branch_b.pk}, format="json")
    assert moved.status_code == 400
    assert api.patch(f"/api/candidates/{other.pk}/", {"workplace": "越权"}, format="json").status_code == 404
    assert api_for(cast.inspector).patch(f"/api/candidates/{applicant.pk}/", {"note": "x"}).status_code == 404


# --- Steps -----------------------------------------------------------------------------------


def test_list_steps_in_order(cast: Cast, api: APIClient, applicant: Candidate) -> None:
    response = api.get(steps_url(applicant))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["kind"], r["on"]) for r in rows] == [("s01", "2026-03-01"), ("s02", "2026-03-11")]
    assert rows[1]["people"] == [cast.members_a[0].pk] and rows[1]["body"] == "branch"
    assert api_for(cast.secretary_b).get(steps_url(applicant)).status_code == 404
    assert api_for(cast.member_a).get(steps_url(applicant)).status_code == 404
    assert api_for(cast.inspector).get(steps_url(applicant)).status_code == 200


def test_post_a_valid_step(cast: Cast, api: APIClient, applicant: Candidate) -> None:
    response = api.post(
        steps_url(applicant),
        {"kind": "s03", "on": "2026-09-01", "body": "general_meeting", "recommendation": "members"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["on"], body["candidate"], body["overridden_problems"]) == (
        "s03",
        "2026-09-01",
        applicant.pk,
        [],
    )
    applicant.refresh_from_db()
    assert applicant.stage == Stage.ACTIVIST
    assert "overridden_by" in body and body["overridden_by"] is None


def test_a_rule_violation_answers_400_with_the_problems(cast: Cast, api: APIClient, applicant: Candidate) -> None:
    response = api.post(
        steps_url(applicant),
        {"kind": "s03", "on": "2026-05-01", "body": "general_meeting", "recommendation": "members"},
        format="json",
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [p["rule"] for p in problems] == ["D4"]
    assert "on 2026-09-01 (D4)" in problems[0]["message"]
    # Several rules at once: too early (D4) and out of order (D).
    response = api.post(steps_url(applicant), {"kind": "s05", "on": "2026-05-01"}, format="json")
    assert response.status_code == 400
    assert {p["rule"] for p in response.json()["problems"]} >= {"D"}
    missing_date = api.post(steps_url(applicant), {"kind": "s03"}, format="json")
    assert missing_date.status_code == 400 and "on" in missing_date.json()
    bad_kind = api.post(steps_url(applicant), {"kind": "s99", "on": "2026-09-01"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    assert applicant.steps.count() == 2


def test_override_by_an_administrator_only(cast: Cast, api: APIClient, applicant: Candidate) -> None:
    early = {
        "kind": "s03",
        "on": "2026-05-01",
        "body": "general_meeting",
        "recommendation": "members",
        "override_reason": "县委组织部批准",
    }
    refused = api.post(steps_url(applicant), early, format="json")
    assert refused.status_code == 403
    assert "Only an administrator" in str(refused.json())
    assert not applicant.steps.filter(kind=StepKind.ACTIVIST).exists()
    assert api_for(cast.inspector).post(steps_url(applicant), early, format="json").status_code == 404

    response = api_for(cast.committee_admin).post(steps_url(applicant), early, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["rule"] for p in body["overridden_problems"]] == ["D4"]
    assert (body["override_reason"], body["overridden_by"]) == ("县委组织部批准", cast.committee_admin.pk)
    step = applicant.steps.get(kind=StepKind.ACTIVIST)
    assert step.overridden_by == cast.committee_admin
    assert AuditEntry.objects.for_object(step).get().note == "县委组织部批准"


def test_steps_out_of_scope_are_not_found(cast: Cast, applicant: Candidate, other: Candidate) -> None:
    talk = {"kind": "s02", "on": "2026-09-10", "body": "branch", "people": [cast.members_b[0].pk]}
    for user in (cast.secretary_a, cast.member_a, cast.inspector):
        assert api_for(user).post(steps_url(other), talk, format="json").status_code == 404, user
    assert not other.steps.filter(kind=StepKind.TALK).exists()
    # People and meetings out of scope are refused as unknown.
    a_talk = {"kind": "s03", "on": "2026-09-01", "body": "general_meeting", "recommendation": "members"}
    response = api_for(cast.secretary_b).post(steps_url(other), {**talk, "people": [cast.members_a[0].pk]})
    assert response.status_code == 400 and "people" in response.json()
    assert api_for(cast.secretary_b).post(steps_url(applicant), a_talk, format="json").status_code == 404
    response = api_for(cast.secretary_b).post(steps_url(other), talk, format="json")
    assert response.status_code == 201, response.json()


def test_a_talk_held_by_the_township_committee(cast: Cast, api: APIClient) -> None:
    """As in the form: a member of the committee above may hold the talk (D2), though
    their member record is outside the branch secretary's scope."""
    office = make_org("镇机关党支部", OrgKind.BRANCH, Sector.GOVERNMENT_ORGAN, cast.committee_x)
    deputy = make_member(office, "钟书记")
    committee_post(deputy, cast.committee_x, dt.date(2020, 1, 1), PartyPost.DEPUTY_SECRETARY)
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    talk = {"kind": "s02", "on": "2026-03-11", "body": "branch", "people": [deputy.pk]}
    response = api.post(steps_url(candidate), talk, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["people"] == [deputy.pk]
    # A member of another subtree is still unknown.
    other = new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    response = api.post(steps_url(other), {**talk, "people": [cast.members_b[0].pk]}, format="json")
    assert response.status_code == 400 and "people" in response.json()
    assert "钱七" not in response.content.decode()


def test_a_vote_through_the_api(cast: Cast, api: APIClient) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.APPLICATION_FORM)
    meeting = general_meeting(cast.branch_a, schedule_date(APPLIED, 16), cast.secretary_a)
    no_meeting = api.post(steps_url(candidate), {"kind": "s15", "on": "2025-09-01", "votes_for": 4}, format="json")
    assert no_meeting.status_code == 400 and "event" in no_meeting.json()
    vote = {"kind": "s15", "event": meeting.pk, "body": "general_meeting"}
    no_counts = api.post(steps_url(candidate), vote, format="json")
    assert no_counts.status_code == 400 and "votes_for" in no_counts.json()
    lost = api.post(steps_url(candidate), {**vote, "votes_for": 2, "votes_against": 2}, format="json")
    assert lost.status_code == 400
    assert {p["rule"] for p in lost.json()["problems"]} == {"D14"}
    assert not Vote.objects.exists()
    other_meeting = general_meeting(cast.branch_b, schedule_date(APPLIED, 16), cast.secretary_b)
    outside = api.post(steps_url(candidate), {**vote, "event": other_meeting.pk, "votes_for": 4}, format="json")
    assert outside.status_code == 400 and "event" in outside.json()

    response = api.post(steps_url(candidate), {**vote, "votes_for": 3, "votes_against": 1}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["on"], body["event"], body["vote_passed"]) == (meeting.held_on.isoformat(), meeting.pk, True)
    assert Vote.objects.get().pk == body["vote"]
    listed = api.get(steps_url(candidate)).json()
    assert listed[-1]["vote_passed"] is True and listed[0]["vote_passed"] is None


def test_the_approval_is_given_by_a_committee_above_the_branch(cast: Cast, api: APIClient) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.APPROVAL_TALK)
    approval = {"kind": "s17", "on": schedule_date(APPLIED, 18).isoformat(), "body": "higher_committee"}
    # Committee Y is a party committee, but not the one above branch A (D16).
    wrong = api.post(steps_url(candidate), {**approval, "decided_by": cast.committee_y.pk}, format="json")
    assert wrong.status_code == 400 and "decided_by" in wrong.json(), wrong.json()
    itself = api.post(steps_url(candidate), {**approval, "decided_by": cast.branch_a.pk}, format="json")
    assert itself.status_code == 400 and "decided_by" in itself.json()
    assert not candidate.steps.filter(kind=StepKind.ADMISSION_APPROVAL).exists()
    candidate.refresh_from_db()
    assert candidate.member is None
    # Without one, the nearest committee that may approve is taken (committee X).
    response = api.post(steps_url(candidate), approval, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["decided_by"] == cast.committee_x.pk
    candidate.refresh_from_db()
    assert candidate.stage == Stage.PROBATIONARY and candidate.member is not None


def test_unauthenticated_calls_are_refused(applicant: Candidate) -> None:
    anonymous = APIClient()
    assert anonymous.get("/api/candidates/").status_code == 401
    assert anonymous.get(steps_url(applicant)).status_code == 401
    assert anonymous.post(steps_url(applicant), {"kind": "s03", "on": "2026-09-01"}).status_code == 401


# --- Schema ----------------------------------------------------------------------------------


def test_schema_describes_candidates_and_steps(cast: Cast) -> None:
    response = api_for(cast.secretary_a).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/candidates/", "/api/candidates/{id}/", "/api/candidates/{id}/steps/"):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/candidates/{id}/steps/"])
    params = {p["name"] for p in paths["/api/candidates/"]["get"]["parameters"]}
    assert {"stage", "due", "admitted_in", "within", "q"} <= params
    post = paths["/api/candidates/{id}/steps/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = response.json()["components"]["schemas"][post["$ref"].rsplit("/", 1)[-1]]
    assert {"kind", "override_reason", "votes_for", "event"} <= set(schema["properties"])


def test_schema_passes_fail_on_warn(db: Any) -> None:
    """What ``manage.py spectacular --fail-on-warn --validate`` checks."""
    schema, warnings = openapi_schema()
    assert not warnings, warnings
    assert "/api/candidates/{id}/steps/" in schema["paths"]
