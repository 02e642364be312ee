"""Serializers of the dues API: standards, payments, handovers and funds entries as the
actions take and return them. Amounts are strings with two decimals; months are written
as 2026-09. Organizations are given by id only: a handover or an allocation names an
organization above the caller's scope, whose name the caller may not see."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.accounts.roles import Action
from dangjian.core.api import choose_from, missing, named_choices, request_user
from dangjian.dues.choices import DuesCategory, FundCategory, FundSource, FundState, PaymentKind, PaymentMethod
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
# A payment names at most ten years of months (several are paid at once when in arrears
# or in advance).
MAX_MONTHS = 120


def parse_month(text: str) -> dt.date:
    """The first day of the month written ``2026-09`` (or a date in it, ``2026-09-15``),
    else ``ValueError`` with the message for people."""
    text = text.strip()
    match = MONTH.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match[1]), int(match[2]), 1 if match[3] is None else int(match[3])).replace(day=1)
    except ValueError as exc:
        raise ValueError(_("“%(text)s” is not a month: give it as 2026-10.") % {"text": text[:20]}) from exc


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "example": "2026-09"})
class MonthField(serializers.Field):  # type: ignore[type-arg]
    """A month, written 2026-09 (a date in the month is taken as the month) and read back
    as 2026-09; internally the first day of the month."""

    def to_internal_value(self, data: Any) -> dt.date:
        try:
            return parse_month(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


DuesCategoryField = named_choices("DuesCategory", DuesCategory.choices)
PaymentKindField = named_choices("PaymentKind", PaymentKind.choices)
PaymentMethodField = named_choices("PaymentMethod", PaymentMethod.choices)
FundSourceField = named_choices("FundSource", FundSource.choices, blank=True)
FundCategoryField = named_choices("FundCategory", FundCategory.choices, blank=True)
FundStateField = named_choices("FundState", FundState.choices)


class DuesStandardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A member's dues standard from a month on. POST sets it through the rules (F1-F7,
    F9): the amount, rule, rate and bracket are derived, ``payable`` is the reduced amount
    if one was approved. Setting a standard for a month that has one replaces it."""

    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none())
    member_name = serializers.CharField(source="member.name", read_only=True)
    valid_from = MonthField(help_text="From the month of (F9), as 2026-09.")
    category = DuesCategoryField(choices=DuesCategory.choices)
    payable = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = DuesStandard
        fields = [
            "id",
            "member",
            "member_name",
            "valid_from",
            "category",
            "base",
            "farmer_amount",
            "reduced_amount",
            "reduction_reason",
            "note",
            "amount",
            "rule",
            "rate",
            "bracket",
            "payable",
        ]
        read_only_fields = ["amount", "rule", "rate", "bracket"]
        validators: list[Any] = []  # one standard a month: set_standard replaces it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "member", Member.objects.restrict(user, Action.CHANGE))


class PaymentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A payment: dues of one month (several months paid at once are several rows with
    the same receipt), or a voluntary payment (F10). POST records monthly dues for
    ``months`` at the standard in force each month, all or nothing; with ``kind``
    ``voluntary`` it records ``amount`` instead."""

    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none())
    kind = PaymentKindField(choices=PaymentKind.choices, default=PaymentKind.REGULAR)
    method = PaymentMethodField(choices=PaymentMethod.choices)
    month = MonthField(read_only=True)
    months = serializers.ListField(
        child=MonthField(),
        write_only=True,
        required=False,
        max_length=MAX_MONTHS,
        help_text="Monthly dues: the months paid for, as 2026-09.",
    )
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Voluntary payments only; monthly dues are paid at the member's standard.",
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "member",
            "organization",
            "kind",
            "month",
            "months",
            "amount",
            "method",
            "paid_on",
            "receipt_no",
            "note",
        ]
        read_only_fields = ["organization"]
        validators: list[Any] = []  # the action refuses a month already paid, with the month

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "member", Member.objects.restrict(user, Action.CHANGE))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("kind", PaymentKind.REGULAR) == PaymentKind.VOLUNTARY:
            if attrs.get("months"):
                raise serializers.ValidationError({"months": [_("A voluntary payment is not for particular months.")]})
            if attrs.get("amount") is None:
                raise missing("amount")
        elif attrs.get("amount") is not None:
            raise serializers.ValidationError(
                {"amount": [_("Monthly dues are paid at the member's standard: leave out the amount.")]}
            )
        return attrs


class HandoverSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Dues handed over by ``from_organization`` to the organization directly above it
    (``to_organization``, derived), which confirms receipt."""

    from_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    months_from = MonthField(help_text="Dues of the months from, as 2026-01.")
    months_to = MonthField(help_text="To the month of, as 2026-03.")
    confirmed_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = Handover
        fields = [
            "id",
            "from_organization",
            "to_organization",
            "amount",
            "handed_on",
            "months_from",
            "months_to",
            "receipt_no",
            "note",
            "confirmed_on",
            "confirmed_by",
        ]
        read_only_fields = ["to_organization", "confirmed_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            # An organization of the caller's own subtree, as on the page.
            choose_from(self, "from_organization", Organization.objects.restrict(user))


class ConfirmSerializer(serializers.Serializer):  # type: ignore[type-arg]
    confirmed_on = serializers.DateField(required=False, help_text="The day the money arrived (default: today).")


class FundEntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A line of an organization's funds ledger. POST with ``is_income`` true records
    money received (``source``; an allocation from a higher organization of the product
    names it in ``granted_by`` and is recorded by that organization); false records an
    expenditure (``category``, ``approver``), which above the approval threshold waits for
    the higher organization (``state`` pending). ``voucher``: a scan as multipart upload;
    ``voucher_url`` serves it back."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    granted_by = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )
    source = FundSourceField(choices=FundSource.choices, required=False, allow_blank=True)  # type: ignore[assignment]
    category = FundCategoryField(choices=FundCategory.choices, required=False, allow_blank=True)
    state = FundStateField(choices=FundState.choices, read_only=True)
    voucher = serializers.FileField(write_only=True, required=False, help_text="PDF, JPEG, PNG or TIFF.")
    voucher_url = serializers.SerializerMethodField()
    counts = serializers.BooleanField(read_only=True, help_text="Whether the entry is in the balance.")
    recorded_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    decided_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = FundEntry
        fields = [
            "id",
            "organization",
            "is_income",
            "source",
            "granted_by",
            "category",
            "on",
            "amount",
            "description",
            "approver",
            "voucher",
            "voucher_url",
            "state",
            "counts",
            "recorded_by",
            "decided_by",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = ["decided_on", "decision_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            # Organizations of the caller's own subtree, as on the pages: a branch cannot
            # name the committee above it as the one allocating.
            own = Organization.objects.restrict(user)
            choose_from(self, "organization", own)
            choose_from(self, "granted_by", own)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_voucher_url(self, entry: FundEntry) -> str | None:
        if not entry.voucher:
            return None
        url = reverse("dues:fund_voucher", args=[entry.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        mismatch = _("Income has a source; an expenditure has a category.")
        if attrs["is_income"]:
            if not attrs.get("source"):
                raise missing("source")
            if attrs["source"] == FundSource.HIGHER and attrs.get("granted_by") is None:
                # As on the pages: an allocation is entered once, by the organization that
                # makes it, naming itself (the income form does not offer this source).
                raise serializers.ValidationError({"granted_by": [_("Funds are allocated by a higher organization.")]})
            if attrs.get("category"):
                raise serializers.ValidationError({"category": [mismatch]})
            if attrs.get("approver", "").strip():
                raise serializers.ValidationError({"approver": [_("Only an expenditure names who approved it.")]})
        else:
            if not attrs.get("category"):
                raise missing("category")
            for name in ("source", "granted_by"):
                if attrs.get(name):
                    raise serializers.ValidationError({name: [mismatch]})
        return attrs


class DecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    approve = serializers.BooleanField(help_text="true approves, false rejects (give the reason in note).")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReconciliationRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What an organization itself (``whole_subtree`` false) or a child subtree did with
    the dues of the period: collected, of which voluntary payments wholly for the Centre
    (F10), received from below, handed up (of which unconfirmed) and retained."""

    organization = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    whole_subtree = serializers.BooleanField()
    collected = serializers.DecimalField(max_digits=14, decimal_places=2)
    wholly_up = serializers.DecimalField(max_digits=14, decimal_places=2)
    received = serializers.DecimalField(max_digits=14, decimal_places=2)
    handed_up = serializers.DecimalField(max_digits=14, decimal_places=2)
    unconfirmed = serializers.DecimalField(max_digits=14, decimal_places=2)
    retained = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReconciliationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The reconciliation of a subtree for a period: the rows, and the whole subtree
    (``subtree_totals``: handed up = what the root handed up)."""

    organization = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    rows = ReconciliationRowSerializer(many=True)
    subtree_totals = ReconciliationRowSerializer(allow_null=True)
