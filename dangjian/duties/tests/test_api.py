"""The responsibility system's API (/api/work-lists/ and /api/work-items/): scoped like
the pages (out of scope is 404, members see nothing), every write through the duties
actions with their refusals as 400 by field, the four links of responsibility as moves
(a side the caller does not cover is 404), scores as strings, evidence as multipart."""

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

from dangjian.core.testing import Cast, api_for, ids
from dangjian.duties import actions
from dangjian.duties.choices import ItemState, ListState, Move
from dangjian.duties.models import Item, ItemEvent, WorkList

M = dt.date
TODAY = M(2026, 11, 23)
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


def draft(cast: Cast, year: int = 2026) -> WorkList:
    """Committee X's draft list: one item for branch A, one (due 1 November) for itself."""
    work_list = actions.create_list(cast.committee_x, year=year, title="城关镇责任清单", actor=cast.committee_admin)
    actions.add_item(
        work_list,
        assignee=cast.branch_a,
        title="按期换届",
        deadline=M(year, 12, 31),
        requirements="按O7/O8",
        actor=cast.committee_admin,
    )
    actions.add_item(
        work_list, assignee=cast.committee_x, title="党委理论学习", deadline=M(year, 11, 1), actor=cast.committee_admin
    )
    return work_list


def published(cast: Cast) -> Item:
    """Branch A's item of committee X's published list."""
    work_list = draft(cast)
    actions.publish(work_list, actor=cast.committee_admin)
    return work_list.items.get(assignee=cast.branch_a)


def branch_b_item(cast: Cast) -> Item:
    work_list = actions.create_list(cast.committee_y, year=2026, title="非公责任清单", actor=cast.county_admin)
    item = actions.add_item(
        work_list, assignee=cast.branch_b, title="规范三会一课", deadline=M(2026, 12, 31), actor=cast.county_admin
    )
    actions.publish(work_list, actor=cast.county_admin)
    return item


def move(user: Any, item: Item, name: str, **fields: Any) -> Any:
    return api_for(user).post(f"/api/work-items/{item.pk}/move/", {"move": name, **fields}, format="json")


# --- Work lists -----------------------------------------------------------------------


def test_lists_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    x_list = draft(cast)
    actions.publish(x_list, actor=cast.committee_admin)
    y_list = actions.create_list(cast.committee_y, year=2025, title="非公清单", actor=cast.county_admin)
    a_list = actions.create_list(cast.branch_a, year=2026, title="支部清单", actor=cast.secretary_a)
    assert ids(api_for(cast.committee_admin).get("/api/work-lists/")) == {x_list.pk, a_list.pk}
    assert ids(api_for(cast.secretary_a).get("/api/work-lists/")) == {a_list.pk}
    assert ids(api_for(cast.secretary_b).get("/api/work-lists/")) == set()
    assert ids(api_for(cast.inspector).get("/api/work-lists/")) == {x_list.pk, y_list.pk, a_list.pk}
    assert ids(api_for(cast.member_a).get("/api/work-lists/")) == set()
    assert ids(api_for(cast.instructor).get("/api/work-lists/")) == set()  # no duties area
    county = api_for(cast.county_admin)
    assert ids(county.get("/api/work-lists/?year=2025")) == {y_list.pk}
    assert ids(county.get(f"/api/work-lists/?organization={cast.committee_x.pk}")) == {x_list.pk}
    assert ids(county.get("/api/work-lists/?state=published")) == {x_list.pk}
    assert ids(county.get("/api/work-lists/?state=draft&year=2026")) == {a_list.pk}
    assert county.get("/api/work-lists/?year=bad").status_code == 400
    assert county.get("/api/work-lists/?state=closed").status_code == 400
    assert APIClient().get("/api/work-lists/").status_code == 401
    row = next(r for r in county.get("/api/work-lists/").json()["results"] if r["id"] == x_list.pk)
    assert row == {
        "id": x_list.pk,
        "organization": cast.committee_x.pk,
        "organization_name": "城关镇党委",
        "year": 2026,
        "title": "城关镇责任清单",
        "state": "published",
        "published_on": "2026-11-23",
        "copied_from": None,
    }


def test_a_list_comes_with_its_items(cast: Cast) -> None:
    work_list = draft(cast)
    body = api_for(cast.committee_admin).get(f"/api/work-lists/{work_list.pk}/").json()
    assert body["state"] == "draft"
    assert [(i["title"], i["assignee_name"], i["max_score"], i["state"]) for i in body["items"]] == [
        ("党委理论学习", "城关镇党委", "10.0", "assigned"),
        ("按期换届", "东关村党支部", "10.0", "assigned"),
    ]
    # Branch A sees its item but not the committee's list; B sees neither.
    assert api_for(cast.secretary_a).get(f"/api/work-lists/{work_list.pk}/").status_code == 404
    assert api_for(cast.secretary_b).get(f"/api/work-lists/{work_list.pk}/").status_code == 404
    assert api_for(cast.member_a).get(f"/api/work-lists/{work_list.pk}/").status_code == 404
    assert api_for(cast.committee_admin).get("/api/work-lists/999999/").status_code == 404
    # Methods the endpoint does not take answer 405 only within the scope.
    assert api_for(cast.committee_admin).delete(f"/api/work-lists/{work_list.pk}/").status_code == 405
    assert api_for(cast.secretary_b).delete(f"/api/work-lists/{work_list.pk}/").status_code == 404


def test_create_a_list_for_an_organization_of_ones_subtree(cast: Cast) -> None:
    api = api_for(cast.secretary_a)
    response = api.post(
        "/api/work-lists/", {"organization": cast.branch_a.pk, "year": 2027, "title": " 支部清单 "}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organization"], body["year"], body["title"], body["state"]) == (
        cast.branch_a.pk,
        2027,
        "支部清单",
        "draft",
    )
    assert WorkList.objects.get(pk=body["id"]).organization == cast.branch_a
    refused = api.post(
        "/api/work-lists/", {"organization": cast.branch_b.pk, "year": 2027, "title": "清单"}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["organization"]
    above = api.post(
        "/api/work-lists/", {"organization": cast.committee_x.pk, "year": 2027, "title": "清单"}, format="json"
    )
    assert above.status_code == 400 and list(above.json()) == ["organization"]
    bad = api.post("/api/work-lists/", {"organization": cast.branch_a.pk, "year": 1800}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"year", "title"}
    for user in (cast.inspector, cast.member_a, cast.instructor):
        denied = api_for(user).post(
            "/api/work-lists/", {"organization": cast.branch_a.pk, "year": 2027, "title": "清单"}, format="json"
        )
        assert denied.status_code == 403
    assert WorkList.objects.count() == 1


def test_publish_a_draft(cast: Cast) -> None:
    work_list = draft(cast)
    url = f"/api/work-lists/{work_list.pk}/publish/"
    for user in (cast.secretary_b, cast.secretary_a, cast.member_a, cast.inspector):
        assert api_for(user).post(url).status_code == 404, user
    assert api_for(cast.committee_admin).get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404
    response = api_for(cast.committee_admin).post(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["published_on"], len(body["items"])) == ("published", "2026-11-23", 2)
    assert {e.move for e in ItemEvent.objects.filter(item__work_list=work_list)} == {Move.ASSIGN}
    again = api_for(cast.committee_admin).post(url)
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["The list is already published."]}
    empty = actions.create_list(cast.branch_a, year=2026, title="空清单", actor=cast.secretary_a)
    refused = api_for(cast.secretary_a).post(f"/api/work-lists/{empty.pk}/publish/")
    assert refused.json() == {"non_field_errors": ["Add the items before publishing the list."]}


def test_copy_a_list_to_next_year(cast: Cast) -> None:
    source = draft(cast)
    url = f"/api/work-lists/{source.pk}/copy/"
    api = api_for(cast.committee_admin)
    response = api.post(url, {"year": 2027}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organization"], body["year"], body["state"], body["copied_from"]) == (
        cast.committee_x.pk,
        2027,
        "draft",
        source.pk,
    )
    assert [(i["title"], i["deadline"]) for i in body["items"]] == [
        ("党委理论学习", "2027-11-01"),
        ("按期换届", "2027-12-31"),
    ]
    # Into branch A's own list: the committee's own item goes to the branch.
    into_a = api.post(url, {"year": 2027, "organization": cast.branch_a.pk}, format="json").json()
    assert {i["assignee"] for i in into_a["items"]} == {cast.branch_a.pk}
    refused = api.post(url, {"year": 2027, "organization": cast.branch_b.pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["organization"]
    assert api.post(url, {"year": "next"}, format="json").json().keys() == {"year"}
    assert api.post(url, {}, format="json").json().keys() == {"year"}
    assert api_for(cast.secretary_b).post(url, {"year": 2027}, format="json").status_code == 404
    assert api_for(cast.inspector).post(url, {"year": 2027}, format="json").status_code == 403
    assert WorkList.objects.count() == 3


# --- Work items -----------------------------------------------------------------------


def test_items_are_seen_by_both_sides_and_filtered(cast: Cast) -> None:
    item = published(cast)
    own = Item.objects.get(assignee=cast.committee_x)
    other = branch_b_item(cast)
    assert ids(api_for(cast.secretary_a).get("/api/work-items/")) == {item.pk}
    assert ids(api_for(cast.secretary_b).get("/api/work-items/")) == {other.pk}
    assert ids(api_for(cast.committee_admin).get("/api/work-items/")) == {item.pk, own.pk}
    assert ids(api_for(cast.inspector).get("/api/work-items/")) == {item.pk, own.pk, other.pk}
    assert ids(api_for(cast.member_a).get("/api/work-items/")) == set()
    # Secretary B sees nothing of branch A, by id or through a filter.
    assert api_for(cast.secretary_b).get(f"/api/work-items/{item.pk}/").status_code == 404
    assert ids(api_for(cast.secretary_b).get(f"/api/work-items/?assignee={cast.branch_a.pk}")) == set()
    county = api_for(cast.county_admin)
    assert ids(county.get(f"/api/work-items/?work_list={item.work_list_id}")) == {item.pk, own.pk}
    assert ids(county.get(f"/api/work-items/?assignee={cast.committee_x.pk}")) == {item.pk, own.pk}  # subtree
    assert ids(county.get(f"/api/work-items/?assignee={cast.branch_a.pk}")) == {item.pk}
    assert ids(county.get(f"/api/work-items/?issuer={cast.committee_y.pk}")) == {other.pk}
    assert ids(county.get("/api/work-items/?overdue=true")) == {own.pk}
    assert ids(county.get("/api/work-items/?overdue=false")) == {item.pk, other.pk}
    assert ids(county.get("/api/work-items/?year=2026")) == {item.pk, own.pk, other.pk}
    assert ids(county.get("/api/work-items/?year=2025")) == set()
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    assert ids(county.get("/api/work-items/?state=acknowledged")) == {item.pk}
    assert ids(county.get("/api/work-items/?state=assigned")) == {own.pk, other.pk}
    for query in ("state=done", "assignee=x", "year=99999"):
        assert county.get(f"/api/work-items/?{query}").status_code == 400, query
    row = next(r for r in county.get("/api/work-items/").json()["results"] if r["id"] == own.pk)
    assert (row["overdue"], row["issuer_name"], row["work_list_title"], row["year"]) == (
        True,
        "城关镇党委",
        "城关镇责任清单",
        2026,
    )


def test_an_item_comes_with_its_history_and_scores_as_strings(cast: Cast) -> None:
    item = published(cast)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    actions.make_move(item, Move.REPORT, actor=cast.secretary_a, text="换届完成")
    actions.make_move(item, Move.ACCEPT, actor=cast.committee_admin, score=Decimal("9.5"))
    body = api_for(cast.secretary_a).get(f"/api/work-items/{item.pk}/").json()
    assert {k: body[k] for k in ("title", "issuer", "assignee", "post", "requirements", "max_score", "score")} == {
        "title": "按期换届",
        "issuer": cast.committee_x.pk,
        "assignee": cast.branch_a.pk,
        "post": "secretary",
        "requirements": "按O7/O8",
        "max_score": "10.0",
        "score": "9.5",
    }
    assert (body["state"], body["percent"], body["done_on"], body["overdue"]) == ("accepted", 100, "2026-11-23", False)
    assert [(e["move"], e["by"], e["score"]) for e in body["events"]] == [
        ("assign", "committee_x", None),
        ("acknowledge", "secretary_a", None),
        ("report", "secretary_a", None),
        ("accept", "committee_x", "9.5"),
    ]


def test_add_items_and_sub_items(cast: Cast) -> None:
    work_list = draft(cast)
    committee = api_for(cast.committee_admin)
    data = {
        "work_list": work_list.pk,
        "assignee": cast.branch_a.pk,
        "title": "三会一课",
        "deadline": "2026-12-20",
        "post": "deputy_secretary",
        "quality_standard": "记录完整",
        "max_score": "15.5",
    }
    response = committee.post("/api/work-items/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["issuer"], body["state"], body["max_score"], body["post"]) == (
        cast.committee_x.pk,
        "assigned",
        "15.5",
        "deputy_secretary",
    )
    assert not Item.objects.get(pk=body["id"]).events.exists()  # a draft's items are assigned on publishing
    # Bad input: by field, from the serializer and from the action.
    bad = committee.post("/api/work-items/", {"work_list": work_list.pk, "max_score": "-1"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"assignee", "title", "deadline", "max_score"}
    assert committee.post("/api/work-items/", {**data, "work_list": None}, format="json").json().keys() == {"work_list"}
    no_list = {k: v for k, v in data.items() if k != "work_list"}
    assert committee.post("/api/work-items/", no_list, format="json").json() == {
        "work_list": ["This field is required."]
    }
    outside = committee.post("/api/work-items/", {**data, "assignee": cast.branch_b.pk}, format="json")
    assert outside.status_code == 400 and list(outside.json()) == ["assignee"]
    county = api_for(cast.county_admin).post("/api/work-items/", {**data, "assignee": cast.branch_b.pk}, format="json")
    assert county.json() == {"assignee": ["Assign the item to 城关镇党委 or an organization under it."]}
    # Branch A sees the list through its item but does not issue on it; B does not see it.
    assert api_for(cast.secretary_a).post("/api/work-items/", data, format="json").status_code == 404
    assert api_for(cast.secretary_b).post("/api/work-items/", data, format="json").json().keys() == {
        "work_list",
        "assignee",
    }
    assert api_for(cast.inspector).post("/api/work-items/", data, format="json").status_code == 403
    # Sub-items: by the owner, once it acknowledged the item, down its own subtree.
    actions.publish(work_list, actor=cast.committee_admin)
    own = Item.objects.get(assignee=cast.committee_x)
    sub = {"parent": own.pk, "assignee": cast.branch_a.pk, "title": "支部学习", "deadline": "2026-10-31"}
    early = committee.post("/api/work-items/", sub, format="json")
    assert early.status_code == 400 and "Acknowledge the item" in early.json()["non_field_errors"][0]
    actions.make_move(own, Move.ACKNOWLEDGE, actor=cast.committee_admin)
    late = committee.post("/api/work-items/", {**sub, "deadline": "2026-11-02"}, format="json")
    assert late.json() == {"deadline": ["A sub-item is due by the item's deadline, 2026-11-01."]}
    created = committee.post("/api/work-items/", sub, format="json")
    assert created.status_code == 201, created.content
    child = Item.objects.get(pk=created.json()["id"])
    assert (child.work_list, child.parent, child.issuer, child.events.get().move) == (
        work_list,
        own,
        cast.committee_x,
        Move.ASSIGN,
    )
    # The branch cannot split an item it does not own.
    foreign = api_for(cast.secretary_a).post("/api/work-items/", sub, format="json")
    assert foreign.status_code == 400 and list(foreign.json()) == ["parent"]


def test_the_branch_splits_its_item_of_the_committees_list(cast: Cast) -> None:
    item = published(cast)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=cast.secretary_a)
    response = api_for(cast.secretary_a).post(
        "/api/work-items/",
        {"parent": item.pk, "assignee": cast.branch_a.pk, "title": "候选人酝酿", "deadline": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["work_list"], response.json()["issuer"]) == (item.work_list_id, cast.branch_a.pk)


def test_the_four_links_through_the_api(cast: Cast) -> None:
    """publish → acknowledge → report → return → report → accept."""
    work_list = draft(cast)
    assert api_for(cast.committee_admin).post(f"/api/work-lists/{work_list.pk}/publish/").status_code == 200
    item = work_list.items.get(assignee=cast.branch_a)
    steps = [
        (cast.secretary_a, "acknowledge", {}, "acknowledged"),
        (cast.secretary_a, "report", {"text": "换届完成"}, "reported"),
        (cast.committee_admin, "return", {"text": "缺选举结果报告"}, "returned"),
        (cast.secretary_a, "report", {"text": "已补报告"}, "reported"),
        (cast.committee_admin, "accept", {"score": "9.5", "text": "规范"}, "accepted"),
    ]
    for user, name, fields, state in steps:
        response = move(user, item, name, **fields)
        assert response.status_code == 201, (name, response.content)
        body = response.json()
        assert (body["event"]["move"], body["event"]["item"], body["item"]["state"]) == (name, item.pk, state)
    assert body["event"]["score"] == "9.5" and body["item"]["score"] == "9.5"
    item.refresh_from_db()
    assert (item.state, item.score, item.percent, item.done_on) == (
        ItemState.ACCEPTED,
        Decimal("9.5"),
        100,
        TODAY,
    )
    history = api_for(cast.committee_admin).get(f"/api/work-items/{item.pk}/").json()["events"]
    assert [(e["move"], e["on"], e["text"]) for e in history] == [
        ("assign", "2026-11-23", ""),
        ("acknowledge", "2026-11-23", ""),
        ("report", "2026-11-23", "换届完成"),
        ("return", "2026-11-23", "缺选举结果报告"),
        ("report", "2026-11-23", "已补报告"),
        ("accept", "2026-11-23", "规范"),
    ]
    assert WorkList.objects.get().state == ListState.PUBLISHED


def test_progress_failure_and_accountability(cast: Cast) -> None:
    item = published(cast)
    move(cast.secretary_a, item, "acknowledge")
    progress = move(cast.secretary_a, item, "progress", percent=40, text="已提交请示")
    assert progress.status_code == 201 and progress.json()["item"]["percent"] == 40
    assert move(cast.committee_admin, item, "fail", text="逾期未完成").json()["item"]["state"] == "failed"
    pursued = move(cast.committee_admin, item, "pursue", measure="talk", decided_by="镇党委", text="约谈书记")
    assert pursued.status_code == 201, pursued.content
    assert (pursued.json()["event"]["measure"], pursued.json()["item"]["state"]) == ("talk", "pursued")


def not_now(label: str) -> dict[str, list[str]]:
    return {"non_field_errors": [f"“{label}” is not possible while the item is “Assigned”."]}


@pytest.mark.parametrize(
    ("user", "name", "fields", "errors"),
    [
        # The state machine: not from "assigned".
        ("committee_admin", "accept", {"score": "9"}, not_now("Accepted")),
        ("secretary_a", "report", {"text": "完成"}, not_now("Reported done")),
        (
            "committee_admin",
            "pursue",
            {"measure": "talk", "decided_by": "镇党委", "text": "x"},
            not_now("Accountability recorded"),
        ),
        # What the move records, from the action.
        ("secretary_a", "acknowledge", {"on": "2026-11-24"}, {"on": ["The date is in the future."]}),
        # The request itself.
        ("secretary_a", "assign", {}, {"move": ['"assign" is not a valid choice.']}),
        ("secretary_a", "sign", {}, {"move": ['"sign" is not a valid choice.']}),
        ("secretary_a", "acknowledge", {"percent": 50}, {"percent": ["“Acknowledged” does not take this field."]}),
        ("secretary_a", "acknowledge", {"on": "yesterday"}, {"on": [DATE_FORMAT]}),
    ],
)
def test_moves_refused(cast: Cast, user: str, name: str, fields: dict[str, Any], errors: dict[str, Any]) -> None:
    item = published(cast)
    response = move(getattr(cast, user), item, name, **fields)
    assert response.status_code == 400
    assert response.json() == errors
    assert Item.objects.get(pk=item.pk).state == ItemState.ASSIGNED and item.events.count() == 1


def test_a_move_needs_what_it_records(cast: Cast) -> None:
    item = published(cast)
    move(cast.secretary_a, item, "acknowledge")
    assert move(cast.secretary_a, item, "report", text=" ").json() == {"text": ["Say what was done, or why."]}
    assert move(cast.secretary_a, item, "progress", percent=100).json() == {
        "percent": ["Progress is 0 to 99 percent; report the item done at 100."]
    }
    assert move(cast.secretary_a, item, "progress", score="1").json() == {
        "score": ["“Progress reported” does not take this field."]
    }
    move(cast.secretary_a, item, "report", text="完成")
    assert move(cast.committee_admin, item, "accept", score="10.5").json() == {"score": ["Score between 0 and 10.0."]}
    assert move(cast.committee_admin, item, "accept", score="9.55").json().keys() == {"score"}
    assert move(cast.committee_admin, item, "fail", text="").json() == {"text": ["Say what was done, or why."]}
    move(cast.committee_admin, item, "fail", text="弄虚作假")
    assert move(cast.committee_admin, item, "pursue", text="约谈").json() == {
        "measure": ["Name the measure and who decided it."]
    }
    assert move(cast.committee_admin, item, "pursue", measure="fine", text="x").json().keys() == {"measure"}
    assert Item.objects.get(pk=item.pk).state == ItemState.FAILED


def test_a_side_the_caller_does_not_cover_is_not_found(cast: Cast) -> None:
    item = published(cast)
    url = f"/api/work-items/{item.pk}/move/"
    # The owner does not assess its own item; the issuer's moves need the issuer's scope.
    assert move(cast.secretary_a, item, "fail", text="x").status_code == 404
    move(cast.secretary_a, item, "acknowledge")
    move(cast.secretary_a, item, "report", text="完成")
    assert move(cast.secretary_a, item, "accept", score="10").status_code == 404
    # Out of scope, read-only roles and members: the item is not found.
    for user in (cast.secretary_b, cast.inspector, cast.member_a, cast.instructor):
        assert move(user, item, "return", text="x").status_code == 404, user
    assert api_for(cast.committee_admin).get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404
    assert api_for(cast.committee_admin).post("/api/work-items/999999/move/", {"move": "accept"}).status_code == 404
    assert Item.objects.get(pk=item.pk).state == ItemState.REPORTED


def test_a_member_sees_nothing(cast: Cast) -> None:
    item = published(cast)
    member = api_for(cast.member_a)
    assert ids(member.get("/api/work-lists/")) == set()
    assert ids(member.get("/api/work-items/")) == set()
    assert member.get(f"/api/work-items/{item.pk}/").status_code == 404
    assert member.get(f"/api/work-lists/{item.work_list_id}/").status_code == 404
    created = member.post(
        "/api/work-items/",
        {"work_list": item.work_list_id, "assignee": cast.branch_a.pk, "title": "x", "deadline": "2026-12-01"},
        format="json",
    )
    assert created.status_code == 403


def test_evidence_is_uploaded_with_the_move_and_served_in_scope(cast: Cast) -> None:
    item = published(cast)
    move(cast.secretary_a, item, "acknowledge")
    api = api_for(cast.secretary_a)
    scan = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    response = api.post(
        f"/api/work-items/{item.pk}/move/",
        {"move": "progress", "percent": "60", "text": "选举已召开", "evidence": scan},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    event = ItemEvent.objects.get(pk=response.json()["event"]["id"])
    assert response.json()["event"]["evidence_url"] == f"http://testserver/duties/evidence/{event.pk}/"
    assert event.evidence.read() == b"%PDF-1.4 minutes" and event.percent == 60
    page = Client()
    page.force_login(cast.committee_admin)
    assert page.get(f"/duties/evidence/{event.pk}/").status_code == 200
    page.force_login(cast.secretary_b)
    assert page.get(f"/duties/evidence/{event.pk}/").status_code == 404
    bad = SimpleUploadedFile("minutes.exe", b"MZ", content_type="application/octet-stream")
    refused = api.post(
        f"/api/work-items/{item.pk}/move/",
        {"move": "report", "text": "完成", "evidence": bad},
        format="multipart",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["evidence"]
    assert Item.objects.get(pk=item.pk).state == ItemState.ACKNOWLEDGED  # nothing half-written
    not_taken = api.post(
        f"/api/work-items/{item.pk}/move/",
        {"move": "acknowledge", "evidence": SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")},
        format="multipart",
    )
    assert not_taken.status_code == 400 and list(not_taken.json()) == ["evidence"]
    events = api.get(f"/api/work-items/{item.pk}/").json()["events"]
    assert [e["evidence_url"] is not None for e in events] == [False, False, True]


# --- Query counts ---------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast) -> None:
    work_list = draft(cast)
    actions.publish(work_list, actor=cast.committee_admin)
    item = work_list.items.get(assignee=cast.branch_a)
    county = api_for(cast.county_admin)
    urls = ["/api/work-lists/", "/api/work-items/", f"/api/work-lists/{work_list.pk}/", f"/api/work-items/{item.pk}/"]

    def more(n: int) -> None:
        actions.create_list(cast.committee_y, year=2026 - n, title=f"清单{n}", actor=cast.county_admin)
        extra = actions.add_item(
            work_list, assignee=cast.branch_a, title=f"任务{n}", deadline=M(2026, 12, n), actor=cast.committee_admin
        )
        actions.make_move(extra, Move.ACKNOWLEDGE, actor=cast.secretary_a)
        actions.make_move(item, Move.FAIL if n == 2 else Move.ACKNOWLEDGE, actor=cast.committee_admin, text="x")

    more(1)
    before = {url: _queries(county, url) for url in urls}
    more(2)
    assert {url: _queries(county, url) for url in urls} == before
