"""The due-items inbox (待办): a small registry that each area plugs its due items into.

A provider is a function ``(user, today) -> Iterable[DueGroup]``: one group per kind of
due item (meetings missing this quarter, terms overdue, drifting members, …) with the
count in the user's scope, the page listing them all (the drill-down) and a few of the
items themselves. Providers use the same scoping as every list (``restrict``) and run a
fixed number of queries each; the inbox page and the dashboard counts call ``collect``.

Register with ``@inbox.provider`` in the area's ``inbox.py``, imported by its AppConfig.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise

from dangjian.accounts.roles import Role


class Level(StrEnum):
    """How urgent a group is: overdue first, then flagged, then due."""

    OVERDUE = "overdue"
    FLAGGED = "flagged"
    DUE = "due"


ORDER = {Level.OVERDUE: 0, Level.FLAGGED: 1, Level.DUE: 2}


@dataclass
class DueItem:
    """One thing to act on: a label, where to act, and when it is (was) due."""

    label: str | Promise
    url: str
    due_on: dt.date | None = None
    detail: str | Promise = ""


@dataclass
class DueGroup:
    """Due items of one kind in the user's scope."""

    key: str
    title: str | Promise
    level: Level
    count: int
    url: str
    rule: str = ""
    items: list[DueItem] = field(default_factory=list)


Provider = Callable[[Any, dt.date], Iterable[DueGroup]]
PROVIDERS: list[Provider] = []

# How many items each group shows on the inbox page (the rest are behind its link).
SAMPLE = 5


def provider(func: Provider) -> Provider:
    """Register a due-items provider (idempotent, so reloading a module is harmless)."""
    if func not in PROVIDERS:
        PROVIDERS.append(func)
    return func


def collect(user: Any, today: dt.date) -> list[DueGroup]:
    """Every non-empty due-items group in ``user``'s scope, most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    groups = [group for func in PROVIDERS for group in func(user, today) if group.count]
    return sorted(groups, key=lambda g: (ORDER[g.level], str(g.title)))


def totals(groups: Iterable[DueGroup]) -> dict[str, int]:
    """Counts per level, for the dashboard and the navbar badge."""
    out = {level.value: 0 for level in Level}
    for group in groups:
        out[group.level.value] += group.count
    return out


@dataclass(frozen=True)
class Counted:
    """A group of due items counted by ``grouped_counts``: the rows meeting ``condition``."""

    key: str
    title: str | Promise
    level: Level
    condition: Q
    rule: str = ""


def grouped_counts(
    rows: QuerySet[Any],
    groups: Sequence[Counted],
    *,
    url: str,
    item: Callable[[Any], DueItem],
    order: Sequence[str] = ("deadline", "pk"),
) -> Iterator[DueGroup]:
    """The non-empty ``groups`` of ``rows`` (already scoped), all counted in one aggregate
    query, each with up to ``SAMPLE`` of its rows in ``order`` made into items by ``item``
    (one query per non-empty group) and ``url`` as its drill-down."""
    counts = rows.aggregate(**{f"n{i}": Count("pk", filter=group.condition) for i, group in enumerate(groups)})
    for i, group in enumerate(groups):
        count = counts[f"n{i}"]
        if not count:
            continue
        yield DueGroup(
            key=group.key,
            title=group.title,
            level=group.level,
            count=count,
            url=url,
            rule=group.rule,
            items=[item(row) for row in rows.filter(group.condition).order_by(*order)[:SAMPLE]],
        )


def own_q(user: Any, field: str) -> Q:
    """Rows whose ``field`` organization lies in the user's own subtree: what is due from
    (or to) the user's organizations, as opposed to everything the scope lets them see."""
    if user.role == Role.PLATFORM_ADMIN:
        return Q()
    return Q(**{f"{field}__path__startswith": user.scope_path})
