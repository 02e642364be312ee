"""The REST API: same filters, same rules and the same scope as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, make_id_number
from dangjian.members.models import Member


@pytest.fixture
def api(cast: Cast) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(cast.secretary_a)
    return client


def payload(cast: Cast, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": cast.branch_a.pk,
        "name": "黄忠",
        "id_number": make_id_number(dt.date(1970, 6, 6)),
        "status": "full",
        "joined_on": "1995-07-01",
        "full_on": "1996-07-01",
    }
    data.update(overrides)
    return data


def test_create_member_runs_the_same_rules(cast: Cast, api: APIClient) -> None:
    good = payload(cast)
    number = str(good["id_number"])
    bad = dict(good, id_number=number[:-1] + ("0" if number[-1] != "0" else "1"))  # a wrong check character
    response = api.post("/api/members/", bad, format="json")
    assert response.status_code == 400 and "check character" in str(response.json()["id_number"])
    response = api.post("/api/members/", good, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["birth_date"] == "1970-06-06" and body["gender"] == "M"
    assert body["id_number_display"] == good["id_number"]  # a secretary sees it in full
    member = Member.objects.get(pk=body["id"])
    assert AuditEntry.objects.for_object(member).get().source == "api"
    duplicate = api.post("/api/members/", payload(cast, id_number=good["id_number"], name="黄忠二"), format="json")
    assert duplicate.status_code == 400 and "already registered" in str(duplicate.json()["id_number"])


def test_create_outside_scope_is_refused(cast: Cast, api: APIClient) -> None:
    response = api.post("/api/members/", payload(cast, organization=cast.branch_b.pk), format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Member.objects.filter(name="黄忠").exists()


def test_update_member_and_read_only_fields(cast: Cast, api: APIClient) -> None:
    member = cast.members_a[1]
    response = api.patch(
        f"/api/members/{member.pk}/", {"phone": "13700000000", "organization": cast.branch_b.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert member.phone == "13700000000" and member.organization == cast.branch_a  # not moved
    assert api.patch(f"/api/members/{cast.members_b[0].pk}/", {"phone": "1"}, format="json").status_code == 404


def test_nul_bytes_and_garbage_get_400_not_500(cast: Cast, api: APIClient) -> None:
    response = api.post("/api/members/", payload(cast, name="黄\x00忠"), format="json")
    assert response.status_code == 400
    response = api.post("/api/members/", payload(cast, joined_on="not a date"), format="json")
    assert response.status_code == 400
    response = api.get("/api/members/", {"within": "abc"})
    assert response.status_code in (200, 400)


def test_read_only_roles_cannot_write(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.inspector)
    assert client.post("/api/members/", payload(cast), format="json").status_code == 403
    assert client.patch(f"/api/members/{cast.members_a[0].pk}/", {"phone": "1"}, format="json").status_code == 404
    listed = client.get("/api/members/").json()
    assert listed["count"] == len(cast.members_a) + len(cast.members_b)
    assert all("*" in row["id_number_display"] for row in listed["results"])


def test_organizations_api(cast: Cast) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(cast.committee_admin)
    rows = client.get("/api/orgs/").json()["results"]
    assert {r["name"] for r in rows} == {"城关镇党委", "东关村党支部"}
    branch = next(r for r in rows if r["name"] == "东关村党支部")
    assert branch["parent_id"] == cast.committee_x.pk and "no_term" in branch["warnings"]
    detail = client.get(f"/api/orgs/{cast.committee_x.pk}/").json()
    assert detail["members_subtree"] == {"full": 4, "probationary": 1, "mobile": 0, "total": 5}
    created = client.post(
        "/api/orgs/",
        {"name": "新村党支部", "code": "NEW1", "kind": "branch", "sector": "village", "parent": cast.committee_x.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (
        client.post(
            "/api/orgs/",
            {"name": "越界", "code": "NEW2", "kind": "branch", "sector": "village", "parent": cast.committee_y.pk},
            format="json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/orgs/", {"name": "无上级", "code": "NEW3", "kind": "branch", "sector": "village"}, format="json"
        ).status_code
        == 400
    )
    renamed = client.patch(f"/api/orgs/{cast.branch_a.pk}/", {"name": "东关村第一党支部"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "东关村第一党支部"


def test_schema_and_docs(cast: Cast) -> None:
    client = APIClient()
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_authenticate(cast.secretary_a)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/members/" in schema["paths"] and "/api/orgs/{id}/" in schema["paths"]
    assert client.get("/api/docs/").status_code == 200
