"""Due items of party dues for the inbox: members six months in a row without paying
(S1: regarded as having left unless there is a proper reason), expenditures to approve,
and handovers to confirm."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.core.scoping import can
from dangjian.dues import queries
from dangjian.dues.choices import FundState
from dangjian.dues.models import DuesStandard, FundEntry, Handover
from dangjian.members.models import Member
from dangjian.orglife.rules import DRIFT_MONTHS
from dangjian.orgs.models import Organization


@inbox.provider
def dues_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, DuesStandard, Action.VIEW) or user.role == Role.MEMBER:
        return
    through = add_months(today.replace(day=1), -1)
    months = value(DRIFT_MONTHS.key, today)
    owed = queries.unpaid_in_a_row(Member.objects.restrict(user), through, months)
    count = owed.count()
    if not count:
        return
    first = add_months(through, -(months - 1))
    yield inbox.DueGroup(
        key="dues.six_months",
        title=_("Members %(n)s months in a row without paying dues") % {"n": months},
        level=inbox.Level.FLAGGED,
        count=count,
        url=reverse("dues:arrears"),
        rule="S1",
        items=[
            inbox.DueItem(label=member.name, url=reverse("dues:member", args=[member.pk]), due_on=first)
            for member in owed.order_by("name_pinyin", "pk")[: inbox.SAMPLE]
        ],
    )


@inbox.provider
def money_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    """Expenditures waiting for this user's approval, and dues handed over to an
    organization of this user that nobody has confirmed yet."""
    if user.role == Role.MEMBER or not can(user, FundEntry, Action.CHANGE):
        return
    pending = FundEntry.objects.restrict(user).filter(state=FundState.PENDING).exclude(recorded_by=user)
    if user.role != Role.PLATFORM_ADMIN and len(user.scope_path) > Organization.steplen:
        pending = pending.exclude(organization__path=user.scope_path)  # the higher organization decides
    count = pending.count()
    if count:
        yield inbox.DueGroup(
            key="dues.approvals",
            title=_("Party-building fund expenditures awaiting your approval"),
            level=inbox.Level.DUE,
            count=count,
            url=reverse("dues:funds"),
            items=[
                inbox.DueItem(
                    label=f"{entry.organization.name}: {entry.description} ({entry.amount})",
                    url=reverse("dues:fund_entry", args=[entry.pk]),
                    due_on=entry.on,
                )
                for entry in pending.select_related("organization").order_by("on", "pk")[: inbox.SAMPLE]
            ],
        )
    received = Handover.objects.restrict(user).filter(confirmed_on__isnull=True)
    if user.role != Role.PLATFORM_ADMIN:
        received = received.filter(to_organization__path__startswith=user.scope_path)
    count = received.count()
    if count:
        yield inbox.DueGroup(
            key="dues.handovers",
            title=_("Dues handed over to you, receipt not confirmed"),
            level=inbox.Level.DUE,
            count=count,
            url=reverse("dues:handovers"),
            items=[
                inbox.DueItem(
                    label=f"{handover.from_organization.name}: {handover.amount}",
                    url=reverse("dues:confirm_handover", args=[handover.pk]),
                    due_on=handover.handed_on,
                )
                for handover in received.select_related("from_organization").order_by("handed_on", "pk")[: inbox.SAMPLE]
            ],
        )
