"""The responsibility system's API: work lists (created, published, copied to another
year) and their items (added, moved through the four links of responsibility),
party-building projects (created, milestones added and done, closed by the organization
above) and the decisions register. Scoped like the pages (one ``restrict`` per model;
members see nothing; out of scope is 404); every write goes through ``duties.actions``,
whose refusals answer 400 with the field and the reason. A move on the side the caller
does not cover is 404, as on the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from dangjian.accounts.roles import Action
from dangjian.core.api import ID, YEAR, ScopedViewSet
from dangjian.core.ids import pk_or_404
from dangjian.core.scoping import can, get_in_scope
from dangjian.duties import actions, queries, rules
from dangjian.duties.api.serializers import (
    CloseProjectSerializer,
    CompleteMilestoneSerializer,
    CopySerializer,
    ItemDetailSerializer,
    ItemSerializer,
    MajorDecisionSerializer,
    MilestoneSerializer,
    MoveResultSerializer,
    MoveSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    WorkListDetailSerializer,
    WorkListSerializer,
)
from dangjian.duties.choices import DecisionKind, ItemState, ListState, Move, ProjectState
from dangjian.duties.models import Decision, Item, ItemEvent, Milestone, Project, WorkList
from dangjian.orgs.filters import SubtreeFilter

# --- filters ---------------------------------------------------------------------------


class WorkListFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="Year", **YEAR)
    organization = django_filters.NumberFilter(
        field_name="organization_id", label="Issued by this organization id", **ID
    )
    state = django_filters.ChoiceFilter(choices=ListState.choices, label="State")

    class Meta:
        model = WorkList
        fields = ["year", "organization", "state"]


class ItemFilter(django_filters.FilterSet):
    work_list = django_filters.NumberFilter(field_name="work_list_id", label="Work list id", **ID)
    assignee = SubtreeFilter(
        path_lookup="assignee__path", label="Assigned within the subtree of this organization id", **ID
    )
    issuer = django_filters.NumberFilter(field_name="issuer_id", label="Issued by this organization id", **ID)
    state = django_filters.ChoiceFilter(choices=ItemState.choices, label="State")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Still open past the deadline")
    year = django_filters.NumberFilter(field_name="work_list__year", label="Year of the list", **YEAR)

    class Meta:
        model = Item
        fields = ["work_list", "assignee", "issuer", "state", "overdue", "year"]

    def filter_overdue(self, qs: QuerySet[Item], name: str, value: bool | None) -> QuerySet[Item]:
        if value is None:
            return qs
        overdue = {"state__in": rules.OPEN, "deadline__lt": timezone.localdate()}
        return qs.filter(**overdue) if value else qs.exclude(**overdue)


class ProjectFilter(django_filters.FilterSet):
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Within the subtree of this organization id", **ID
    )
    state = django_filters.ChoiceFilter(choices=ProjectState.choices, label="State")

    class Meta:
        model = Project
        fields = ["organization", "state"]


class DecisionFilter(django_filters.FilterSet):
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Within the subtree of this organization id", **ID
    )
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices, label="Kind")
    without_prior_discussion = django_filters.BooleanFilter(
        field_name="prior_discussion", lookup_expr="isnull", label="Taken without a prior discussion"
    )
    year = django_filters.NumberFilter(field_name="decided_on__year", label="Decided in the year", **YEAR)

    class Meta:
        model = Decision
        fields = ["organization", "kind", "without_prior_discussion", "year"]


# --- viewsets --------------------------------------------------------------------------


class WorkListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Work lists issued in the caller's scope, latest year first; one list comes with
    the items of it the caller sees. POST creates a draft for an organization of the
    caller's subtree; ``publish/`` assigns its items from today; ``copy/`` makes a new
    draft for another year from it."""

    model = WorkList
    filterset_class = WorkListFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return WorkListSerializer if self.action in ("list", "create") else WorkListDetailSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("organization").order_by("-year", "organization__path", "id")
        if self.action in ("retrieve", "publish", "copy"):
            items = Item.objects.restrict(self.request.user).select_related("work_list", "issuer", "assignee")
            queryset = queryset.prefetch_related(Prefetch("items", queryset=items.order_by("deadline", "id")))
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        serializer.instance = actions.create_list(organization, actor=self.request.user, **data)

    def _detail(self, work_list: WorkList) -> Any:
        return self.get_serializer(self.get_queryset().get(pk=work_list.pk)).data

    @extend_schema(request=None, responses=WorkListDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a draft with its items: each is assigned from today."""
        work_list = get_in_scope(request.user, WorkList, Action.CHANGE, pk=pk_or_404(pk))
        actions.publish(work_list, actor=request.user)
        return Response(self._detail(work_list))

    @extend_schema(request=CopySerializer, responses={201: WorkListDetailSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        """A new draft for ``year`` with the list's items, deadlines moved by the years
        between; items assigned outside ``organization``'s subtree go to it."""
        source = get_in_scope(request.user, WorkList, Action.VIEW, pk=pk_or_404(pk))
        if not can(request.user, WorkList, Action.ADD):
            raise PermissionDenied
        body = CopySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        organization = body.validated_data.get("organization") or source.organization
        copy = actions.copy_list(
            source, organization=organization, year=body.validated_data["year"], actor=request.user
        )
        return Response(self._detail(copy), status=201)


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Work items issued by or assigned to organizations of the caller's scope, by
    deadline; one item comes with its history. POST adds an item to a list (or a
    sub-item to an item one owns); ``move/`` makes a move of the four links of
    responsibility (JSON, or multipart with ``evidence``)."""

    model = Item
    filterset_class = ItemFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return ItemDetailSerializer if self.action == "retrieve" else ItemSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("work_list", "issuer", "assignee").order_by("deadline", "id")
        if self.action == "retrieve":
            events = ItemEvent.objects.select_related("by").order_by("on", "id")
            queryset = queryset.prefetch_related(Prefetch("events", queryset=events))
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        work_list = data.pop("work_list", None) or data["parent"].work_list
        serializer.instance = actions.add_item(work_list, actor=self.request.user, **data)

    @extend_schema(request=MoveSerializer, responses={201: MoveResultSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Make a move the state machine allows for the caller's side: the owner
        acknowledges, reports progress and reports it done; the issuer accepts with a
        score, returns it with the reason, finds it failed and records accountability."""
        item = get_in_scope(request.user, Item, Action.CHANGE, pk=pk_or_404(pk))
        body = MoveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        move = Move(data.pop("move"))
        event = actions.make_move(item, move, actor=request.user, **data)
        result = {"event": event, "item": self.get_queryset().get(pk=item.pk)}
        return Response(MoveResultSerializer(result, context=self.get_serializer_context()).data, status=201)


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Party-building projects of organizations in the caller's scope, latest first, with
    what was spent from each budget; one project comes with its milestones. POST creates a
    project of an organization of the caller's subtree; ``milestones/`` adds a milestone
    and ``complete-milestone/`` records one done (JSON, or multipart with ``evidence``);
    ``close/`` is the closing evaluation by the organization above."""

    model = Project
    filterset_class = ProjectFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return ProjectSerializer if self.action in ("list", "create") else ProjectDetailSerializer

    def get_queryset(self) -> Any:
        queryset = queries.with_spending(
            super().get_queryset().select_related("organization"), self.request.user
        ).order_by("-starts_on", "id")
        if self.action not in ("list", "create"):
            milestones = Milestone.objects.order_by("due_on", "id")
            queryset = queryset.prefetch_related(Prefetch("milestones", queryset=milestones))
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        project = actions.create_project(organization, actor=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=project.pk)

    @extend_schema(request=MilestoneSerializer, responses={201: MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request: Request, pk: str | None = None) -> Response:
        """Add a milestone due within the project (by its organization, while it runs)."""
        project = get_in_scope(request.user, Project, Action.CHANGE, pk=pk_or_404(pk))
        body = MilestoneSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        milestone = actions.add_milestone(project, actor=request.user, **body.validated_data)
        return Response(MilestoneSerializer(milestone, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=CompleteMilestoneSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"], url_path="complete-milestone")
    def complete_milestone(self, request: Request, pk: str | None = None) -> Response:
        """Record a milestone of the project done: the day, what was done, the evidence."""
        project = get_in_scope(request.user, Project, Action.CHANGE, pk=pk_or_404(pk))
        milestones = Milestone.objects.restrict(request.user, Action.CHANGE).filter(project=project)
        body = CompleteMilestoneSerializer(
            data=request.data, milestones=milestones, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        milestone = data.pop("milestone")
        data["done_on"] = data.get("done_on") or timezone.localdate()
        milestone = actions.complete_milestone(milestone, actor=request.user, **data)
        return Response(MilestoneSerializer(milestone, context=self.get_serializer_context()).data)

    @extend_schema(request=CloseProjectSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close a running project with the grade and the evaluation: by the organization
        above the project's (its own for a top-level one)."""
        project = get_in_scope(request.user, Project, Action.CHANGE, pk=pk_or_404(pk))
        body = CloseProjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["closed_on"] = data.get("closed_on") or timezone.localdate()
        actions.close_project(project, actor=request.user, **data)
        detail = self.get_queryset().get(pk=project.pk)
        return Response(ProjectDetailSerializer(detail, context=self.get_serializer_context()).data)


class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """The "three majors and one big" decisions register of the caller's scope, latest
    first. POST records a decision of an organization of the caller's subtree, with the
    meeting of its party organization that discussed it first (JSON, or multipart with a
    ``document``)."""

    model = Decision
    serializer_class = MajorDecisionSerializer
    filterset_class = DecisionFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization", "prior_discussion").order_by("-decided_on", "-id")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        serializer.instance = actions.record_decision(organization, actor=self.request.user, **data)
