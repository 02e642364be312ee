"""Spreadsheet imports: read .xlsx/.csv, check every row, then commit all or nothing.

An ``Importer`` (one per kind of data, registered with ``register``) declares its
columns and implements ``check_rows`` (row-level errors, no writes) and ``write``
(bulk insert of checked rows with audit entries). This module handles the rest: the
downloadable template with Chinese and English headers, header matching, cell parsing,
progress, the error report, and running the work in the background.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_source
from dangjian.core.models import AuditSource, ImportBatch, ImportState

PREVIEW_ROWS = 20
MAX_REPORTED_ERRORS = 5000


class CellError(ValueError):
    """A cell that cannot be read; the message is for people."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise  # English source text; the Chinese header comes from the catalog
    required: bool = False
    parse: Callable[[Any], Any] = lambda v: v
    help: str | Promise = ""

    def headers(self) -> set[str]:
        """Every header text accepted for this column (English, Chinese, both)."""
        with translation.override("en"):
            english = str(self.label)
        with translation.override("zh-hans"):
            chinese = str(self.label)
        return {_norm(english), _norm(chinese), _norm(f"{chinese} / {english}"), _norm(self.key)}

    def template_header(self) -> str:
        with translation.override("en"):
            english = str(self.label)
        with translation.override("zh-hans"):
            chinese = str(self.label)
        return f"{chinese} / {english}"


@dataclass
class RowError:
    row: int  # 1-based row number in the sheet (the header is row 1)
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class CheckResult:
    items: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"[\s*（）()]+", "", str(text)).lower()


# --- cell parsers -------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if "\x00" in text:
        raise CellError(_("The cell contains a NUL character."))
    return text


def parse_date(value: Any) -> dt.date | None:
    """A date from a date cell or text like 2020-01-31, 2020/1/31, 2020年1月31日, 20200131."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it as 2020-01-31.") % {"value": text})


def parse_bool(value: Any) -> bool:
    text = parse_text(value).lower()
    if text in ("", "0", "否", "no", "n", "false", "f", "×"):
        return False
    if text in ("1", "是", "yes", "y", "true", "t", "√", "✔"):
        return True
    raise CellError(_("“%(value)s” is not yes or no (是/否).") % {"value": text})


def choice_parser(
    choices: Sequence[tuple[str, Any]], aliases: Callable[[], dict[str, str]] | dict[str, str] | None = None
) -> Callable[[Any], str]:
    """A parser accepting a choice's code, English label or Chinese label (and aliases).
    The lookup table is built on first use, when translations are available."""
    lookup: dict[str, str] = {}

    def build() -> None:
        for code, label in choices:
            lookup[_norm(code)] = code
            for lang in ("en", "zh-hans"):
                with translation.override(lang):
                    lookup[_norm(str(label))] = code
        extra = aliases() if callable(aliases) else aliases or {}
        for alias, code in extra.items():
            lookup[_norm(alias)] = code

    def parse(value: Any) -> str:
        text = parse_text(value)
        if not text:
            return ""
        if not lookup:
            build()
        try:
            return lookup[_norm(text)]
        except KeyError:
            allowed = "、".join(str(label) for _code, label in choices)
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            ) from None

    return parse


# --- reading files ------------------------------------------------------------------


def read_rows(content: bytes, filename: str) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and data rows of the first sheet of an .xlsx/.xls/.ods file or a .csv file
    (UTF-8, with or without BOM, or GB18030 as saved by Chinese Excel)."""
    name = filename.lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CellError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        rows = list(csv.reader(io.StringIO(text)))
    elif name.endswith((".xlsx", ".xls", ".ods", ".xlsm")):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several types for damaged files
            raise CellError(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from None
    else:
        raise CellError(_("Upload an .xlsx or .csv file."))
    rows = [list(r) for r in rows if any(parse_text(c) for c in r)]
    if not rows:
        raise CellError(_("The file is empty."))
    return [parse_text(h) for h in rows[0]], iter(rows[1:])


class Importer:
    """Base of an import kind. Subclasses set ``kind``, ``title``, ``area``, ``columns``
    and implement ``check_rows`` and ``write``."""

    kind: str
    title: str | Promise
    area: str
    columns: list[Column]
    instructions: list[str | Promise] = []
    done_url: str = ""  # the page to see the imported data (a URL name)
    done_label: str | Promise = ""

    def map_headers(self, headers: list[str]) -> tuple[dict[str, int], list[RowError]]:
        """Column key -> index in the file; errors for missing required columns."""
        found: dict[str, int] = {}
        for index, header in enumerate(headers):
            for column in self.columns:
                if _norm(header) in column.headers() and column.key not in found:
                    found[column.key] = index
        errors = [
            RowError(
                1, str(c.label), "", _("The required column “%(column)s” is missing.") % {"column": c.template_header()}
            )
            for c in self.columns
            if c.required and c.key not in found
        ]
        return found, errors

    def parse_row(
        self, raw: list[Any], positions: dict[str, int], row_number: int
    ) -> tuple[dict[str, Any], list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for column in self.columns:
            index = positions.get(column.key)
            cell = raw[index] if index is not None and index < len(raw) else None
            try:
                parsed = column.parse(cell)
            except CellError as exc:
                errors.append(
                    RowError(
                        row_number,
                        str(column.label),
                        parse_text(cell) if not isinstance(cell, dt.date) else cell.isoformat(),
                        str(exc),
                    )
                )
                continue
            if column.required and parsed in (None, ""):
                errors.append(RowError(row_number, str(column.label), "", _("This column is required.")))
            values[column.key] = parsed
        return values, errors

    def check_rows(self, rows: list[tuple[int, dict[str, Any]]], user: Any, today: dt.date) -> CheckResult:
        raise NotImplementedError

    def write(self, items: list[Any], user: Any, progress: Callable[[int], None]) -> int:
        raise NotImplementedError

    def check_file(
        self, content: bytes, filename: str, user: Any, progress: Callable[[int], None]
    ) -> tuple[int, CheckResult]:
        """Read and check every row; returns the row count and the result."""
        try:
            headers, raw_rows = read_rows(content, filename)
        except CellError as exc:
            return 0, CheckResult(errors=[RowError(0, "", "", str(exc))])
        positions, header_errors = self.map_headers(headers)
        if header_errors:
            return 0, CheckResult(errors=header_errors)
        parsed: list[tuple[int, dict[str, Any]]] = []
        errors: list[RowError] = []
        for offset, raw in enumerate(raw_rows):
            values, row_errors = self.parse_row(raw, positions, offset + 2)
            errors += row_errors
            if not row_errors:
                parsed.append((offset + 2, values))
            if offset % 1000 == 0:
                progress(offset)
        total = len(parsed) + len({e.row for e in errors})
        result = self.check_rows(parsed, user, timezone.localdate())
        result.errors = sorted(errors + result.errors, key=lambda e: (e.row, e.column))
        return total, result

    def template_workbook(self, rows: Sequence[Sequence[Any]] = (), extra_headers: Sequence[str] = ()) -> bytes:
        """An .xlsx with the bilingual header row and a sheet of instructions; with
        ``rows``, filled in (values in column order, then one per ``extra_headers``: columns
        for the reader that the import ignores)."""
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font, PatternFill

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "data"
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.template_header())
            cell.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
            cell.fill = PatternFill("solid", fgColor="B71C1C" if column.required else "F2F2F2")
            if column.help:
                with translation.override("zh-hans"):
                    zh = str(column.help)
                with translation.override("en"):
                    en = str(column.help)
                cell.comment = Comment(f"{zh}\n{en}", "Dangjian")
            sheet.column_dimensions[cell.column_letter].width = max(14, len(column.template_header()) + 4)
        for index, header in enumerate(extra_headers, start=len(self.columns) + 1):
            cell = sheet.cell(row=1, column=index, value=header)
            cell.font = Font(italic=True, color="555555")
            sheet.column_dimensions[cell.column_letter].width = max(14, len(header) + 4)
        for row in rows:
            sheet.append(list(row))
        notes = workbook.create_sheet("说明 instructions")
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                notes.append([str(self.title)])
                for line in self.instructions:
                    notes.append([str(line)])
                for column in self.columns:
                    required = _("required") if column.required else _("optional")
                    notes.append([column.template_header(), str(required), str(column.help)])
                notes.append([])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    REGISTRY[importer.kind] = importer
    return importer


# --- running an import --------------------------------------------------------------


def progress_key(batch_id: int) -> str:
    return f"dangjian:import-progress:{batch_id}"


def _progress_setter(batch_id: int, phase: str) -> Callable[[int], None]:
    def set_progress(done: int) -> None:
        cache.set(progress_key(batch_id), {"phase": phase, "done": done}, 3600)

    return set_progress


def current_progress(batch: ImportBatch) -> dict[str, Any]:
    return cache.get(progress_key(batch.pk)) or {"phase": batch.state, "done": 0}


def check_batch(batch_id: int) -> None:
    """Check every row of an uploaded batch and store the report (no data written)."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    importer = REGISTRY[batch.kind]
    content = batch.file.read()
    with translation.override(batch.language):
        total, result = importer.check_file(
            content, batch.original_name, batch.created_by, _progress_setter(batch_id, "checking")
        )
    batch.total_rows = total
    batch.error_count = len(result.errors)
    batch.errors = [e.as_dict() for e in result.errors[:MAX_REPORTED_ERRORS]]
    batch.preview = result.preview[:PREVIEW_ROWS]
    batch.state = ImportState.INVALID if result.errors or not total else ImportState.READY
    if not total and not result.errors:
        batch.errors = [RowError(0, "", "", _("The file has no data rows.")).as_dict()]
        batch.error_count = 1
    batch.finished_at = timezone.now()
    if batch.state == ImportState.INVALID:
        _discard_file(batch)
    batch.save()


def _discard_file(batch: ImportBatch) -> None:
    """Uploaded rosters hold personal data: keep a file only while it may be committed."""
    if batch.file:
        batch.file.delete(save=False)


def commit_batch(batch_id: int) -> None:
    """Check again and write every row in one transaction: all rows or none."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    importer = REGISTRY[batch.kind]
    user = batch.created_by
    content = batch.file.read()
    language = batch.language
    try:
        with translation.override(language), audit_source(AuditSource.IMPORT), transaction.atomic():
            _total, result = importer.check_file(
                content, batch.original_name, user, _progress_setter(batch_id, "checking")
            )
            if result.errors:
                raise _Rejected(result)
            imported = importer.write(result.items, user, _progress_setter(batch_id, "importing"))
    except _Rejected as rejected:
        batch.state = ImportState.INVALID
        batch.errors = [e.as_dict() for e in rejected.result.errors[:MAX_REPORTED_ERRORS]]
        batch.error_count = len(rejected.result.errors)
    except Exception as exc:  # the transaction rolled back; say so rather than hang
        batch.state = ImportState.FAILED
        batch.errors = [RowError(0, "", "", str(exc)).as_dict()]
        batch.error_count = 1
    else:
        batch.state = ImportState.DONE
        batch.imported_count = imported
    batch.finished_at = timezone.now()
    _discard_file(batch)
    batch.save()
    cache.delete(progress_key(batch_id))


class _Rejected(Exception):
    def __init__(self, result: CheckResult) -> None:
        self.result = result
