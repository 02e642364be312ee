"""Pages of spreadsheet imports: upload, check report, preview, commit with progress."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from dangjian.accounts.roles import Action, allows
from dangjian.core import imports, tasks
from dangjian.core.forms import StyledForm
from dangjian.core.models import ImportBatch, ImportState
from dangjian.core.scoping import get_in_scope
from dangjian.core.views import XLSX


def _importer(user: Any, kind: str) -> imports.Importer:
    importer = imports.REGISTRY.get(kind)
    if importer is None:
        raise Http404
    if not allows(user.role, importer.area, Action.IMPORT):
        raise PermissionDenied
    return importer


class UploadForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportUploadView(View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
        self.importer = _importer(request.user, kwargs["kind"])
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        recent = ImportBatch.objects.restrict(request.user).filter(kind=self.importer.kind, created_by=request.user)[
            :10
        ]
        return render(
            request,
            "core/import_upload.html",
            {
                "form": form,
                "importer": self.importer,
                "recent": recent,
                "title": _("Import: %(title)s") % {"title": self.importer.title},
            },
            status=status,
        )

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        return self.render_page(request, UploadForm())

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        batch = ImportBatch.objects.create(
            kind=kind,
            file=upload,
            original_name=upload.name[:200],
            created_by=request.user,
            organization=request.user.scope_org,
            language=translation.get_language() or "zh-hans",
        )
        tasks.run_in_background(tasks.check_import, batch.pk)
        return HttpResponseRedirect(reverse("core:import_detail", args=[batch.pk]))


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_in_scope(request.user, ImportBatch, Action.VIEW, pk=pk)
    if batch.created_by_id != request.user.pk and not request.user.sees_everything:
        raise Http404
    return batch


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    importer = imports.REGISTRY[batch.kind]
    context = {
        "batch": batch,
        "importer": importer,
        "progress": imports.current_progress(batch),
        "running": batch.state in (ImportState.CHECKING, ImportState.IMPORTING),
        "errors": batch.errors[:200],
        "preview_columns": list(batch.preview[0].keys()) if batch.preview else [],
        "title": _("Import: %(title)s") % {"title": importer.title},
    }
    template = "core/partials/import_status.html" if request.htmx else "core/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)  # out of scope is 404 whatever the method
    if request.method != "POST":
        return HttpResponse(status=405)
    _importer(request.user, batch.kind)
    # Compare-and-set: only one request moves a ready batch to importing.
    started = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.READY).update(state=ImportState.IMPORTING)
    if started:
        tasks.run_in_background(tasks.commit_import, batch.pk)
    return HttpResponseRedirect(reverse("core:import_detail", args=[batch.pk]))


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer(request.user, kind)
    response = HttpResponse(importer.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The row-level error report as .xlsx (row, column, value, problem)."""
    from openpyxl import Workbook

    batch = _batch(request, pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([_("Row"), _("Column"), _("Value"), _("Problem")])
    for error in batch.errors:
        sheet.append([error["row"] or "", error["column"], error["value"], error["message"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response
