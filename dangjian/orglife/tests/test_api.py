"""The organizational life API: events, attendance and votes through the same actions
and scope as the pages, and compliance rows from the engine."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, api_for, ids, openapi_schema
from dangjian.orglife import actions, compliance, rules
from dangjian.orglife.choices import EventKind, EventState
from dangjian.orglife.models import Event, Vote

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture
def api(cast: Cast) -> APIClient:
    return api_for(cast.secretary_a)


_topics = itertools.count(1)


def record(org: Any, kind: str, day: dt.date, *, state: str = EventState.HELD, **fields: Any) -> Event:
    fields.setdefault("topic", f"议题{next(_topics)}")
    fields.setdefault("minutes", "<p>记录</p>")
    return actions.create_event(Event(organization=org, kind=kind, state=state, held_on=day, **fields), actor=None)


def test_list_and_filter_events_in_scope(cast: Cast, api: APIClient) -> None:
    theme = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 2))
    meeting = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 9, 2))
    planned = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 2), state=EventState.PLANNED)
    other = record(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, 11, 3))
    assert ids(api.get("/api/events/")) == {theme.pk, meeting.pk, planned.pk}
    assert ids(api.get("/api/events/?kind=theme_day")) == {theme.pk, planned.pk}
    assert ids(api.get("/api/events/?state=held&period=2026-Q4")) == {theme.pk}
    assert ids(api.get("/api/events/?requirement=general_meeting")) == {meeting.pk}
    assert ids(api.get(f"/api/events/?org={cast.branch_a.pk}&date_from=2026-10-01")) == {theme.pk, planned.pk}
    assert ids(api_for(cast.county_admin).get(f"/api/events/?within={cast.committee_y.pk}")) == {other.pk}
    row = api.get("/api/events/?kind=general_meeting").json()["results"][0]
    assert row["organization_name"] == "东关村党支部" and row["present_count"] == 5 and "attendance" not in row


def test_retrieve_with_attendance_and_scope(cast: Cast, api: APIClient) -> None:
    event = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 2))
    body = api.get(f"/api/events/{event.pk}/").json()
    assert {row["member_name"] for row in body["attendance"]} == {m.name for m in cast.members_a}
    assert body["votes"] == [] and body["expected_count"] == 5
    assert api_for(cast.secretary_b).get(f"/api/events/{event.pk}/").status_code == 404
    assert api_for(cast.secretary_b).get(f"/api/events/{event.pk}/attendance/").status_code == 404
    assert api_for(cast.secretary_b).post(f"/api/events/{event.pk}/attendance/", [], format="json").status_code == 404
    # A member sees their own branch's event and only their own attendance.
    member = api_for(cast.member_a).get(f"/api/events/{event.pk}/").json()
    assert [row["member"] for row in member["attendance"]] == [cast.members_a[0].pk]
    assert api_for(cast.member_a).get(f"/api/events/{event.pk}/attendance/").json()[0]["member_name"] == "张三"


def event_payload(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": cast.branch_a.pk,
        "kind": EventKind.THEME_DAY,
        "state": EventState.HELD,
        "held_on": "2026-11-20",
        "topic": "主题党日：走访困难群众",
        "minutes": "<p>走访五户</p><script>alert(1)</script>",
    }
    data.update(overrides)
    return data


def test_create_event_through_the_action(cast: Cast, api: APIClient) -> None:
    response = api.post("/api/events/", event_payload(cast), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recorded_on"] == "2026-11-20" or body["recorded_on"] == TODAY.isoformat()
    assert body["recorded_on"] == TODAY.isoformat() and body["expected_count"] == body["present_count"] == 5
    event = Event.objects.get(pk=body["id"])
    assert "<script>" not in event.minutes  # sanitized by the action
    assert AuditEntry.objects.for_object(event).get().source == "api"

    future = api.post("/api/events/", event_payload(cast, held_on="2026-12-01"), format="json")
    assert future.status_code == 400
    assert "An event in the future cannot be recorded as held" in str(future.json()["held_on"])
    lesson = api.post("/api/events/", event_payload(cast, kind=EventKind.PARTY_LESSON), format="json")
    assert lesson.status_code == 400 and "lecturer_kind" in lesson.json()


def test_create_for_out_of_scope_organization_is_refused(cast: Cast, api: APIClient) -> None:
    response = api.post("/api/events/", event_payload(cast, organization=cast.branch_b.pk), format="json")
    assert response.status_code == 400 and "organization" in response.json()
    host = api.post("/api/events/", event_payload(cast, host=cast.members_b[0].pk), format="json")
    assert host.status_code == 400 and "host" in host.json()
    assert api_for(cast.member_a).post("/api/events/", event_payload(cast), format="json").status_code == 403
    assert api_for(cast.inspector).post("/api/events/", event_payload(cast), format="json").status_code == 403
    assert not Event.objects.exists()


def test_update_event(cast: Cast, api: APIClient) -> None:
    planned = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 20), state=EventState.PLANNED)
    response = api.patch(f"/api/events/{planned.pk}/", {"state": "held", "topic": "改了议题"}, format="json")
    assert response.status_code == 200, response.json()
    planned.refresh_from_db()
    assert (planned.state, planned.topic, planned.recorded_on) == (EventState.HELD, "改了议题", TODAY)
    assert planned.absent_count == 5  # nobody signed in: absent until corrected
    moved = api.patch(f"/api/events/{planned.pk}/", {"organization": cast.branch_b.pk}, format="json")
    assert moved.status_code == 400
    back = api.patch(f"/api/events/{planned.pk}/", {"state": "planned"}, format="json")
    assert back.status_code == 400 and "stays held" in str(back.json())
    read_only = api.patch(
        f"/api/events/{planned.pk}/", {"present_count": 99, "recorded_on": "2020-01-01"}, format="json"
    )
    assert read_only.status_code == 200
    planned.refresh_from_db()
    assert (planned.present_count, planned.recorded_on) == (0, TODAY)
    other = record(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, 11, 20))
    assert api.patch(f"/api/events/{other.pk}/", {"topic": "越权"}, format="json").status_code == 404
    assert api_for(cast.member_a).patch(f"/api/events/{planned.pk}/", {"topic": "x"}, format="json").status_code in (
        403,
        404,
    )


def test_post_attendance(cast: Cast, api: APIClient) -> None:
    zhang, li, wang, zhao, wu = cast.members_a
    event = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 20))
    url = f"/api/events/{event.pk}/attendance/"
    missing_reason = api.post(url, [{"member": li.pk, "status": "excused"}], format="json")
    assert missing_reason.status_code == 400
    assert "Give the reason for 李四's absence." in str(missing_reason.json())
    stranger = api.post(url, [{"member": cast.members_b[0].pk, "status": "present"}], format="json")
    assert stranger.status_code == 400 and "were not members of this organization" in str(stranger.json())
    assert api.post(url, [{"member": li.pk, "status": "asleep"}], format="json").status_code == 400
    response = api.post(
        url,
        [
            {"member": li.pk, "status": "absent"},
            {"member": wang.pk, "status": "excused", "reason": "住院"},
            {"member": zhao.pk, "status": "exempt", "reason": "经批准"},
        ],
        format="json",
    )
    assert response.status_code == 200, response.json()
    statuses = {row["member"]: row["status"] for row in response.json()}
    assert statuses == {zhang.pk: "present", li.pk: "absent", wang.pk: "excused", zhao.pk: "exempt", wu.pk: "present"}
    event.refresh_from_db()
    assert (event.expected_count, event.present_count, event.excused_count, event.absent_count) == (4, 2, 1, 1)
    assert api.get(url).json() == response.json()
    planned = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 1), state=EventState.PLANNED)
    refused = api.post(f"/api/events/{planned.pk}/attendance/", [], format="json")
    assert refused.status_code == 400 and "held event" in str(refused.json())


def vote_payload(**overrides: Any) -> dict[str, Any]:
    data = {"subject": "other", "title": "修建村道的决议", "votes_for": 3, "votes_against": 1}
    data.update(overrides)
    return data


def test_post_votes_returns_quorum_and_result(cast: Cast, api: APIClient) -> None:
    event = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 20))
    url = f"/api/events/{event.pk}/votes/"
    carried = api.post(url, vote_payload(), format="json")
    assert carried.status_code == 201, carried.json()
    body = carried.json()
    assert (body["voting_due"], body["voting_present"], body["quorate"], body["passed"]) == (4, 4, True, True)
    weak = api.post(url, vote_payload(title="不通过", votes_for=2, votes_against=2), format="json").json()
    assert (weak["quorate"], weak["passed"]) == (True, False)
    listed = api.get(url).json()
    assert [v["title"] for v in listed] == ["修建村道的决议", "不通过"]
    # Attendance changes re-derive the stored result: with two voting members absent, no quorum.
    li, wang = cast.members_a[1], cast.members_a[2]
    api.post(
        f"/api/events/{event.pk}/attendance/",
        [{"member": li.pk, "status": "absent"}, {"member": wang.pk, "status": "absent"}],
        format="json",
    )
    first = Vote.objects.get(title="修建村道的决议")
    assert (first.voting_present, first.quorate, first.passed) == (2, False, False)
    outsider = api.post(url, vote_payload(member=cast.members_b[0].pk), format="json")
    assert outsider.status_code == 400 and "member" in outsider.json()
    theme = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 19))
    wrong = api.post(f"/api/events/{theme.pk}/votes/", vote_payload(), format="json")
    assert wrong.status_code == 400 and "(L2)" in str(wrong.json())
    assert api_for(cast.secretary_b).post(url, vote_payload(), format="json").status_code == 404
    assert api_for(cast.member_a).post(url, vote_payload(), format="json").status_code == 404
    assert Vote.objects.count() == 2


# --- Compliance -----------------------------------------------------------------------------------


@pytest.fixture
def history(cast: Cast) -> None:
    for month in range(1, 10):
        record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, month, 10))
    record(cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, 2, 10))


def tally_dict(tally: compliance.Tally) -> dict[str, Any]:
    return {
        "required": tally.required,
        "on_time": tally.on_time,
        "late": tally.late,
        "missing": tally.missing,
        "pending": tally.pending,
        "rate": tally.rate,
        "status": tally.status(TODAY).value,
    }


def strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("required", "on_time", "late", "missing", "pending", "rate", "status")}


def test_compliance_groups(cast: Cast, history: None) -> None:
    api = api_for(cast.county_admin)
    year = rules.parse_span("2026")
    base = f"/api/compliance/?org={cast.county.pk}&period=2026"

    rows = api.get(base + "&group=all").json()
    assert len(rows) == 1 and rows[0]["organization"] == cast.county.pk and rows[0]["requirement"] is None
    assert strip(rows[0]) == tally_dict(compliance.total(cast.county, year, today=TODAY))
    assert api.get(base).json() == rows  # "all" is the default

    rows = api.get(base + "&group=child").json()
    engine = compliance.rollup(cast.county, year, today=TODAY, group="child")
    assert {r["organization"] for r in rows} == {cast.committee_x.pk, cast.committee_y.pk}
    for row in rows:
        org = cast.committee_x if row["organization"] == cast.committee_x.pk else cast.committee_y
        assert row["organization_name"] == org.name
        assert strip(row) == tally_dict(engine[org.path])

    rows = api.get(base + "&group=org&by_requirement=true").json()
    engine = compliance.rollup(cast.county, year, today=TODAY, group="org", by_requirement=True)
    assert len(rows) == len(engine)
    for row in rows:
        assert strip(row) == tally_dict(engine[(row["organization"], row["requirement"])])
    theme_a = next(r for r in rows if r["organization"] == cast.branch_a.pk and r["requirement"] == "theme_day")
    assert (theme_a["required"], theme_a["on_time"] + theme_a["late"], theme_a["missing"], theme_a["pending"]) == (
        12,
        9,
        1,
        2,
    )

    rows = api.get(base + "&group=all&by_requirement=1").json()
    assert {r["requirement"] for r in rows} >= {"theme_day", "general_meeting", "party_lesson"}
    assert all(r["organization"] == cast.county.pk for r in rows)

    rows = api.get(f"/api/compliance/?org={cast.committee_x.pk}&period=2026-Q1&group=child&by_requirement=true").json()
    assert {(r["organization"], r["requirement"]) for r in rows if r["requirement"] == "theme_day"} == {
        (cast.branch_a.pk, "theme_day")
    }


def test_compliance_defaults_and_errors(cast: Cast, api: APIClient, history: None) -> None:
    rows = api.get("/api/compliance/").json()  # the scope root, this year
    assert rows and rows[0]["organization"] == cast.branch_a.pk
    assert strip(rows[0]) == tally_dict(compliance.total(cast.branch_a, rules.parse_span("2026"), today=TODAY))
    bad = api.get("/api/compliance/?period=2026-13")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert "Give a year (2026), a quarter (2026-Q3) or a month (2026-07)." in bad.json()["period"][0]
    assert api.get("/api/compliance/?group=tree").status_code == 400
    assert api.get("/api/compliance/?org=abc").status_code == 400
    assert api.get(f"/api/compliance/?org={cast.branch_b.pk}").status_code == 404
    assert api_for(cast.secretary_b).get(f"/api/compliance/?org={cast.county.pk}").status_code == 404


def test_unauthenticated_calls_are_refused(cast: Cast) -> None:
    event = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 2))
    anonymous = APIClient()
    for url in ("/api/events/", f"/api/events/{event.pk}/", f"/api/events/{event.pk}/attendance/", "/api/compliance/"):
        assert anonymous.get(url).status_code == 401, url
    assert anonymous.post("/api/events/", {}, format="json").status_code == 401
    assert anonymous.post(f"/api/events/{event.pk}/votes/", {}, format="json").status_code == 401
    assert anonymous.get("/api/schema/").status_code in (401, 403)


def test_schema_generates_for_the_new_views(cast: Cast) -> None:
    response = api_for(cast.secretary_a).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in ("/api/events/", "/api/events/{id}/", "/api/events/{id}/attendance/", "/api/events/{id}/votes/"):
        assert path in paths, path
    assert "/api/compliance/" in paths
    params = {p["name"] for p in paths["/api/compliance/"]["get"]["parameters"]}
    assert {"org", "period", "group", "by_requirement"} <= params
    post = paths["/api/events/{id}/attendance/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert post["type"] == "array"


def _schema_warnings() -> list[str]:
    """The warnings of ``manage.py spectacular --validate`` (errors fail at once)."""
    return openapi_schema()[1]


def test_schema_has_no_warnings_but_enum_names(db: Any) -> None:
    assert [w for w in _schema_warnings() if "ENUM_NAME_OVERRIDES" not in w] == []


def test_schema_passes_fail_on_warn(db: Any) -> None:
    assert _schema_warnings() == []
