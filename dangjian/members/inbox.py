"""Due items of the member registry for the inbox: transfers past their receipt date (T3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.scoping import can
from dangjian.members.choices import TransferState
from dangjian.members.models import Transfer


@inbox.provider
def transfer_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, Transfer, Action.VIEW) or user.role == Role.MEMBER:
        return
    late = (
        Transfer.objects.restrict(user)
        .filter(state=TransferState.PENDING, receipt_due_on__lt=today)
        .select_related("member")
        .order_by("receipt_due_on")
    )
    yield inbox.DueGroup(
        key="members.transfers_overdue",
        title=_("Transfers past the receipt date"),
        level=inbox.Level.OVERDUE,
        count=late.count(),
        url=reverse("members:transfers") + "?state=pending",
        rule="T3",
        items=[
            inbox.DueItem(label=t.member.name, url=t.member.get_absolute_url(), due_on=t.receipt_due_on)
            for t in late[: inbox.SAMPLE]
        ],
    )
