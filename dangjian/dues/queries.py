"""Read models of party dues: each member's unpaid months (arrears, S1), and the
collection rate of a subtree for a month in one SQL query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from dangjian.core.dates import add_months
from dangjian.dues import rules
from dangjian.dues.choices import PaymentKind
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first`` to ``last``, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Arrears:
    member: Member
    months: list[dt.date]  # unpaid months with a standard in force, oldest first

    @property
    def count(self) -> int:
        return len(self.months)

    @property
    def longest_run(self) -> int:
        """The most consecutive unpaid months (S1 counts six in a row)."""
        best = run = 0
        previous: dt.date | None = None
        for month in self.months:
            run = run + 1 if previous is not None and add_months(previous, 1) == month else 1
            best = max(best, run)
            previous = month
        return best


def arrears(members: QuerySet[Member], through: dt.date) -> list[Arrears]:
    """Current members of ``members`` with unpaid months up to the month of ``through``:
    months from admission (F8) and the first standard on, not paid, not exempted (F7).
    Three queries for any number of members."""
    members = list(members.filter(status__in=ACTIVE_STATUSES).order_by("name_pinyin", "pk"))
    ids = [m.pk for m in members]
    standards: dict[int, list[DuesStandard]] = {}
    for standard in DuesStandard.objects.filter(member_id__in=ids).order_by("valid_from"):
        standards.setdefault(standard.member_id, []).append(standard)
    paid: dict[int, set[dt.date]] = {}
    for member_id, month in Payment.objects.filter(member_id__in=ids, kind=PaymentKind.REGULAR).values_list(
        "member_id", "month"
    ):
        paid.setdefault(member_id, set()).add(month)
    last = through.replace(day=1)
    out = []
    for member in members:
        own = standards.get(member.pk, [])
        if not own:
            continue
        start = max(rules.first_month_due(member.joined_on), own[0].valid_from)
        unpaid = []
        for month in months_between(start, last):
            standard = [s for s in own if s.valid_from <= month][-1]
            if standard.payable and month not in paid.get(member.pk, set()):
                unpaid.append(month)
        if unpaid:
            out.append(Arrears(member=member, months=unpaid))
    return out


def collection(members: QuerySet[Member], month: dt.date) -> dict[str, Any]:
    """For ``month``: members who owed dues (a standard in force with something to pay,
    admitted by then), those who paid, and the rate. One query."""
    month = month.replace(day=1)
    end = add_months(month, 1) - dt.timedelta(days=1)
    in_force = DuesStandard.objects.filter(member=OuterRef("pk"), valid_from__lte=month).order_by("-valid_from")
    owing = (
        members.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .alias(has_standard=Exists(in_force), reduced=Subquery(in_force.values("reduced_amount")[:1]))
        .filter(has_standard=True)
        .filter(Q(reduced__isnull=True) | ~Q(reduced=0))  # exempted for hardship (F7): nothing owed
    )
    paid = Payment.objects.filter(member=OuterRef("pk"), kind=PaymentKind.REGULAR, month=month)
    totals = owing.aggregate(due=Count("pk"), paid=Count("pk", filter=Q(Exists(paid))))
    due, done = totals["due"], totals["paid"]
    return {"month": month, "due": due, "paid": done, "rate": (done / due) if due else None}
