from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dangjian.orglife.choices import AttendanceStatus
from dangjian.orglife.models import Attendance, Event, Vote


class AttendanceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason", "voting", "signed_in_at"]
        read_only_fields = fields


class VoteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Vote
        fields = [
            "id",
            "subject",
            "title",
            "member",
            "votes_for",
            "votes_against",
            "abstentions",
            "written_for",
            "written_against",
            "secret_ballot",
            "voting_due",
            "voting_present",
            "quorate",
            "passed",
        ]
        read_only_fields = ["voting_due", "voting_present", "quorate", "passed"]


class EventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "state",
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "host",
            "topic",
            "agenda",
            "minutes",
            "resolutions",
            "guests",
            "guest_count",
            "party_group",
            "lecturer_kind",
            "lecturer",
            "lecturer_name",
            "includes_evaluation",
            "recorded_on",
            "cancel_reason",
            "expected_count",
            "present_count",
            "excused_count",
            "absent_count",
        ]
        read_only_fields = [
            "recorded_on",
            "cancel_reason",
            "expected_count",
            "present_count",
            "excused_count",
            "absent_count",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_authenticated", False):
            from dangjian.members.models import Member
            from dangjian.orgs.models import Organization, PartyGroup

            # Only objects the caller can see may be referenced.
            self.fields["organization"].queryset = Organization.objects.restrict(request.user)
            self.fields["host"].queryset = Member.objects.restrict(request.user)
            self.fields["lecturer"].queryset = Member.objects.restrict(request.user)
            self.fields["party_group"].queryset = PartyGroup.objects.restrict(request.user)


class EventDetailSerializer(EventSerializer):
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)
    votes = VoteSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "attendance", "votes"]


class AttendanceEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ComplianceRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField()
    requirement = serializers.CharField(allow_null=True)
    required = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
