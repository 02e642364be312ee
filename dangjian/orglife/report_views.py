"""Downloads of the reports: the compliance table of a subtree (.xlsx) and the record of
one event (PDF). Objects are loaded only through the scope, for the export action."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from dangjian.accounts.roles import Action, Role
from dangjian.core.scoping import OutOfScope, can, get_in_scope
from dangjian.core.views import file_response
from dangjian.orglife import compliance, reports, rules
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ComplianceExportView(LoginRequiredMixin, View):
    """``?org=<pk>&period=2026|2026-Q3|2026-07&rows=children|all`` → the compliance
    workbook of the organization's subtree (default: the user's scope root, this year)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not can(user, Event, Action.EXPORT):
            raise PermissionDenied
        today = timezone.localdate()
        period = request.GET.get("period", "").strip()
        try:
            window = rules.parse_span(period) if period else compliance.current_window(today)
        except (ValueError, OverflowError):
            return _bad_request(
                _("“%(period)s” is not a period: give a year (2026), a quarter (2026-Q3) or a month (2026-07).")
                % {"period": period}
            )
        rows = request.GET.get("rows", "children")
        if rows not in reports.ROWS:
            return _bad_request(_("“%(rows)s” is not a layout: use rows=children or rows=all.") % {"rows": rows})
        pk = request.GET.get("org") or scope_roots(user).values_list("pk", flat=True).first()
        if pk is None:
            raise OutOfScope
        root = get_in_scope(user, Organization, Action.EXPORT, pk=pk)
        content = reports.compliance_workbook(root, window, today=today, rows=rows)
        filename = f"compliance-{root.code}-{window.label}.xlsx"
        return file_response(content, filename, as_attachment=True)


class MeetingRecordPdfView(LoginRequiredMixin, View):
    """The record of one event as a printable PDF, shown inline. Members may not print
    records (they list other members' attendance and votes)."""

    def get(self, request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        # Out of scope (and, members having no export right, any event for them) is 404.
        event = get_in_scope(user, Event, Action.EXPORT, pk=pk)
        if getattr(user, "role", None) == Role.MEMBER:
            raise PermissionDenied
        content = reports.meeting_record_pdf(event, viewer=user)
        filename = f"record-{event.held_on:%Y%m%d}-{event.pk}.pdf"
        return file_response(content, filename, as_attachment=False)
