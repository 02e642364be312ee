from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import mixins
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import BaseSerializer

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.api import ScopedViewSet
from dangjian.core.scoping import get_in_scope
from dangjian.orgs import actions, queries
from dangjian.orgs.api.serializers import OrganizationDetailSerializer, OrganizationSerializer
from dangjian.orgs.filters import OrganizationFilter
from dangjian.orgs.models import Organization


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Party organizations in the caller's scope. Creating needs ``parent`` (an
    organization in scope); the tree position does not change on update."""

    model = Organization
    filterset_class = OrganizationFilter

    def get_queryset(self) -> Any:
        return queries.with_parent_id(queries.with_structure(super().get_queryset())).order_by("path")

    def get_serializer_class(self) -> type[BaseSerializer]:  # type: ignore[type-arg]
        return OrganizationDetailSerializer if self.action == "retrieve" else OrganizationSerializer

    def perform_create(self, serializer: OrganizationSerializer) -> None:
        data = dict(serializer.validated_data)
        parent_id = data.pop("parent", None)
        if parent_id is None and not self.request.user.sees_everything:
            raise ValidationError({"parent": [_("Give the parent organization.")]})
        parent = get_in_scope(self.request.user, Organization, Action.VIEW, pk=parent_id) if parent_id else None
        org = actions.create_organization(Organization(**data), parent=parent, actor=self.request.user)
        serializer.instance = self.get_queryset().get(pk=org.pk)

    def perform_update(self, serializer: OrganizationSerializer) -> None:
        org = serializer.instance
        before = audit.snapshot(org)
        data = dict(serializer.validated_data)
        data.pop("parent", None)
        for field, value in data.items():
            setattr(org, field, value)
        actions.update_organization(org, actor=self.request.user, before=before)
        serializer.instance = self.get_queryset().get(pk=org.pk)
