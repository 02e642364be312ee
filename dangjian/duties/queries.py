"""Read models of the responsibility system: completion of the items assigned in a
subtree, per child subtree, in one grouped query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.duties.choices import ItemState, ListState
from dangjian.duties.models import Item
from dangjian.duties.rules import OPEN
from dangjian.orgs.models import Organization


def completion_by_child(items: QuerySet[Item], root: Organization, year: int, today: dt.date) -> list[dict[str, Any]]:
    """For ``root`` itself and each child subtree: the published items of ``year``
    assigned there, how many were accepted, are overdue, returned or failed; the
    completion rate is accepted / all. One grouped query, plus the children."""
    width = len(root.path) + root.steplen
    rows = (
        items.filter(assignee__path__startswith=root.path, work_list__year=year, work_list__state=ListState.PUBLISHED)
        .annotate(prefix=Substr("assignee__path", 1, width))
        .values("prefix")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=Q(state=ItemState.ACCEPTED)),
            overdue=Count("pk", filter=Q(state__in=OPEN, deadline__lt=today)),
            returned=Count("pk", filter=Q(state=ItemState.RETURNED)),
            failed=Count("pk", filter=Q(state__in=(ItemState.FAILED, ItemState.PURSUED))),
        )
    )
    by_prefix = {row["prefix"]: row for row in rows}
    empty = {"total": 0, "accepted": 0, "overdue": 0, "returned": 0, "failed": 0}
    out = []
    for org in [root, *Organization.objects.get_children(root).order_by("path")]:
        row = dict(by_prefix.get(org.path[:width] if org != root else root.path, empty))
        row.pop("prefix", None)
        row["organization"] = org
        row["own"] = org == root
        row["rate"] = row["accepted"] / row["total"] if row["total"] else None
        out.append(row)
    return out
