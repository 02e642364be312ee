"""Downloads of member development: a candidate's timeline and a subtree's pipeline
summary (PDF). The board's .xlsx comes with the board's table (``?_export=xlsx``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View

from dangjian.accounts.roles import Action
from dangjian.core.ids import pk_or_404
from dangjian.core.scoping import OutOfScope, can, get_in_scope
from dangjian.core.views import file_response
from dangjian.development import reports
from dangjian.development.models import Candidate
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots


class TimelinePdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        candidate = get_in_scope(request.user, Candidate, Action.EXPORT, pk=pk)
        return file_response(reports.timeline_pdf(candidate), f"development-{candidate.pk}.pdf", as_attachment=False)


class SummaryPdfView(LoginRequiredMixin, View):
    """``?org=<pk>`` (default: the scope root) → the pipeline summary of its subtree."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not can(user, Candidate, Action.EXPORT):
            raise PermissionDenied
        candidates = Candidate.objects.restrict(user, Action.EXPORT)
        pk = request.GET.get("org") or scope_roots(user).values_list("pk", flat=True).first()
        if pk is None:
            raise OutOfScope
        root = get_in_scope(user, Organization, Action.VIEW, pk=pk_or_404(str(pk)))
        today = timezone.localdate()
        pdf = reports.summary_pdf(root, candidates, today=today)
        return file_response(pdf, f"development-{root.code}-{today}.pdf", as_attachment=False)
