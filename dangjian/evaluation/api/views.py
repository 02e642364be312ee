"""The democratic evaluation API, read only (/api/evaluation-rounds/,
/api/evaluation-follow-ups/): scoped like the pages, one ``restrict`` per model. A round
comes with the members evaluated in it that the caller may see: the whole roster for the
branch and the organizations above it, only their own row for a member. Out of scope is
404; a write is 405 in scope, 404 out of it. The rounds are opened and run, and the
follow-ups moved, on the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from rest_framework import mixins
from rest_framework.serializers import BaseSerializer

from dangjian.core.api import ID, YEAR, ScopedViewSet
from dangjian.evaluation import rules
from dangjian.evaluation.api.serializers import (
    EvaluationFollowUpSerializer,
    EvaluationRoundDetailSerializer,
    EvaluationRoundSerializer,
)
from dangjian.evaluation.choices import FollowUpState, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.orgs.filters import SubtreeFilter

# --- filters ---------------------------------------------------------------------------


class RoundFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="Year", **YEAR)
    organization = SubtreeFilter(
        path_lookup="organization__path", label="Branches within the subtree of this organization id", **ID
    )
    step = django_filters.ChoiceFilter(choices=Step.choices, label="Step")

    class Meta:
        model = Round
        fields = ["year", "organization", "step"]


class FollowUpFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="evaluation__round__year", label="Year of the evaluation", **YEAR)
    organization = SubtreeFilter(
        path_lookup="evaluation__round__organization__path",
        label="Branches within the subtree of this organization id",
        **ID,
    )
    state = django_filters.ChoiceFilter(choices=FollowUpState.choices, label="State")
    open = django_filters.BooleanFilter(method="filter_open", label="Still under way (correcting or persuading)")

    class Meta:
        model = FollowUp
        fields = ["year", "organization", "state", "open"]

    def filter_open(self, qs: QuerySet[FollowUp], name: str, value: bool | None) -> QuerySet[FollowUp]:
        if value is None:
            return qs
        return qs.filter(state__in=rules.OPEN_STATES) if value else qs.exclude(state__in=rules.OPEN_STATES)


# --- viewsets --------------------------------------------------------------------------


class EvaluationRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Democratic evaluations of branches in the caller's scope (a member: those they are
    evaluated in), latest year first; one comes with the members evaluated in it."""

    model = Round
    filterset_class = RoundFilter

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return EvaluationRoundDetailSerializer if self.action == "retrieve" else EvaluationRoundSerializer

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().select_related("organization").order_by("-year", "organization__path", "id")
        if self.action == "retrieve":
            # The rows the caller may see, as on the round page: a member only their own.
            evaluations = (
                Evaluation.objects.restrict(self.request.user)
                .select_related("member", "follow_up")
                .order_by("member__name_pinyin", "pk")
            )
            queryset = queryset.prefetch_related(Prefetch("evaluations", queryset=evaluations))
        return queryset


class EvaluationFollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Follow-ups of members graded below qualified in the caller's scope (a member: their
    own), by time limit."""

    model = FollowUp
    serializer_class = EvaluationFollowUpSerializer
    filterset_class = FollowUpFilter

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("evaluation__round__organization", "evaluation__member", "helper")
            .order_by("deadline", "id")
        )
