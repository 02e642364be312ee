"""Template helpers of organizational life: status badges and compliance cells."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dangjian.orglife.choices import Status

register = template.Library()

CSS = {Status.GREEN: "success", Status.YELLOW: "warning", Status.RED: "danger", Status.NONE: "secondary"}


@register.simple_tag
def status_badge(tally: Any, today: Any = None, short: bool = False) -> str:
    """A red / yellow / green badge with the completion rate of ``tally``."""
    if tally is None:
        return ""
    status = tally.status(today)
    rate = tally.rate
    text = f"{rate:.0%}" if rate is not None else "—"
    label = status.label if not short else ""
    title = _("%(on_time)s on time, %(late)s late, %(missing)s missing of %(due)s due; %(pending)s pending") % {
        "on_time": tally.on_time,
        "late": tally.late,
        "missing": tally.missing,
        "due": tally.due,
        "pending": tally.pending,
    }
    return format_html(
        '<span class="badge text-bg-{} dj-status" title="{}" data-status="{}">{} {}</span>',
        CSS[status],
        title,
        status.value,
        text,
        label,
    )


@register.filter
def cell_css(tally: Any) -> str:
    """Background of a compliance cell: green when all due was on time, red when
    something is missing, yellow when late only."""
    if not tally or not tally.required:
        return ""
    if tally.missing:
        return "table-danger"
    if tally.late:
        return "table-warning"
    if tally.due and tally.on_time == tally.due:
        return "table-success"
    return ""


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"
