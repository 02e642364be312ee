"""Due items of member development for the inbox: steps past their deadline (D2, D6, D12,
D17, D22, D23), deadlines and readiness coming within ``D.due_soon_days`` (a year as
activist reached, probation ending), and steps recorded with an override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.scoping import can
from dangjian.development import queries
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate


def _item(candidate: Candidate) -> inbox.DueItem:
    return inbox.DueItem(
        label=candidate.name,
        url=candidate.get_absolute_url(),
        due_on=candidate.due_on or candidate.ready_on,
        detail=f"{StepKind(candidate.next_kind).label} ({candidate.due_rule})" if candidate.next_kind else "",
    )


@inbox.provider
def development_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, Candidate, Action.VIEW) or user.role == Role.MEMBER:
        return
    candidates = Candidate.objects.restrict(user)
    late = queries.overdue(candidates, today).order_by("due_on", "pk")
    yield inbox.DueGroup(
        key="development.overdue",
        title=_("Development steps past their deadline"),
        level=inbox.Level.OVERDUE,
        count=late.count(),
        url=reverse("development:board") + "?due=overdue",
        rule="D",
        items=[_item(c) for c in late[: inbox.SAMPLE]],
    )
    soon = queries.due_soon(candidates, today).order_by("due_on", "ready_on", "pk")
    yield inbox.DueGroup(
        key="development.due_soon",
        title=_("Development steps coming due"),
        level=inbox.Level.DUE,
        count=soon.count(),
        url=reverse("development:board") + "?due=due_soon",
        rule="D",
        items=[_item(c) for c in soon[: inbox.SAMPLE]],
    )
