"""Due items of assessment: appeals waiting for the assessing organization's decision, and
consequences of published results still to follow up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.assessment.choices import AppealState, FollowUp
from dangjian.assessment.models import Appeal, Consequence
from dangjian.core import inbox
from dangjian.core.inbox import own_q
from dangjian.core.scoping import can


@inbox.provider
def assessment(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if user.role in (Role.MEMBER, Role.INSPECTOR) or not can(user, Appeal, Action.CHANGE):
        return
    appeals = (
        Appeal.objects.restrict(user)
        .filter(own_q(user, "round__scheme__organization"), state=AppealState.PENDING)
        .select_related("organization", "round")
        .order_by("filed_on", "pk")
    )
    sample = list(appeals[: inbox.SAMPLE + 1])
    if sample:
        yield inbox.DueGroup(
            key="assessment.appeals",
            title=_("Assessment appeals to decide"),
            level=inbox.Level.DUE,
            count=appeals.count() if len(sample) > inbox.SAMPLE else len(sample),
            url=sample[0].round.get_absolute_url(),
            items=[
                inbox.DueItem(label=f"{a.organization.name}: {a.text[:40]}", url=a.round.get_absolute_url())
                for a in sample[: inbox.SAMPLE]
            ],
        )
    consequences = (
        Consequence.objects.restrict(user)
        .filter(own_q(user, "round__scheme__organization"), state=FollowUp.OPEN)
        .select_related("organization")
        .order_by("pk")
    )
    sample_c = list(consequences[: inbox.SAMPLE + 1])
    if sample_c:
        yield inbox.DueGroup(
            key="assessment.consequences",
            title=_("Assessment consequences to follow up"),
            level=inbox.Level.FLAGGED,
            count=consequences.count() if len(sample_c) > inbox.SAMPLE else len(sample_c),
            url=f"{reverse('assessment:consequences')}?state=open",
            items=[
                inbox.DueItem(
                    label=f"{c.organization.name}: {c.measure}", url=f"{reverse('assessment:consequences')}?state=open"
                )
                for c in sample_c[: inbox.SAMPLE]
            ],
        )
