from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.api import ScopedViewSet
from dangjian.core.ids import is_pk
from dangjian.core.scoping import can, get_in_scope
from dangjian.orglife import actions, compliance, rules
from dangjian.orglife.api.serializers import (
    AttendanceEntrySerializer,
    AttendanceSerializer,
    ComplianceRowSerializer,
    EventDetailSerializer,
    EventSerializer,
    VoteSerializer,
)
from dangjian.orglife.filters import EventFilter
from dangjian.orglife.models import Attendance, Event, Vote
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots


class EventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Events of organizational life in the caller's scope, with their attendance and
    votes. A held event created here gets everyone due as present; correct it with
    ``POST /attendance/``. Votes are checked against D13/D14 from the attendance."""

    model = Event
    filterset_class = EventFilter

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("organization").order_by("-held_on", "-id")
        if self.action == "retrieve":
            # The nested attendance and votes are scoped like their own lists: a member
            # sees their own attendance only, as on the page.
            user = self.request.user
            queryset = queryset.prefetch_related(
                Prefetch("attendances", queryset=Attendance.objects.restrict(user).select_related("member")),
                Prefetch("votes", queryset=Vote.objects.restrict(user)),
            )
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer]:  # type: ignore[type-arg]
        return EventDetailSerializer if self.action == "retrieve" else EventSerializer

    def perform_create(self, serializer: EventSerializer) -> None:
        event = actions.create_event(Event(**serializer.validated_data), actor=self.request.user)
        serializer.instance = event

    def perform_update(self, serializer: EventSerializer) -> None:
        event = serializer.instance
        before = audit.snapshot(event)
        data = dict(serializer.validated_data)
        if data.get("organization", event.organization) != event.organization:
            raise ValidationError({"organization": [_("An event stays with its organization.")]})
        for field, value in data.items():
            setattr(event, field, value)
        serializer.instance = actions.update_event(event, actor=self.request.user, before=before)

    @extend_schema(request=AttendanceEntrySerializer(many=True), responses=AttendanceSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """GET: the attendance list. POST: a list of ``{member, status, reason}`` for
        members due at the held event; the others keep what they had."""
        if request.method == "GET":
            event = self.get_object()
            rows = Attendance.objects.restrict(request.user).filter(event=event).select_related("member")
            return Response(AttendanceSerializer(rows, many=True).data)
        event = get_in_scope(request.user, Event, Action.CHANGE, pk=pk)
        entries = AttendanceEntrySerializer(data=request.data, many=True)
        entries.is_valid(raise_exception=True)
        actions.record_attendance(
            event, {e["member"]: (e["status"], e["reason"]) for e in entries.validated_data}, actor=request.user
        )
        rows = Attendance.objects.restrict(request.user).filter(event=event).select_related("member")
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(request=VoteSerializer, responses=VoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def votes(self, request: Request, pk: str | None = None) -> Response:
        """GET: the votes of the meeting. POST: record a vote of the held general meeting;
        the answer says whether it carried (D13 quorum, D14 pass)."""
        if request.method == "GET":
            event = self.get_object()
            return Response(VoteSerializer(Vote.objects.restrict(request.user).filter(event=event), many=True).data)
        event = get_in_scope(request.user, Event, Action.CHANGE, pk=pk)
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        member = data.get("member")
        if member is not None and not member.__class__.objects.restrict(request.user).filter(pk=member.pk).exists():
            raise ValidationError({"member": [_("Unknown member.")]})
        vote = Vote(event=event, **data)
        actions.record_vote(vote, actor=request.user)
        return Response(VoteSerializer(vote).data, status=201)


class ComplianceView(APIView):
    """Compliance of a subtree for a period (L1-L9): the totals, and rows per child
    subtree (``group=child``) or per organization (``group=org``), optionally per
    requirement (``by_requirement=true``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="Organization id (default: your scope root)."),
            OpenApiParameter("period", str, description="2026, 2026-Q3 or 2026-07 (default: this year)."),
            OpenApiParameter("group", str, enum=["all", "child", "org"]),
            OpenApiParameter("by_requirement", bool),
        ],
        responses=ComplianceRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not can(request.user, Event, Action.VIEW):
            raise PermissionDenied
        today = timezone.localdate()
        org_id = request.query_params.get("org", "")
        if org_id:
            if not is_pk(org_id):
                raise ValidationError({"org": [_("Give an organization id.")]})
            root = get_in_scope(request.user, Organization, Action.VIEW, pk=int(org_id))
        else:
            root = scope_roots(request.user).first()
            if root is None:
                return Response([])
        try:
            window = rules.parse_span(request.query_params.get("period", "") or str(today.year))
        except ValueError as exc:
            raise ValidationError(
                {"period": [_("Give a year (2026), a quarter (2026-Q3) or a month (2026-07).")]}
            ) from exc
        group = request.query_params.get("group", "all")
        if group not in compliance.GROUPS:
            raise ValidationError({"group": [_("Choose all, child or org.")]})
        by_requirement = request.query_params.get("by_requirement", "").lower() in ("1", "true", "yes")
        rows = compliance.rollup(root, window, today=today, group=group, by_requirement=by_requirement)
        visible = Organization.objects.restrict(request.user)
        if group == "child":
            names = {
                o.path: (o.pk, o.name) for o in visible.filter(path__startswith=root.path, depth__lte=root.depth + 1)
            }
        elif group == "org":
            names = {o.pk: (o.pk, o.name) for o in visible.filter(path__startswith=root.path).only("pk", "name")}
        else:
            names = {None: (root.pk, root.name)}
        out = []
        for key, tally in rows.items():
            grp, req = (
                (key if by_requirement else (key, None))
                if group != "all"
                else ((None, key) if by_requirement else (None, None))
            )
            pk, name = names.get(grp, (None, ""))
            if pk is None and group != "all":
                continue  # not visible (cannot happen in a subtree in scope)
            out.append(
                {
                    "organization": pk,
                    "organization_name": name,
                    "requirement": req,
                    "required": tally.required,
                    "on_time": tally.on_time,
                    "late": tally.late,
                    "missing": tally.missing,
                    "pending": tally.pending,
                    "rate": tally.rate,
                    "status": tally.status(today).value,
                }
            )
        return Response(ComplianceRowSerializer(out, many=True).data)
