"""The audit trail page: every recorded change in the user's scope, filtered."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.core.filters import StyledFilterSet
from dangjian.core.models import AuditEntry, AuditSource
from dangjian.core.templatetags.dangjian import audit_action, change_value, field_label
from dangjian.core.views import ScopedListView
from dangjian.orgs.filters import SubtreeFilter
from dangjian.orgs.models import Organization


def _audited_types() -> QuerySet[ContentType]:
    return ContentType.objects.filter(app_label__in=["orgs", "members", "accounts"]).order_by("app_label", "model")


class AuditFilter(StyledFilterSet):
    context_filters = {"organization": Organization, "within": Organization}

    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_name", lookup_expr="icontains")
    content_type = django_filters.ModelChoiceFilter(label=_("Object type"), queryset=_audited_types())
    source = django_filters.ChoiceFilter(label=_("Source"), choices=AuditSource.choices)
    since = django_filters.DateFilter(label=_("Date from"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("Date until"), field_name="at", lookup_expr="date__lte")
    organization = django_filters.NumberFilter(label=_("Organization"), field_name="organization_id")
    within = SubtreeFilter(label=_("Within"), path_lookup="organization__path")

    class Meta:
        model = AuditEntry
        fields = ["actor", "content_type", "source", "since", "until", "organization", "within"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["content_type"].field.label_from_instance = lambda ct: (
            str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model
        )


class AuditTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i")
    actor_name = tables.Column(verbose_name=_("Actor"))
    source = tables.Column(verbose_name=_("Source"))
    action = tables.Column(verbose_name=_("Action"))
    object_type = tables.Column(verbose_name=_("Object type"), accessor="content_type", orderable=False)
    object_repr = tables.Column(verbose_name=_("Object"))
    changes = tables.Column(verbose_name=_("Changes"), orderable=False)

    class Meta:
        model = AuditEntry
        fields = ["at", "actor_name", "source", "action", "object_type", "object_repr", "changes"]

    def render_actor_name(self, record: AuditEntry) -> Any:
        return record.actor_name or _("system")

    def value_actor_name(self, record: AuditEntry) -> Any:
        return record.actor_name or _("system")

    def render_action(self, record: AuditEntry) -> Any:
        return audit_action(record)

    def render_object_type(self, record: AuditEntry) -> Any:
        model = record.content_type.model_class()
        return model._meta.verbose_name if model else record.content_type.model

    def render_changes(self, record: AuditEntry) -> Any:
        lines = format_html_join(
            "",
            "<div><span class='text-muted'>{}</span>: {} → {}</div>",
            (
                (field_label(record, name), change_value(record, name, pair[0]), change_value(record, name, pair[1]))
                for name, pair in record.changes.items()
            ),
        )
        if len(record.changes) <= 3:
            return lines
        summary = ngettext("%(n)s field", "%(n)s fields", len(record.changes)) % {"n": len(record.changes)}
        return format_html("<details><summary>{}</summary>{}</details>", summary, lines)

    def value_changes(self, record: AuditEntry) -> str:
        return "; ".join(
            f"{field_label(record, n)}: {change_value(record, n, p[0])} → {change_value(record, n, p[1])}"
            for n, p in record.changes.items()
        )


class AuditListView(ScopedListView):
    model = AuditEntry
    table_class = AuditTable
    filterset_class = AuditFilter
    export_name = "audit"
    title = _("Audit trail")

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("content_type")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = False
        return context
