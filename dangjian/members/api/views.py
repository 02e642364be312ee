from __future__ import annotations

from typing import Any

from rest_framework import mixins

from dangjian.core import audit
from dangjian.core.api import ScopedViewSet
from dangjian.members import actions
from dangjian.members.api.serializers import MemberSerializer
from dangjian.members.filters import MemberFilter
from dangjian.members.models import Member


class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Members in the caller's scope, with the same filters as the member list page
    (``q`` searches names, pinyin initials and the last digits of ID numbers). Lists
    show current members unless ``status`` says otherwise."""

    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    field_map = {"id_number_digest": "id_number"}

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization")

    def perform_create(self, serializer: MemberSerializer) -> None:
        data = dict(serializer.validated_data)
        id_number = data.pop("id_number")
        member = Member(**data)
        member.id_number = id_number
        serializer.instance = actions.register_member(member, actor=self.request.user)

    def perform_update(self, serializer: MemberSerializer) -> None:
        member = serializer.instance
        before = audit.snapshot(member)
        data = dict(serializer.validated_data)
        id_number = data.pop("id_number", None)
        for field, value in data.items():
            setattr(member, field, value)
        if id_number:
            member.id_number = id_number
        serializer.instance = actions.update_member(member, actor=self.request.user, before=before)
