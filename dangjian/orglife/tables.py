"""Tables of organizational life (lists and their exports)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member
from dangjian.orglife.choices import DriftReason, Signal
from dangjian.orglife.models import Event


class EventTable(tables.Table):
    held_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d", linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    topic = tables.Column(verbose_name=_("Topic"), linkify=True)
    organization = tables.Column(verbose_name=_("Organization"), order_by=("organization__path",))
    state = tables.Column(verbose_name=_("State"))
    attendance = tables.Column(verbose_name=_("Present / due"), empty_values=(), orderable=False)
    recorded_on = tables.DateColumn(verbose_name=_("Recorded on"), format="Y-m-d")

    class Meta:
        model = Event
        fields = ["held_on", "kind", "topic", "organization", "state", "attendance", "recorded_on"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No events match.")

    def render_attendance(self, record: Event) -> str:
        if record.state != "held":
            return "—"
        return f"{record.present_count} / {record.expected_count}"

    def value_attendance(self, record: Event) -> str:
        return self.render_attendance(record)

    def render_state(self, record: Event, value: Any) -> Any:
        css = {"held": "success", "planned": "info", "cancelled": "secondary"}[record.state]
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)

    def value_state(self, record: Event, value: Any) -> Any:
        return value


class SignalColumn(tables.Column):
    """The formalism signals of an event, from the ``s_<signal>`` annotations of
    ``queries.with_signals``."""

    def __init__(self) -> None:
        super().__init__(verbose_name=_("Signals"), empty_values=(), orderable=False)

    def render(self, record: Event) -> str:  # type: ignore[override]
        return "; ".join(str(s.label) for s in Signal if getattr(record, f"s_{s}", False))

    def value(self, record: Event) -> str:  # type: ignore[override]
        return self.render(record)


class DriftTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True, order_by=("name_pinyin",))
    organization = tables.Column(verbose_name=_("Organization"), order_by=("organization__path",))
    status = tables.Column(verbose_name=_("Status"))
    drift_reason = tables.Column(verbose_name=_("Reason"), empty_values=())
    last_present = tables.DateColumn(verbose_name=_("Last present"), format="Y-m-d", empty_values=())
    lost_contact_since = tables.DateColumn(verbose_name=_("Lost contact since"), format="Y-m-d")

    class Meta:
        model = Member
        fields = ["name", "organization", "status", "drift_reason", "last_present", "lost_contact_since"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No member has drifted away.")

    def render_drift_reason(self, value: str) -> Any:
        return DriftReason(value).label

    def value_drift_reason(self, value: str) -> Any:
        return self.render_drift_reason(value)

    def render_last_present(self, value: Any) -> Any:
        return value or _("never")
