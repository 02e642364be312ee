"""Automatic signals about one organization: what the product's own records say is
missing or overdue there (meetings not held, a term past its renewal, members at the
six-month line, overdue work items, overridden development steps…).

Each area registers a source; an inspector sees the signals of the organization being
inspected and can record a finding linked to one (the finding keeps the signal's code and
what it said on the day). Like the inbox, this is computed live from the records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Alert:
    """``code`` identifies the signal across days (e.g. ``orglife.missing.L1``); ``rule``
    is the rule id it concerns; ``text`` says what the records show; ``url`` drills down."""

    code: str
    rule: str
    text: str | Promise
    url: str = ""


Source = Callable[[Any, dt.date], Iterable[Alert]]
SOURCES: list[Source] = []


def source(func: Source) -> Source:
    """Register a signal source (idempotent, like the inbox providers)."""
    if func not in SOURCES:
        SOURCES.append(func)
    return func


def for_organization(organization: Any, today: dt.date) -> list[Alert]:
    """Every signal about ``organization`` itself (not its subtree) as of ``today``,
    ordered by rule id."""
    alerts = [alert for func in SOURCES for alert in func(organization, today)]
    return sorted(alerts, key=lambda a: (a.rule, a.code))
