"""Read models of the responsibility system: completion of the items assigned in a
subtree, per child subtree, in one grouped query; what projects spent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from dangjian.dues.choices import COUNTED_STATES
from dangjian.dues.models import FundEntry
from dangjian.duties.choices import ItemState, ListState
from dangjian.duties.models import Item, Project
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


def with_spending(projects: QuerySet[Project], user: Any) -> QuerySet[Project]:
    """Annotate ``spent``: the counted expenditures of the funds ledger linked to each
    project that ``user`` may see. A subquery, not a Sum over a join: joined with the
    milestones, each ledger entry would be counted once per milestone."""
    entries = FundEntry.objects.restrict(user).filter(project=OuterRef("pk"), state__in=COUNTED_STATES)
    total = entries.order_by().values("project").annotate(total=Sum("amount")).values("total")
    money = DecimalField(max_digits=14, decimal_places=2)
    return projects.annotate(spent=Coalesce(Subquery(total), Value(Decimal(0)), output_field=money))
