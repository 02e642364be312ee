"""Changes to what the core keeps (local values of regulation figures), and the steps
every area's actions share: validate a row, save it, audit it, re-check the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit, rulesets
from dangjian.core.models import FigureOverride
from dangjian.core.scoping import ensure_in_scope


@transaction.atomic
def set_figure(*, key: str, value: Any, effective_from: dt.date, note: str, actor: Any) -> FigureOverride:
    """Give a *local* or *check* figure a local value from ``effective_from`` on.

    The value must have the shape of the figure's default (a number for a number, the
    same keys for a table)."""
    figure = rulesets.REGISTRY.get(key)
    if figure is None or not figure.configurable:
        raise ValidationError({"key": _("This figure is set by national text and cannot be changed here.")})
    problem = shape_problem(figure.default, value)
    if problem:
        raise ValidationError({"value": problem})
    override, _created = FigureOverride.objects.update_or_create(
        key=key, effective_from=effective_from, defaults={"value": value, "note": note, "set_by": actor}
    )
    audit.record(actor, "update", override, changes={key: [None, value]}, note=note)
    rulesets.forget_overrides()
    transaction.on_commit(lambda: rulesets.changed(key))
    return override


def shape_problem(default: Any, value: Any) -> str | None:
    """Why ``value`` cannot replace ``default`` (None if it can): the same kind of value —
    a whole number of zero or more for a whole number, a number for a number, the same
    keys for a table, the same length for a list — all the way down."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else _("Give yes (true) or no (false).")
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return _("Give a whole number of zero or more.")
        return None
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return _("Give a number of zero or more.")
        return None
    if isinstance(default, dict):
        if not isinstance(value, dict) or set(value) != set(default):
            return _("Give a table with the keys %(keys)s.") % {"keys": ", ".join(sorted(default))}
        for key in default:
            inner = shape_problem(default[key], value[key])
            if inner:
                return f"{key}: {inner}"
        return None
    if isinstance(default, list):
        if not isinstance(value, list) or len(value) != len(default):
            return _("Give a list of %(n)s values.") % {"n": len(default)}
        for index, (want, got) in enumerate(zip(default, value, strict=True)):
            inner = shape_problem(want, got)
            if inner:
                return f"{index + 1}: {inner}"
        return None
    if isinstance(default, str):
        return None if isinstance(value, str) and value.strip() else _("Give a text.")
    return None


def create(actor: Any, row: Any) -> Any:
    """Validate and save a new ``row``, audit its creation, and re-check that ``actor``
    may add it where it now is (``OutOfScope`` rolls the surrounding transaction back)."""
    row.full_clean()
    row.save()
    audit.record(actor, "create", row, before={})
    ensure_in_scope(actor, row, Action.ADD)
    return row


def change(actor: Any, row: Any, **fields: Any) -> Any:
    """Set ``fields`` on ``row``, validate, save, audit the difference, and re-check
    that ``actor`` may change it."""
    before = audit.snapshot(row)
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    audit.record(actor, "update", row, before=before)
    ensure_in_scope(actor, row, Action.CHANGE)
    return row
