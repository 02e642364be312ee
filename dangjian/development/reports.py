"""Printed forms of member development (PDF, Chinese text through WeasyPrint): the
timeline of one candidate for the archive file (D24), and the pipeline summary of a
subtree. Plain functions returning bytes; the views load objects through the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dangjian.core.pdf import page_context, render_pdf
from dangjian.development import queries, rules
from dangjian.development.choices import Stage
from dangjian.development.models import Candidate
from dangjian.orgs.models import Organization

__all__ = ["summary_pdf", "timeline_pdf"]


def timeline_pdf(candidate: Candidate, *, today: dt.date | None = None) -> bytes:
    """Every step of ``candidate`` with its date, deciding body, people, vote and
    documents, what comes next and any override, for the archive file."""
    today = today or timezone.localdate()
    steps = (
        candidate.steps.select_related("vote", "decided_by", "overridden_by")
        .prefetch_related("people", "documents")
        .order_by("on", "id")
    )
    history = queries.history(candidate)
    context = page_context(_("Development file"), candidate.organization.name)
    context.update(
        candidate=candidate,
        steps=steps,
        dues=rules.next_due(history, today),
        probation_ends=rules.probation_ends(rules.History(history)),
        today=date_format(today, "DATE_FORMAT"),
    )
    return render_pdf("development/timeline_pdf.html", context)


def summary_rows(root: Organization, candidates: Any, today: dt.date) -> list[dict[str, Any]]:
    """Per direct child of ``root`` (and ``root``'s own branches' candidates when it is a
    branch): candidates by stage and overdue, one grouped query."""
    children = list(Organization.objects.get_children(root).order_by("path")) or [root]
    rows = (
        candidates.filter(organization__path__startswith=root.path)
        .values("organization__path", "stage")
        .annotate(n=Count("pk"))
    )
    late = (
        queries.overdue(candidates.filter(organization__path__startswith=root.path), today)
        .values("organization__path")
        .annotate(n=Count("pk"))
    )
    out = []
    for child in children:
        counts = {stage.value: 0 for stage in Stage}
        for row in rows:
            if row["organization__path"].startswith(child.path):
                counts[row["stage"]] += row["n"]
        overdue = sum(r["n"] for r in late if r["organization__path"].startswith(child.path))
        out.append({"organization": child, "counts": [counts[s.value] for s in Stage], "overdue": overdue})
    return out


def summary_pdf(root: Organization, candidates: Any, *, today: dt.date | None = None) -> bytes:
    """The pipeline of ``root``'s subtree (``candidates`` already scoped): counts by
    stage per child organization, then every candidate due or overdue."""
    today = today or timezone.localdate()
    scoped = candidates.filter(organization__path__startswith=root.path)
    rows = summary_rows(root, candidates, today)
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(Stage))]
    context = page_context(_("Member development: pipeline summary"), root.name)
    context.update(
        root=root,
        stages=list(Stage),
        rows=rows,
        totals=totals,
        overdue_total=sum(r["overdue"] for r in rows),
        late=queries.overdue(scoped, today).select_related("organization").order_by("due_on")[:200],
        soon=queries.due_soon(scoped, today).select_related("organization").order_by("due_on", "ready_on")[:200],
        today=date_format(today, "DATE_FORMAT"),
    )
    return render_pdf("development/summary_pdf.html", context)
