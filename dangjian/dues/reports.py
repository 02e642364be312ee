"""The yearly statement of an organization's party-building funds as .xlsx and as PDF
(Chinese text through WeasyPrint). Plain functions returning bytes; the views load the
organization through the scope."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dangjian.core.pdf import page_context, render_pdf
from dangjian.dues.queries import Statement

__all__ = ["statement_pdf", "statement_xlsx"]


def statement_pdf(statement: Statement) -> bytes:
    title = _("Party-building funds: statement of %(year)s") % {"year": statement.year}
    context = page_context(title, statement.organization.name)
    context.update(statement=statement, today=date_format(timezone.localdate(), "DATE_FORMAT"))
    return render_pdf("dues/statement_pdf.html", context)


def statement_xlsx(statement: Statement) -> bytes:
    """Two sheets: the summary (opening balance, income by source, spending by category,
    closing balance) and every entry of the year, amounts as numbers with two decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    money = "#,##0.00"
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append([_("Party-building funds: statement of %(year)s") % {"year": statement.year}])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([statement.organization.name])
    summary.append([])
    rows: list[tuple[str, object]] = [(_("Opening balance"), statement.opening), (_("Income"), None)]
    rows += [(f"  {label}", amount) for label, amount in statement.income]
    rows += [(_("Total income"), statement.total_income), (_("Spending"), None)]
    rows += [(f"  {label}", amount) for label, amount in statement.spending]
    rows += [(_("Total spending"), statement.total_spending), (_("Closing balance"), statement.closing)]
    for label, amount in rows:
        summary.append([label, amount])
        cell = summary.cell(row=summary.max_row, column=2)
        cell.number_format = money
        if amount is None or not label.startswith(" "):
            summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    if statement.pending:
        summary.append([])
        summary.append([_("Awaiting approval (not in the balance)"), sum(e.amount for e in statement.pending)])
        summary.cell(row=summary.max_row, column=2).number_format = money
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 16

    entries = workbook.create_sheet(_("Entries")[:31])
    entries.append(
        [
            _("Date"),
            _("Organization"),
            _("Income"),
            _("Spending"),
            _("Source or category"),
            _("Description"),
            _("Signed off by"),
            _("Voucher"),
        ]
    )
    for cell in entries[1]:
        cell.font = Font(bold=True)
    org = statement.organization
    for entry in statement.entries:
        outgoing = not entry.is_income or entry.granted_by_id == org.pk
        kind = entry.get_category_display() if not entry.is_income else entry.get_source_display()
        if entry.granted_by_id == org.pk:
            kind = _("Allocation to %(org)s") % {"org": entry.organization.name}
        entries.append(
            [
                entry.on,
                entry.organization.name,
                None if outgoing else entry.amount,
                entry.amount if outgoing else None,
                kind,
                entry.description,
                entry.approver,
                _("yes") if entry.voucher else _("no"),
            ]
        )
        row = entries.max_row
        entries.cell(row=row, column=1).number_format = "yyyy-mm-dd"
        entries.cell(row=row, column=3).number_format = money
        entries.cell(row=row, column=4).number_format = money
    for column, width in zip("ABCDEFGH", (12, 24, 12, 12, 28, 40, 18, 8), strict=True):
        entries.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
