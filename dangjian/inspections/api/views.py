"""The supervision and inspection API: plans (created with their inspections and
checklist, checklist items and organizations added), the inspection of each organization
(its findings, each with the rectification it requires, and the automatic signals about
it), and rectifications moved to a verified closure. Scoped like the pages (one
``restrict`` per model; members see nothing; out of scope is 404); every write goes
through ``inspections.actions``, whose refusals answer 400 with the field and the reason.
A write on the side the caller does not cover (a finding by the inspected branch, a
verification by the owner) is 404, as on the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from dangjian.accounts.roles import Action
from dangjian.core.api import ID, YEAR, ScopedViewSet
from dangjian.core.ids import pk_or_404
from dangjian.core.scoping import get_in_scope
from dangjian.inspections import actions, rules
from dangjian.inspections.api.serializers import (
    AddOrganizationSerializer,
    ChecklistItemSerializer,
    FindingSerializer,
    InspectionDetailSerializer,
    InspectionPlanDetailSerializer,
    InspectionPlanSerializer,
    InspectionSerializer,
    RecordFindingSerializer,
    RecordInspectionSerializer,
    RectificationDetailSerializer,
    RectificationMoveResultSerializer,
    RectificationMoveSerializer,
    RectificationSerializer,
)
from dangjian.inspections.choices import RectificationMove, RectificationState
from dangjian.inspections.models import Check, Finding, Plan, Rectification, RectificationEvent, Visit
from dangjian.orgs.filters import SubtreeFilter

# --- filters ---------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="Year", **YEAR)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Planned within the subtree of this organization id", **ID
    )

    class Meta:
        model = Plan
        fields = ["year", "organization"]


class VisitFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", label="Inspection plan id", **ID)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Inspected within the subtree of this organization id", **ID
    )

    class Meta:
        model = Visit
        fields = ["plan", "organization"]


class RectificationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RectificationState.choices, label="State")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Still to rectify past the deadline")
    owner = SubtreeFilter(path_lookup="owner__path", label="Owned within the subtree of this organization id", **ID)
    year = django_filters.NumberFilter(field_name="finding__visit__plan__year", label="Year of the plan", **YEAR)

    class Meta:
        model = Rectification
        fields = ["state", "overdue", "owner", "year"]

    def filter_overdue(self, qs: QuerySet[Rectification], name: str, value: bool | None) -> QuerySet[Rectification]:
        if value is None:
            return qs
        overdue = {"state__in": rules.OPEN, "deadline__lt": timezone.localdate()}
        return qs.filter(**overdue) if value else qs.exclude(**overdue)


# --- viewsets --------------------------------------------------------------------------


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Inspection plans of organizations in the caller's scope, latest first; one plan
    comes with its checklist and the organizations it inspects. POST plans an inspection
    for an organization of the caller's subtree; ``checks/`` adds a checklist item;
    ``visits/`` adds an organization of the inspected subtree."""

    model = Plan
    filterset_class = PlanFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return InspectionPlanSerializer if self.action in ("list", "create") else InspectionPlanDetailSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("organization", "target").order_by("-starts_on", "-id")
        if self.action not in ("list", "create"):
            visits = Visit.objects.restrict(self.request.user).select_related("plan__organization", "organization")
            queryset = queryset.prefetch_related(
                Prefetch("checks", queryset=Check.objects.order_by("position", "id")),
                Prefetch("visits", queryset=visits.order_by("organization__path")),
            )
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        serializer.instance = actions.create_plan(organization, actor=self.request.user, **data)

    @extend_schema(request=ChecklistItemSerializer, responses={201: ChecklistItemSerializer})
    @action(detail=True, methods=["post"])
    def checks(self, request: Request, pk: str | None = None) -> Response:
        """Add an item at the end of the plan's checklist (by the inspecting side)."""
        plan = get_in_scope(request.user, Plan, Action.CHANGE, pk=pk_or_404(pk))
        body = ChecklistItemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = actions.add_check(
            plan, rule=body.validated_data.get("rule", ""), text=body.validated_data["text"], actor=request.user
        )
        return Response(ChecklistItemSerializer(check).data, status=201)

    @extend_schema(request=AddOrganizationSerializer, responses={201: InspectionSerializer})
    @action(detail=True, methods=["post"])
    def visits(self, request: Request, pk: str | None = None) -> Response:
        """Inspect one more organization of the inspected subtree under this plan."""
        plan = get_in_scope(request.user, Plan, Action.CHANGE, pk=pk_or_404(pk))
        body = AddOrganizationSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        visit = actions.add_visit(plan, organization=body.validated_data["organization"], actor=request.user)
        return Response(InspectionSerializer(visit).data, status=201)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The inspections of organizations, seen by the inspecting organization and the
    inspected one, latest plan first; one comes with its findings and the automatic
    signals about the organization today. ``findings/`` records a finding with the
    rectification it requires, ``record/`` the day and the conclusion (both by the
    inspecting side)."""

    model = Visit
    filterset_class = VisitFilter
    field_map = {"check_item": "check"}

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return InspectionDetailSerializer if self.action == "retrieve" else InspectionSerializer

    def get_queryset(self) -> Any:
        queryset = (
            super()
            .get_queryset()
            .select_related("plan__organization", "organization")
            .order_by("-plan__starts_on", "-plan_id", "organization__path")
        )
        if self.action == "retrieve":
            findings = Finding.objects.restrict(self.request.user).select_related("check_item", "rectification__owner")
            queryset = queryset.prefetch_related(Prefetch("findings", queryset=findings.order_by("found_on", "id")))
        return queryset

    @extend_schema(request=RecordFindingSerializer, responses={201: FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        """Record what was found at the inspected organization (against a checklist item
        of the plan, following an automatic signal) and the rectification it requires."""
        visit = get_in_scope(request.user, Visit, Action.CHANGE, pk=pk_or_404(pk))
        body = RecordFindingSerializer(data=request.data, visit=visit, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["found_on"] = data.get("found_on") or timezone.localdate()
        finding = actions.record_finding(visit, actor=request.user, **data)
        finding = Finding.objects.select_related("check_item", "rectification__owner").get(pk=finding.pk)
        return Response(FindingSerializer(finding).data, status=201)

    @extend_schema(request=RecordInspectionSerializer, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        """Record the day of the inspection and its conclusion."""
        visit = get_in_scope(request.user, Visit, Action.CHANGE, pk=pk_or_404(pk))
        body = RecordInspectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inspected_on = body.validated_data.get("inspected_on") or timezone.localdate()
        actions.record_visit(
            visit, inspected_on=inspected_on, summary=body.validated_data["summary"], actor=request.user
        )
        return Response(InspectionSerializer(self.get_queryset().get(pk=visit.pk)).data)


class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Rectifications required of organizations in the caller's scope or by its
    inspections, by deadline; one comes with its history. ``move/`` makes a move the
    state machine allows for the caller's side (JSON, or multipart with ``evidence``)."""

    model = Rectification
    filterset_class = RectificationFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return RectificationDetailSerializer if self.action == "retrieve" else RectificationSerializer

    def get_queryset(self) -> Any:
        queryset = (
            super()
            .get_queryset()
            .select_related("owner", "finding__visit__plan__organization")
            .order_by("deadline", "id")
        )
        if self.action == "retrieve":
            events = RectificationEvent.objects.select_related("by").order_by("on", "id")
            queryset = queryset.prefetch_related(Prefetch("events", queryset=events))
        return queryset

    @extend_schema(request=RectificationMoveSerializer, responses={201: RectificationMoveResultSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Make a move the state machine allows for the caller's side: the owner reports
        progress and reports it rectified; the inspecting side verifies it closed or
        returns it with the reason."""
        rectification = get_in_scope(request.user, Rectification, Action.CHANGE, pk=pk_or_404(pk))
        body = RectificationMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        move = RectificationMove(data.pop("move"))
        event = actions.make_move(rectification, move, actor=request.user, **data)
        result = {"event": event, "rectification": self.get_queryset().get(pk=rectification.pk)}
        return Response(
            RectificationMoveResultSerializer(result, context=self.get_serializer_context()).data, status=201
        )
