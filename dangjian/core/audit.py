"""Writing the audit trail. Every action calls ``record`` (or ``record_many`` for imports).

The source of a change (web interface, API, import, command line) is carried in a context
variable set by ``AuditSourceMiddleware`` and ``audit_source()``, so actions do not need
to be told where they were called from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from dangjian.core.models import AuditEntry, AuditSource

_source: ContextVar[str] = ContextVar("audit_source", default=AuditSource.COMMAND)


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Within the block, audit entries record ``source``."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


def field_value(obj: models.Model, field: models.Field) -> Any:  # type: ignore[type-arg]
    """A JSON-safe value of ``field`` on ``obj`` as people read it (a related object by
    its name, not its id)."""
    value = getattr(obj, field.attname)
    if field.is_relation and value is not None:
        return str(getattr(obj, field.name))[:200]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, FieldFile):  # an uploaded file: its stored name
        return value.name or ""
    return value


def snapshot(obj: models.Model | None) -> dict[str, Any]:
    if obj is None:
        return {}
    return obj.audit_snapshot()  # type: ignore[attr-defined,no-any-return]


def _blank(value: Any) -> bool:
    return value is None or value == ""


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{name: [before, after]}`` (blank and missing are the same)."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name) and not (_blank(before.get(name)) and _blank(after.get(name)))
    }


def _entry(
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, Any],
    note: str,
    organization: Any,
) -> AuditEntry:
    if organization is None and hasattr(obj, "audit_organization"):
        organization = obj.audit_organization()
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "get_username", lambda: "")() or "")[:150],  # blank: the system
        action=action,
        source=current_source(),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        note=note,
        organization=organization,
    )


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    organization: Any = None,
) -> AuditEntry | None:
    """Record ``action`` on ``obj`` by ``actor``.

    With ``before`` (a snapshot taken before the change) the entry holds the changed
    fields; an update that changed nothing records nothing and returns ``None``. For a
    creation pass ``before={}`` so every field is recorded as new.
    """
    if changes is None:
        changes = diff(before or {}, snapshot(obj)) if before is not None else {}
        if before and not changes and action == "update":
            return None
    entry = _entry(actor, action, obj, changes, note, organization)
    entry.save()
    return entry


def record_many(actor: Any, action: str, objects: Iterable[models.Model], note: str = "") -> int:
    """Record one creation-style entry per object in bulk (used by imports)."""
    entries = [_entry(actor, action, obj, diff({}, snapshot(obj)), note, None) for obj in objects]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def entries_about(user: Any, objects: dict[type[models.Model], Iterable[Any]], limit: int = 30) -> Any:
    """The latest audit entries ``user`` may see about the given objects (model -> primary
    keys), for the history panel of a page; nothing for a role without the audit trail."""
    from django.db.models import Q

    from dangjian.accounts.roles import Action
    from dangjian.core.scoping import can

    if not can(user, AuditEntry, Action.VIEW):
        return []
    types = ContentType.objects.get_for_models(*objects)
    about = Q(pk__in=[])
    for model, pks in objects.items():
        about |= Q(content_type=types[model], object_id__in=[str(pk) for pk in pks])
    return AuditEntry.objects.restrict(user).filter(about).select_related("content_type")[:limit]
