"""The scores of a round, computed live from the records: automatic indicators from the
sources, manual ones from the assessors' scores (combined as the scheme says), bonus and
deduction items capped, the party and business subtotals and the total; then the places
and grades of the group. Used for the draft results while scoring and in review, and
written once into ``Result`` rows when the round is published."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from dangjian.assessment import rules, sources
from dangjian.assessment.choices import Category, Grading, Method
from dangjian.assessment.models import Adjustment, Indicator, Round, Score
from dangjian.orgs.models import Organization

ZERO = Decimal("0.00")


@dataclass
class Line:
    """One indicator of one organization: its score (None: not scored yet) and what it
    came from (the source's figures, or how many assessors scored it, or the items)."""

    indicator: Indicator
    score: Decimal | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    organization: Organization
    lines: list[Line]
    total: rules.Total
    place: int = 0
    place_from_bottom: int = 0
    grade: str = ""

    @property
    def unscored(self) -> list[Indicator]:
        return [line.indicator for line in self.lines if line.score is None]


def indicators_of(round_: Round) -> list[Indicator]:
    return list(
        Indicator.objects.filter(dimension__scheme=round_.scheme)
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "id")
    )


def compute(round_: Round, today: dt.date, only: Organization | None = None) -> dict[int, Sheet]:
    """Every assessed organization's sheet (with places and grades among the group), or
    only ``only``'s when given (places and grades still need the whole group).

    Each distinct automatic source is computed once for the whole group, however many
    indicators read it; the loop over organizations × indicators does no query and works
    from per-indicator constants, as it runs 270,000 times for 10,000 organizations and 27
    indicators (docs/benchmarks.md, "Assessment: scoring a year-end round")."""
    scheme = round_.scheme
    # The organizations only (not the Assessed rows), in path order.
    orgs = list(Organization.objects.filter(pk__in=scheme.assessed.values("organization_id")).order_by("path"))
    indicators = indicators_of(round_)
    measures: dict[str, dict[int, sources.Measure]] = {}
    for key in {i.source for i in indicators if i.method == Method.AUTOMATIC}:
        if key in sources.SOURCES:
            measures[key] = sources.SOURCES[key].compute(
                scheme.organization, orgs, round_.starts_on, round_.ends_on, today
            )
    given: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    # Unordered: Score's default ordering follows round, scheme, organization and
    # indicator, joining four tables and sorting 150,000 rows on disk for nothing
    # (``rules.combine`` sorts the values itself).
    for org_id, indicator_id, value in (
        Score.objects.filter(round=round_).order_by().values_list("organization_id", "indicator_id", "value")
    ):
        given[(org_id, indicator_id)].append(value)
    adjusted = {
        (row["organization_id"], row["indicator_id"]): (row["points"], row["n"])
        for row in Adjustment.objects.filter(round=round_)
        .values("organization_id", "indicator_id")
        .annotate(points=Sum("points"), n=Count("pk"))
    }
    # Per indicator, once: how it is scored, where its score is added up, its figures.
    plan = [
        (
            indicator,
            indicator.pk,
            indicator.method,
            indicator.method if indicator.method in (Method.BONUS, Method.DEDUCTION) else indicator.dimension.category,
            indicator.max_score,
            measures.get(indicator.source, {}),
        )
        for indicator in indicators
    ]
    automatic_score = _memo(rules.automatic_score)
    no_measure = sources.Measure()
    how = scheme.combine
    sheets: dict[int, Sheet] = {}
    for org in orgs:
        pk = org.pk
        lines = []
        sums: dict[str, Decimal] = {
            Category.PARTY: ZERO,
            Category.BUSINESS: ZERO,
            Method.BONUS: ZERO,
            Method.DEDUCTION: ZERO,
        }
        for indicator, indicator_pk, method, bucket, max_score, by_org in plan:
            score: Decimal | None
            if method == Method.AUTOMATIC:
                measure = by_org.get(pk, no_measure)
                rate = measure.rate
                score = automatic_score(max_score, rate)
                line = Line(indicator, score, {"done": measure.done, "due": measure.due, "rate": rate})
            elif method == Method.MANUAL:
                values = given.get((pk, indicator_pk), [])
                score = rules.combine(values, how)
                line = Line(indicator, score, {"assessors": len(values)})
            else:
                points, count = adjusted.get((pk, indicator_pk), (ZERO, 0))
                score = rules.capped([points], max_score)
                line = Line(indicator, score, {"items": count, "raw": points})
            lines.append(line)
            if score is not None:
                sums[bucket] += score
        total = rules.Total(
            party=rules.q(sums[Category.PARTY]),
            business=rules.q(sums[Category.BUSINESS]),
            bonus=rules.q(sums[Method.BONUS]),
            deduction=rules.q(sums[Method.DEDUCTION]),
        )
        sheets[pk] = Sheet(org, lines, total)
    _place(scheme, sheets)
    if only is not None:
        return {only.pk: sheets[only.pk]} if only.pk in sheets else {}
    return sheets


def _memo(func: Callable[[Decimal, float | None], Decimal]) -> Callable[[Decimal, float | None], Decimal]:
    """``func`` remembering its results for the call: many organizations share a rate
    (everything done, nothing due) and a full score."""
    seen: dict[tuple[Decimal, float | None], Decimal] = {}

    def remembered(max_score: Decimal, rate: float | None) -> Decimal:
        key = (max_score, rate)
        score = seen.get(key)
        if score is None:
            score = seen[key] = func(max_score, rate)
        return score

    return remembered


def _place(scheme: Any, sheets: dict[int, Sheet]) -> None:
    totals = {pk: sheet.total.total for pk, sheet in sheets.items()}
    places = rules.rank(totals)
    bottoms = rules.from_bottom(totals)
    bands = [rules.Band(b.grade, b.label, b.floor, b.share) for b in scheme.grades.all()] or list(rules.DEFAULT_GRADES)
    if scheme.grading == Grading.QUOTAS:
        grades = rules.grade_by_quotas(totals, bands)
    else:
        grades = {pk: rules.grade_by_bands(total, bands) for pk, total in totals.items()}
    for pk, sheet in sheets.items():
        sheet.place, sheet.place_from_bottom, sheet.grade = places[pk], bottoms[pk], grades[pk]


def breakdown(sheet: Sheet) -> list[dict[str, Any]]:
    """A sheet's lines as plain data for the published result."""
    return [
        {
            "indicator": line.indicator.pk,
            "title": line.indicator.title,
            "dimension": line.indicator.dimension.title,
            "method": line.indicator.method,
            "max": str(line.indicator.max_score),
            "score": None if line.score is None else str(line.score),
            "detail": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in line.detail.items()},
        }
        for line in sheet.lines
    ]
