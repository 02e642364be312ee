"""Filters of member development: one FilterSet serves the board, its export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.filters import StyledFilterSet
from dangjian.development import queries
from dangjian.development.choices import DueState, Stage, StepKind
from dangjian.development.models import Candidate, Step
from dangjian.orgs.filters import SubtreeFilter
from dangjian.orgs.models import Organization


class CandidateFilter(StyledFilterSet):
    context_filters = {"within": Organization, "org": Organization}

    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    next_kind = django_filters.ChoiceFilter(label=_("Next due"), choices=StepKind.choices)
    due = django_filters.ChoiceFilter(
        label=_("Due"),
        choices=[(DueState.OVERDUE.value, DueState.OVERDUE.label), (DueState.DUE_SOON.value, DueState.DUE_SOON.label)],
        method="filter_due",
    )
    admitted_in = django_filters.NumberFilter(
        label=_("Admitted in (year)"),
        method="filter_admitted_in",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )
    within = SubtreeFilter(label=_("Within"), path_lookup="organization__path")
    org = django_filters.NumberFilter(
        label=_("Organization"), field_name="organization_id", min_value=1, max_value=2**31 - 1
    )

    class Meta:
        model = Candidate
        fields = ["q", "stage", "next_kind", "due", "admitted_in", "within", "org"]

    def filter_name(self, qs: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        text = value.strip()
        if not text:
            return qs
        return qs.filter(
            Q(name__contains=text) | Q(name_pinyin__startswith=text.lower()) | Q(name_initials__startswith=text.lower())
        )

    def filter_due(self, qs: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        today = timezone.localdate()
        if value == DueState.OVERDUE:
            return queries.overdue(qs, today)
        return queries.due_soon(qs, today)

    def filter_admitted_in(self, qs: QuerySet[Candidate], name: str, value: int) -> QuerySet[Candidate]:
        """Candidates whose admission the higher committee approved (step 17) in the year:
        the records behind a plan's progress."""
        return qs.filter(steps__kind=StepKind.ADMISSION_APPROVAL, steps__on__year=value).distinct()


class OverrideFilter(StyledFilterSet):
    """The steps recorded against the rules, by subtree and date."""

    context_filters = {"within": Organization}

    within = SubtreeFilter(label=_("Within"), path_lookup="candidate__organization__path")
    date_from = django_filters.DateFilter(label=_("From"), field_name="on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="on", lookup_expr="lte")

    class Meta:
        model = Step
        fields = ["within", "date_from", "date_to"]
