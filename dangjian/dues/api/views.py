"""The dues API: members' standards and payments, handovers up the tree, the funds ledger
with its approvals, and the reconciliation of a subtree. Scoped like the pages (one
``restrict`` per model; out of scope is 404); every write goes through ``dues.actions``,
whose refusals answer 400 with the field and the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from dangjian.accounts.roles import Action, Role
from dangjian.core.api import ID, YEAR, ScopedViewSet
from dangjian.core.ids import is_pk, pk_or_404
from dangjian.core.scoping import can, get_in_scope
from dangjian.dues import actions, queries
from dangjian.dues.api.serializers import (
    ConfirmSerializer,
    DecisionSerializer,
    DuesStandardSerializer,
    FundEntrySerializer,
    HandoverSerializer,
    PaymentSerializer,
    ReconciliationSerializer,
    parse_month,
)
from dangjian.dues.choices import FundState, PaymentKind
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
from dangjian.orgs.filters import SubtreeFilter
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots

# Ids beyond a 32-bit integer are no object (and would overflow SQLite's integers).


# --- filters ---------------------------------------------------------------------------


class MonthFormField(forms.CharField):
    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-09", "description": "As 2026-09."}
)
class MonthFilter(django_filters.Filter):
    """A month written 2026-09."""

    field_class = MonthFormField


class DuesStandardFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="member_id", label="Member id", **ID)

    class Meta:
        model = DuesStandard
        fields = ["member"]


class PaymentFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="member_id", label="Member id", **ID)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Collected within the subtree of this organization id", **ID
    )
    month = MonthFilter(field_name="month", label="For the month of (2026-09)")
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices, label="Kind")

    class Meta:
        model = Payment
        fields = ["member", "organization", "month", "kind"]


class HandoverFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(
        method="either_side", label="Handed over by or to this organization id", **ID
    )
    year = django_filters.NumberFilter(field_name="handed_on__year", label="Handed over in the year", **YEAR)
    confirmed = django_filters.BooleanFilter(
        field_name="confirmed_on", lookup_expr="isnull", exclude=True, label="Receipt confirmed"
    )

    class Meta:
        model = Handover
        fields = ["organization", "year", "confirmed"]

    def either_side(self, qs: QuerySet[Handover], name: str, value: int) -> QuerySet[Handover]:
        return qs.filter(Q(from_organization_id=value) | Q(to_organization_id=value))


class FundEntryFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(
        method="ledger_of", label="The ledger of this organization id: its entries and its allocations below", **ID
    )
    year = django_filters.NumberFilter(field_name="on__year", label="Year", **YEAR)
    state = django_filters.ChoiceFilter(choices=FundState.choices, label="State")

    class Meta:
        model = FundEntry
        fields = ["organization", "year", "state"]

    def ledger_of(self, qs: QuerySet[FundEntry], name: str, value: int) -> QuerySet[FundEntry]:
        # As queries.fund_entries: an allocation is in the ledgers of both organizations.
        return qs.filter(Q(organization_id=value) | Q(granted_by_id=value))


# --- viewsets --------------------------------------------------------------------------


class DuesStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Members' dues standards in the caller's scope (a member: their own), oldest first.
    POST sets a member's standard from a month on, through the rules (F1-F7, F9)."""

    model = DuesStandard
    serializer_class = DuesStandardSerializer
    filterset_class = DuesStandardFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("member").order_by("member_id", "valid_from")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        member = data.pop("member")
        serializer.instance = actions.set_standard(member, actor=self.request.user, **data)


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Dues payments in the caller's scope (a member: their own): those collected by an
    organization of the scope, and those of its members."""

    model = Payment
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("member_id", "month", "id")

    # The rows created, as a plain list (a serializer with many=True would make the
    # schema describe a paginated, filtered list).
    @extend_schema(
        request=PaymentSerializer,
        responses={201: {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}}},
    )
    def create(self, request: Request) -> Response:
        """Record monthly dues for ``months`` at the standard in force each month, all or
        nothing (a month before admission, already paid or without a standard refuses
        the whole payment, F8); or, with ``kind`` ``voluntary``, a voluntary payment of
        ``amount``. Answers the rows created."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        member = data.pop("member")
        months = data.pop("months", [])
        if data.pop("kind", PaymentKind.REGULAR) == PaymentKind.VOLUNTARY:
            rows = [actions.record_voluntary(member, data.pop("amount"), actor=request.user, **data)]
        else:
            rows = actions.record_payments(member, months, actor=request.user, **data)
        return Response(self.get_serializer(rows, many=True).data, status=201)


class HandoverViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Dues handed over up the tree, seen by the sending and the receiving side. POST:
    ``from_organization`` hands dues it holds to the organization directly above it;
    ``confirm/``: the receiving side confirms receipt; DELETE: the sender withdraws a
    handover not yet confirmed."""

    model = Handover
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilter

    def get_queryset(self) -> Any:
        if self.action == "destroy":
            # Withdrawing corrects the sender's own record: a change, as on the page
            # (secretaries may not delete dues records).
            queryset = Handover.objects.restrict(self.request.user, Action.CHANGE)
        else:
            queryset = super().get_queryset()
        return queryset.select_related("confirmed_by").order_by("-handed_on", "-id")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("from_organization")
        serializer.instance = actions.hand_over(organization, actor=self.request.user, **data)

    def perform_destroy(self, instance: Handover) -> None:
        actions.withdraw_handover(instance, actor=self.request.user)

    @extend_schema(request=ConfirmSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The receiving organization confirms that the money arrived."""
        handover = get_in_scope(request.user, Handover, Action.CHANGE, pk=pk_or_404(pk))
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        confirmed_on = body.validated_data.get("confirmed_on") or timezone.localdate()
        handover = actions.confirm_handover(handover, confirmed_on=confirmed_on, actor=request.user)
        return Response(self.get_serializer(handover).data)


class FundEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Party-building funds ledger entries in the caller's scope, latest first. POST
    records income or an expenditure (JSON, or multipart with a ``voucher``); ``decide/``
    approves or rejects an expenditure awaiting approval (the higher organization, not
    the recorder)."""

    model = FundEntry
    serializer_class = FundEntrySerializer
    filterset_class = FundEntryFilter
    field_map = {"decision_note": "note"}

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("recorded_by", "decided_by").order_by("-on", "-id")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        common = {
            "amount": data["amount"],
            "on": data["on"],
            "description": data["description"],
            "voucher": data.get("voucher"),
            "actor": self.request.user,
        }
        if data["is_income"]:
            entry = actions.record_income(
                data["organization"], source=data["source"], granted_by=data.get("granted_by"), **common
            )
        else:
            entry = actions.record_expenditure(
                data["organization"], category=data["category"], approver=data.get("approver", ""), **common
            )
        serializer.instance = entry

    @extend_schema(request=DecisionSerializer, responses=FundEntrySerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve or reject an expenditure awaiting approval (a reason is needed to
        reject)."""
        entry = get_in_scope(request.user, FundEntry, Action.CHANGE, pk=pk_or_404(pk))
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = actions.decide_expenditure(
            entry, approve=body.validated_data["approve"], note=body.validated_data["note"], actor=request.user
        )
        return Response(self.get_serializer(entry).data)


# --- reconciliation --------------------------------------------------------------------


def _date_param(request: Request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name, "").strip()
    if not text:
        return default
    try:
        if len(text) != 10:  # 2026-01-31 only, not the other ISO forms fromisoformat reads
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            {name: [_("“%(value)s” is not a date; write it as 2020-01-31.") % {"value": text[:20]}]}
        ) from exc


class ReconciliationView(APIView):
    """The dues of a period for a subtree (as on the handovers page): the organization
    itself and each child subtree — collected, received, handed up, unconfirmed,
    retained — and the whole subtree, where handed up = collected - retained."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="Organization id (default: your scope root)."),
            OpenApiParameter("start", dt.date, description="First day (default: 1 January of this year)."),
            OpenApiParameter("end", dt.date, description="Last day (default: 31 December of this year)."),
        ],
        responses=ReconciliationSerializer,
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not can(user, Handover, Action.VIEW) or user.role == Role.MEMBER:  # type: ignore[union-attr]
            raise PermissionDenied
        org_id = request.query_params.get("org", "")
        if org_id:
            if not is_pk(org_id):
                raise ValidationError({"org": [_("Give an organization id.")]})
            root: Organization | None = get_in_scope(user, Organization, Action.VIEW, pk=int(org_id))
        else:
            root = scope_roots(user).first()  # none for an account without a scope
        year = timezone.localdate().year
        start = _date_param(request, "start", dt.date(year, 1, 1))
        end = _date_param(request, "end", dt.date(year, 12, 31))
        if end < start:
            raise ValidationError({"end": [_("The end of the period comes before its start.")]})
        rows = queries.reconciliation(root, start, end) if root is not None else []
        data = {
            "organization": root.pk if root is not None else None,
            "start": start,
            "end": end,
            "rows": rows,
            "subtree_totals": queries.subtree_totals(rows) if rows else None,
        }
        return Response(ReconciliationSerializer(data).data)
