"""Member pages: forms keep what was typed, searches find people, pages stay at a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core.testing import Cast, make_id_number, make_member
from dangjian.members.models import Member


@pytest.fixture
def secretary(cast: Cast) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.secretary_a)
    return client


def form_data(cast: Cast, **overrides: str) -> dict[str, str]:
    data = {
        "organization": str(cast.branch_a.pk),
        "name": "诸葛亮",
        "id_number": make_id_number(dt.date(1981, 7, 23)),
        "ethnicity": "01",
        "status": "full",
        "joined_on": "2005-07-01",
        "full_on": "2006-07-01",
        "phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_bad_id_number_reshows_form_with_specific_error(cast: Cast, secretary: Client) -> None:
    good = make_id_number(dt.date(1981, 7, 23))
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    response = secretary.post(reverse("members:add"), form_data(cast, id_number=bad))
    body = response.content.decode()
    assert response.status_code == 400
    assert "The check character is" in body and f"should be {good[-1]}" in body
    assert "诸葛亮" in body and bad in body and "13912345678" in body  # nothing typed is lost
    assert not Member.objects.filter(name="诸葛亮").exists()


def test_add_member_then_see_it_in_the_list(cast: Cast, secretary: Client) -> None:
    response = secretary.post(reverse("members:add"), form_data(cast))
    assert response.status_code == 302
    member = Member.objects.get(name="诸葛亮")
    assert member.birth_date == dt.date(1981, 7, 23)
    detail = secretary.get(response["Location"]).content.decode()
    assert member.id_number in detail  # a secretary sees the full number
    listing = secretary.get(reverse("members:list") + "?q=zgl").content.decode()
    assert "诸葛亮" in listing and "张三" not in listing


def test_secretary_cannot_add_to_another_branch(cast: Cast, secretary: Client) -> None:
    response = secretary.post(reverse("members:add"), form_data(cast, organization=str(cast.branch_b.pk)))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Member.objects.filter(name="诸葛亮").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zs", {"张三"}), ("zhang", {"张三"}), ("张", {"张三"}), ("ls", {"李四"}), ("wang", {"王五"})],
)
def test_search_by_name_and_pinyin(cast: Cast, secretary: Client, query: str, expected: set[str]) -> None:
    response = secretary.get(reverse("member-list"), {"q": query})
    assert {row["name"] for row in response.json()["results"]} == expected


def test_search_by_id_digits(cast: Cast, secretary: Client) -> None:
    target = cast.members_a[2]
    for query in (target.id_number[-4:], target.id_number):
        names = {r["name"] for r in secretary.get(reverse("member-list"), {"q": query}).json()["results"]}
        assert target.name in names
        assert all(m.name not in names for m in cast.members_b)


def test_filters_status_subtree_and_mobile(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.county_admin)
    api = reverse("member-list")
    everyone = {r["name"] for r in client.get(api).json()["results"]}
    assert everyone == {m.name for m in cast.members_a + cast.members_b}
    within_x = {r["name"] for r in client.get(api, {"within": cast.committee_x.pk}).json()["results"]}
    assert within_x == {m.name for m in cast.members_a}
    probationary = {r["name"] for r in client.get(api, {"status": "probationary"}).json()["results"]}
    assert probationary == {"吴十"}
    assert client.get(api, {"mobile": "true"}).json()["count"] == 0


def test_member_list_queries_do_not_grow_with_rows(
    cast: Cast, secretary: Client, django_assert_max_num_queries
) -> None:
    url = reverse("members:list")
    secretary.get(url)  # warm caches (content types, figures)
    with django_assert_max_num_queries(12) as few:
        secretary.get(url)
    for i in range(30):
        make_member(cast.branch_a, f"批量{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = secretary.get(url)
    assert "批量29" in response.content.decode() or "批量0" in response.content.decode()


def test_export_xlsx_is_masked_for_inspector(cast: Cast) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.inspector)
    response = client.get(reverse("members:list") + "?_export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert cast.members_a[0].id_number not in values
    assert cast.members_a[0].id_number_masked in values


def test_transition_form_records_status_change(cast: Cast, secretary: Client) -> None:
    member = cast.members_a[1]
    url = reverse("members:transition", args=[member.pk])
    response = secretary.post(url, {"transition": "deceased", "on": "2026-01-05", "reason": ""})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    response = secretary.post(url, {"transition": "deceased", "on": "2026-01-05", "reason": "病故"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "deceased"
    page = secretary.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "病故" in page


def test_transfer_flow_through_pages(cast: Cast, secretary: Client) -> None:
    member = cast.members_a[2]
    response = secretary.post(
        reverse("members:transfer", args=[member.pk]),
        {"to_org_code": "NOPE", "reason": "work", "letter_number": "L1", "issued_on": "2026-11-01"},
    )
    assert response.status_code == 400 and "No organization has the code NOPE" in response.content.decode()
    secretary.post(
        reverse("members:transfer", args=[member.pk]),
        {"to_org_code": "BB", "reason": "work", "letter_number": "L1", "issued_on": "2026-11-01", "same_city": "on"},
    )
    transfer = member.transfers.get()
    receiver = Client(HTTP_ACCEPT_LANGUAGE="en")
    receiver.force_login(cast.secretary_b)
    listing = receiver.get(reverse("members:transfers")).content.decode()
    assert member.name in listing and reverse("members:transfer_accept", args=[transfer.pk]) in listing
    receiver.post(reverse("members:transfer_accept", args=[transfer.pk]), {"accepted_on": "2026-11-03"})
    member.refresh_from_db()
    assert member.organization == cast.branch_b
    assert secretary.get(reverse("members:detail", args=[member.pk])).status_code == 404


def test_plain_list_shows_current_members_only(cast: Cast, secretary: Client) -> None:
    from dangjian.members import actions

    gone = cast.members_a[3]
    actions.record_transition(gone, "deceased", on=dt.date(2026, 1, 5), reason="病故", actor=None)
    page = secretary.get(reverse("members:list")).content.decode()  # no query string at all
    assert gone.name not in page and cast.members_a[0].name in page
    former = secretary.get(reverse("members:list") + "?status=former").content.decode()
    assert gone.name in former


def test_export_has_every_row_not_one_page(cast: Cast, secretary: Client) -> None:
    for i in range(60):
        make_member(cast.branch_a, f"导出{i:02d}")
    csv = secretary.get(reverse("members:list") + "?_export=csv").content.decode()
    assert csv.count("导出") == 60
    table = secretary.get(reverse("members:list")).context["table"]
    assert table.page.paginator.count == 60 + len(cast.members_a)
    assert len(table.page.object_list) == 50
