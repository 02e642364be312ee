"""The two printed reports of organizational life: the compliance table of a subtree as a
spreadsheet, and the record of one event as a page of the meeting record book (PDF).

Both are plain functions returning bytes, so views, commands and background jobs can
produce the same file; the views in ``report_views`` load the objects through the scope.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action, Role
from dangjian.core.pdf import css_string, page_counter_css, render_pdf
from dangjian.core.rulesets import value
from dangjian.core.scoping import can
from dangjian.members.models import Member
from dangjian.orglife import compliance, rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, Status
from dangjian.orglife.compliance import Tally
from dangjian.orglife.models import Event, Vote
from dangjian.orgs.models import Organization

__all__ = ["ROWS", "compliance_workbook", "may_see_names", "meeting_record_pdf", "record_context"]

# "children": the root's own events and each direct child's whole subtree;
# "all": every organization of the subtree with its own events, indented by depth.
ROWS = ("children", "all")


# Excel's own "good / neutral / bad" cell styles, so the colours read as usual.
STATUS_COLOURS = {
    Status.GREEN: ("#C6EFCE", "#006100"),
    Status.YELLOW: ("#FFEB9C", "#9C5700"),
    Status.RED: ("#FFC7CE", "#9C0006"),
    Status.NONE: ("#EDEDED", "#595959"),
}
TOTAL_COLUMNS = 7  # required, on time, late, missing, pending, completion rate, status


# --- Compliance workbook --------------------------------------------------------------------


@dataclass
class _Row:
    org: Organization
    label: str
    indent: int
    by_requirement: dict[str, Tally] = field(default_factory=dict)

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.by_requirement.values():
            total.add(tally)
        return total


def _rows(root: Organization, window: rules.Span, today: dt.date, rows: str) -> list[_Row]:
    """The table's rows with their tallies per requirement: one query for the
    organizations, one rollup (a fixed number of queries) for all the numbers."""
    orgs = Organization.objects.filter(path__startswith=root.path).order_by("path")
    if rows == "children":
        orgs = orgs.filter(depth__lte=root.depth + 1)
        tallies = compliance.rollup(root, window, today=today, group="child", by_requirement=True)
    else:
        tallies = compliance.rollup(root, window, today=today, group="org", by_requirement=True)
    result = []
    for org in orgs:
        if rows == "children":
            # group="child" keys the root's own events by the root's path.
            key: Any = org.path
            label = _("%(name)s (own events)") % {"name": org.name} if org.pk == root.pk else org.name
            indent = 0 if org.pk == root.pk else 1
        else:
            key, label, indent = org.pk, org.name, org.depth - root.depth
        row = _Row(org=org, label=label, indent=indent)
        for (group_key, requirement_key), tally in tallies.items():
            if group_key == key:
                row.by_requirement[requirement_key] = tally
        result.append(row)
    return result


def _percent(share: float) -> str:
    return f"{share:.0%}"


def compliance_workbook(root: Organization, window: rules.Span, *, today: dt.date, rows: str = "children") -> bytes:
    """The compliance of ``root``'s subtree over ``window`` as of ``today``, as an .xlsx
    file: organizations as rows, each requirement (L1-L9) that has a period inside the
    window as a pair of columns (held, required), then the totals with the completion
    rate and the red / yellow / green status. Headers follow the active language.

    ``rows``: "children" (the root's own events, then each direct child with its whole
    subtree) or "all" (every organization with its own events, indented by depth).
    A fixed number of queries whatever the subtree's size.
    """
    if rows not in ROWS:
        raise ValueError(rows)
    requirements = [req for req in rules.REQUIREMENTS if rules.spans_in(window, req.period)]
    table = _rows(root, window, today, rows)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {
            "title": _("Compliance of organizational life"),
            "subject": f"{root.name} {window.label}",
            "company": root.name,
        }
    )
    sheet = book.add_worksheet(_("Compliance")[:31])
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter"}

    def fmt(**props: Any) -> Any:
        return book.add_format({**base, **props})

    title_fmt = fmt(bold=True, font_size=14)
    note_fmt = fmt(font_color="#404040")
    legend_head_fmt = fmt(bold=True)
    head = {"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center", "text_wrap": True}
    head_fmt = fmt(**head)
    head_left_fmt = fmt(**{**head, "align": "left"})
    number_fmt = fmt(border=1, num_format="0")
    missing_fmt = fmt(border=1, num_format="0", bg_color="#FFC7CE", font_color="#9C0006")
    blank_fmt = fmt(border=1, bg_color="#F2F2F2")
    rate_fmt = fmt(border=1, num_format="0%")
    text_fmt = fmt(border=1)
    total_label_fmt = fmt(border=1, bold=True, top=2)
    total_number_fmt = fmt(border=1, bold=True, top=2, num_format="0")
    total_rate_fmt = fmt(border=1, bold=True, top=2, num_format="0%")
    total_blank_fmt = fmt(border=1, top=2, bg_color="#F2F2F2")
    status_fmts = {
        status: fmt(border=1, bg_color=bg, font_color=fg, bold=True, align="center")
        for status, (bg, fg) in STATUS_COLOURS.items()
    }
    indent_fmts: dict[int, Any] = {}

    def name_fmt(indent: int) -> Any:
        if indent not in indent_fmts:
            indent_fmts[indent] = fmt(border=1, indent=indent, bold=indent == 0)
        return indent_fmts[indent]

    first_req_col = 2
    total_col = first_req_col + 2 * len(requirements)
    last_col = total_col + TOTAL_COLUMNS - 1

    # Title, period and what the rows are.
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        _("Compliance of organizational life: %(org)s, %(period)s") % {"org": root.name, "period": window.label},
        title_fmt,
    )
    sheet.set_row(0, 24)
    sheet.write(
        1,
        0,
        _("Period %(start)s to %(end)s; as of %(today)s.")
        % {"start": window.start.isoformat(), "end": window.end.isoformat(), "today": today.isoformat()},
        note_fmt,
    )
    sheet.write(
        2,
        0,
        _(
            "One row for the organization's own events, then one for each subordinate organization"
            " with everything under it."
        )
        if rows == "children"
        else _("One row for each organization with its own events only; indented by level."),
        note_fmt,
    )

    # Two header rows: requirement groups, then their columns.
    head_top, head_bottom = 4, 5
    sheet.merge_range(head_top, 0, head_bottom, 0, _verbose(Event, "organization"), head_left_fmt)
    sheet.merge_range(head_top, 1, head_bottom, 1, _verbose(Organization, "kind"), head_fmt)
    for index, req in enumerate(requirements):
        col = first_req_col + 2 * index
        sheet.merge_range(head_top, col, head_top, col + 1, f"{req.label} ({req.rule})", head_fmt)
        sheet.write(head_bottom, col, _("Held"), head_fmt)
        sheet.write(head_bottom, col + 1, _("Required"), head_fmt)
    sheet.merge_range(head_top, total_col, head_top, last_col, _("All requirements"), head_fmt)
    for offset, title in enumerate(
        [_("Required"), _("On time"), _("Late"), _("Missing"), _("Pending"), _("Completion rate"), _("Status")]
    ):
        sheet.write(head_bottom, total_col + offset, title, head_fmt)
    sheet.set_row(head_top, 36)

    def write_totals(row_index: int, tally: Tally, number: Any, rate: Any) -> None:
        values = [tally.required, tally.on_time, tally.late, tally.missing, tally.pending]
        for offset, amount in enumerate(values):
            sheet.write_number(row_index, total_col + offset, amount, number)
        if tally.rate is None:
            sheet.write_blank(row_index, total_col + 5, None, rate)
        else:
            sheet.write_number(row_index, total_col + 5, tally.rate, rate)
        status = tally.status(today)
        sheet.write(row_index, total_col + 6, str(Status(status).label), status_fmts[status])

    row_index = head_bottom + 1
    grand = Tally()
    for row in table:
        sheet.write(row_index, 0, row.label, name_fmt(row.indent))
        sheet.write(row_index, 1, row.org.get_kind_display(), text_fmt)
        for index, req in enumerate(requirements):
            col = first_req_col + 2 * index
            tally = row.by_requirement.get(req.key)
            if tally is None or not tally.required:
                # Not required of this organization: blank, not zero.
                sheet.write_blank(row_index, col, None, blank_fmt)
                sheet.write_blank(row_index, col + 1, None, blank_fmt)
                continue
            sheet.write_number(row_index, col, tally.held, missing_fmt if tally.missing else number_fmt)
            sheet.write_number(row_index, col + 1, tally.required, number_fmt)
        total = row.total
        grand.add(total)
        write_totals(row_index, total, number_fmt, rate_fmt)
        row_index += 1
    last_data_row = row_index - 1

    # The subtree's total (the rows add up to it in both layouts).
    sheet.write(row_index, 0, _("Total"), total_label_fmt)
    sheet.write_blank(row_index, 1, None, total_label_fmt)
    for index, req in enumerate(requirements):
        col = first_req_col + 2 * index
        tally = Tally()
        for row in table:
            tally.add(row.by_requirement.get(req.key, Tally()))
        if tally.required:
            sheet.write_number(row_index, col, tally.held, total_number_fmt)
            sheet.write_number(row_index, col + 1, tally.required, total_number_fmt)
        else:
            sheet.write_blank(row_index, col, None, total_blank_fmt)
            sheet.write_blank(row_index, col + 1, None, total_blank_fmt)
    write_totals(row_index, grand, total_number_fmt, total_rate_fmt)
    row_index += 2

    # Legend: what the numbers mean (docs/user-guide.md, "Compliance").
    green, yellow = value(rules.GREEN_FROM.key, today), value(rules.YELLOW_FROM.key, today)
    legend = [
        (_("Legend"), legend_head_fmt),
        (
            _("Held / Required: events held in the window and events the regulations ask for (capped per period)."),
            note_fmt,
        ),
        (_("On time: held and recorded by the end of its period."), note_fmt),
        (_("Late: held, but recorded after its period had ended."), note_fmt),
        (_("Missing: required in a period that has ended and not held."), note_fmt),
        (_("Pending: required in the period still running and not held yet (not a failure)."), note_fmt),
        (_("Completion rate: on time ÷ (required − pending)."), note_fmt),
        (
            _("Status: green from %(green)s, yellow from %(yellow)s, red below; grey when nothing is due yet.")
            % {"green": _percent(green), "yellow": _percent(yellow)},
            note_fmt,
        ),
        (_("A grey cell: the requirement does not apply to the organization."), note_fmt),
    ]
    for text, style in legend:
        sheet.write(row_index, 0, text, style)
        row_index += 1

    # Layout: readable widths, headers frozen and repeated on each printed page.
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 16)
    sheet.set_column(first_req_col, total_col - 1, 7)
    sheet.set_column(total_col, total_col + 4, 8)
    sheet.set_column(total_col + 5, total_col + 6, 11)
    sheet.freeze_panes(head_bottom + 1, 1)
    if last_data_row > head_bottom:
        sheet.autofilter(head_bottom, 0, last_data_row, last_col)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(head_top, head_bottom)
    sheet.set_footer("&C&P / &N")
    book.close()
    return buffer.getvalue()


# --- Meeting record (PDF) -------------------------------------------------------------------


def may_see_names(viewer: Any) -> bool:
    """Whether the record lists members by name for ``viewer``: roles that may see the
    organization's members (a member's account only sees their own record)."""
    return getattr(viewer, "role", None) != Role.MEMBER and can(viewer, Member, Action.VIEW)


def _verbose(model: type[Model], name: str) -> str:
    return str(capfirst(getattr(model._meta.get_field(name), "verbose_name", name)))


def _labels(model: type[Model], *names: str) -> dict[str, str]:
    return {name: _verbose(model, name) for name in names}


@dataclass
class _Person:
    name: str
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return _("%(name)s (%(reason)s)") % {"name": self.name, "reason": self.reason}
        return self.name


def record_context(event: Event, *, viewer: Any) -> dict[str, Any]:
    """What the record page shows: the event with its organization, people, attendance
    (names only for viewers who may see the members) and votes."""
    event = Event.objects.select_related("organization", "host", "lecturer", "party_group").get(pk=event.pk)
    groups: dict[str, list[_Person]] = {status: [] for status in AttendanceStatus.values}
    for row in event.attendances.select_related("member").order_by("member__name_pinyin", "member__pk"):
        groups[row.status].append(_Person(row.member.name, row.reason))
    votes = list(event.votes.select_related("member").order_by("id"))
    separator = pgettext("list separator", ", ")
    show_names = may_see_names(viewer)

    lecturer = ""
    if event.kind == EventKind.PARTY_LESSON:
        who = event.lecturer_name or (event.lecturer.name if event.lecturer else "")
        kind = event.get_lecturer_kind_display()
        lecturer = _("%(name)s (%(kind)s)") % {"name": who, "kind": kind} if who and kind else who or kind

    attendance = [
        (_("Present"), AttendanceStatus.PRESENT),
        (_("Excused"), AttendanceStatus.EXCUSED),
        (_("Absent"), AttendanceStatus.ABSENT),
        (_("Not due to attend (D15)"), AttendanceStatus.EXEMPT),
    ]
    return {
        "event": event,
        "org": event.organization,
        "labels": {
            **_labels(
                Event,
                "organization",
                "kind",
                "held_on",
                "place",
                "host",
                "topic",
                "agenda",
                "minutes",
                "resolutions",
                "guests",
                "lecturer_kind",
                "party_group",
                "expected_count",
                "present_count",
                "excused_count",
                "absent_count",
                "cancel_reason",
            ),
            **{
                f"vote_{name}": label
                for name, label in _labels(
                    Vote,
                    "title",
                    "subject",
                    "member",
                    "voting_due",
                    "voting_present",
                    "votes_for",
                    "votes_against",
                    "abstentions",
                    "written_for",
                    "written_against",
                    "quorate",
                    "passed",
                ).items()
            },
        },
        "is_held": event.state == EventState.HELD,
        "is_cancelled": event.state == EventState.CANCELLED,
        "exempt_count": len(groups[AttendanceStatus.EXEMPT]),
        "show_names": show_names,
        "attendance_lists": [
            (label, separator.join(str(person) for person in groups[status]), len(groups[status]))
            for label, status in attendance
            if groups[status] or status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT)
        ],
        "lecturer": lecturer,
        "votes": votes,
        "printed": css_string(
            _("Printed on %(date)s by %(name)s")
            % {
                "date": date_format(timezone.localdate(), "DATE_FORMAT"),
                "name": getattr(viewer, "full_name", "") or str(viewer),
            }
        ),
        "page_counter": page_counter_css(),
        "header_left": css_string(event.organization.name),
        "header_right": css_string(date_format(event.held_on, "DATE_FORMAT")),
        "language": get_language() or "en",
    }


def meeting_record_pdf(event: Event, *, viewer: Any) -> bytes:
    """The record of ``event`` as an A4 page of the meeting record book (PDF), in the
    active language, with a footer of page numbers and lines for the signatures of the
    recorder and the host. The caller checks that ``viewer`` may export the event."""
    return render_pdf("orglife/record_pdf.html", record_context(event, viewer=viewer))
