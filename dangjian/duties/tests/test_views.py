"""Pages of the responsibility system: lists with completion, bad input re-shown, the
moves each side sees, evidence through the scope, copying, the inbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.testing import Cast
from dangjian.duties import actions
from dangjian.duties.choices import Move
from dangjian.duties.models import Item, WorkList

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_create_a_list_add_items_publish_and_see_completion(cast: Cast) -> None:
    committee = login(cast.committee_admin)
    assert (
        committee.post(
            reverse("duties:list_add") + f"?org={cast.committee_x.pk}", {"year": "2026", "title": " "}
        ).status_code
        == 400
    )
    assert committee.post(reverse("duties:list_add"), {"year": "2026", "title": "责任清单"}).status_code == 302
    work_list = WorkList.objects.get()
    assert work_list.organization == cast.committee_x
    add = reverse("duties:item_add", args=[work_list.pk])
    form = committee.get(add).content.decode()
    assert "东关村党支部" in form and "纺织公司党支部" not in form
    bad = committee.post(
        add,
        {
            "title": "三会一课",
            "assignee": cast.branch_b.pk,
            "post": "secretary",
            "deadline": "2026-12-31",
            "max_score": "10",
        },
    )
    assert bad.status_code == 400 and 'value="三会一课"' in bad.content.decode()
    for title, deadline in (("三会一课", "2026-12-31"), ("按期换届", "2026-11-01")):
        response = committee.post(
            add,
            {
                "title": title,
                "assignee": cast.branch_a.pk,
                "post": "secretary",
                "deadline": deadline,
                "max_score": "10",
            },
        )
        assert response.status_code == 302
    assert login(cast.secretary_b).get(add).status_code == 404
    page = committee.get(work_list.get_absolute_url()).content.decode()
    assert 'id="publish"' in page
    committee.post(work_list.get_absolute_url(), {"publish": "1"})
    lists = committee.get(reverse("duties:lists")).content.decode()
    assert "责任清单" in lists and '<span class="text-danger fw-semibold">1</span>' in lists  # 按期换届 is overdue
    groups = {g.key: g.count for g in inbox.collect(cast.secretary_a, M(2026, 11, 23))}
    assert groups["duties.overdue"] == 1
    assert "duties.overdue" not in {g.key for g in inbox.collect(cast.secretary_b, M(2026, 11, 23))}
    assigned = login(cast.secretary_a).get(reverse("duties:lists")).content.decode()
    assert "三会一课" in assigned and "按期换届" in assigned


def test_each_side_sees_its_own_moves_and_evidence_stays_in_scope(cast: Cast) -> None:
    work_list = actions.create_list(cast.committee_x, year=2026, title="清单", actor=None)
    item = actions.add_item(work_list, assignee=cast.branch_a, title="三会一课", deadline=M(2026, 12, 31), actor=None)
    actions.publish(work_list, actor=None)
    secretary, committee = login(cast.secretary_a), login(cast.committee_admin)
    page = secretary.get(item.get_absolute_url()).content.decode()
    assert 'id="move-acknowledge"' in page and 'id="move-fail"' not in page
    page = committee.get(item.get_absolute_url()).content.decode()
    assert 'id="move-fail"' in page and 'id="move-acknowledge"' in page  # the committee covers the branch too
    assert (
        secretary.post(reverse("duties:move", args=[item.pk, "acknowledge"]), {"on": "2026-11-23"}).status_code == 302
    )
    progress = reverse("duties:move", args=[item.pk, "progress"])
    bad = secretary.post(progress, {"on": "2026-11-23", "percent": "100", "text": "进行中"})
    assert (bad.status_code == 400 and 'value="进行中"' not in bad.content.decode()) or "进行中" in bad.content.decode()
    ok = secretary.post(
        progress,
        {
            "on": "2026-11-23",
            "percent": "40",
            "text": "已开两次",
            "evidence": SimpleUploadedFile("e.png", b"\x89PNG\r\n", "image/png"),
        },
    )
    assert ok.status_code == 302
    event = item.events.get(move=Move.PROGRESS)
    assert secretary.get(reverse("duties:evidence", args=[event.pk])).status_code == 200
    assert login(cast.secretary_b).get(reverse("duties:evidence", args=[event.pk])).status_code == 404
    assert login(cast.secretary_b).get(item.get_absolute_url()).status_code == 404
    accept = secretary.post(reverse("duties:move", args=[item.pk, "accept"]), {"on": "2026-11-23", "score": "9"})
    assert accept.status_code == 404  # the owner is not the issuer
    assert secretary.get(reverse("duties:move", args=[item.pk, "nonsense"])).status_code == 404
    assert Item.objects.get(pk=item.pk).percent == 40
    assert login(cast.member_a).get(reverse("duties:lists")).status_code == 403


def test_copy_a_list_to_next_year_from_its_page(cast: Cast) -> None:
    work_list = actions.create_list(cast.committee_x, year=2026, title="清单", actor=None)
    actions.add_item(work_list, assignee=cast.branch_a, title="三会一课", deadline=M(2026, 12, 31), actor=None)
    committee = login(cast.committee_admin)
    response = committee.post(work_list.get_absolute_url(), {"year": "2027"})
    copy = WorkList.objects.get(year=2027)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.items.get().deadline == M(2027, 12, 31)
    refused = committee.post(work_list.get_absolute_url(), {"year": "x"}, follow=True)
    assert refused.status_code == 200 and WorkList.objects.count() == 2
    assert copy.items.get().max_score == Decimal(10)


def test_a_list_as_xlsx_and_pdf(cast: Cast) -> None:
    import io

    from openpyxl import load_workbook

    work_list = actions.create_list(cast.committee_x, year=2026, title="2026年责任清单", actor=None)
    item = actions.add_item(work_list, assignee=cast.branch_a, title="三会一课", deadline=M(2026, 12, 31), actor=None)
    actions.publish(work_list, actor=None)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=None)
    item.refresh_from_db()
    actions.add_item(work_list, parent=item, assignee=cast.branch_a, title="党课", deadline=M(2026, 12, 1), actor=None)
    committee = login(cast.committee_admin)
    xlsx = committee.get(reverse("duties:list_export", args=[work_list.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "2026年责任清单"
    assert [(r[0], r[1], r[2]) for r in rows[3:]] == [
        ("1", "三会一课", "东关村党支部"),
        ("1.1", "党课", "东关村党支部"),
    ]
    pdf = committee.get(reverse("duties:list_export", args=[work_list.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert committee.get(reverse("duties:list_export", args=[work_list.pk, "doc"])).status_code == 404
    assert login(cast.secretary_b).get(reverse("duties:list_export", args=[work_list.pk, "pdf"])).status_code == 404


def test_completion_by_organization_of_a_subtree(cast: Cast, django_assert_num_queries: Any) -> None:
    from dangjian.duties import queries

    work_list = actions.create_list(cast.county, year=2026, title="县委清单", actor=None)
    done = actions.add_item(work_list, assignee=cast.branch_a, title="甲", deadline=M(2026, 12, 31), actor=None)
    actions.add_item(work_list, assignee=cast.branch_a, title="乙", deadline=M(2026, 10, 31), actor=None)
    actions.add_item(work_list, assignee=cast.committee_y, title="丙", deadline=M(2026, 12, 31), actor=None)
    actions.add_item(work_list, assignee=cast.county, title="丁", deadline=M(2026, 12, 31), actor=None)
    actions.publish(work_list, actor=None)
    for move, args in ((Move.ACKNOWLEDGE, {}), (Move.REPORT, {"text": "完成"}), (Move.ACCEPT, {"score": Decimal(10)})):
        actions.make_move(done, move, actor=None, **args)
    with django_assert_num_queries(2):
        rows = queries.completion_by_child(Item.objects.all(), cast.county, 2026, M(2026, 11, 23))
    got = {r["organization"].name: (r["total"], r["accepted"], r["overdue"], r["rate"]) for r in rows}
    assert got == {
        "测试县委": (1, 0, 0, 0.0),
        "城关镇党委": (2, 1, 1, 0.5),
        "非公党委": (1, 0, 0, 0.0),
    }
    page = login(cast.county_admin).get(reverse("duties:lists")).content.decode()
    assert 'id="by-org"' in page and "50%" in page


def test_the_owner_splits_its_item_without_seeing_the_issuers_list(cast: Cast) -> None:
    work_list = actions.create_list(cast.county, year=2026, title="县委清单", actor=None)
    item = actions.add_item(work_list, assignee=cast.committee_x, title="整顿", deadline=M(2026, 12, 31), actor=None)
    actions.publish(work_list, actor=None)
    actions.make_move(item, Move.ACKNOWLEDGE, actor=None)
    committee = login(cast.committee_admin)
    assert committee.get(work_list.get_absolute_url()).status_code == 404  # the county's list is not its own
    add = reverse("duties:item_add", args=[work_list.pk]) + f"?parent={item.pk}"
    assert committee.get(add).status_code == 200
    data = {
        "title": "东关村整顿",
        "assignee": cast.branch_a.pk,
        "post": "secretary",
        "deadline": "2026-12-01",
        "max_score": "10",
    }
    assert committee.post(add, data).status_code == 302
    assert item.children.get().issuer == cast.committee_x
    wrong = reverse("duties:item_add", args=[work_list.pk + 999]) + f"?parent={item.pk}"
    assert committee.get(wrong).status_code == 404
