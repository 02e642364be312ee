"""Template helpers of the UI shell: audit entries in words."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import AuditEntry

register = template.Library()

ACTION_LABELS: dict[str, Any] = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "start_transfer": _("transfer started"),
    "accept_transfer": _("transfer accepted"),
    "cancel_transfer": _("transfer cancelled"),
    "import": _("imported"),
}


@register.filter
def audit_action(entry: AuditEntry) -> Any:
    """The entry's action in words (transitions use the member transition labels)."""
    if entry.action in ACTION_LABELS:
        return ACTION_LABELS[entry.action]
    from dangjian.members.choices import Transition

    try:
        return Transition(entry.action).label
    except ValueError:
        return entry.action


def _field(entry: AuditEntry, name: str) -> Any:
    model = entry.content_type.model_class()
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@register.filter
def field_label(entry: AuditEntry, name: str) -> Any:
    field = _field(entry, name)
    if name == "id_number":
        return _("ID number")
    return getattr(field, "verbose_name", name)


@register.simple_tag
def change_value(entry: AuditEntry, name: str, raw: Any) -> Any:
    """A recorded value in words: choice labels instead of codes."""
    if raw is None or raw == "" or raw == []:
        return "—"
    if isinstance(raw, list):  # a JSON field, e.g. the rules waived by an override
        return "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in raw)
    if isinstance(raw, dict):
        return "; ".join(f"{key}: {val}" for key, val in raw.items())
    field = _field(entry, name)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if raw in choices:
        return choices[raw]
    if raw is True:
        return _("yes")
    if raw is False:
        return _("no")
    return raw
