"""Due items of party dues for the inbox: members six months in a row without paying
(S1: regarded as having left unless there is a proper reason)."""

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
from dangjian.dues.models import DuesStandard
from dangjian.members.models import Member
from dangjian.orglife.rules import DRIFT_MONTHS


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
