"""Read models of party dues: each member's unpaid months (arrears, S1), and the
collection rate of a subtree for a month in one SQL query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy

from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.dues import rules
from dangjian.dues.choices import COUNTED_STATES, FundCategory, FundSource, FundState, PaymentKind
from dangjian.dues.models import DuesStandard, FundEntry, Handover, Payment
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
    end (F8), not left before it, with a standard in force that is not an exemption (F7).
    The exemption is an anti-join (an exempting standard with no later one by ``month``),
    not a subquery per member: see docs/benchmarks.md, "Party dues collection"."""
    end = add_months(month, 1) - dt.timedelta(days=1)
    in_force = DuesStandard.objects.filter(member=OuterRef("pk"), valid_from__lte=month)
    later = DuesStandard.objects.filter(
        member=OuterRef("member"), valid_from__gt=OuterRef("valid_from"), valid_from__lte=month
    )
    exempt = DuesStandard.objects.filter(member=OuterRef("pk"), valid_from__lte=month, reduced_amount=0).exclude(
        Exists(later)
    )
    return (
        members.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .filter(Exists(in_force))
        .exclude(Exists(exempt))
    )


def _paid_row(month: dt.date) -> FilteredRelation:
    """The member's regular payment of ``month`` as a LEFT JOIN (at most one row, by
    ``payment_one_per_month``): counting ``paid_row__member`` reads only the index."""
    return FilteredRelation(
        "dues_payments", condition=Q(dues_payments__kind=PaymentKind.REGULAR, dues_payments__month=month)
    )


def unpaid_in(members: QuerySet[Member], month: dt.date) -> QuerySet[Member]:
    """Members of ``members`` who owe dues for ``month`` and have not paid them."""
    month = month.replace(day=1)
    return _owing(members.filter(status__in=ACTIVE_STATUSES), month).exclude(_paid_in(month))


def payable_in(member_ids: list[int], month: dt.date) -> dict[int, Decimal]:
    """Member id -> the dues payable for ``month`` by the standard in force. One query."""
    out: dict[int, Decimal] = {}
    for standard in DuesStandard.objects.filter(member_id__in=member_ids, valid_from__lte=month).order_by("valid_from"):
        out[standard.member_id] = standard.payable
    return out


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
        .annotate(prefix=Substr("organization__path", 1, width), paid_row=_paid_row(month))
        .values("prefix")
        .annotate(due=Count("pk"), paid=Count("paid_row__member"))
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


def year_total(months: list[dict[str, Any]]) -> dict[str, Any]:
    """The year's collection from ``collection_year``: member-months owed and paid."""
    due = sum(row["due"] for row in months)
    paid = sum(row["paid"] for row in months)
    return {"due": due, "paid": paid, "rate": (paid / due) if due else None}


def collection(members: QuerySet[Member], month: dt.date) -> dict[str, Any]:
    """For ``month``: members who owed dues (a standard in force with something to pay,
    admitted by then), those who paid, and the rate. One query."""
    month = month.replace(day=1)
    totals = (
        _owing(members, month)
        .annotate(paid_row=_paid_row(month))
        .aggregate(due=Count("pk"), paid=Count("paid_row__member"))
    )
    due, done = totals["due"], totals["paid"]
    return {"month": month, "due": due, "paid": done, "rate": (done / due) if due else None}


# --- handing over and reconciliation -------------------------------------------------

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def yuan(amount: Any) -> Decimal:
    """A sum from the database as yuan with two decimals (SQLite drops trailing zeros)."""
    return Decimal(amount or 0).quantize(CENT)


def _sum(queryset: QuerySet[Any], field: str = "amount") -> Decimal:
    money = DecimalField(max_digits=14, decimal_places=2)
    return yuan(queryset.aggregate(total=Coalesce(Sum(field), ZERO, output_field=money))["total"])


def held(organization: Organization, on: dt.date) -> Decimal:
    """Dues ``organization`` holds at the end of ``on``: what it collected from its own
    members and received from below, less what it handed up. Three queries."""
    return (
        _sum(Payment.objects.filter(organization=organization, paid_on__lte=on))
        + _sum(Handover.objects.filter(to_organization=organization, handed_on__lte=on))
        - _sum(Handover.objects.filter(from_organization=organization, handed_on__lte=on))
    )


@dataclass(frozen=True)
class Reconciliation:
    """What an organization or a subtree did with dues in a period."""

    organization: Organization
    whole_subtree: bool  # the figures of the organization and everything below it
    collected: Decimal  # paid by members of the subtree (or of the organization itself)
    wholly_up: Decimal  # of which voluntary payments that go wholly to the Centre (F10)
    received: Decimal  # handed over to it from below (organization only)
    handed_up: Decimal  # handed over out of it to higher organizations
    unconfirmed: Decimal  # of which not yet confirmed by the receiving side

    @property
    def retained(self) -> Decimal:
        """What stayed in the organization (or the subtree) in the period."""
        return self.collected + self.received - self.handed_up


def reconciliation(root: Organization, start: dt.date, end: dt.date) -> list[Reconciliation]:
    """The dues of ``start``-``end`` (by payment and handover dates) for ``root`` itself
    and for each child subtree: collected, received, handed up (out of the subtree), and
    retained. Dues go up level by level, so a child subtree hands up only to ``root``,
    and for every subtree handed up = collected - retained. Five queries (and the F10
    figure)."""
    threshold = Decimal(str(value(rules.LARGE_VOLUNTARY.key, end)))
    width = len(root.path) + root.steplen
    payments = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    handovers = Handover.objects.filter(handed_on__gte=start, handed_on__lte=end)
    large = Q(kind=PaymentKind.VOLUNTARY, amount__gte=threshold)
    money = DecimalField(max_digits=14, decimal_places=2)
    paid_rows = (
        payments.filter(organization__path__startswith=root.path)
        .exclude(organization=root)
        .annotate(prefix=Substr("organization__path", 1, width))
        .values("prefix")
        .annotate(total=Sum("amount"), large=Coalesce(Sum("amount", filter=large), ZERO, output_field=money))
    )
    out_rows = (
        handovers.filter(from_organization__path__startswith=root.path)
        .exclude(from_organization=root)
        .annotate(prefix=Substr("from_organization__path", 1, width), to=Substr("to_organization__path", 1, width))
        .exclude(to=F("prefix"))
        .values("prefix")
        .annotate(
            total=Sum("amount"),
            open=Coalesce(Sum("amount", filter=Q(confirmed_on__isnull=True)), ZERO, output_field=money),
        )
    )
    paid = {row["prefix"]: row for row in paid_rows}
    out = {row["prefix"]: row for row in out_rows}
    own_paid = payments.filter(organization=root).aggregate(
        total=Coalesce(Sum("amount"), ZERO, output_field=money),
        large=Coalesce(Sum("amount", filter=large), ZERO, output_field=money),
    )
    own_out = handovers.filter(from_organization=root).aggregate(
        total=Coalesce(Sum("amount"), ZERO, output_field=money),
        open=Coalesce(Sum("amount", filter=Q(confirmed_on__isnull=True)), ZERO, output_field=money),
    )
    rows = [
        Reconciliation(
            organization=root,
            whole_subtree=False,
            collected=yuan(own_paid["total"]),
            wholly_up=yuan(own_paid["large"]),
            received=_sum(handovers.filter(to_organization=root)),
            handed_up=yuan(own_out["total"]),
            unconfirmed=yuan(own_out["open"]),
        )
    ]
    for child in Organization.objects.get_children(root).order_by("path"):
        p, o = paid.get(child.path, {}), out.get(child.path, {})
        rows.append(
            Reconciliation(
                organization=child,
                whole_subtree=True,
                collected=yuan(p.get("total")),
                wholly_up=yuan(p.get("large")),
                received=ZERO,
                handed_up=yuan(o.get("total")),
                unconfirmed=yuan(o.get("open")),
            )
        )
    return rows


def subtree_totals(rows: list[Reconciliation]) -> Reconciliation:
    """The whole subtree of ``reconciliation``'s root: what left it is what the root
    handed up; what the children handed up stayed inside."""
    root = rows[0]
    return Reconciliation(
        organization=root.organization,
        whole_subtree=True,
        collected=sum((r.collected for r in rows), ZERO),
        wholly_up=sum((r.wholly_up for r in rows), ZERO),
        received=ZERO,
        handed_up=root.handed_up,
        unconfirmed=root.unconfirmed,
    )


# --- the party-building funds ledger -------------------------------------------------


def fund_entries(organization: Organization) -> QuerySet[FundEntry]:
    """The organization's ledger: its own entries and the allocations it made below."""
    return FundEntry.objects.filter(Q(organization=organization) | Q(granted_by=organization))


def fund_balance(organization: Organization, on: dt.date | None = None) -> Decimal:
    """Income less counted expenditures and allocations made below, up to ``on``. One query."""
    entries = fund_entries(organization).filter(state__in=COUNTED_STATES)
    if on is not None:
        entries = entries.filter(on__lte=on)
    money = DecimalField(max_digits=14, decimal_places=2)
    totals = entries.aggregate(
        income=Coalesce(Sum("amount", filter=Q(organization=organization, is_income=True)), ZERO, output_field=money),
        spent=Coalesce(Sum("amount", filter=Q(organization=organization, is_income=False)), ZERO, output_field=money),
        granted=Coalesce(Sum("amount", filter=Q(granted_by=organization)), ZERO, output_field=money),
    )
    return yuan(totals["income"]) - yuan(totals["spent"]) - yuan(totals["granted"])


def fund_pending(organization: Organization) -> Decimal:
    return _sum(FundEntry.objects.filter(organization=organization, state=FundState.PENDING))


@dataclass
class Statement:
    organization: Organization
    year: int
    opening: Decimal
    income: list[tuple[str, Decimal]]  # by source
    spending: list[tuple[str, Decimal]]  # by category, allocations below last
    closing: Decimal
    entries: list[FundEntry]
    pending: list[FundEntry]

    @property
    def total_income(self) -> Decimal:
        return sum((amount for _label, amount in self.income), ZERO)

    @property
    def total_spending(self) -> Decimal:
        return sum((amount for _label, amount in self.spending), ZERO)


def fund_statement(organization: Organization, year: int) -> Statement:
    """The yearly statement: opening balance, income by source, spending by category
    (and allocations made below), closing balance, and the entries. Four queries."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    opening = fund_balance(organization, start - dt.timedelta(days=1))
    entries = list(
        fund_entries(organization)
        .filter(on__gte=start, on__lte=end)
        .select_related("organization", "granted_by")
        .order_by("on", "id")
    )
    counted = [e for e in entries if e.state in COUNTED_STATES]
    income = {code: ZERO for code, _label in FundSource.choices}
    spending = {code: ZERO for code, _label in FundCategory.choices}
    granted = ZERO
    for entry in counted:
        if entry.granted_by_id == organization.pk:
            granted += entry.amount
        elif entry.is_income:
            income[entry.source] += entry.amount
        else:
            spending[entry.category] += entry.amount
    spending_rows = [(str(label), spending[code]) for code, label in FundCategory.choices]
    spending_rows.append((str(gettext_lazy("Allocations to lower organizations")), granted))
    statement = Statement(
        organization=organization,
        year=year,
        opening=opening,
        income=[(str(label), income[code]) for code, label in FundSource.choices],
        spending=spending_rows,
        closing=ZERO,
        entries=counted,
        pending=[e for e in entries if e.state == FundState.PENDING],
    )
    statement.closing = opening + statement.total_income - statement.total_spending
    return statement


def collection_by_organization(root: Organization, first: dt.date, last: dt.date) -> dict[str, tuple[int, int]]:
    """Organization path → (member-months owed from the month of ``first`` to that of
    ``last``, those paid), for every organization of ``root``'s subtree with someone
    owing: the sums over those months of what ``collection`` counts month by month
    (``_owing``: admitted by the month's end (F8), not left before it, a standard in force
    that is not an exemption (F7); paid: a regular payment for the month). Like
    ``collection``, a member counts under their current organization for every month,
    also months paid to a branch they have since left (``Payment.organization``).

    One query. Month by month it was one query per month over every member with their
    standards and payments: 60% of scoring a province's year-end assessment
    (docs/benchmarks.md, "Assessment"). Here the months each member owed are spans of month
    numbers (each standard in force until the next one starts; exemptions left out; cut
    to the member's admission, leaving and the period), and each span's payments are one
    index range. ``test_dues_period.py`` checks it against ``collection``."""
    lo, hi = _month_number(first), _month_number(last)
    if hi < lo:
        return {}
    vendor = connection.vendor
    sql = _PERIOD_SQL.format(
        joined=_MONTH_NUMBER[vendor].format("mm.joined_on"),
        left=_MONTH_NUMBER[vendor].format("mm.left_on"),
        start=_MONTH_NUMBER[vendor].format("ds.valid_from"),
        start_day=_DAY[vendor].format("ds.valid_from"),
        greatest=_GREATEST[vendor],
        least=_LEAST[vendor],
        first_a=_FIRST_DAY[vendor].format("span.a"),
        first_b=_FIRST_DAY[vendor].format("span.b"),
        paid_day=_DAY[vendor].format("p.month"),
        regular=PaymentKind.REGULAR.value,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [root.path + "%", _first_day(hi), lo, hi, hi, hi])
        return {path: (int(due), int(paid)) for path, due, paid in cursor.fetchall()}


def _month_number(day: dt.date) -> int:
    """Months since year 0 of ``day``'s month."""
    return day.year * 12 + day.month - 1


def _first_day(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


# Months since year 0 of a date column, its day, and the first day of a month number
# (comparable with a date column), per database; "%%" is a literal "%".
_MONTH_NUMBER = {
    "postgresql": "(EXTRACT(YEAR FROM {0})::int * 12 + EXTRACT(MONTH FROM {0})::int - 1)",
    "sqlite": "(CAST(strftime('%%Y', {0}) AS integer) * 12 + CAST(strftime('%%m', {0}) AS integer) - 1)",
}
_DAY = {"postgresql": "EXTRACT(DAY FROM {0})::int", "sqlite": "CAST(strftime('%%d', {0}) AS integer)"}
_FIRST_DAY = {
    "postgresql": "make_date({0} / 12, {0} %% 12 + 1, 1)",
    "sqlite": "printf('%%04d-%%02d-01', {0} / 12, {0} %% 12 + 1)",
}
_GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}
_LEAST = {"postgresql": "LEAST", "sqlite": "MIN"}

# m: the subtree's members with the month numbers of their admission and leaving.
# standards: each standard's first month in force (the month after, from a day other than
# the first: ``valid_from <= month``), until the next standard's (LEAD).
# span: the months a standard that is not an exemption was in force, cut to admission (F8),
# leaving and the period. Each span's payments: the regular ones of its months (the index
# of one payment per member and month), dated on the first day as ``collection`` matches.
_PERIOD_SQL = """
WITH m AS (
    SELECT mm.id, o.path, {joined} AS joined_n, {left} AS left_n
    FROM members_member mm JOIN orgs_organization o ON o.id = mm.organization_id
    WHERE o.path LIKE %s
),
standards AS (
    SELECT m.path, ds.member_id, m.joined_n, m.left_n, ds.reduced_amount,
           {start} + CASE WHEN {start_day} > 1 THEN 1 ELSE 0 END AS start_n,
           LEAD({start} + CASE WHEN {start_day} > 1 THEN 1 ELSE 0 END)
               OVER (PARTITION BY ds.member_id ORDER BY ds.valid_from) AS next_n
    FROM dues_duesstandard ds JOIN m ON m.id = ds.member_id
    WHERE ds.valid_from <= %s
),
span AS (
    SELECT path, member_id,
           {greatest}(start_n, %s, joined_n) AS a,
           {least}(COALESCE(next_n - 1, %s), %s, COALESCE(left_n, %s)) AS b
    FROM standards
    WHERE reduced_amount IS NULL OR reduced_amount <> 0
)
SELECT span.path, SUM(span.b - span.a + 1),
       SUM((SELECT COUNT(*) FROM dues_payment p
            WHERE p.member_id = span.member_id AND p.kind = '{regular}'
              AND p.month >= {first_a} AND p.month <= {first_b} AND {paid_day} = 1))
FROM span
WHERE span.b >= span.a
GROUP BY span.path
"""
