"""Signals of organizational life for inspections: the events an organization itself
owed this year that are missing (L1-L9), from the compliance engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core import alerts
from dangjian.orglife import compliance
from dangjian.orglife.rules import REQUIREMENT_BY_KEY


@alerts.source
def missing_events(organization: Any, today: dt.date) -> Iterator[alerts.Alert]:
    tallies = compliance.rollup(
        organization, compliance.current_window(today), today=today, by_requirement=True, only_org=True
    )
    url = reverse("orglife:org_compliance", args=[organization.pk])
    for key, tally in sorted(tallies.items(), key=lambda kv: str(kv[0])):
        requirement = REQUIREMENT_BY_KEY.get(key[0] if isinstance(key, tuple) else key)
        if requirement is None or not tally.missing:
            continue
        yield alerts.Alert(
            code=f"orglife.missing.{requirement.key}",
            rule=requirement.rule,
            text=_("%(what)s: %(missing)d of %(due)d due this year missing")
            % {"what": requirement.label, "missing": tally.missing, "due": tally.due},
            url=url,
        )
