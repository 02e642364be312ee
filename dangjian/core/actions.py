"""Changes to what the core keeps: local values of regulation figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, rulesets
from dangjian.core.models import FigureOverride


@transaction.atomic
def set_figure(*, key: str, value: Any, effective_from: dt.date, note: str, actor: Any) -> FigureOverride:
    """Give a *local* or *check* figure a local value from ``effective_from`` on.

    The value must have the shape of the figure's default (a number for a number, the
    same keys for a table)."""
    figure = rulesets.REGISTRY.get(key)
    if figure is None or not figure.configurable:
        raise ValidationError({"key": _("This figure is set by national text and cannot be changed here.")})
    default = figure.default
    if isinstance(default, dict):
        if not isinstance(value, dict) or set(value) != set(default):
            raise ValidationError(
                {"value": _("Give a table with the keys %(keys)s.") % {"keys": ", ".join(sorted(default))}}
            )
    elif isinstance(default, list):
        if not isinstance(value, list) or len(value) != len(default):
            raise ValidationError({"value": _("Give a list of %(n)s values.") % {"n": len(default)}})
    elif isinstance(default, int | float) and (
        isinstance(value, bool) or not isinstance(value, int | float) or value < 0
    ):
        raise ValidationError({"value": _("Give a number of zero or more.")})
    override, _created = FigureOverride.objects.update_or_create(
        key=key, effective_from=effective_from, defaults={"value": value, "note": note, "set_by": actor}
    )
    audit.record(actor, "update", override, changes={key: [None, value]}, note=note)
    rulesets.forget_overrides()
    return override
