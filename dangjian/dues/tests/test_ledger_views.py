"""Pages of handovers and of the funds ledger: forms that re-show bad input with the
reason, confirmation by the receiving side, approval by the higher organization, the
voucher, the yearly statement as .xlsx and PDF, and the inbox."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core import inbox
from dangjian.core.testing import Cast
from dangjian.dues import actions
from dangjian.dues.choices import FundSource, FundState
from dangjian.dues.models import FundEntry, Handover, Payment

M = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def collect(cast: Cast, amount: str = "120.00") -> None:
    member = cast.members_a[0]
    Payment.objects.create(
        member=member,
        organization=member.organization,
        month=M(2026, 10, 1),
        amount=Decimal(amount),
        method="cash",
        paid_on=M(2026, 10, 20),
    )


def test_a_branch_hands_over_and_the_committee_confirms_on_the_pages(cast: Cast) -> None:
    collect(cast)
    secretary = login(cast.secretary_a)
    page = secretary.get(reverse("dues:handovers")).content.decode()
    assert 'id="held">120.00' in page and "Hand over to 城关镇党委" in page
    url = reverse("dues:hand_over", args=[cast.branch_a.pk])
    form = secretary.get(url).content.decode()
    assert "holds 120.00 yuan" in form and 'value="120.00"' in form
    data = {"amount": "150", "handed_on": "2026-11-20", "months_from": "2026-10-01", "months_to": "2026-10-01"}
    bad = secretary.post(url, data)
    assert bad.status_code == 400 and "holds 120.00 yuan of dues on 2026-11-20" in bad.content.decode()
    assert 'value="150"' in bad.content.decode()  # what was typed is kept
    assert secretary.post(url, {**data, "amount": "120"}).status_code == 302
    handover = Handover.objects.get()
    assert login(cast.secretary_b).get(url).status_code == 404
    assert login(cast.county_admin).get(reverse("dues:hand_over", args=[cast.county.pk])).status_code == 404
    committee = login(cast.committee_admin)
    groups = {g.key: g for g in inbox.collect(cast.committee_admin, M(2026, 11, 23))}
    assert groups["dues.handovers"].count == 1
    page = committee.get(reverse("dues:handovers")).content.decode()
    assert "Confirm receipt" in page and 'id="held">120.00' in page
    confirm = reverse("dues:confirm_handover", args=[handover.pk])
    assert secretary.post(confirm, {"confirmed_on": "2026-11-21"}).status_code == 400  # not the receiver
    assert committee.post(confirm, {"confirmed_on": "2026-11-19"}).status_code == 400  # before handed over
    assert committee.post(confirm, {"confirmed_on": "2026-11-21"}).status_code == 302
    handover.refresh_from_db()
    assert handover.confirmed_by == cast.committee_admin
    assert "dues.handovers" not in {g.key for g in inbox.collect(cast.committee_admin, M(2026, 11, 23))}
    withdraw = secretary.post(reverse("dues:withdraw_handover", args=[handover.pk]), follow=True)
    assert "cannot be withdrawn" in withdraw.content.decode() and Handover.objects.exists()


def test_the_funds_ledger_with_approval_voucher_and_statement(cast: Cast) -> None:
    committee = login(cast.committee_admin)
    income = reverse("dues:fund_income", args=[cast.committee_x.pk])
    assert (
        committee.post(
            income, {"source": FundSource.BUDGET, "amount": "10000", "on": "2026-01-10", "description": "年度党建经费"}
        ).status_code
        == 302
    )
    grant = reverse("dues:fund_grant", args=[cast.committee_x.pk])
    form = committee.get(grant).content.decode()
    assert "东关村党支部" in form and "纺织公司党支部" not in form
    assert (
        committee.post(
            grant,
            {"organization": cast.branch_a.pk, "amount": "5000", "on": "2026-02-01", "description": "下拨支部经费"},
        ).status_code
        == 302
    )
    secretary = login(cast.secretary_a)
    spend = reverse("dues:fund_expenditure", args=[cast.branch_a.pk])
    assert "Balance 5000.00 yuan. Above 2000 yuan" in secretary.get(spend).content.decode()
    data = {"category": "training", "amount": "3000", "on": "2026-06-01", "description": "党员轮训"}
    response = secretary.post(spend, {**data, "voucher": SimpleUploadedFile("v.png", PNG, "image/png")})
    assert response.status_code == 302
    entry = FundEntry.objects.get(description="党员轮训")
    assert entry.state == FundState.PENDING and entry.recorded_by == cast.secretary_a
    small = secretary.post(spend, {**data, "amount": "100", "description": "学习资料"})
    assert small.status_code == 400 and "Name who approved" in small.content.decode()
    assert 'value="学习资料"' in small.content.decode()
    bad_file = secretary.post(
        spend,
        {**data, "amount": "100", "approver": "张书记", "voucher": SimpleUploadedFile("v.html", b"<p>", "text/html")},
    )
    assert bad_file.status_code == 400
    entry_url = reverse("dues:fund_entry", args=[entry.pk])
    page = secretary.get(entry_url).content.decode()
    assert "Awaiting approval" in page and 'id="decide"' not in page  # the recorder cannot decide
    assert secretary.post(entry_url, {"approve": "1"}).status_code == 400
    voucher = secretary.get(reverse("dues:fund_voucher", args=[entry.pk]))
    assert voucher.status_code == 200 and voucher["Content-Security-Policy"] == "sandbox"
    assert login(cast.secretary_b).get(entry_url).status_code == 404
    assert login(cast.secretary_b).get(reverse("dues:fund_voucher", args=[entry.pk])).status_code == 404
    groups = {g.key: g for g in inbox.collect(cast.committee_admin, M(2026, 11, 23))}
    assert groups["dues.approvals"].count == 1
    assert "dues.approvals" not in {g.key for g in inbox.collect(cast.secretary_a, M(2026, 11, 23))}
    funds = committee.get(reverse("dues:funds") + f"?org={cast.branch_a.pk}").content.decode()
    assert 'id="to-decide"' in funds and "党员轮训" in funds
    assert committee.post(entry_url, {"approve": "0"}).status_code == 400  # a rejection needs its reason
    assert committee.post(entry_url, {"approve": "1", "note": "同意"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == FundState.APPROVED and entry.decided_by == cast.committee_admin
    page = secretary.get(reverse("dues:funds")).content.decode()
    assert 'id="balance">2000.00' in page
    xlsx = secretary.get(reverse("dues:fund_statement", args=[cast.branch_a.pk, "xlsx"]), {"year": "2026"})
    summary = {r[0]: r[1] for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) if r}
    assert summary["Closing balance"] == 2000 and summary["  Allocation from the higher organization"] == 5000
    committee_xlsx = committee.get(reverse("dues:fund_statement", args=[cast.committee_x.pk, "xlsx"]))
    rows = {
        r[0]: r[1] for r in load_workbook(io.BytesIO(committee_xlsx.content)).active.iter_rows(values_only=True) if r
    }
    assert rows["  Allocations to lower organizations"] == 5000 and rows["Closing balance"] == 5000
    pdf = secretary.get(reverse("dues:fund_statement", args=[cast.branch_a.pk, "pdf"]), {"year": "2026"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert secretary.get(reverse("dues:fund_statement", args=[cast.branch_a.pk, "html"])).status_code == 404
    assert (
        login(cast.secretary_b).get(reverse("dues:fund_statement", args=[cast.branch_a.pk, "pdf"])).status_code == 404
    )


def test_members_do_not_see_the_money_pages(cast: Cast) -> None:
    member = login(cast.member_a)
    for url in (reverse("dues:handovers"), reverse("dues:funds")):
        assert member.get(url).status_code == 403
    assert member.get(reverse("dues:fund_statement", args=[cast.branch_a.pk, "pdf"])).status_code == 403


def test_a_voluntary_payment_is_recorded_on_the_member_page(cast: Cast) -> None:
    zhang = cast.members_a[0]
    secretary = login(cast.secretary_a)
    url = reverse("dues:voluntary", args=[zhang.pk])
    assert "goes wholly to the Centre (F10)" in secretary.get(url).content.decode()
    assert secretary.post(url, {"amount": "0", "method": "cash", "paid_on": "2026-11-01"}).status_code == 400
    assert secretary.post(url, {"amount": "1000", "method": "cash", "paid_on": "2026-11-01"}).status_code == 302
    payment = Payment.objects.get(member=zhang)
    assert (payment.kind, payment.amount) == ("voluntary", Decimal("1000.00"))
    assert "voluntary" in secretary.get(reverse("dues:member", args=[zhang.pk])).content.decode()
    page = login(cast.committee_admin).get(reverse("dues:handovers")).content.decode()
    assert "1000.00" in page  # of which wholly to the Centre (F10)
    assert login(cast.secretary_b).get(url).status_code == 404


def test_a_large_subtree_lists_no_members_but_the_counts(cast: Cast, monkeypatch: Any) -> None:
    monkeypatch.setattr("dangjian.dues.views.ARREARS_LIST_LIMIT", 2)
    actions.set_standard(
        cast.members_a[0], category="salary", base=Decimal("4200"), valid_from=M(2026, 1, 1), actor=None
    )
    page = login(cast.county_admin).get(reverse("dues:arrears")).content.decode()
    assert 'id="not-listed"' in page and 'id="arrears"' not in page
