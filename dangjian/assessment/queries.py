"""Read models of assessment: the rounds of a series, and an organization's trend."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from dangjian.assessment.choices import RoundKind, RoundState
from dangjian.assessment.models import Result, Scheme


def in_series(scheme: Scheme, prefix: str = "round__scheme") -> Q:
    """The rows of the schemes of ``scheme``'s series (itself, the one it started from and
    every copy in between)."""
    series = scheme.series_id or scheme.pk
    return Q(**{f"{prefix}__series_id": series}) | Q(**{f"{prefix}_id": series})


def year_end_results(scheme: Scheme) -> Any:
    """The published year-end results of the series, oldest year first."""
    return (
        Result.objects.filter(in_series(scheme), round__kind=RoundKind.YEAR_END, round__state=RoundState.PUBLISHED)
        .filter(round__scheme__organization=scheme.organization)
        .order_by("round__scheme__year")
    )
