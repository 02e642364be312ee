"""Serializers of the development API: candidates (personal data masked as in the member
registry) and their steps."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dangjian.development import queries
from dangjian.development.models import Candidate, Step
from dangjian.members.models import Member
from dangjian.members.tables import sees_sensitive
from dangjian.orgs.models import Organization


class CandidateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A candidate. ``id_number`` is write-only; reads return ``id_number_display``,
    masked unless the caller may see ID numbers. ``applied_on`` (the application letter,
    step 1) is required on creation only. Stage and next step are derived."""

    id_number = serializers.CharField(write_only=True, max_length=20)
    id_number_display = serializers.SerializerMethodField()
    applied_on = serializers.DateField(write_only=True, required=False)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "id_number",
            "id_number_display",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "occupation",
            "workplace",
            "phone",
            "leaving_on",
            "note",
            "applied_on",
            "member",
            "stage",
            "reached",
            "last_step_on",
            "next_kind",
            "ready_on",
            "due_on",
            "due_rule",
        ]
        read_only_fields = [
            "member",
            "stage",
            "reached",
            "last_step_on",
            "next_kind",
            "ready_on",
            "due_on",
            "due_rule",
        ]
        extra_kwargs = {"birth_date": {"required": False}, "phone": {"write_only": True}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["id_number"].required = False
        request = self.context.get("request")
        if request is not None:
            # Organizations out of scope are unknown, as in the other APIs (no name in errors).
            self.fields["organization"].queryset = Organization.objects.restrict(request.user)

    def get_id_number_display(self, obj: Candidate) -> str:
        return obj.id_number if sees_sensitive(self.context.get("request")) else obj.id_number_masked


class StepSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A step. On POST: ``kind`` and its fields; for the votes (s15, s23) ``event`` and the
    counts; ``override_reason`` (administrators) records a step the rules block."""

    people = serializers.PrimaryKeyRelatedField(many=True, queryset=Member.objects.all(), required=False)
    votes_for = serializers.IntegerField(write_only=True, required=False, min_value=0)
    votes_against = serializers.IntegerField(write_only=True, required=False, min_value=0, default=0)
    abstentions = serializers.IntegerField(write_only=True, required=False, min_value=0, default=0)
    written_for = serializers.IntegerField(write_only=True, required=False, min_value=0, default=0)
    written_against = serializers.IntegerField(write_only=True, required=False, min_value=0, default=0)
    vote_passed = serializers.BooleanField(source="vote.passed", read_only=True, default=None)

    class Meta:
        model = Step
        fields = [
            "id",
            "candidate",
            "kind",
            "on",
            "body",
            "decided_by",
            "people",
            "other_people",
            "event",
            "vote",
            "vote_passed",
            "votes_for",
            "votes_against",
            "abstentions",
            "written_for",
            "written_against",
            "until",
            "months",
            "training_days",
            "training_hours",
            "special_extension",
            "recommendation",
            "conclusion",
            "end_reason",
            "notes",
            "override_reason",
            "overridden_problems",
            "overridden_by",
        ]
        read_only_fields = ["candidate", "vote", "overridden_problems", "overridden_by"]
        extra_kwargs = {"on": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidate = self.context.get("candidate")
        if candidate is not None:
            org = candidate.organization
            self.fields["people"].child_relation.queryset = queries.people_for(candidate)
            self.fields["event"].queryset = queries.general_meetings(candidate)
            above = org.ancestor_paths()
            self.fields["decided_by"].queryset = Organization.objects.filter(path__in=above)
