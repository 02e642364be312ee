"""Signals of member development for inspections: candidates of one organization whose
next step is overdue, and steps recorded this year against a rule by an override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from dangjian.core import alerts
from dangjian.development import queries
from dangjian.development.models import Candidate, Step


@alerts.source
def development_signals(organization: Any, today: dt.date) -> Iterator[alerts.Alert]:
    overdue = queries.overdue(Candidate.objects.filter(organization=organization), today).count()
    if overdue:
        yield alerts.Alert(
            code="development.overdue",
            rule="D",
            text=ngettext(
                "%(count)d candidate with a step of the procedure overdue",
                "%(count)d candidates with a step of the procedure overdue",
                overdue,
            )
            % {"count": overdue},
            url=f"{reverse('development:board')}?org={organization.pk}",
        )
    waived: dict[str, int] = {}
    steps = queries.overrides(Step.objects.filter(candidate__organization=organization, on__year=today.year))
    for problems in steps.values_list("overridden_problems", flat=True):
        for problem in problems or []:
            rule = str(problem.get("rule", "D"))
            waived[rule] = waived.get(rule, 0) + 1
    for rule, count in sorted(waived.items()):
        yield alerts.Alert(
            code=f"development.override.{rule}",
            rule=rule,
            text=ngettext(
                "%(count)d step recorded this year with %(rule)s waived by an override",
                "%(count)d steps recorded this year with %(rule)s waived by an override",
                count,
            )
            % {"count": count, "rule": rule},
            # The steps behind the count: this organization's, recorded this year.
            url=f"{reverse('development:overrides')}?within={organization.pk}&date_from={today.year}-01-01",
        )
