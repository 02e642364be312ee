"""Read models of inspections: rectification closure per child subtree in one grouped
query, and per plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.inspections.choices import RectificationState
from dangjian.inspections.models import Rectification
from dangjian.inspections.rules import OPEN
from dangjian.orgs.models import Organization


def tallies(today: dt.date) -> dict[str, Any]:
    """The counts every closure table shows, as filtered Counts."""
    return {
        "total": Count("pk"),
        "verified": Count("pk", filter=Q(state=RectificationState.VERIFIED)),
        "reported": Count("pk", filter=Q(state=RectificationState.REPORTED)),
        "overdue": Count("pk", filter=Q(state__in=OPEN, deadline__lt=today)),
    }


def with_rate(row: dict[str, Any]) -> dict[str, Any]:
    """``rate``: the closure rate, verified / all rectifications (None without any);
    ``percent``: the same in whole percent, rounded down, so that 100% means every
    rectification was verified closed (199 of 200 is 99%, not a rounded 100%)."""
    row["rate"] = row["verified"] / row["total"] if row["total"] else None
    row["percent"] = row["verified"] * 100 // row["total"] if row["total"] else None
    return row


def closure_by_child(
    rectifications: QuerySet[Rectification], root: Organization, year: int, today: dt.date
) -> list[dict[str, Any]]:
    """For ``root`` itself and each child subtree: the rectifications required there by
    plans of ``year``, how many were verified closed, wait for verification, or are
    overdue. One grouped query, plus the children."""
    width = len(root.path) + root.steplen
    rows = (
        rectifications.filter(owner__path__startswith=root.path, finding__visit__plan__year=year)
        .annotate(prefix=Substr("owner__path", 1, width))
        .values("prefix")
        .annotate(**tallies(today))
    )
    by_prefix = {row["prefix"]: row for row in rows}
    empty = {"total": 0, "verified": 0, "reported": 0, "overdue": 0}
    out = []
    for org in [root, *Organization.objects.get_children(root).order_by("path")]:
        row = dict(by_prefix.get(org.path[:width] if org != root else root.path, empty))
        row.pop("prefix", None)
        row.update(organization=org, own=org == root)
        out.append(with_rate(row))
    return out
