"""Dues pages: the member's page, setting the standard and recording payments through the
forms (bad input re-shown with the rule), the arrears of a subtree with S1, the inbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core import inbox
from dangjian.core.testing import Cast
from dangjian.dues import actions
from dangjian.dues.models import DuesStandard, Payment

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_set_the_standard_through_the_form(cast: Cast) -> None:
    li = cast.members_a[1]
    client = login(cast.secretary_a)
    url = reverse("dues:standard", args=[li.pk])
    bad = client.post(url, {"category": "salary", "valid_from": "2026-01-01", "base": ""})
    assert bad.status_code == 400 and "Give the monthly income base (F1)" in bad.content.decode()
    assert 'value="salary" selected' in bad.content.decode() or "selected" in bad.content.decode()
    ok = client.post(url, {"category": "salary", "valid_from": "2026-01-01", "base": "4200"})
    assert ok.status_code == 302
    standard = DuesStandard.objects.get(member=li)
    assert (standard.amount, standard.bracket) == (Decimal("42.00"), "3000–5000: 1%")
    page = client.get(reverse("dues:member", args=[li.pk])).content.decode()
    assert "3000–5000: 1%" in page and "42.00" in page
    assert (
        login(cast.secretary_b).post(url, {"category": "salary", "valid_from": "2026-01-01", "base": "1"}).status_code
        == 404
    )


def test_record_payments_and_see_the_arrears_shrink(cast: Cast) -> None:
    li = cast.members_a[1]
    actions.set_standard(li, category="salary", base=Decimal("4200"), valid_from=M(2026, 1, 1), actor=None)
    client = login(cast.secretary_a)
    arrears = client.get(reverse("dues:arrears")).content.decode()
    assert f'data-member="{li.pk}"' in arrears and "10 (S1)" in arrears  # January to October unpaid
    url = reverse("dues:pay", args=[li.pk])
    form = client.get(url).content.decode()
    assert 'value="2026-01-01"' in form
    months = [M(2026, m, 1).isoformat() for m in range(1, 11)]
    response = client.post(url, {"months": months, "method": "cash", "paid_on": "2026-11-20", "receipt_no": "R-1"})
    assert response.status_code == 302
    assert Payment.objects.filter(member=li).count() == 10
    arrears = client.get(reverse("dues:arrears")).content.decode()
    assert f'data-member="{li.pk}"' not in arrears
    november = {"months": ["2026-11-01"], "method": "cash", "paid_on": "2026-11-20"}
    assert client.post(url, november).status_code == 302
    again = client.post(url, november)
    assert again.status_code == 400 and "2026-11 is already paid" in again.content.decode()
    assert Payment.objects.filter(member=li).count() == 11


def test_the_inbox_flags_six_months_without_dues(cast: Cast) -> None:
    li = cast.members_a[1]
    actions.set_standard(li, category="salary", base=Decimal("4200"), valid_from=M(2026, 5, 1), actor=None)
    today = timezone.localdate()
    groups = {g.key: g for g in inbox.collect(cast.secretary_a, today)}
    assert groups["dues.six_months"].count == 1 and groups["dues.six_months"].items[0].label == li.name
    assert {g.key: g.count for g in inbox.collect(cast.secretary_b, today)}.get("dues.six_months", 0) == 0
    actions.record_payments(li, [M(2026, 8, 1)], method="cash", paid_on=M(2026, 8, 31), actor=None)
    counts = {g.key: g.count for g in inbox.collect(cast.secretary_a, today)}
    assert "dues.six_months" not in counts  # the longest run is now three months: nothing to flag


def test_a_member_sees_their_own_dues_only(cast: Cast) -> None:
    zhang, li = cast.members_a[0], cast.members_a[1]
    actions.set_standard(zhang, category="retired", base=Decimal("5200"), valid_from=M(2026, 1, 1), actor=None)
    client = login(cast.member_a)
    assert "52.00" in client.get(reverse("dues:member", args=[zhang.pk])).content.decode()
    assert client.get(reverse("dues:member", args=[li.pk])).status_code == 404
    assert client.get(reverse("dues:pay", args=[zhang.pk])).status_code == 404


def test_the_year_so_far_sums_the_months(cast: Cast) -> None:
    from dangjian.dues import queries

    months = [{"due": 3, "paid": 3}, {"due": 4, "paid": 2}]
    assert queries.year_total(months) == {"due": 7, "paid": 5, "rate": 5 / 7}
    assert queries.year_total([])["rate"] is None
    actions.set_standard(
        cast.members_a[1], category="salary", base=Decimal("4200"), valid_from=M(2026, 9, 1), actor=None
    )
    page = login(cast.secretary_a).get(reverse("dues:arrears")).content.decode()
    assert 'id="year-total"' in page and '<td class="text-end">2</td><td class="text-end">0</td>' in page
