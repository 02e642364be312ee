"""Due items of organizational life for the inbox: events missing in ended periods,
events due in the running quarter, planned events not recorded, drifting members (S1,
S2) and formalism signals. A fixed number of queries per user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.scoping import can
from dangjian.members.models import Member
from dangjian.orglife import compliance, queries, rules
from dangjian.orglife.choices import EventState
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots


def _slot_items(
    org: Organization, window: rules.Span, today: dt.date, field: str, *, until: dt.date | None = None
) -> tuple[int, list[inbox.DueItem]]:
    """For ``org``'s subtree: the total of ``field`` ("missing" or "pending") and the
    periods where it is not zero, oldest first, as due items (one query). ``until`` keeps
    only periods ending by that day."""
    slots = compliance.rollup(org, window, today=today, by_requirement=True, by_span=True)
    items, total = [], 0
    for (key, index), tally in slots.items():
        count = getattr(tally, field)
        req = rules.REQUIREMENT_BY_KEY[key]
        span = rules.spans_in(window, req.period)[index]
        if not count or (until is not None and span.end > until):
            continue
        total += count
        items.append(
            inbox.DueItem(
                label=f"{req.rule} {req.label} · {span.label}",
                url=reverse("orglife:org_compliance", args=[org.pk]) + f"?period={window.label}"
                if not org.numchild
                else reverse("orglife:list") + f"?within={org.pk}&requirement={key}&period={span.label}",
                due_on=span.end,
                detail=_("%(n)s of %(required)s") % {"n": count, "required": tally.required},
            )
        )
    # Oldest period first (span indexes of months, quarters and the year do not compare).
    items.sort(key=lambda item: (item.due_on, str(item.label)))
    return total, items


def _compliance_groups(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    year = compliance.current_window(today)
    quarter = rules.span_of(today, "quarter")
    for root in scope_roots(user)[:5]:
        url = reverse("orglife:compliance") + f"?org={root.pk}&period={year.label}"
        if root.numchild:
            # A committee: which subordinate organizations miss the most.
            by_child = compliance.rollup(root, year, today=today, group="child")
            missing = sum(t.missing for t in by_child.values())
            names = dict(
                Organization.objects.restrict(user).filter(path__in=list(by_child)).values_list("path", "name")
            )
            worst = sorted(((t.missing, path) for path, t in by_child.items() if t.missing), reverse=True)
            items = [
                inbox.DueItem(label=names.get(path, root.name), url=url, detail=_("%(n)s missing") % {"n": n})
                for n, path in worst
            ]
        else:
            # A branch: exactly which meetings of which month are missing.
            missing, items = _slot_items(root, year, today, "missing")
        # Still to hold: what falls due by the end of this quarter (months, the quarter,
        # and in the last quarter the year's meetings: L5 secretary, L7, L8, L9).
        pending, pending_items = _slot_items(root, year, today, "pending", until=quarter.end)
        yield inbox.DueGroup(
            key=f"orglife.missing.{root.pk}",
            title=_("Organizational life missing this year: %(org)s") % {"org": root.name},
            level=inbox.Level.OVERDUE,
            count=missing,
            url=url,
            rule="L1–L9",
            items=items[: inbox.SAMPLE],
        )
        yield inbox.DueGroup(
            key=f"orglife.due.{root.pk}",
            title=_("Still to hold this quarter: %(org)s") % {"org": root.name},
            level=inbox.Level.DUE,
            count=pending,
            url=reverse("orglife:compliance") + f"?org={root.pk}&period={quarter.label}",
            rule="L1–L9",
            items=pending_items[: inbox.SAMPLE],
        )


@inbox.provider
def orglife_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, Event, Action.VIEW) or user.role == Role.MEMBER:
        return
    yield from _compliance_groups(user, today)
    events = Event.objects.restrict(user)
    unrecorded = events.filter(state=EventState.PLANNED, held_on__lt=today).order_by("held_on")
    yield inbox.DueGroup(
        key="orglife.unrecorded",
        title=_("Planned events past their date, not recorded"),
        level=inbox.Level.OVERDUE,
        count=unrecorded.count(),
        url=reverse("orglife:list") + f"?state=planned&date_to={today - dt.timedelta(days=1):%Y-%m-%d}",
        items=[
            inbox.DueItem(label=str(e), url=e.get_absolute_url(), due_on=e.held_on)
            for e in unrecorded.select_related("organization")[: inbox.SAMPLE]
        ],
    )
    drifting = queries.drifting(Member.objects.restrict(user), today)
    yield inbox.DueGroup(
        key="orglife.drifting",
        title=_("Members drifting away"),
        level=inbox.Level.FLAGGED,
        count=drifting.count(),
        url=reverse("orglife:drifting"),
        rule="S1, S2",
        items=[
            inbox.DueItem(label=m.name, url=m.get_absolute_url(), detail=str(m.organization))
            for m in drifting.select_related("organization")[: inbox.SAMPLE]
        ],
    )
    year = compliance.current_window(today)
    flagged = queries.flagged(events.filter(held_on__range=(year.start, year.end)), today)
    yield inbox.DueGroup(
        key="orglife.signals",
        title=_("Events with formalism signals this year"),
        level=inbox.Level.FLAGGED,
        count=flagged.count(),
        url=reverse("orglife:signals") + f"?period={year.label}",
        items=[
            inbox.DueItem(label=str(e), url=e.get_absolute_url(), due_on=e.held_on)
            for e in flagged.select_related("organization")[: inbox.SAMPLE]
        ],
    )


@inbox.provider
def member_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    """A member's own due items: events of their organization in the next two weeks."""
    if user.role != Role.MEMBER or user.member_id is None:
        return
    soon = Event.objects.restrict(user).filter(
        state=EventState.PLANNED, held_on__range=(today, today + dt.timedelta(days=14))
    )
    yield inbox.DueGroup(
        key="orglife.upcoming",
        title=_("Your organization's events in the next two weeks"),
        level=inbox.Level.DUE,
        count=soon.count(),
        url=reverse("orglife:mine"),
        items=[
            inbox.DueItem(label=e.topic, url=reverse("orglife:mine"), due_on=e.held_on)
            for e in soon.order_by("held_on")[: inbox.SAMPLE]
        ],
    )
