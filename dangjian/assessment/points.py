"""Member points (issue 7, item 7): per member and year, from substantive records already
in the product — attendance recorded at organizational life, dues paid by month, the
responsibility items of one's post accepted, candidates one is a cultivation contact or
introducer of — under the points rules of the nearest organization that set them (or the
defaults in ``rules.DEFAULT_POINTS``). Never from clicks, likes, check-ins or time on a
screen. Each source is one grouped query over the members asked for."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from dangjian.assessment import rules
from dangjian.assessment.choices import PointSource
from dangjian.assessment.models import PointsRule
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


@dataclass
class Tally:
    member: Member
    counts: dict[str, int] = field(default_factory=dict)
    points: dict[str, Decimal] = field(default_factory=dict)
    place: int | None = None  # in the league: tied totals share the place (rules.rank)

    @property
    def total(self) -> Decimal:
        return rules.q(sum(self.points.values(), Decimal(0)))


def rules_for(organization: Organization, year: int) -> tuple[Organization | None, list[rules.PointRule]]:
    """The rules of the nearest organization at or above ``organization`` that set rules
    for ``year`` (and which one), else the defaults."""
    paths = [
        organization.path[:n] for n in range(organization.steplen, len(organization.path) + 1, organization.steplen)
    ]
    rows = list(PointsRule.objects.filter(organization__path__in=paths, year=year).select_related("organization"))
    if not rows:
        return None, list(rules.DEFAULT_POINTS)
    nearest = max(rows, key=lambda r: len(r.organization.path)).organization
    return nearest, [rules.PointRule(r.source, r.points, r.cap) for r in rows if r.organization_id == nearest.pk]


# A month's dues paid on or before its last day (in advance too).
ON_TIME = Q(paid_on__year__lt=F("month__year")) | Q(
    paid_on__year=F("month__year"), paid_on__month__lte=F("month__month")
)


def counts(members: list[Member], year: int) -> dict[int, dict[str, int]]:
    """Member id → source → how many records of the year."""
    from dangjian.development.choices import StepKind
    from dangjian.development.models import Step
    from dangjian.dues.choices import PaymentKind
    from dangjian.dues.models import Payment
    from dangjian.duties.choices import ItemState
    from dangjian.duties.models import Item
    from dangjian.members.models import Post
    from dangjian.orglife.choices import AttendanceStatus
    from dangjian.orglife.models import Attendance

    ids = [m.pk for m in members]
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Attendance.objects.filter(member__in=ids, event__state="held", event__held_on__range=(start, end))
        .values("member")
        .annotate(
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        )
    ):
        out[row["member"]][PointSource.PRESENT] = row["present"]
        out[row["member"]][PointSource.ABSENT] = row["absent"]
    # Paid within the month: on or before its last day (the first of the next month minus one).
    for row in (
        Payment.objects.filter(member__in=ids, kind=PaymentKind.REGULAR, month__range=(start, end))
        .values("member")
        .annotate(
            on_time=Count("pk", filter=ON_TIME),
            total=Count("pk"),
        )
    ):
        out[row["member"]][PointSource.DUES_ON_TIME] = row["on_time"]
        out[row["member"]][PointSource.DUES_LATE] = row["total"] - row["on_time"]
    # Items accepted in the year, assigned to the organization and post a member holds.
    posts = list(
        Post.objects.filter(member__in=ids, organization__isnull=False)
        .exclude(party_post="")
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start), started_on__lte=end)
        .values_list("member", "organization", "party_post", "started_on", "ended_on")
    )
    if posts:
        accepted = Item.objects.filter(
            state=ItemState.ACCEPTED,
            done_on__range=(start, end),
            assignee__in={p[1] for p in posts},
        ).values_list("assignee", "post", "done_on")
        for assignee, post, done_on in accepted:
            for member, org, party_post, began, ended in posts:
                if org == assignee and party_post == post and began <= done_on and (ended is None or done_on <= ended):
                    out[member][PointSource.DUTIES] = out[member].get(PointSource.DUTIES, 0) + 1
    for row in (
        Step.objects.filter(people__in=ids, kind__in=(StepKind.CONTACTS, StepKind.INTRODUCERS), on__range=(start, end))
        .values("people")
        .annotate(n=Count("pk"))
    ):
        out[row["people"]][PointSource.INTRODUCER] = row["n"]
    return out


def league(
    organization: Organization, year: int, visible: QuerySet[Member]
) -> tuple[Organization | None, list[rules.PointRule], list[Tally]]:
    """The members of ``organization`` itself among ``visible`` (the caller's scope,
    ``Member.objects.restrict(user)``), current and former members of the year, with
    their points, best first; with the rules used and whose they are."""
    owner, point_rules = rules_for(organization, year)
    members = list(
        visible.filter(organization=organization)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1)))
        .filter(joined_on__lte=dt.date(year, 12, 31))
        .order_by("name")
    )
    found = counts(members, year)
    tallies = []
    for member in members:
        tally = Tally(member, dict(found.get(member.pk, {})))
        for rule in point_rules:
            tally.points[rule.source] = rules.points_of(tally.counts.get(rule.source, 0), rule)
        tallies.append(tally)
    tallies.sort(key=lambda t: (-t.total, t.member.name))
    places = rules.rank({i: t.total for i, t in enumerate(tallies)})
    for i, tally in enumerate(tallies):
        tally.place = places[i]
    return owner, point_rules, tallies


def of_member(member: Member, year: int) -> tuple[list[rules.PointRule], Tally]:
    _owner, point_rules = rules_for(member.organization, year)
    tally = Tally(member, dict(counts([member], year).get(member.pk, {})))
    for rule in point_rules:
        tally.points[rule.source] = rules.points_of(tally.counts.get(rule.source, 0), rule)
    return point_rules, tally


def labels() -> dict[str, Any]:
    return dict(PointSource.choices)
