"""Read models of the democratic evaluation: counts by grade per round and per child
subtree, each one grouped query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.evaluation.choices import Grade
from dangjian.evaluation.models import Evaluation, Round
from dangjian.orgs.models import Organization

# The keys every count table shows: the members on the roster, those not evaluated, and one
# per grade (``excellent``, …).
KEYS = ("members", "excused", *Grade.values)


def grade_counts(prefix: str = "") -> dict[str, Any]:
    """Filtered Counts of evaluations by grade; ``prefix`` leads from the counted model to
    the evaluation (``"evaluations__"`` from a round)."""
    pk = f"{prefix}pk"
    counts: dict[str, Any] = {
        "members": Count(pk, distinct=bool(prefix)),
        "excused": Count(pk, filter=~Q(**{f"{prefix}excused_reason": ""}), distinct=bool(prefix)),
    }
    for grade in Grade.values:
        counts[grade] = Count(pk, filter=Q(**{f"{prefix}grade": grade}), distinct=bool(prefix))
    return counts


def with_counts(rounds: QuerySet[Round]) -> QuerySet[Round]:
    """``rounds`` with the counts of ``KEYS`` annotated."""
    return rounds.annotate(**grade_counts("evaluations__"))


def counts_of(evaluations: QuerySet[Evaluation]) -> dict[str, int]:
    return evaluations.aggregate(**grade_counts())


def counts_by_child(evaluations: QuerySet[Evaluation], root: Organization, year: int) -> list[dict[str, Any]]:
    """For ``root`` itself and each child subtree: the members on the rosters of the
    ``year``'s rounds there and the counts by grade decided. One grouped query, plus the
    children."""
    width = len(root.path) + root.steplen
    rows = (
        evaluations.filter(round__organization__path__startswith=root.path, round__year=year)
        .annotate(prefix=Substr("round__organization__path", 1, width))
        .values("prefix")
        .annotate(**grade_counts())
    )
    by_prefix = {row.pop("prefix"): row for row in rows}
    empty = dict.fromkeys(KEYS, 0)
    out = []
    for org in [root, *Organization.objects.get_children(root).order_by("path")]:
        row = dict(by_prefix.get(org.path[:width] if org != root else root.path, empty))
        row.update(organization=org, own=org == root)
        out.append(row)
    return out
