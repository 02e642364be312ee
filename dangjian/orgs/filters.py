"""One FilterSet per list, shared by the page, its export and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import StyledFilterSet, YesNoFilter
from dangjian.orgs import queries
from dangjian.orgs.choices import OrgKind, Sector, StructureWarning
from dangjian.orgs.models import Organization


class SubtreeFilter(django_filters.NumberFilter):
    """Restrict to the subtree of an organization (by id), itself included: one prefix
    condition on the materialized path. The organization must itself be visible."""

    def __init__(self, *args: Any, path_lookup: str = "path", **kwargs: Any) -> None:
        self.path_lookup = path_lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        user = getattr(self.parent, "request", None) and self.parent.request.user
        root = Organization.objects.restrict(user).filter(pk=value).values_list("path", flat=True).first()
        if root is None:
            return qs.none()
        return qs.filter(**{f"{self.path_lookup}__startswith": root})


class OrganizationFilter(StyledFilterSet):
    context_filters = {"within": Organization}

    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrgKind.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    two_new = YesNoFilter(label=_("“Two new” organizations"), method="filter_two_new")
    warning = django_filters.ChoiceFilter(label=_("Warning"), choices=StructureWarning.choices, method="filter_warning")
    within = SubtreeFilter(label=_("Within"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "sector", "two_new", "warning", "within"]

    def search(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return qs.filter(Q(name__icontains=value) | Q(code__iexact=value)) if value else qs

    def filter_two_new(self, qs: QuerySet[Organization], name: str, value: bool | None) -> QuerySet[Organization]:
        if value is None:
            return qs
        two_new = Q(sector__in=[Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION])
        return qs.filter(two_new if value else ~two_new)

    def filter_warning(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return qs.filter(queries.warning_filter(value)) if value else qs
