"""The dues API (/api/dues-standards/, dues-payments/, dues-handovers/, fund-entries/ and
dues-reconciliation/): scoped like the pages (out of scope is 404, a member sees their
own), every write through the dues actions with their refusals as 400 by field, amounts
as strings with two decimals, payments of several months all or nothing, and the
approval of an expenditure by the higher organization only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, api_for, ids
from dangjian.dues import actions
from dangjian.dues.choices import DuesCategory, FundCategory, FundSource, FundState, PaymentKind
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
from dangjian.members.models import Member

M = dt.date
TODAY = M(2026, 11, 23)
JANUARY = M(2026, 1, 1)
PAID_ON = M(2026, 11, 10)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture
def api(cast: Cast) -> APIClient:
    return api_for(cast.secretary_a)


def salary(member: Member, base: str = "4200", valid_from: dt.date = JANUARY) -> DuesStandard:
    return actions.set_standard(
        member, category=DuesCategory.SALARY, base=Decimal(base), valid_from=valid_from, actor=None
    )


def pay(member: Member, *months: dt.date, paid_on: dt.date = PAID_ON) -> list[Payment]:
    return actions.record_payments(member, months, method="cash", paid_on=paid_on, actor=None)


@pytest.fixture
def standards(cast: Cast) -> dict[str, DuesStandard]:
    """42.00 a month from January for two members of A (张三 is member_a's record) and
    one of B."""
    return {
        "zhang": salary(cast.members_a[0]),
        "li": salary(cast.members_a[1]),
        "qian": salary(cast.members_b[0]),
    }


# --- Standards ------------------------------------------------------------------------


def test_standards_are_listed_in_scope_with_amounts_as_strings(
    cast: Cast, api: APIClient, standards: dict[str, DuesStandard]
) -> None:
    zhang, li, qian = standards["zhang"], standards["li"], standards["qian"]
    assert ids(api.get("/api/dues-standards/")) == {zhang.pk, li.pk}
    assert ids(api.get(f"/api/dues-standards/?member={li.member_id}")) == {li.pk}
    assert ids(api.get(f"/api/dues-standards/?member={qian.member_id}")) == set()
    assert ids(api_for(cast.secretary_b).get("/api/dues-standards/")) == {qian.pk}
    assert ids(api_for(cast.county_admin).get("/api/dues-standards/")) == {zhang.pk, li.pk, qian.pk}
    assert ids(api_for(cast.inspector).get("/api/dues-standards/")) == {zhang.pk, li.pk, qian.pk}
    assert ids(api_for(cast.instructor).get("/api/dues-standards/")) == set()  # no dues area
    # A member sees their own standard only (scope_self), in the list and by id.
    member = api_for(cast.member_a)
    assert ids(member.get("/api/dues-standards/")) == {zhang.pk}
    assert member.get(f"/api/dues-standards/{li.pk}/").status_code == 404
    row = api.get(f"/api/dues-standards/{zhang.pk}/").json()
    assert {k: row[k] for k in ("member", "member_name", "valid_from", "category", "base")} == {
        "member": cast.members_a[0].pk,
        "member_name": "张三",
        "valid_from": "2026-01",
        "category": "salary",
        "base": "4200.00",
    }
    assert (row["amount"], row["rule"], row["rate"], row["bracket"], row["payable"]) == (
        "42.00",
        "F1",
        "0.0100",
        "3000–5000: 1%",
        "42.00",
    )
    assert api.get("/api/dues-standards/?member=abc").status_code == 400
    assert APIClient().get("/api/dues-standards/").status_code == 401


def test_a_standard_out_of_scope_is_not_found(cast: Cast, standards: dict[str, DuesStandard]) -> None:
    url = f"/api/dues-standards/{standards['zhang'].pk}/"
    assert api_for(cast.secretary_b).get(url).status_code == 404
    assert api_for(cast.secretary_a).get(url).status_code == 200
    assert api_for(cast.secretary_a).get("/api/dues-standards/999999/").status_code == 404
    # Methods the endpoint does not take answer 405 only within the scope.
    assert api_for(cast.secretary_a).delete(url).status_code == 405
    assert api_for(cast.secretary_b).delete(url).status_code == 404


def test_set_a_standard_through_the_rules(cast: Cast, api: APIClient, standards: dict[str, DuesStandard]) -> None:
    zhang = cast.members_a[0]
    response = api.post(
        "/api/dues-standards/",
        {
            "member": zhang.pk,
            "category": "salary",
            "valid_from": "2026-12-15",  # F9: from the month
            "base": "6000",
            "amount": "1.00",  # derived: ignored
            "reduced_amount": "30.00",
            "reduction_reason": "县委组织部批准",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["valid_from"], body["amount"], body["rate"], body["payable"]) == (
        "2026-12",
        "90.00",
        "0.0150",
        "30.00",
    )
    standard = DuesStandard.objects.get(pk=body["id"])
    assert (standard.valid_from, standard.amount, standard.reduced_amount) == (
        M(2026, 12, 1),
        Decimal("90.00"),
        Decimal("30.00"),
    )
    assert AuditEntry.objects.for_object(standard).count() == 1
    # A second standard of the same month replaces it (as on the page).
    again = api.post(
        "/api/dues-standards/",
        {"member": zhang.pk, "category": "salary", "valid_from": "2026-12", "base": "4200"},
        format="json",
    )
    assert again.status_code == 201, again.content
    assert again.json()["id"] == standard.pk and again.json()["payable"] == "42.00"
    assert DuesStandard.objects.filter(member=zhang).count() == 2  # January's stays as history


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"base": None}, "base", "F1"),
        ({"valid_from": "2026-13"}, "valid_from", "is not a month"),
        ({"valid_from": "next month"}, "valid_from", "is not a month"),
        ({"category": "bonus"}, "category", "not a valid choice"),
        ({"reduced_amount": "50.00", "reduction_reason": "困难"}, "reduced_amount", "F7"),
        ({"reduced_amount": "10.00"}, "non_field_errors", "F7"),
        ({"base": "abc"}, "base", "valid number"),
    ],
)
def test_setting_a_standard_refuses_bad_input(
    cast: Cast, api: APIClient, changes: dict[str, Any], field: str, message: str
) -> None:
    data = {"member": cast.members_a[1].pk, "category": "salary", "valid_from": "2026-11", "base": "4200", **changes}
    data = {k: v for k, v in data.items() if v is not None}
    response = api.post("/api/dues-standards/", data, format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field]), response.json()
    assert not DuesStandard.objects.exists()


def test_no_standard_before_admission(cast: Cast, api: APIClient) -> None:
    wu = cast.members_a[4]  # probationary, admitted 2026-03-01
    data = {"member": wu.pk, "category": "salary", "valid_from": "2026-02", "base": "3000"}
    response = api.post("/api/dues-standards/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"valid_from": ["Dues are paid from the month of admission, 2026-03 (F8)."]}


def test_standards_of_members_out_of_scope_cannot_be_set(cast: Cast) -> None:
    data = {"member": cast.members_a[1].pk, "category": "salary", "valid_from": "2026-11", "base": "4200"}
    response = api_for(cast.secretary_b).post("/api/dues-standards/", data, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["member"][0]
    assert api_for(cast.member_a).post("/api/dues-standards/", data, format="json").status_code == 403
    assert api_for(cast.inspector).post("/api/dues-standards/", data, format="json").status_code == 403
    assert not DuesStandard.objects.exists()
    assert api_for(cast.committee_admin).post("/api/dues-standards/", data, format="json").status_code == 201


# --- Payments -------------------------------------------------------------------------


def test_several_months_are_recorded_at_once(cast: Cast, api: APIClient, standards: dict[str, DuesStandard]) -> None:
    li = cast.members_a[1]
    response = api.post(
        "/api/dues-payments/",
        {
            "member": li.pk,
            "months": ["2026-10", "2026-09"],
            "method": "cash",
            "paid_on": "2026-11-20",
            "receipt_no": "R-7",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rows = response.json()
    assert [(r["month"], r["amount"], r["kind"], r["receipt_no"], r["organization"]) for r in rows] == [
        ("2026-09", "42.00", "regular", "R-7", cast.branch_a.pk),
        ("2026-10", "42.00", "regular", "R-7", cast.branch_a.pk),
    ]
    assert set(Payment.objects.filter(member=li).values_list("month", flat=True)) == {M(2026, 9, 1), M(2026, 10, 1)}
    assert AuditEntry.objects.for_object(Payment.objects.get(pk=rows[0]["id"])).count() == 1


def test_payments_are_all_or_nothing(cast: Cast, api: APIClient, standards: dict[str, DuesStandard]) -> None:
    li = cast.members_a[1]
    pay(li, M(2026, 10, 1))
    response = api.post(
        "/api/dues-payments/",
        {"member": li.pk, "months": ["2026-10", "2026-11", "2025-12"], "method": "cash", "paid_on": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"months": ["No dues standard is set for 2025-12.", "2026-10 is already paid."]}
    assert list(Payment.objects.filter(member=li).values_list("month", flat=True)) == [M(2026, 10, 1)]
    wu = cast.members_a[4]  # admitted 2026-03-01
    salary(wu, "3000", M(2026, 3, 1))
    before = api.post(
        "/api/dues-payments/",
        {"member": wu.pk, "months": ["2026-02", "2026-03"], "method": "cash", "paid_on": "2026-11-20"},
        format="json",
    )
    assert before.status_code == 400
    assert before.json() == {"months": ["2026-02 is before the month of admission (F8)."]}
    assert not Payment.objects.filter(member=wu).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"months": []}, "months", "Choose the months paid for."),
        ({"months": None}, "months", "Choose the months paid for."),
        ({"paid_on": "2026-11-24"}, "paid_on", "The payment date is in the future."),
        ({"method": "cheque"}, "method", "not a valid choice"),
        ({"amount": "42.00"}, "amount", "leave out the amount"),
        ({"member": 999999}, "member", "does not exist"),
    ],
)
def test_recording_a_payment_refuses_bad_input(
    cast: Cast, api: APIClient, standards: dict[str, DuesStandard], changes: dict[str, Any], field: str, message: str
) -> None:
    data = {"member": cast.members_a[1].pk, "months": ["2026-11"], "method": "cash", "paid_on": "2026-11-20", **changes}
    data = {k: v for k, v in data.items() if v is not None}
    response = api.post("/api/dues-payments/", data, format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field]), response.json()
    assert not Payment.objects.exists()


def test_a_month_that_is_not_a_month_is_named(cast: Cast, api: APIClient, standards: dict[str, DuesStandard]) -> None:
    data = {"member": cast.members_a[1].pk, "months": ["2026-11", "2026/12"], "method": "cash", "paid_on": "2026-11-20"}
    response = api.post("/api/dues-payments/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"months": {"1": ["“2026/12” is not a month: give it as 2026-10."]}}


def test_a_voluntary_payment(cast: Cast, api: APIClient, standards: dict[str, DuesStandard]) -> None:
    li = cast.members_a[1]
    data = {"kind": "voluntary", "member": li.pk, "amount": "1000", "method": "transfer", "paid_on": "2026-11-02"}
    response = api.post("/api/dues-payments/", data, format="json")
    assert response.status_code == 201, response.content
    [row] = response.json()
    assert (row["kind"], row["month"], row["amount"]) == ("voluntary", "2026-11", "1000.00")
    assert Payment.objects.get(pk=row["id"]).kind == PaymentKind.VOLUNTARY
    missing = api.post("/api/dues-payments/", {**data, "amount": None}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"amount": ["This field may not be null."]}
    without = api.post("/api/dues-payments/", {k: v for k, v in data.items() if k != "amount"}, format="json")
    assert without.json() == {"amount": ["This field is required."]}
    negative = api.post("/api/dues-payments/", {**data, "amount": "-5"}, format="json")
    assert negative.json() == {"amount": ["Amounts are positive."]}
    months = api.post("/api/dues-payments/", {**data, "months": ["2026-11"]}, format="json")
    assert months.status_code == 400 and "months" in months.json()
    assert Payment.objects.filter(kind=PaymentKind.VOLUNTARY).count() == 1


def test_payments_are_listed_in_scope_and_filtered(cast: Cast, standards: dict[str, DuesStandard]) -> None:
    zhang, li = cast.members_a[0], cast.members_a[1]
    own = {p.pk for p in pay(zhang, M(2026, 9, 1), M(2026, 10, 1))}
    li_paid = {p.pk for p in pay(li, M(2026, 9, 1))}
    b_paid = {p.pk for p in pay(cast.members_b[0], M(2026, 9, 1))}
    gift = actions.record_voluntary(li, Decimal("50"), method="cash", paid_on=M(2026, 10, 3), actor=None).pk
    secretary = api_for(cast.secretary_a)
    assert ids(secretary.get("/api/dues-payments/")) == own | li_paid | {gift}
    assert ids(secretary.get(f"/api/dues-payments/?member={li.pk}")) == li_paid | {gift}
    assert ids(secretary.get("/api/dues-payments/?month=2026-09")) == {min(own)} | li_paid
    assert ids(secretary.get("/api/dues-payments/?kind=voluntary")) == {gift}
    assert ids(secretary.get(f"/api/dues-payments/?organization={cast.branch_b.pk}")) == set()
    assert secretary.get("/api/dues-payments/?month=September").status_code == 400
    county = api_for(cast.county_admin)
    assert ids(county.get(f"/api/dues-payments/?organization={cast.committee_x.pk}")) == own | li_paid | {gift}
    assert ids(county.get(f"/api/dues-payments/?organization={cast.committee_y.pk}")) == b_paid
    assert ids(api_for(cast.secretary_b).get("/api/dues-payments/")) == b_paid
    assert ids(api_for(cast.member_a).get("/api/dues-payments/")) == own  # their own only
    assert api_for(cast.member_a).get(f"/api/dues-payments/{gift}/").status_code == 404
    assert api_for(cast.secretary_b).get(f"/api/dues-payments/{gift}/").status_code == 404
    row = secretary.get(f"/api/dues-payments/{gift}/").json()
    assert (row["amount"], row["kind"], row["method"]) == ("50.00", "voluntary", "cash")


def test_payments_for_members_out_of_scope_are_refused(cast: Cast, standards: dict[str, DuesStandard]) -> None:
    data = {"member": cast.members_a[1].pk, "months": ["2026-11"], "method": "cash", "paid_on": "2026-11-20"}
    response = api_for(cast.secretary_b).post("/api/dues-payments/", data, format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["member"][0]
    assert api_for(cast.member_a).post("/api/dues-payments/", data, format="json").status_code == 403
    assert api_for(cast.inspector).post("/api/dues-payments/", data, format="json").status_code == 403
    assert not Payment.objects.exists()


# --- Handovers ------------------------------------------------------------------------


@pytest.fixture
def collected(cast: Cast, standards: dict[str, DuesStandard]) -> None:
    """Branch A collected 84.00 on 2026-11-10; branch B 42.00."""
    pay(cast.members_a[0], M(2026, 10, 1))
    pay(cast.members_a[1], M(2026, 10, 1))
    pay(cast.members_b[0], M(2026, 10, 1))


def handover_data(cast: Cast, **changes: Any) -> dict[str, Any]:
    return {
        "from_organization": cast.branch_a.pk,
        "amount": "84.00",
        "handed_on": "2026-11-20",
        "months_from": "2026-10",
        "months_to": "2026-10",
        "receipt_no": "HK-1",
        **changes,
    }


def test_a_branch_hands_over_to_its_committee(cast: Cast, api: APIClient, collected: None) -> None:
    response = api.post("/api/dues-handovers/", handover_data(cast), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["to_organization"], body["amount"], body["months_from"], body["confirmed_on"]) == (
        cast.committee_x.pk,
        "84.00",
        "2026-10",
        None,
    )
    handover = Handover.objects.get(pk=body["id"])
    # Both sides and those above see it; the other branch and members do not.
    for user in (cast.secretary_a, cast.committee_admin, cast.county_admin, cast.inspector):
        assert ids(api_for(user).get("/api/dues-handovers/")) == {handover.pk}, user
    assert ids(api_for(cast.secretary_b).get("/api/dues-handovers/")) == set()
    assert ids(api_for(cast.member_a).get("/api/dues-handovers/")) == set()
    assert api_for(cast.secretary_b).get(f"/api/dues-handovers/{handover.pk}/").status_code == 404
    committee = api_for(cast.committee_admin)
    assert ids(committee.get(f"/api/dues-handovers/?organization={cast.committee_x.pk}")) == {handover.pk}
    assert ids(committee.get("/api/dues-handovers/?confirmed=false&year=2026")) == {handover.pk}
    assert ids(committee.get("/api/dues-handovers/?confirmed=true")) == set()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "84.01"}, "amount", "holds 84.00 yuan of dues on 2026-11-20"),
        ({"handed_on": "2026-11-09"}, "amount", "holds 0.00 yuan"),
        ({"amount": "0"}, "amount", "Amounts are positive."),
        ({"handed_on": "2026-11-24"}, "handed_on", "The date is in the future."),
        ({"months_from": "2026-11"}, "months_to", "The last month comes after the first."),
        ({"months_to": "Oct"}, "months_to", "is not a month"),
    ],
)
def test_handing_over_refuses_bad_input(
    cast: Cast, api: APIClient, collected: None, changes: dict[str, Any], field: str, message: str
) -> None:
    response = api.post("/api/dues-handovers/", handover_data(cast, **changes), format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field]), response.json()
    assert not Handover.objects.exists()


def test_only_an_organization_of_ones_own_subtree_hands_over(cast: Cast, collected: None) -> None:
    response = api_for(cast.secretary_b).post("/api/dues-handovers/", handover_data(cast), format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["from_organization"][0]
    # the committee above the branch is not the branch's to hand over from
    above = api_for(cast.secretary_a).post(
        "/api/dues-handovers/", handover_data(cast, from_organization=cast.committee_x.pk), format="json"
    )
    assert above.status_code == 400 and "from_organization" in above.json()
    top = api_for(cast.county_admin).post(
        "/api/dues-handovers/", handover_data(cast, from_organization=cast.county.pk), format="json"
    )
    assert top.status_code == 400 and "no higher organization" in top.json()["non_field_errors"][0]
    assert api_for(cast.inspector).post("/api/dues-handovers/", handover_data(cast), format="json").status_code == 403
    assert not Handover.objects.exists()


def test_the_receiving_side_confirms(cast: Cast, api: APIClient, collected: None) -> None:
    handover = actions.hand_over(
        cast.branch_a,
        amount=Decimal("84"),
        handed_on=M(2026, 11, 20),
        months_from=M(2026, 10, 1),
        months_to=M(2026, 10, 1),
        actor=cast.secretary_a,
    )
    url = f"/api/dues-handovers/{handover.pk}/confirm/"
    own = api.post(url, {"confirmed_on": "2026-11-21"}, format="json")
    assert own.status_code == 400
    assert own.json() == {"non_field_errors": ["Only the receiving organization confirms a handover."]}
    assert api_for(cast.secretary_b).post(url, {}, format="json").status_code == 404
    assert api_for(cast.inspector).post(url, {}, format="json").status_code == 404  # may not change
    committee = api_for(cast.committee_admin)
    early = committee.post(url, {"confirmed_on": "2026-11-19"}, format="json")
    assert early.json() == {"confirmed_on": ["Confirm on a day from the handover to today."]}
    confirmed = committee.post(url, {"confirmed_on": "2026-11-21"}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["confirmed_on"], confirmed.json()["confirmed_by"]) == ("2026-11-21", "committee_x")
    handover.refresh_from_db()
    assert (handover.confirmed_on, handover.confirmed_by) == (M(2026, 11, 21), cast.committee_admin)
    assert committee.post(url, {}, format="json").json() == {"non_field_errors": ["The handover is already confirmed."]}
    # GET is not a way to confirm: 405 within the scope, 404 outside it.
    assert committee.get(url).status_code == 405
    assert api_for(cast.secretary_b).get(url).status_code == 404


def test_confirmation_defaults_to_today(cast: Cast, collected: None) -> None:
    handover = actions.hand_over(
        cast.branch_a,
        amount=Decimal("84"),
        handed_on=M(2026, 11, 20),
        months_from=M(2026, 10, 1),
        months_to=M(2026, 10, 1),
        actor=None,
    )
    response = api_for(cast.county_admin).post(f"/api/dues-handovers/{handover.pk}/confirm/", {}, format="json")
    assert response.status_code == 200 and response.json()["confirmed_on"] == "2026-11-23"


def test_the_sender_withdraws_an_unconfirmed_handover(cast: Cast, api: APIClient, collected: None) -> None:
    def hand() -> Handover:
        return actions.hand_over(
            cast.branch_a,
            amount=Decimal("40"),
            handed_on=M(2026, 11, 20),
            months_from=M(2026, 10, 1),
            months_to=M(2026, 10, 1),
            actor=None,
        )

    handover = hand()
    url = f"/api/dues-handovers/{handover.pk}/"
    assert api_for(cast.secretary_b).delete(url).status_code == 404
    assert api_for(cast.inspector).delete(url).status_code == 404
    assert api_for(cast.member_a).delete(url).status_code == 404
    assert Handover.objects.filter(pk=handover.pk).exists()
    assert api.delete(url).status_code == 204
    assert not Handover.objects.filter(pk=handover.pk).exists()
    confirmed = actions.confirm_handover(hand(), confirmed_on=M(2026, 11, 21), actor=None)
    refused = api.delete(f"/api/dues-handovers/{confirmed.pk}/")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["A confirmed handover cannot be withdrawn."]}
    assert Handover.objects.filter(pk=confirmed.pk).exists()


# --- Funds ledger ---------------------------------------------------------------------


def income(org: Any, amount: str, **extra: Any) -> FundEntry:
    return actions.record_income(
        org,
        source=extra.pop("source", FundSource.BUDGET),
        amount=Decimal(amount),
        on=extra.pop("on", M(2026, 2, 1)),
        description="党建工作经费",
        actor=extra.pop("actor", None),
        **extra,
    )


def entry_data(cast: Cast, **changes: Any) -> dict[str, Any]:
    data = {
        "organization": cast.branch_a.pk,
        "is_income": False,
        "category": FundCategory.TRAINING,
        "amount": "500.00",
        "on": "2026-03-01",
        "description": "党员培训",
        "approver": "张书记",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_income_and_expenditure_are_recorded(cast: Cast, api: APIClient) -> None:
    received = api.post(
        "/api/fund-entries/",
        entry_data(cast, is_income=True, source="budget", category=None, approver=None, amount="3000"),
        format="json",
    )
    assert received.status_code == 201, received.content
    body = received.json()
    assert (body["amount"], body["state"], body["counts"], body["source"], body["recorded_by"]) == (
        "3000.00",
        "recorded",
        True,
        "budget",
        "secretary_a",
    )
    assert body["voucher_url"] is None and "voucher" not in body
    spent = api.post("/api/fund-entries/", entry_data(cast), format="json")
    assert spent.status_code == 201, spent.content
    assert (spent.json()["state"], spent.json()["category"], spent.json()["approver"]) == (
        "recorded",
        "training",
        "张书记",
    )
    entry = FundEntry.objects.get(pk=spent.json()["id"])
    assert (entry.recorded_by, entry.amount) == (cast.secretary_a, Decimal("500.00"))
    assert AuditEntry.objects.for_object(entry).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "2600"}, "amount", "2500.00 yuan available"),
        ({"approver": " "}, "approver", "Name who approved"),
        ({"on": "2026-12-01"}, "on", "The date is in the future."),
        ({"category": None}, "category", "This field is required."),
        ({"source": "budget"}, "source", "Income has a source; an expenditure has a category."),
        ({"is_income": True}, "source", "This field is required."),
        ({"is_income": True, "source": "budget"}, "category", "Income has a source"),
        ({"is_income": True, "source": "budget", "category": None}, "approver", "Only an expenditure"),
        ({"is_income": True, "source": "higher", "category": None}, "granted_by", "allocated by a higher"),
        ({"is_income": None}, "is_income", "This field is required."),
        ({"amount": "-1"}, "amount", "Amounts are positive."),
    ],
)
def test_a_ledger_entry_refuses_bad_input(
    cast: Cast, api: APIClient, changes: dict[str, Any], field: str, message: str
) -> None:
    income(cast.branch_a, "2500")
    response = api.post("/api/fund-entries/", entry_data(cast, **changes), format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field]), response.json()
    assert FundEntry.objects.count() == 1


def test_an_allocation_is_recorded_by_the_higher_organization(cast: Cast) -> None:
    income(cast.committee_x, "10000")
    data = entry_data(
        cast,
        is_income=True,
        source="higher",
        granted_by=cast.committee_x.pk,
        category=None,
        approver=None,
        amount="4000",
    )
    # A branch cannot allocate its committee's money to itself: the committee is unknown to it.
    own = api_for(cast.secretary_a).post("/api/fund-entries/", data, format="json")
    assert own.status_code == 400 and "does not exist" in own.json()["granted_by"][0]
    assert FundEntry.objects.count() == 1
    committee = api_for(cast.committee_admin)
    response = committee.post("/api/fund-entries/", data, format="json")
    assert response.status_code == 201, response.content
    grant = response.json()
    assert (grant["organization"], grant["granted_by"], grant["amount"]) == (
        cast.branch_a.pk,
        cast.committee_x.pk,
        "4000.00",
    )
    too_much = committee.post("/api/fund-entries/", {**data, "amount": "6000.01"}, format="json")
    assert too_much.json() == {
        "amount": ["城关镇党委 has 6000.00 yuan available (balance less expenditures awaiting approval)."]
    }
    # The allocation is in the ledgers of both; the branch sees it in its own.
    ledger = ids(committee.get(f"/api/fund-entries/?organization={cast.committee_x.pk}"))
    assert grant["id"] in ledger and len(ledger) == 2
    assert ids(api_for(cast.secretary_a).get(f"/api/fund-entries/?organization={cast.branch_a.pk}")) == {grant["id"]}
    assert ids(committee.get("/api/fund-entries/?year=2025")) == set()


def test_a_voucher_is_uploaded_and_served(cast: Cast, api: APIClient) -> None:
    income(cast.branch_a, "1000")
    scan = SimpleUploadedFile("voucher.pdf", b"%PDF-1.4 voucher", content_type="application/pdf")
    response = api.post("/api/fund-entries/", {**entry_data(cast), "voucher": scan}, format="multipart")
    assert response.status_code == 201, response.content
    entry = FundEntry.objects.get(pk=response.json()["id"])
    url = response.json()["voucher_url"]
    assert url == f"http://testserver/dues/funds/entries/{entry.pk}/voucher/"
    assert entry.voucher.read() == b"%PDF-1.4 voucher"
    bad = SimpleUploadedFile("voucher.exe", b"MZ", content_type="application/octet-stream")
    refused = api.post("/api/fund-entries/", {**entry_data(cast), "voucher": bad}, format="multipart")
    assert refused.status_code == 400 and "voucher" in refused.json()
    assert FundEntry.objects.count() == 2


def test_above_the_threshold_the_higher_organization_approves(cast: Cast, api: APIClient) -> None:
    income(cast.branch_a, "5000")
    response = api.post("/api/fund-entries/", entry_data(cast, amount="2000.01", approver=None), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["state"], response.json()["counts"]) == ("pending", False)
    url = f"/api/fund-entries/{response.json()['id']}/decide/"
    # Not the recorder, and not another branch.
    own = api.post(url, {"approve": True}, format="json")
    assert own.status_code == 400 and "Only the higher organization decides" in own.json()["non_field_errors"][0]
    assert api_for(cast.secretary_b).post(url, {"approve": True}, format="json").status_code == 404
    assert api_for(cast.inspector).post(url, {"approve": True}, format="json").status_code == 404
    assert api_for(cast.committee_admin).get(url).status_code == 405
    committee = api_for(cast.committee_admin)
    assert committee.post(url, {}, format="json").json() == {"approve": ["This field is required."]}
    assert committee.post(url, {"approve": False}, format="json").json() == {"note": ["Give the reason for rejecting."]}
    assert FundEntry.objects.get(pk=response.json()["id"]).state == FundState.PENDING
    approved = committee.post(url, {"approve": True, "note": "同意"}, format="json")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["state"], body["counts"], body["decided_by"], body["decided_on"], body["decision_note"]) == (
        "approved",
        True,
        "committee_x",
        "2026-11-23",
        "同意",
    )
    again = committee.post(url, {"approve": False, "note": "x"}, format="json")
    assert again.status_code == 400


def test_ledger_entries_are_scoped(cast: Cast) -> None:
    a = income(cast.branch_a, "100")
    b = income(cast.branch_b, "200")
    assert ids(api_for(cast.secretary_a).get("/api/fund-entries/")) == {a.pk}
    assert ids(api_for(cast.secretary_b).get("/api/fund-entries/")) == {b.pk}
    assert ids(api_for(cast.county_admin).get("/api/fund-entries/")) == {a.pk, b.pk}
    assert ids(api_for(cast.member_a).get("/api/fund-entries/")) == set()  # the pages show members no ledger
    assert api_for(cast.secretary_b).get(f"/api/fund-entries/{a.pk}/").status_code == 404
    assert api_for(cast.secretary_a).get(f"/api/fund-entries/{a.pk}/").json()["amount"] == "100.00"
    data = entry_data(cast, amount="50")
    assert api_for(cast.secretary_b).post("/api/fund-entries/", data, format="json").status_code == 400
    assert api_for(cast.member_a).post("/api/fund-entries/", data, format="json").status_code == 403
    assert FundEntry.objects.count() == 2


# --- Reconciliation -------------------------------------------------------------------


def test_the_reconciliation_of_a_subtree(cast: Cast, collected: None) -> None:
    actions.record_voluntary(cast.members_a[1], Decimal("1000"), method="cash", paid_on=M(2026, 11, 11), actor=None)
    handover = actions.hand_over(
        cast.branch_a,
        amount=Decimal("1084"),
        handed_on=M(2026, 11, 20),
        months_from=M(2026, 10, 1),
        months_to=M(2026, 11, 1),
        actor=None,
    )
    county = api_for(cast.county_admin)
    response = county.get(f"/api/dues-reconciliation/?org={cast.committee_x.pk}&start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["organization"], body["start"], body["end"]) == (cast.committee_x.pk, "2026-01-01", "2026-12-31")
    own, branch = body["rows"]
    assert (own["organization"], own["whole_subtree"], own["received"], own["retained"]) == (
        cast.committee_x.pk,
        False,
        "1084.00",
        "1084.00",
    )
    assert {k: branch[k] for k in ("organization", "organization_name", "collected", "wholly_up", "handed_up")} == {
        "organization": cast.branch_a.pk,
        "organization_name": "东关村党支部",
        "collected": "1084.00",
        "wholly_up": "1000.00",
        "handed_up": "1084.00",
    }
    assert (branch["unconfirmed"], branch["retained"]) == ("1084.00", "0.00")
    totals = body["subtree_totals"]
    assert (totals["collected"], totals["handed_up"], totals["retained"]) == ("1084.00", "0.00", "1084.00")
    actions.confirm_handover(handover, confirmed_on=M(2026, 11, 21), actor=None)
    later = county.get(f"/api/dues-reconciliation/?org={cast.committee_x.pk}").json()  # this year by default
    assert later["rows"][1]["unconfirmed"] == "0.00"
    assert (
        county.get(f"/api/dues-reconciliation/?org={cast.committee_x.pk}&start=2025-01-01&end=2025-12-31").json()[
            "subtree_totals"
        ]["collected"]
        == "0.00"
    )


def test_the_reconciliation_is_scoped_and_checks_its_input(cast: Cast, collected: None) -> None:
    secretary = api_for(cast.secretary_a)
    default = secretary.get("/api/dues-reconciliation/")
    assert default.status_code == 200 and default.json()["organization"] == cast.branch_a.pk
    assert default.json()["rows"][0]["collected"] == "84.00"
    assert secretary.get(f"/api/dues-reconciliation/?org={cast.branch_b.pk}").status_code == 404
    assert secretary.get(f"/api/dues-reconciliation/?org={cast.committee_x.pk}").status_code == 404
    assert secretary.get("/api/dues-reconciliation/?org=x").json() == {"org": ["Give an organization id."]}
    assert secretary.get("/api/dues-reconciliation/?start=2026-13-01").json() == {
        "start": ["“2026-13-01” is not a date; write it as 2020-01-31."]
    }
    assert secretary.get("/api/dues-reconciliation/?end=20261231").status_code == 400
    reversed_period = secretary.get("/api/dues-reconciliation/?start=2026-06-01&end=2026-05-31")
    assert reversed_period.status_code == 400 and "end" in reversed_period.json()
    assert api_for(cast.member_a).get("/api/dues-reconciliation/").status_code == 403
    assert api_for(cast.instructor).get("/api/dues-reconciliation/").status_code == 403
    assert api_for(cast.inspector).get(f"/api/dues-reconciliation/?org={cast.branch_b.pk}").status_code == 200
    assert APIClient().get("/api/dues-reconciliation/").status_code == 401


# --- Query counts ---------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast, collected: None) -> None:
    county = api_for(cast.county_admin)
    urls = ["/api/dues-standards/", "/api/dues-payments/", "/api/dues-handovers/", "/api/fund-entries/"]

    def more(n: int) -> None:
        for member in cast.members_a[2:4]:
            salary(member)
            pay(member, M(2026, n, 1))
        income(cast.committee_x, "100", actor=cast.committee_admin)
        income(cast.branch_a, "10", source=FundSource.HIGHER, granted_by=cast.committee_x, actor=cast.committee_admin)
        actions.hand_over(
            cast.branch_a,
            amount=Decimal("1"),
            handed_on=M(2026, 11, 20),
            months_from=M(2026, n, 1),
            months_to=M(2026, n, 1),
            actor=cast.secretary_a,
        )

    more(1)
    before = {url: _queries(county, url) for url in urls}
    more(2)
    more(3)
    assert {url: _queries(county, url) for url in urls} == before
