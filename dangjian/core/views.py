"""Base views: the scoped mixin every page uses, list pages with filters, tables and
export, forms that call actions, and the dashboard, audit and rules pages."""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import TableExport

from dangjian.accounts.roles import Action
from dangjian.core import actions as core_actions
from dangjian.core import rulesets
from dangjian.core.dates import FIRST_YEAR, LAST_YEAR
from dangjian.core.forms import FigureForm
from dangjian.core.scoping import can, get_in_scope


class ScopedMixin(LoginRequiredMixin):
    """Restricts ``get_queryset()`` and ``get_object()`` to the user's scope for
    ``action``. The only place views apply scoping."""

    model: ClassVar[type[models.Model]]
    action: ClassVar[Action] = Action.VIEW
    request: HttpRequest

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model.objects.restrict(self.request.user, self.action)  # type: ignore[attr-defined,no-any-return]

    def get_object(self, queryset: Any = None) -> Any:
        return get_in_scope(self.request.user, self.model, self.action, pk=self.kwargs["pk"])


class ScopedDetailView(ScopedMixin, DetailView):  # type: ignore[type-arg]
    pass


class ScopedListView(ScopedMixin, SingleTableMixin, FilterView):  # type: ignore[misc]
    """A filtered, sortable, paginated table; ``?_export=xlsx`` (or csv) downloads the
    same filtered rows, restricted for the export action."""

    # The table paginates; the ListView must not (it would count the rows a second time).
    paginate_by = None
    table_pagination = {"per_page": 50}
    export_formats: ClassVar[tuple[str, ...]] = ("xlsx", "csv")
    export_name: ClassVar[str] = "export"
    template_name = "core/list.html"
    title: ClassVar[Any] = ""

    def get_queryset(self) -> models.QuerySet[Any]:
        action = Action.EXPORT if self.exporting else self.action
        return self.model.objects.restrict(self.request.user, action)  # type: ignore[attr-defined,no-any-return]

    @property
    def exporting(self) -> str:
        fmt = self.request.GET.get("_export", "")
        return fmt if fmt in self.export_formats else ""

    def get_table_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_table_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.exporting:
            if not can(self.request.user, self.model, Action.EXPORT):
                raise PermissionDenied
            table = self.get_table(**self.get_table_kwargs())
            stamp = timezone.localdate().isoformat()
            exporter = TableExport(self.exporting, table, exclude_columns=("actions",))
            return exporter.response(f"{self.export_name}-{stamp}.{self.exporting}")
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["can_export"] = can(self.request.user, self.model, Action.EXPORT)
        context["can_add"] = can(self.request.user, self.model, Action.ADD)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("_export", None)
        context["export_query"] = query.urlencode()
        return context


# Uploaded files shown in the browser: PDFs and images only, by extension. Anything else
# (an uploaded HTML page, a script) downloads instead of running in the site.
INLINE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def serve_upload(field_file: Any) -> FileResponse:
    """An uploaded file (already loaded through the scope): inline for a PDF or an image,
    as a download otherwise; sandboxed so that even an inline file runs no script."""
    name = field_file.name.rsplit("/", 1)[-1]
    content_type = INLINE_TYPES.get(os.path.splitext(name)[1].lower())
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        filename=name,
        as_attachment=content_type is None,
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {".pdf": "application/pdf", ".xlsx": XLSX}


def file_response(content: bytes, filename: str, *, as_attachment: bool) -> HttpResponse:
    """A generated report (PDF or .xlsx, by the file name) to show or to download."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[os.path.splitext(filename)[1]])
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or ""
    return response


def year_from(request: HttpRequest) -> int:
    """The year of ``?year=2026``, this year when absent or not a year."""
    text = request.GET.get("year", "")
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    return timezone.localdate().year


def scoped_file_view(model: type[models.Model], field: str) -> Any:
    """A view serving the uploaded ``field`` of a ``model`` object through the scope (404
    outside it, like a missing file): vouchers, evidence, documents."""

    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        upload = getattr(get_in_scope(request.user, model, Action.VIEW, pk=pk), field)
        if not upload:
            raise Http404
        return serve_upload(upload)

    return view


def apply_errors(form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show an action's ``ValidationError`` on ``form``: field errors on the fields the
    form has (after ``field_map`` renames), the rest at the top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = field_map.get(field, field)
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


class ActionFormView(LoginRequiredMixin, View):
    """A form whose valid submission calls an action. Bad input re-shows the form with
    what was typed and a specific error; success redirects with a message.

    Subclasses set ``form_class`` and ``template_name`` and implement ``get_target()``
    (the object acted upon, loaded through the scope), ``perform(form, target)`` and
    ``success_url(result)``.
    """

    form_class: ClassVar[type[forms.BaseForm]]
    # For forms without a target object (creating): the model and action the role
    # must allow. Forms with a target load it through the scope instead.
    permission: ClassVar[tuple[type[models.Model], Action] | None] = None
    template_name: ClassVar[str] = "core/form.html"
    title: ClassVar[Any] = ""
    success_message: ClassVar[Any] = gettext_lazy("Saved.")
    field_map: ClassVar[dict[str, str]] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and self.permission and not can(request.user, *self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_target(self) -> Any:
        return None

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        return {}

    def perform(self, form: Any, target: Any) -> Any:
        raise NotImplementedError

    def success_url(self, result: Any) -> str:
        raise NotImplementedError

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        return {"form": form, "target": target, "title": self.title, "cancel_url": self.cancel_url(target)}

    def cancel_url(self, target: Any) -> str:
        return target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        form = self.form_class(**self.get_form_kwargs(target))
        return render(request, self.template_name, self.get_context(form, target))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        form = self.form_class(data=request.POST, files=request.FILES, **self.get_form_kwargs(target))
        if form.is_valid():
            try:
                result = self.perform(form, target)
            except ValidationError as exc:
                apply_errors(form, exc, self.field_map)
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(self.success_url(result))
        return render(request, self.template_name, self.get_context(form, target), status=400 if form.errors else 200)


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from dangjian.accounts.roles import Role
        from dangjian.members import queries as transfer_queries
        from dangjian.orgs import queries
        from dangjian.orgs.choices import StructureWarning
        from dangjian.orgs.models import Organization

        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role == Role.MEMBER:  # type: ignore[union-attr]
            context["own_member"] = user.member  # type: ignore[union-attr]
            return context
        orgs = Organization.objects.restrict(user)
        context["roots"] = [(root, queries.subtree_counts(root)) for root in queries.scope_roots(user)]
        totals = queries.warning_totals(orgs)
        context["warnings"] = [(w, w.label, totals[str(w)]) for w in StructureWarning]
        context["org_total"] = orgs.count()
        context["transfers"] = transfer_queries.pending_counts(user)
        return context


def _rule_order(figure: rulesets.Figure) -> tuple[str, int, str]:
    """D2 before D10; a product setting's letters (D, FUND) after the rules they go with."""
    letters, digits = re.fullmatch(r"([A-Za-z.]*)(\d*)", figure.rule).groups()  # type: ignore[union-attr]
    return letters, int(digits or 0), figure.key


class RulesView(LoginRequiredMixin, TemplateView):
    """Every regulation figure with its rule id, value in force, source and confidence;
    a platform administrator can give a local value to a *local* or *check* figure."""

    template_name = "core/rules.html"

    def can_set(self) -> bool:
        return bool(getattr(self.request.user, "sees_everything", False))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        figures = sorted(rulesets.REGISTRY.values(), key=_rule_order)
        context["figures"] = [(fig, rulesets.value(fig.key), rulesets.history(fig.key)) for fig in figures]
        context["can_set"] = self.can_set()
        context.setdefault("form", FigureForm() if self.can_set() else None)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can_set():
            raise PermissionDenied
        form = FigureForm(request.POST)
        if form.is_valid():
            try:
                core_actions.set_figure(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The local value is saved."))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InboxView(LoginRequiredMixin, TemplateView):
    """The due-items inbox (待办): what is due, overdue or flagged in the user's scope,
    from every area registered in ``core.inbox``. ``?partial=counts`` renders only the
    counts (loaded by the dashboard and the navbar with HTMX)."""

    template_name = "core/inbox.html"

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("partial") == "counts":
            return ["core/partials/inbox_counts.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from dangjian.core import inbox

        context = super().get_context_data(**kwargs)
        groups = inbox.collect(self.request.user, timezone.localdate())
        context.update(groups=groups, totals=inbox.totals(groups), title=_("To do"))
        return context
