"""Serializers of the supervision and inspection API: plans with their checklist and the
organizations inspected, the inspections themselves with the findings and the automatic
signals, and rectifications with their history, as the actions take and return them.
Organizations are ids with their names beside: the inspecting organization of what one
sees is always above one's own organization or in one's subtree, so its name is not
secret."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.accounts.roles import Action
from dangjian.core import alerts
from dangjian.core.api import choose_from, named_choices, request_user
from dangjian.duties.api.serializers import PartyPostField
from dangjian.inspections import rules
from dangjian.inspections.choices import Coverage, RectificationMove, RectificationState
from dangjian.inspections.models import Check, Finding, Plan, Rectification, RectificationEvent, Visit
from dangjian.members.choices import PartyPost
from dangjian.orgs.models import Organization

# The moves someone makes on a rectification (requiring it is recording the finding).
MOVES = [(move.value, move.label) for move in RectificationMove if move in rules.TRANSITIONS]
# The moves that take evidence, as on the rectification page.
WITH_EVIDENCE = (RectificationMove.PROGRESS, RectificationMove.REPORT)

CoverageField = named_choices("Coverage", Coverage.choices)
RectificationStateField = named_choices("RectificationState", RectificationState.choices)
RectificationEventMoveField = named_choices("RectificationEventMove", RectificationMove.choices)
RectificationMoveField = named_choices("RectificationMove", MOVES)


def _overdue(rectification: Rectification) -> bool:
    """Still to rectify past its deadline (a reported one waits for the inspectors)."""
    return rectification.state in rules.OPEN and rectification.deadline < timezone.localdate()


# --- plans -----------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An item of a plan's checklist: the question and the rule it checks. POST to the
    plan's ``checks/`` adds one at the end."""

    class Meta:
        model = Check
        fields = ["id", "plan", "rule", "text", "position"]
        read_only_fields = ["plan", "position"]


class InspectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """The inspection of one organization under a plan: seen by the inspecting
    organization and by the inspected one. ``inspected_on`` and ``summary`` (the
    conclusion) are recorded through ``record/``."""

    plan_title = serializers.CharField(source="plan.title", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    inspecting_organization = serializers.IntegerField(source="plan.organization_id", read_only=True)
    inspecting_organization_name = serializers.CharField(source="plan.organization.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "plan",
            "plan_title",
            "year",
            "inspecting_organization",
            "inspecting_organization_name",
            "organization",
            "organization_name",
            "inspected_on",
            "summary",
        ]
        read_only_fields = fields


class InspectionPlanSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An inspection planned by ``organization`` (in the caller's subtree) of
    organizations under ``target``. POST creates it with an inspection of each
    organization ``covering`` names (``target`` itself, each organization directly under
    it, or every branch of its subtree) and a checklist copied from ``checklist_from`` (an
    earlier plan of the same organization) or else drawn from the rules."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    target = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    target_name = serializers.CharField(source="target.name", read_only=True)
    covering = CoverageField(choices=Coverage.choices, write_only=True, default=Coverage.ROOT)
    checklist_from = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Copy the checklist of this plan (default: the checklist drawn from the rules).",
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "organization",
            "organization_name",
            "target",
            "target_name",
            "title",
            "year",
            "starts_on",
            "ends_on",
            "inspectors",
            "focus",
            "covering",
            "checklist_from",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            organizations = Organization.objects.restrict(user)
            choose_from(self, "organization", organizations)
            choose_from(self, "target", organizations)
            choose_from(self, "checklist_from", Plan.objects.restrict(user))


class InspectionPlanDetailSerializer(InspectionPlanSerializer):
    """A plan with its checklist, in order, and the organizations it inspects."""

    checks = ChecklistItemSerializer(many=True, read_only=True)
    visits = InspectionSerializer(many=True, read_only=True)

    class Meta(InspectionPlanSerializer.Meta):
        fields = [*InspectionPlanSerializer.Meta.fields, "checks", "visits"]


class AddOrganizationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), help_text="The inspected subtree's organization to inspect too."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))


# --- inspections and findings ----------------------------------------------------------


class RectificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What ``owner`` (the inspected organization or one under it) must put right about a
    finding by ``deadline``; closed only when the inspecting side verifies it. The moves
    are made through ``move/``."""

    finding_text = serializers.CharField(source="finding.text", read_only=True)
    visit = serializers.IntegerField(source="finding.visit_id", read_only=True)
    plan = serializers.IntegerField(source="finding.visit.plan_id", read_only=True)
    plan_title = serializers.CharField(source="finding.visit.plan.title", read_only=True)
    year = serializers.IntegerField(source="finding.visit.plan.year", read_only=True)
    inspecting_organization = serializers.IntegerField(source="finding.visit.plan.organization_id", read_only=True)
    inspecting_organization_name = serializers.CharField(source="finding.visit.plan.organization.name", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    post = PartyPostField(choices=PartyPost.choices, read_only=True)
    state = RectificationStateField(choices=RectificationState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "finding",
            "finding_text",
            "visit",
            "plan",
            "plan_title",
            "year",
            "inspecting_organization",
            "inspecting_organization_name",
            "owner",
            "owner_name",
            "post",
            "task",
            "deadline",
            "state",
            "reported_on",
            "verified_on",
            "overdue",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, rectification: Rectification) -> bool:
        return _overdue(rectification)


class FindingRectificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """The rectification a finding requires, as the finding shows it."""

    owner_name = serializers.CharField(source="owner.name", read_only=True)
    post = PartyPostField(choices=PartyPost.choices, read_only=True)
    state = RectificationStateField(choices=RectificationState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = ["id", "owner", "owner_name", "post", "task", "deadline", "state", "overdue"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, rectification: Rectification) -> bool:
        return _overdue(rectification)


class FindingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A problem found at the inspected organization, against a checklist item
    (``check``), perhaps pointed at by an automatic signal (its code and what it said on
    the day), with the rectification it requires (null if none)."""

    check: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="check_item", read_only=True
    )
    check_rule = serializers.CharField(source="check_item.rule", read_only=True, allow_null=True)
    rectification = FindingRectificationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Finding
        fields = ["id", "visit", "check", "check_rule", "text", "signal", "signal_text", "found_on", "rectification"]
        read_only_fields = fields


class SignalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An automatic signal about the inspected organization today: ``code`` identifies it
    across days (give it as a finding's ``signal``), ``rule`` is the rule it concerns,
    ``text`` what the records show, ``url`` the page to drill down."""

    code = serializers.CharField()
    rule = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class InspectionDetailSerializer(InspectionSerializer):
    """An inspection with its findings, oldest first, and the automatic signals about the
    inspected organization, computed today from the records of every area."""

    findings = FindingSerializer(many=True, read_only=True)
    signals = serializers.SerializerMethodField()

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "findings", "signals"]
        read_only_fields = fields

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, visit: Visit) -> Any:
        signals = alerts.for_organization(visit.organization, timezone.localdate())
        return SignalSerializer(signals, many=True).data


class RecordFindingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A finding at the inspected organization. With ``rectify`` (the default), the
    rectification ``owner`` (default: the inspected organization; or one under it) must
    make by ``deadline`` (default: the local period after ``found_on``); ``task``
    defaults to the finding's text. Without it, those fields are not used."""

    text = serializers.CharField(help_text="What was found.")
    found_on = serializers.DateField(required=False, help_text="The day it was found (default: today).")
    check = serializers.PrimaryKeyRelatedField(
        queryset=Check.objects.none(), required=False, allow_null=True, help_text="An item of the plan's checklist."
    )
    signal = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60, help_text="The code of the signal it follows."
    )
    signal_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="What the signal said."
    )
    rectify = serializers.BooleanField(required=False, default=True, help_text="Require a rectification.")
    task = serializers.CharField(required=False, allow_blank=True, default="", help_text="What to rectify.")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True, help_text="Responsible organization."
    )
    post = PartyPostField(choices=PartyPost.choices, required=False, default=PartyPost.SECRETARY)
    deadline = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, visit: Visit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "owner", Organization.objects.restrict(user))
            if visit is not None:
                # The plan's checklist as the inspecting side sees it: to the inspected
                # branch every id is unknown, so its answers say nothing of the plan.
                checks = Check.objects.restrict(user, Action.CHANGE).filter(plan=visit.plan_id)
                choose_from(self, "check", checks)


class RecordInspectionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    inspected_on = serializers.DateField(required=False, help_text="The day of the inspection (default: today).")
    summary = serializers.CharField(required=False, allow_blank=True, default="", help_text="The conclusion.")


# --- rectifications --------------------------------------------------------------------


class RectificationEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One step of a rectification: who made it and when, what was done or why, and the
    evidence (``evidence_url`` serves the file)."""

    move = RectificationEventMoveField(choices=RectificationMove.choices, read_only=True)
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvent
        fields = ["id", "rectification", "move", "on", "by", "text", "evidence_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, event: RectificationEvent) -> str | None:
        if not event.evidence:
            return None
        url = reverse("inspections:evidence", args=[event.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class RectificationDetailSerializer(RectificationSerializer):
    """A rectification with its history, oldest first."""

    events = RectificationEventSerializer(many=True, read_only=True)

    class Meta(RectificationSerializer.Meta):
        fields = [*RectificationSerializer.Meta.fields, "events"]
        read_only_fields = fields


class RectificationMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A move on a rectification: ``progress`` and ``report`` by the owner (``text``,
    ``evidence``); ``return`` (not accepted, redo) and ``verify`` (closed) by the
    inspecting side, someone other than who reported it (``text``). ``evidence`` as
    multipart upload."""

    move = RectificationMoveField(choices=MOVES)
    on = serializers.DateField(required=False, help_text="The day of the move (default: today).")
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was done, or why.")
    evidence = serializers.FileField(required=False, help_text="PDF, image, Word or Excel file.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Evidence goes with the owner's moves, as on the rectification page.
        if attrs.get("evidence") and attrs["move"] not in WITH_EVIDENCE:
            label = RectificationMove(attrs["move"]).label
            raise serializers.ValidationError(
                {"evidence": [_("“%(move)s” does not take this field.") % {"move": label}]}
            )
        return attrs


class RectificationMoveResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The move recorded and the rectification after it (its new state)."""

    event = RectificationEventSerializer()
    rectification = RectificationSerializer()
