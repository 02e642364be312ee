"""Read models of party dues: each member's unpaid months (arrears, S1), and the
collection rate of a subtree for a month in one SQL query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from dangjian.core.dates import add_months
from dangjian.dues import rules
from dangjian.dues.choices import PaymentKind
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


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
    through: dt.date  # the last month looked at

    @property
    def current_run(self) -> int:
        """Unpaid months in a row up to ``through`` (S1 flags six: ``unpaid_in_a_row``)."""
        run, month = 0, self.through
        unpaid = set(self.months)
        while month in unpaid:
            run += 1
            month = add_months(month, -1)
        return run

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
            out.append(Arrears(member=member, months=unpaid, through=last))
    return out


def _owing(members: QuerySet[Member], month: dt.date) -> QuerySet[Member]:
    """Members of ``members`` who owed dues for ``month`` (its first day): admitted by its
    end (F8), not left before it, with a standard in force that is not an exemption (F7)."""
    end = add_months(month, 1) - dt.timedelta(days=1)
    in_force = DuesStandard.objects.filter(member=OuterRef("pk"), valid_from__lte=month).order_by("-valid_from")
    return (
        members.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .alias(has_standard=Exists(in_force), reduced=Subquery(in_force.values("reduced_amount")[:1]))
        .filter(has_standard=True)
        .filter(Q(reduced__isnull=True) | ~Q(reduced=0))
    )


def unpaid_in_a_row(members: QuerySet[Member], through: dt.date, months: int) -> QuerySet[Member]:
    """Members of ``members`` who owed dues in each of the ``months`` months up to the
    month of ``through`` and paid none of them (S1), as one SQL query: owing in the first
    of those months (admitted, not left, a standard in force that is not an exemption),
    no exemption starting within them, and no regular payment for any of them."""
    last = through.replace(day=1)
    first = add_months(last, -(months - 1))
    exempted_since = DuesStandard.objects.filter(
        member=OuterRef("pk"), valid_from__gt=first, valid_from__lte=last, reduced_amount=0
    )
    paid = Payment.objects.filter(member=OuterRef("pk"), kind=PaymentKind.REGULAR, month__gte=first, month__lte=last)
    return (
        _owing(members.filter(status__in=ACTIVE_STATUSES), first).exclude(Exists(exempted_since)).exclude(Exists(paid))
    )


def _paid_in(month: dt.date) -> Exists:
    return Exists(Payment.objects.filter(member=OuterRef("pk"), kind=PaymentKind.REGULAR, month=month))


def collection_by_child(members: QuerySet[Member], root: Organization, month: dt.date) -> list[dict[str, Any]]:
    """The collection of ``month`` for each child subtree of ``root`` (a branch: itself),
    from one query grouped by the child's path prefix, plus one for the children."""
    month = month.replace(day=1)
    width = len(root.path) + root.steplen
    rows = (
        _owing(members.filter(organization__path__startswith=root.path), month)
        .annotate(prefix=Substr("organization__path", 1, width))
        .values("prefix")
        .annotate(due=Count("pk"), paid=Count("pk", filter=Q(_paid_in(month))))
    )
    by_prefix = {row["prefix"]: row for row in rows}
    children = list(Organization.objects.get_children(root).order_by("path")) or [root]
    out = []
    for child in children:
        row = by_prefix.get(child.path[:width], {"due": 0, "paid": 0})
        out.append(
            {
                "organization": child,
                "due": row["due"],
                "paid": row["paid"],
                "rate": (row["paid"] / row["due"]) if row["due"] else None,
            }
        )
    return out


def collection_year(members: QuerySet[Member], year: int, through: dt.date) -> list[dict[str, Any]]:
    """The collection of each month of ``year`` up to ``through`` (one query a month)."""
    last = min(dt.date(year, 12, 1), through.replace(day=1))
    return [collection(members, month) for month in months_between(dt.date(year, 1, 1), last)]


def collection(members: QuerySet[Member], month: dt.date) -> dict[str, Any]:
    """For ``month``: members who owed dues (a standard in force with something to pay,
    admitted by then), those who paid, and the rate. One query."""
    month = month.replace(day=1)
    owing = _owing(members, month)
    paid = Payment.objects.filter(member=OuterRef("pk"), kind=PaymentKind.REGULAR, month=month)
    totals = owing.aggregate(due=Count("pk"), paid=Count("pk", filter=Q(Exists(paid))))
    due, done = totals["due"], totals["paid"]
    return {"month": month, "due": due, "paid": done, "rate": (done / due) if due else None}
