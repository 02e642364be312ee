"""Due items of the responsibility system: items of one's organizations that are past
their deadline or were returned, and items reported done that wait for one's assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.inbox import Counted, own_q
from dangjian.core.scoping import can
from dangjian.duties.choices import ItemState, ListState
from dangjian.duties.models import Item
from dangjian.duties.rules import OPEN


@inbox.provider
def duty_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if user.role == Role.MEMBER or not can(user, Item, Action.VIEW):
        return
    items = Item.objects.restrict(user).filter(work_list__state=ListState.PUBLISHED).select_related("assignee")
    groups = [
        Counted(
            "duties.overdue",
            _("Work items past their deadline"),
            inbox.Level.OVERDUE,
            Q(own_q(user, "assignee"), state__in=OPEN, deadline__lt=today),
        ),
        Counted(
            "duties.returned",
            _("Work items returned for rework"),
            inbox.Level.FLAGGED,
            Q(own_q(user, "assignee"), state=ItemState.RETURNED, deadline__gte=today),
        ),
        Counted(
            "duties.to_assess",
            _("Work items reported done, to assess"),
            inbox.Level.DUE,
            Q(own_q(user, "issuer"), state=ItemState.REPORTED),
        ),
    ]
    yield from inbox.grouped_counts(items, groups, url=reverse("duties:lists"), item=_due_item)


def _due_item(item: Item) -> inbox.DueItem:
    return inbox.DueItem(label=f"{item.assignee.name}: {item.title}", url=item.get_absolute_url(), due_on=item.deadline)
