"""Serializers of the responsibility system's API: work lists, their items and each item's
history, party-building projects with their milestones, and the decisions register, as
the actions take and return them. Scores are strings with one decimal, amounts with two.
Organizations are ids with their names beside: the issuer of an item one can see is
always above one's own organization or in one's subtree, so its name is not secret."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.accounts.roles import Action
from dangjian.core.api import choose_from, file_url, missing, named_choices, request_user
from dangjian.duties import rules
from dangjian.duties.choices import DecisionKind, ItemState, ListState, Measure, Move, ProjectGrade, ProjectState
from dangjian.duties.forms import MOVE_FIELDS
from dangjian.duties.models import Decision, Item, ItemEvent, Milestone, Project, WorkList
from dangjian.members.choices import PartyPost
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization

# The moves someone makes on an item (assignment is publishing the list or adding the item).
MOVES = [(move.value, move.label) for move in Move if move in rules.TRANSITIONS]

ListStateField = named_choices("ListState", ListState.choices)
ItemStateField = named_choices("ItemState", ItemState.choices)
MoveField = named_choices("Move", Move.choices)
ItemMoveField = named_choices("ItemMove", MOVES)
MeasureField = named_choices("Measure", Measure.choices, blank=True)
PartyPostField = named_choices("PartyPost", PartyPost.choices)
ProjectStateField = named_choices("ProjectState", ProjectState.choices)
ProjectGradeField = named_choices("ProjectGrade", ProjectGrade.choices, blank=True)
DecisionKindField = named_choices("DecisionKind", DecisionKind.choices)


class ItemEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One move on an item: who made it and when, with its text, progress, score,
    accountability measure and evidence (``evidence_url`` serves the file)."""

    move = MoveField(choices=Move.choices, read_only=True)
    measure = MeasureField(choices=Measure.choices, read_only=True)
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = ItemEvent
        fields = ["id", "item", "move", "on", "by", "percent", "text", "score", "measure", "decided_by", "evidence_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, event: ItemEvent) -> str | None:
        if not event.evidence:
            return None
        url = reverse("duties:evidence", args=[event.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A work item. POST adds one to ``work_list`` for ``assignee`` (the list's
    organization or one under it); with ``parent``, a sub-item the parent's owner assigns
    further down its own subtree (``work_list`` may then be left out). An item of a
    published list, and every sub-item, is assigned at once. State, progress, score and
    the issuer follow from the moves and the list."""

    work_list = serializers.PrimaryKeyRelatedField(queryset=WorkList.objects.none(), required=False)
    work_list_title = serializers.CharField(source="work_list.title", read_only=True)
    year = serializers.IntegerField(source="work_list.year", read_only=True)
    # A declared field: the metaclass takes it off the class, so Field.parent is untouched.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Item.objects.none(), required=False, allow_null=True
    )
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    assignee_name = serializers.CharField(source="assignee.name", read_only=True)
    post = PartyPostField(choices=PartyPost.choices, required=False)
    state = ItemStateField(choices=ItemState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "work_list",
            "work_list_title",
            "year",
            "parent",
            "issuer",
            "issuer_name",
            "assignee",
            "assignee_name",
            "post",
            "title",
            "requirements",
            "quality_standard",
            "deadline",
            "max_score",
            "state",
            "percent",
            "score",
            "done_on",
            "overdue",
        ]
        read_only_fields = ["issuer", "percent", "score", "done_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None and "work_list" in self.fields:
            # The lists one sees, and those of the items one sees: a branch splits an item
            # of its committee's list, which it does not see as a whole.
            lists = WorkList.objects.filter(
                Q(pk__in=WorkList.objects.restrict(user).values("pk"))
                | Q(pk__in=Item.objects.restrict(user).values("work_list"))
            )
            choose_from(self, "work_list", lists)
            choose_from(self, "parent", Item.objects.restrict(user, Action.CHANGE))
            choose_from(self, "assignee", Organization.objects.restrict(user))

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, item: Item) -> bool:
        """Still open past its deadline."""
        return rules.is_open(item.state) and item.deadline < timezone.localdate()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("work_list") is None and attrs.get("parent") is None:
            raise missing("work_list")
        return attrs


class ItemDetailSerializer(ItemSerializer):
    """A work item with its history, oldest first."""

    events = ItemEventSerializer(many=True, read_only=True)

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "events"]


class WorkListSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A yearly work list. POST creates a draft for ``organization`` (in the caller's
    subtree); add its items, then ``publish/``."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = ListStateField(choices=ListState.choices, read_only=True)

    class Meta:
        model = WorkList
        fields = ["id", "organization", "organization_name", "year", "title", "state", "published_on", "copied_from"]
        read_only_fields = ["published_on", "copied_from"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))


class WorkListDetailSerializer(WorkListSerializer):
    """A work list with the items of it the caller sees, by deadline (``parent`` links a
    sub-item to its item)."""

    items = ItemSerializer(many=True, read_only=True)

    class Meta(WorkListSerializer.Meta):
        fields = [*WorkListSerializer.Meta.fields, "items"]


class CopySerializer(serializers.Serializer):  # type: ignore[type-arg]
    year = serializers.IntegerField(min_value=1949, max_value=2999, help_text="The year of the new list.")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        help_text="The organization issuing the copy (default: the list's own).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))


class MoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A move on an item: ``acknowledge``, ``progress`` (``percent``, ``text``,
    ``evidence``) and ``report`` (``text``, ``evidence``) by the owner; ``accept``
    (``score``), ``return`` and ``fail`` (``text``), ``pursue`` (``measure``,
    ``decided_by``, ``text``) by the issuer. ``evidence`` as multipart upload."""

    move = ItemMoveField(choices=MOVES)
    on = serializers.DateField(required=False, help_text="The day of the move (default: today).")
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was done, or why.")
    percent = serializers.IntegerField(required=False, allow_null=True, help_text="Progress, 0 to 99.")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    measure = MeasureField(choices=Measure.choices, required=False, allow_blank=True, default="")
    decided_by = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="The body or leader who decided."
    )
    evidence = serializers.FileField(required=False, help_text="PDF, image, Word or Excel file.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The fields of each move are those its form on the item page asks for.
        taken = {"move", "on", *MOVE_FIELDS[attrs["move"]]}
        extra = sorted(name for name in self.initial_data if name in self.fields and name not in taken)
        extra = [name for name in extra if self.initial_data.get(name) not in (None, "")]
        if extra:
            label = Move(attrs["move"]).label
            raise serializers.ValidationError(
                {name: [_("“%(move)s” does not take this field.") % {"move": label}] for name in extra}
            )
        return attrs


class MoveResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The move recorded and the item after it (its new state, progress and score)."""

    event = ItemEventSerializer()
    item = ItemSerializer()


# --- party-building projects ---------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A milestone of a project. POST to the project's ``milestones/`` adds one due
    within the project; ``complete-milestone/`` records it done with what was done and
    evidence (``evidence_url`` serves the file)."""

    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "due_on", "done_on", "note", "evidence_url"]
        read_only_fields = ["project", "done_on", "note"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, milestone: Milestone) -> str | None:
        return file_url(self, "duties:milestone_evidence", milestone.pk) if milestone.evidence else None


class ProjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A party-building project. POST creates a running project of ``organization`` (in
    the caller's subtree). ``spent`` is the sum of the funds ledger's expenditures from its
    budget that count in the balance (recorded or approved); the closing evaluation
    (``grade``, ``evaluation``) is given by the organization above through ``close/``."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    post = PartyPostField(choices=PartyPost.choices, required=False)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), required=False)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    state = ProjectStateField(choices=ProjectState.choices, read_only=True)
    grade = ProjectGradeField(choices=ProjectGrade.choices, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "goals",
            "post",
            "starts_on",
            "ends_on",
            "budget",
            "spent",
            "state",
            "closed_on",
            "grade",
            "evaluation",
        ]
        read_only_fields = ["closed_on", "evaluation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))


class ProjectDetailSerializer(ProjectSerializer):
    """A project with its milestones, by due date."""

    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "milestones"]


class CompleteMilestoneSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A milestone of the project done: on which day, what was done, and evidence as
    multipart upload."""

    milestone = serializers.PrimaryKeyRelatedField(queryset=Milestone.objects.none(), help_text="A milestone id.")
    done_on = serializers.DateField(required=False, help_text="The day it was done (default: today).")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was done.")
    evidence = serializers.FileField(required=False, help_text="PDF, image, Word or Excel file.")

    def __init__(self, *args: Any, milestones: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if milestones is not None:
            choose_from(self, "milestone", milestones)


class CloseProjectSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The closing evaluation of a running project, by the organization above its own
    (its own for a top-level one)."""

    closed_on = serializers.DateField(required=False, help_text="The day it closed (default: today).")
    grade = ProjectGradeField(choices=ProjectGrade.choices)
    evaluation = serializers.CharField(required=False, allow_blank=True, default="", help_text="The reasons.")


# --- "three majors and one big" decisions --------------------------------------------


class MajorDecisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A "three majors and one big" decision of the unit ``organization`` leads. POST
    records it; ``prior_discussion`` is the held committee or general meeting of the same
    organization, on or before the day, that discussed it first (an event id of
    organizational life; leave it out if there was none). ``document`` as multipart
    upload; ``document_url`` serves it back."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = DecisionKindField(choices=DecisionKind.choices)
    prior_discussion = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.none(), required=False, allow_null=True
    )
    prior_discussion_held_on = serializers.DateField(source="prior_discussion.held_on", read_only=True, allow_null=True)
    discussed_first = serializers.BooleanField(read_only=True, help_text="Discussed first by the party organization.")
    document = serializers.FileField(write_only=True, required=False, help_text="PDF, image, Word or Excel file.")
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "title",
            "decided_on",
            "meeting",
            "prior_discussion",
            "prior_discussion_held_on",
            "discussed_first",
            "participants",
            "votes_for",
            "votes_against",
            "votes_abstained",
            "document",
            "document_url",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = request_user(self)
        if user is not None:
            choose_from(self, "organization", Organization.objects.restrict(user))
            # An event the caller does not see is an unknown id, like one that does not
            # exist: the answer says nothing about it.
            choose_from(self, "prior_discussion", Event.objects.restrict(user))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document_url(self, decision: Decision) -> str | None:
        return file_url(self, "duties:decision_document", decision.pk) if decision.document else None
