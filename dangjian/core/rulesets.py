"""Regulation figures as versioned data.

Each app's ``rules.py`` declares its figures with ``Figure(...)`` and registers them. A
figure has the rule id of ../shared/domain/rules.md (D14, O7, …), its source, a confidence
(firm / local / check), a default value and any later official versions. Figures marked
*local* or *check* can be given a local value from a date on (``FigureOverride``), through
the rules page or ``manage.py set_figure``. Logic never holds a figure as a literal: it asks
``value(key, on=date)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    FIRM = "firm", _("firm: national text")
    LOCAL = "local", _("local practice: configurable")
    CHECK = "check", _("to check: sources disagree")


@dataclass(frozen=True)
class Figure:
    """One regulation figure with its versions.

    ``versions`` holds later official values as ``(effective_from, value)`` pairs; the
    ``default`` applies before the first of them.
    """

    key: str
    rule: str
    default: Any
    description: str | Promise
    source: str | Promise
    confidence: str = Confidence.FIRM
    versions: tuple[tuple[dt.date, Any], ...] = field(default=())

    @property
    def confidence_label(self) -> Any:
        return Confidence(self.confidence).label

    @property
    def configurable(self) -> bool:
        return self.confidence != Confidence.FIRM


REGISTRY: dict[str, Figure] = {}
_CACHE_KEY = "dangjian:figure-overrides"
_CACHE_SECONDS = 30


def register(*figures: Figure) -> None:
    for fig in figures:
        if fig.key in REGISTRY and REGISTRY[fig.key] != fig:
            raise ValueError(f"Figure {fig.key} registered twice with different data.")
        REGISTRY[fig.key] = fig


def _overrides() -> dict[str, list[tuple[dt.date, Any]]]:
    data = cache.get(_CACHE_KEY)
    if data is None:
        from dangjian.core.models import FigureOverride

        data = {}
        for row in FigureOverride.objects.order_by("effective_from").values_list("key", "effective_from", "value"):
            data.setdefault(row[0], []).append((row[1], row[2]))
        cache.set(_CACHE_KEY, data, _CACHE_SECONDS)
    return data  # type: ignore[no-any-return]


def forget_overrides() -> None:
    cache.delete(_CACHE_KEY)


# Called with the key after a local value of a figure is set (e.g. to recompute the due
# dates an app stores from its figures). Apps register in their AppConfig.ready().
CHANGE_LISTENERS: list[Callable[[str], None]] = []


def on_change(listener: Callable[[str], None]) -> Callable[[str], None]:
    CHANGE_LISTENERS.append(listener)
    return listener


def changed(key: str) -> None:
    for listener in CHANGE_LISTENERS:
        listener(key)


def history(key: str) -> list[tuple[dt.date | None, Any, str]]:
    """All values of a figure in date order: ``(effective_from, value, origin)``."""
    fig = REGISTRY[key]
    rows: list[tuple[dt.date | None, Any, str]] = [(None, fig.default, "default")]
    rows += [(d, v, "official") for d, v in fig.versions]
    if fig.configurable:
        rows += [(d, v, "local") for d, v in _overrides().get(key, [])]
    return sorted(rows, key=lambda r: r[0] or dt.date.min)


def value(key: str, on: dt.date | None = None) -> Any:
    """The value of figure ``key`` in force on ``on`` (today in Asia/Shanghai by default)."""
    on = on or timezone.localdate()
    current: Any = None
    for effective_from, val, _origin in history(key):
        if effective_from is None or effective_from <= on:
            current = val
    return current
