"""The democratic evaluation of a subtree as .xlsx: one row per member on a round's roster,
with the branch, the self-evaluation, the tallies, the suggested and the decided grade,
the meeting and the follow-up."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.evaluation.choices import Grade
from dangjian.evaluation.models import Evaluation, FollowUp

__all__ = ["results_xlsx"]


def results_xlsx(rows: QuerySet[Evaluation], year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    header: list[Any] = [
        _("Branch"),
        _("Member"),
        _("Party status"),
        _("Step"),
        _("Self-evaluation handed in on"),
        _("Not evaluated because"),
        _("Ballots cast"),
        *(str(g.label) for g in Grade),
        _("Suggested grade"),
        _("Grade"),
        _("Reason for the grade"),
        pgettext("evaluation", "Decided on"),
        _("Follow-up"),
        _("Correct by"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    query = rows.select_related("round__organization", "member", "follow_up")
    for e in query.order_by("round__organization__path", "member__name_pinyin", "pk"):
        round_ = e.round
        try:
            follow_up: FollowUp | None = e.follow_up
        except FollowUp.DoesNotExist:
            follow_up = None
        sheet.append(
            [
                round_.organization.name,
                e.member.name,
                e.get_status_display(),
                round_.get_step_display(),
                e.self_on,
                e.excused_reason,
                round_.ballots,
                *(getattr(e, f"rated_{g}") if round_.rated_on and not e.excused_reason else None for g in Grade.values),
                e.get_suggested_display() if e.suggested else "",
                e.get_grade_display() if e.grade else "",
                e.grade_reason,
                round_.decided_on,
                follow_up.get_state_display() if follow_up else "",
                follow_up.deadline if follow_up else None,
            ]
        )
        for column in (5, 15, 17):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
    for column, width in zip(
        "ABCDEFGHIJKLMNOPQ", (22, 12, 12, 12, 12, 18, 8, 8, 8, 8, 8, 12, 12, 24, 12, 18, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
