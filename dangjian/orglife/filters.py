"""Filters of organizational life: one FilterSet serves the event list, its export and
the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import StyledFilterSet, YesNoFilter
from dangjian.members.models import Member
from dangjian.orglife import queries, rules
from dangjian.orglife.choices import EventKind, EventState, Signal
from dangjian.orglife.models import Event
from dangjian.orgs.filters import SubtreeFilter
from dangjian.orgs.models import Organization


class EventFilter(StyledFilterSet):
    context_filters = {"within": Organization, "org": Organization}

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EventKind.choices)
    requirement = django_filters.ChoiceFilter(
        label=_("Counts for"),
        choices=[(r.key, f"{r.rule} · {r.label}") for r in rules.REQUIREMENTS],
        method="filter_requirement",
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=EventState.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="held_on", lookup_expr="lte")
    period = django_filters.CharFilter(label=_("Period"), method="filter_period")
    signal = django_filters.ChoiceFilter(label=_("Signal"), choices=Signal.choices, method="filter_signal")
    flagged = YesNoFilter(label=_("Any signal"), method="filter_flagged")
    within = SubtreeFilter(label=_("Within"), path_lookup="organization__path")
    org = django_filters.NumberFilter(label=_("Organization"), field_name="organization_id")

    class Meta:
        model = Event
        fields = ["kind", "state", "date_from", "date_to", "signal", "within", "org"]

    def filter_requirement(self, qs: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        req = rules.REQUIREMENT_BY_KEY.get(value)
        if req is None:
            return qs
        match = Q(kind=req.event_kind)
        if req.lecturer_kind:
            match &= Q(lecturer_kind=req.lecturer_kind)
        if req.combined_kind:
            match |= Q(kind=req.combined_kind, includes_evaluation=True)
        return qs.filter(match)

    def filter_period(self, qs: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        try:
            span = rules.parse_span(value)
        except ValueError:
            return qs.none()
        return qs.filter(held_on__range=(span.start, span.end))

    def filter_signal(self, qs: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queries.flagged(qs, timezone.localdate(), value)

    def filter_flagged(self, qs: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        if value is None:
            return qs
        flagged = queries.flagged(Event.objects.all(), timezone.localdate()).values("pk")
        return qs.filter(pk__in=flagged) if value else qs.exclude(pk__in=flagged)


class DriftFilter(StyledFilterSet):
    context_filters = {"within": Organization}

    within = SubtreeFilter(label=_("Within"), path_lookup="organization__path")
    reason = django_filters.ChoiceFilter(
        label=_("Reason"),
        choices=[("no_life", _("No organizational life (S1)")), ("lost_contact", _("Lost contact (S2)"))],
        field_name="drift_reason",
    )

    class Meta:
        model = Member
        fields = ["within", "reason"]
