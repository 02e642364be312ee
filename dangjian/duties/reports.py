"""A work list as a printable PDF (for the wall and the file) and as .xlsx: every item with
its responsible organization and post, deadline, requirements, standard, state and score."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dangjian.core.pdf import page_context, render_pdf
from dangjian.duties.models import WorkList

__all__ = ["list_pdf", "list_xlsx"]


def list_pdf(work_list: WorkList, rows: list[tuple[Any, int]]) -> bytes:
    context = page_context(work_list.title, work_list.organization.name)
    context.update(work_list=work_list, rows=rows, today=date_format(timezone.localdate(), "DATE_FORMAT"))
    return render_pdf("duties/list_pdf.html", context)


def list_xlsx(work_list: WorkList, rows: list[tuple[Any, int]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(work_list.year)
    sheet.append([work_list.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{work_list.organization.name} · {work_list.get_state_display()}"])
    header = [
        _("No."),
        _("Task"),
        _("Responsible organization"),
        _("Responsible post"),
        _("Deadline"),
        _("Work requirements"),
        _("Quality standard"),
        _("State"),
        _("Progress (%)"),
        _("Score"),
        _("Full score"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    numbers: list[int] = []
    for item, depth in rows:
        numbers = [*numbers[:depth], (numbers[depth] + 1) if len(numbers) > depth else 1]
        sheet.append(
            [
                ".".join(map(str, numbers)),
                item.title,
                item.assignee.name,
                item.get_post_display(),
                item.deadline,
                item.requirements,
                item.quality_standard,
                item.get_state_display(),
                item.percent,
                item.score,
                item.max_score,
            ]
        )
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
        for column in (2, 6, 7):
            sheet.cell(row=sheet.max_row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJK", (6, 30, 22, 12, 12, 36, 28, 12, 10, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
