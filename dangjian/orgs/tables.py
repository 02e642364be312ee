"""Tables of organizations (the same columns are exported)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from dangjian.orgs import queries
from dangjian.orgs.models import Organization


class OrganizationTable(tables.Table):
    name = tables.Column(verbose_name=_("Organization name"), linkify=("orgs:detail", {"pk": tables.A("pk")}))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Kind"))
    sector = tables.Column(verbose_name=_("Sector"))
    full_members = tables.Column(verbose_name=_("Full members"), attrs={"td": {"class": "text-end"}})
    active_members = tables.Column(verbose_name=_("Members"), attrs={"td": {"class": "text-end"}})
    term_due_on = tables.DateColumn(verbose_name=_("Renewal due"), format="Y-m-d")
    warnings = tables.Column(verbose_name=_("Warnings"), empty_values=(), orderable=False)

    class Meta:
        model = Organization
        fields = ["name", "code", "kind", "sector", "full_members", "active_members", "term_due_on", "warnings"]

    def render_warnings(self, record: Organization) -> Any:
        return format_html_join(
            " ",
            '<span class="badge text-bg-warning" title="{}">{}</span>',
            ((w.label, w.label) for w in queries.warnings_of(record)),
        ) or format_html('<span class="text-success">{}</span>', _("none"))

    def value_warnings(self, record: Organization) -> str:
        return "; ".join(str(w.label) for w in queries.warnings_of(record))
