"""Automatic indicators: what the product's own records say about each assessed
organization (its whole subtree) over a round's period, as a rate from 0 to 1 with the
figures it came from. Nobody types these numbers (enter once, reuse everywhere).

Each source reads the records of the scheme's subtree in a fixed number of grouped
queries (per organization path) and adds them up for every assessed organization by path
prefix, so a group of 10,000 organizations costs the same few queries as one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months
from dangjian.orgs.models import Organization


@dataclass(frozen=True)
class Measure:
    """``done`` of ``due``: the rate is done / due (None when nothing was due)."""

    done: int = 0
    due: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    done_label: str | Promise
    due_label: str | Promise
    compute: Callable[[Organization, Sequence[Organization], dt.date, dt.date, dt.date], dict[int, Measure]]


SOURCES: dict[str, Source] = {}


def source(key: str, label: Any, done_label: Any, due_label: Any) -> Callable[[Any], Any]:
    def register(func: Any) -> Any:
        SOURCES[key] = Source(key, label, done_label, due_label, func)
        return func

    return register


def by_prefix(rows: Iterable[tuple[str, int, int]], targets: Sequence[Organization]) -> dict[int, Measure]:
    """Add ``(path, done, due)`` rows up for each target organization whose subtree
    contains the path."""
    paths = {org.path: org.pk for org in targets}
    lengths = sorted({len(p) for p in paths})
    done: dict[int, int] = defaultdict(int)
    due: dict[int, int] = defaultdict(int)
    for path, d, n in rows:
        for length in lengths:
            # Only the prefixes of the path: a slice longer than the path is the path
            # itself, which would count an organization's own rows once more for every
            # deeper level of the group (a committee assessed with its branches).
            if length > len(path):
                break
            pk = paths.get(path[:length])
            if pk is not None:
                done[pk] += d
                due[pk] += n
    return {org.pk: Measure(done[org.pk], due[org.pk]) for org in targets}


@source(
    "orglife.completion",
    _("Organizational life held on time (L1-L9)"),
    _("events held on time"),
    _("events due"),
)
def orglife_completion(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.orglife import compliance
    from dangjian.orglife.rules import Span

    window = Span(start, end, "year", f"{start:%Y-%m-%d}~{end:%Y-%m-%d}")
    tallies = compliance.rollup(root, window, today=min(today, end), group="org")
    # The subtree's paths by prefix, not by a list of ids: a province-wide group would
    # pass SQLite's limit of 32,766 parameters.
    paths = dict(Organization.objects.filter(path__startswith=root.path).values_list("pk", "path"))
    return by_prefix(((paths[pk], t.on_time, t.due) for pk, t in tallies.items() if pk in paths), orgs)


@source(
    "orgs.terms",
    _("Committees renewed on time (O7, O8)"),
    _("organizations with a current term"),
    _("organizations with terms"),
)
def terms_on_time(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.orgs.choices import KINDS_WITH_TERMS

    on = min(today, end)
    rows = Organization.objects.filter(
        path__startswith=root.path, kind__in=KINDS_WITH_TERMS, dissolved_on__isnull=True
    ).values_list("path", "renewal_due_on")
    return by_prefix(((path, int(due is not None and due >= on), 1) for path, due in rows), orgs)


@source(
    "development.procedure",
    _("Development steps without a rule waived (D)"),
    _("steps by the rules"),
    _("steps recorded"),
)
def development_procedure(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.development.models import Step

    rows = (
        Step.objects.filter(candidate__organization__path__startswith=root.path, on__gte=start, on__lte=end)
        .values("candidate__organization__path")
        .annotate(total=Count("pk"), waived=Count("pk", filter=~Q(overridden_problems=[])))
        .values_list("candidate__organization__path", "total", "waived")
    )
    return by_prefix(((path, total - waived, total) for path, total, waived in rows), orgs)


@source(
    "dues.collection",
    _("Party dues collected by month (F)"),
    _("member-months paid"),
    _("member-months owed"),
)
def dues_collection(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.dues.queries import collection_by_organization

    # A month counts once it is over, the months of the period's first and last days whole.
    last = min(end, add_months(today.replace(day=1), -1))
    rows = collection_by_organization(root, start, last)
    return by_prefix(((path, paid, due) for path, (due, paid) in rows.items()), orgs)


@source(
    "duties.completion",
    _("Responsibility items accepted"),
    _("items accepted"),
    _("items due in the period"),
)
def duties_completion(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.duties.choices import ItemState, ListState
    from dangjian.duties.models import Item

    rows = (
        Item.objects.filter(
            assignee__path__startswith=root.path,
            work_list__state=ListState.PUBLISHED,
            deadline__gte=start,
            deadline__lte=min(end, today),
        )
        .values("assignee__path")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(state=ItemState.ACCEPTED)))
        .values_list("assignee__path", "accepted", "total")
    )
    return by_prefix(rows, orgs)


@source(
    "inspections.closure",
    _("Rectifications verified closed"),
    _("rectifications closed"),
    _("rectifications due in the period"),
)
def rectification_closure(
    root: Organization, orgs: Sequence[Organization], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Measure]:
    from dangjian.inspections.choices import RectificationState
    from dangjian.inspections.models import Rectification

    rows = (
        Rectification.objects.filter(
            owner__path__startswith=root.path, deadline__gte=start, deadline__lte=min(end, today)
        )
        .values("owner__path")
        .annotate(total=Count("pk"), verified=Count("pk", filter=Q(state=RectificationState.VERIFIED)))
        .values_list("owner__path", "verified", "total")
    )
    return by_prefix(rows, orgs)


def choices() -> list[tuple[str, Any]]:
    return [(key, s.label) for key, s in SOURCES.items()]
