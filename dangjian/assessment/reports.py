"""A round's ranking as .xlsx (one row per organization with the subtotals, the score of
every indicator, the place and the grade) and the printable notice of published results."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.assessment import engine
from dangjian.assessment.choices import RoundState
from dangjian.assessment.models import Consequence, Result, Round
from dangjian.core.pdf import page_context, render_pdf

__all__ = ["notice_pdf", "results_xlsx", "rows_of"]


def rows_of(round_: Round, today: dt.date) -> list[dict[str, Any]]:
    """The ranking: stored results once published, the live draft before."""
    if round_.state == RoundState.PUBLISHED:
        return [
            {
                "organization": r.organization,
                "party": r.party,
                "business": r.business,
                "bonus": r.bonus,
                "deduction": r.deduction,
                "total": r.total,
                "place": r.place,
                "grade": r.grade,
                "scores": {line["indicator"]: line["score"] for line in r.breakdown},
            }
            for r in Result.objects.filter(round=round_).select_related("organization").order_by("place", "pk")
        ]
    sheets = sorted(engine.compute(round_, today).values(), key=lambda s: (s.place, s.organization.path))
    return [
        {
            "organization": s.organization,
            "party": s.total.party,
            "business": s.total.business,
            "bonus": s.total.bonus,
            "deduction": s.total.deduction,
            "total": s.total.total,
            "place": s.place,
            "grade": s.grade,
            "scores": {line.indicator.pk: line.score for line in s.lines},
        }
        for s in sheets
    ]


def results_xlsx(round_: Round, today: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    indicators = engine.indicators_of(round_)
    grades = dict(round_.scheme.grades.values_list("grade", "label"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(round_.scheme.year)
    sheet.append([str(round_)])
    sheet["A1"].font = Font(bold=True, size=13)
    state = round_.get_state_display()
    sheet.append(
        [f"{round_.scheme.organization.name} · {round_.starts_on:%Y-%m-%d} – {round_.ends_on:%Y-%m-%d} · {state}"]
    )
    header: list[Any] = [
        pgettext("ranking", "Place"),
        _("Organization"),
        _("Party building"),
        _("Business"),
        _("Bonus"),
        _("Deductions"),
        _("Total"),
        _("Grade"),
        *[f"{i.title} ({i.max_score})" for i in indicators],
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows_of(round_, today):
        scores = row["scores"]
        values = [scores.get(i.pk) for i in indicators]
        sheet.append(
            [
                row["place"],
                row["organization"].name,
                row["party"],
                row["business"],
                row["bonus"],
                row["deduction"],
                row["total"],
                grades.get(row["grade"], row["grade"]),
                *[float(v) if v not in (None, "") else None for v in values],
            ]
        )
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "C4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def notice_pdf(round_: Round) -> bytes:
    scheme = round_.scheme
    context = page_context(_("Notice of the assessment results"), scheme.organization.name)
    context.update(
        round=round_,
        scheme=scheme,
        rows=rows_of(round_, timezone.localdate()),
        grades=dict(scheme.grades.values_list("grade", "label")),
        consequences=Consequence.objects.filter(round=round_).select_related("organization"),
        today=date_format(round_.published_on or timezone.localdate(), "DATE_FORMAT"),
    )
    return render_pdf("assessment/notice_pdf.html", context)
