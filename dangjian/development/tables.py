"""Tables of member development (the board and the overrides report, and their exports)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dangjian.development import queries
from dangjian.development.choices import DueState
from dangjian.development.models import Candidate, Step

DUE_CSS = {DueState.OVERDUE: "danger", DueState.DUE_SOON: "warning", DueState.WAITING: "light", DueState.NONE: "light"}


class CandidateTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True, order_by=("name_pinyin",))
    organization = tables.Column(verbose_name=_("Branch"), order_by=("organization__path",))
    stage = tables.Column(verbose_name=_("Stage"))
    last_step_on = tables.DateColumn(verbose_name=_("Last step on"), format="Y-m-d")
    next_kind = tables.Column(verbose_name=_("Next due"))
    ready_on = tables.DateColumn(verbose_name=_("Possible from"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Due by"), format="Y-m-d")
    due = tables.Column(verbose_name=_("Due"), empty_values=(), orderable=False)

    class Meta:
        model = Candidate
        fields = ["name", "organization", "stage", "last_step_on", "next_kind", "ready_on", "due_on", "due"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No candidates match.")

    def _state(self, record: Candidate) -> str:
        return queries.due_state(record, timezone.localdate())

    def render_due(self, record: Candidate) -> Any:
        state = DueState(self._state(record))
        if state in (DueState.WAITING, DueState.NONE):
            return "—"
        rule = f" ({record.due_rule})" if record.due_rule else ""
        return format_html('<span class="badge text-bg-{}">{}{}</span>', DUE_CSS[state], state.label, rule)

    def value_due(self, record: Candidate) -> str:
        return str(DueState(self._state(record)).label)


class OverrideTable(tables.Table):
    on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    candidate = tables.Column(verbose_name=_("Candidate"), linkify=True, order_by=("candidate__name_pinyin",))
    organization = tables.Column(
        verbose_name=_("Branch"), accessor="candidate__organization", order_by=("candidate__organization__path",)
    )
    kind = tables.Column(verbose_name=_("Step"))
    rules_waived = tables.Column(verbose_name=_("Rules waived"), accessor="overridden_problems", orderable=False)
    override_reason = tables.Column(verbose_name=_("Reason"))
    overridden_by = tables.Column(verbose_name=_("By"))

    class Meta:
        model = Step
        fields = ["on", "candidate", "organization", "kind", "rules_waived", "override_reason", "overridden_by"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No step was recorded against the rules.")

    def render_rules_waived(self, value: list[dict[str, str]]) -> str:
        return "; ".join(problem["message"] for problem in value)

    def value_rules_waived(self, value: list[dict[str, str]]) -> str:
        return self.render_rules_waived(value)
