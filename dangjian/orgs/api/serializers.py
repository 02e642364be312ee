from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.orgs import queries
from dangjian.orgs.choices import StructureWarning
from dangjian.orgs.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    parent = serializers.IntegerField(
        write_only=True, required=False, help_text="Id of the parent organization (on creation)."
    )
    parent_id = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    code = serializers.CharField(max_length=32)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "sector",
            "established_on",
            "address",
            "contact_phone",
            "dissolved_on",
            "depth",
            "parent",
            "parent_id",
            "warnings",
        ]
        read_only_fields = ["depth"]

    def get_parent_id(self, obj: Organization) -> int | None:
        """From the ``parent_pk`` annotation of ``queries.with_parent_id``."""
        return getattr(obj, "parent_pk", None)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=StructureWarning.choices)))
    def get_warnings(self, obj: Organization) -> list[str]:
        return [str(w) for w in queries.warnings_of(obj)]

    def validate_code(self, value: str) -> str:
        others = Organization.objects.filter(code=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("An organization with this code already exists.")
        return value


class MemberCountsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    full = serializers.IntegerField()
    probationary = serializers.IntegerField()
    mobile = serializers.IntegerField()
    total = serializers.IntegerField()


class OrganizationDetailSerializer(OrganizationSerializer):
    members_own = serializers.SerializerMethodField()
    members_subtree = serializers.SerializerMethodField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "members_own", "members_subtree"]

    @extend_schema_field(MemberCountsSerializer)
    def get_members_own(self, obj: Organization) -> dict[str, int]:
        counts = queries.own_counts(obj)
        return {
            "full": counts.full,
            "probationary": counts.probationary,
            "mobile": counts.mobile,
            "total": counts.total,
        }

    @extend_schema_field(MemberCountsSerializer)
    def get_members_subtree(self, obj: Organization) -> dict[str, int]:
        counts = queries.subtree_counts(obj)
        return {
            "full": counts.full,
            "probationary": counts.probationary,
            "mobile": counts.mobile,
            "total": counts.total,
        }
