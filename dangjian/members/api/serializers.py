from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dangjian.members.models import Member
from dangjian.members.tables import sees_sensitive
from dangjian.orgs.models import Organization, PartyGroup


class MemberSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A member. ``id_number`` is write-only; reads return ``id_number_display``, masked
    unless the caller's role may see ID numbers (phones likewise)."""

    id_number = serializers.CharField(write_only=True, max_length=20)
    id_number_display = serializers.SerializerMethodField()
    phone_display = serializers.SerializerMethodField()
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    party_group = serializers.PrimaryKeyRelatedField(queryset=PartyGroup.objects.all(), required=False, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "name_pinyin",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "id_number_display",
            "education",
            "occupation",
            "workplace",
            "phone",
            "phone_display",
            "organization",
            "organization_name",
            "party_group",
            "status",
            "joined_on",
            "full_on",
            "left_on",
            "is_mobile",
            "mobile_location",
            "mobile_since",
            "mobile_certificate",
            "lost_contact_since",
        ]
        read_only_fields = ["name_pinyin", "left_on"]
        extra_kwargs = {"gender": {"required": False}, "birth_date": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_authenticated", False):
            # Only organizations and groups the caller can see may be referenced.
            self.fields["organization"].queryset = Organization.objects.restrict(request.user)
            self.fields["party_group"].queryset = PartyGroup.objects.restrict(request.user)
        if (
            self.instance is not None
            and not isinstance(self.instance, list | tuple)
            and getattr(self.instance, "pk", None)
        ):
            # Moving and status changes go through transfers and transitions.
            self.fields["organization"].read_only = True
            self.fields["status"].read_only = True
            self.fields["id_number"].required = False

    def get_id_number_display(self, obj: Member) -> str:
        return obj.id_number if sees_sensitive(self.context.get("request")) else obj.id_number_masked

    def get_phone_display(self, obj: Member) -> str:
        return obj.phone if sees_sensitive(self.context.get("request")) else obj.phone_masked
