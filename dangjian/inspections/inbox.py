"""Due items of inspections: rectifications of one's organizations past their deadline or
not accepted, and rectifications reported that wait for one's verification."""

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
from dangjian.inspections.choices import RectificationState
from dangjian.inspections.models import Rectification
from dangjian.inspections.rules import OPEN


@inbox.provider
def rectifications(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if user.role == Role.MEMBER or not can(user, Rectification, Action.VIEW):
        return
    rows = Rectification.objects.restrict(user).select_related("owner")
    groups = [
        Counted(
            "inspections.overdue",
            _("Rectifications past their deadline"),
            inbox.Level.OVERDUE,
            Q(own_q(user, "owner"), state__in=OPEN, deadline__lt=today),
        ),
        Counted(
            "inspections.returned",
            _("Rectifications not accepted, to redo"),
            inbox.Level.FLAGGED,
            Q(own_q(user, "owner"), state=RectificationState.RETURNED, deadline__gte=today),
        ),
        Counted(
            "inspections.to_verify",
            _("Rectifications reported, to verify"),
            inbox.Level.DUE,
            Q(own_q(user, "finding__visit__plan__organization"), state=RectificationState.REPORTED),
        ),
    ]
    yield from inbox.grouped_counts(rows, groups, url=reverse("inspections:plans"), item=_due_item)


def _due_item(r: Rectification) -> inbox.DueItem:
    return inbox.DueItem(label=f"{r.owner.name}: {r.task[:60]}", url=r.get_absolute_url(), due_on=r.deadline)
