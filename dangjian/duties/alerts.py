"""Signals of the responsibility system for inspections: work items assigned to one
organization that are past their deadline, or failed this year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from dangjian.core import alerts
from dangjian.duties.choices import ItemState, ListState
from dangjian.duties.models import Item
from dangjian.duties.rules import OPEN


@alerts.source
def work_items(organization: Any, today: dt.date) -> Iterator[alerts.Alert]:
    counts = Item.objects.filter(assignee=organization, work_list__state=ListState.PUBLISHED).aggregate(
        overdue=Count("pk", filter=Q(state__in=OPEN, deadline__lt=today)),
        failed=Count("pk", filter=Q(state__in=(ItemState.FAILED, ItemState.PURSUED), work_list__year=today.year)),
    )
    url = f"{reverse('duties:lists')}?org={organization.pk}"
    if counts["overdue"]:
        yield alerts.Alert(
            code="duties.overdue",
            rule="",
            text=ngettext(
                "%(count)d work item past its deadline", "%(count)d work items past their deadline", counts["overdue"]
            )
            % {"count": counts["overdue"]},
            url=url,
        )
    if counts["failed"]:
        yield alerts.Alert(
            code="duties.failed",
            rule="",
            text=ngettext(
                "%(count)d work item found failed this year",
                "%(count)d work items found failed this year",
                counts["failed"],
            )
            % {"count": counts["failed"]},
            url=url,
        )
