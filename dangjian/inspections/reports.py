"""Rectifications of a subtree as .xlsx: the finding, where and when it was found, what
to rectify, the owner and post, the deadline, the state and the dates."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dangjian.inspections.models import Rectification
from dangjian.inspections.rules import OPEN

__all__ = ["rectifications_xlsx"]


def rectifications_xlsx(rows: QuerySet[Rectification], year: int, today: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    header: list[Any] = [
        _("Inspection"),
        _("Inspected organization"),
        _("Found on"),
        _("Rule"),
        _("What was found"),
        _("What to rectify"),
        _("Responsible organization"),
        _("Responsible post"),
        _("Deadline"),
        _("State"),
        _("Overdue"),
        _("Reported on"),
        _("Verified on"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    query = rows.select_related("owner", "finding__visit__plan", "finding__visit__organization", "finding__check_item")
    for r in query.order_by("owner__path", "deadline", "pk"):
        finding = r.finding
        sheet.append(
            [
                finding.visit.plan.title,
                finding.visit.organization.name,
                finding.found_on,
                finding.check_item.rule if finding.check_item else "",
                finding.text,
                r.task,
                r.owner.name,
                r.get_post_display(),
                r.deadline,
                r.get_state_display(),
                _("yes") if r.state in OPEN and r.deadline < today else "",
                r.reported_on,
                r.verified_on,
            ]
        )
        for column in (3, 9, 12, 13):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
        for column in (5, 6):
            sheet.cell(row=sheet.max_row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJKLM", (24, 22, 12, 7, 36, 36, 22, 12, 12, 14, 8, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
