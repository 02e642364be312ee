"""Read models of organizational life: who is due at an event, drifting members (S1,
S2), formalism signals, a member's attendance. Each is one query (or a few, fixed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dangjian.core.rulesets import value
from dangjian.members.choices import ACTIVE_STATUSES, COMMITTEE_POSTS, PostKind, TransferState
from dangjian.members.models import Member, Post, Transfer
from dangjian.orglife import rules
from dangjian.orglife.choices import AUDIENCE, ENGAGED, AttendanceStatus, Audience, EventState, Signal
from dangjian.orglife.models import Attendance, Event
from dangjian.orgs.models import Organization


def members_on(org: Organization | int, day: dt.date) -> QuerySet[Member]:
    """Members whose organizational relation was in ``org`` on ``day``: admitted by then,
    not left by then, and in ``org`` then — their current organization if no transfer was
    accepted after ``day``, else the sender of the first transfer accepted after it (so a
    member who passed through ``org`` after ``day`` is not counted)."""
    org_id = org if isinstance(org, int) else org.pk
    accepted = Transfer.objects.filter(state=TransferState.ACCEPTED, accepted_on__gt=day)
    left_later = accepted.filter(from_org_id=org_id).values("member_id")
    after = accepted.filter(member=OuterRef("pk")).order_by("accepted_on", "pk")
    org_then = Case(
        When(Exists(after), then=Subquery(after.values("from_org_id")[:1])),
        default=F("organization_id"),
        output_field=IntegerField(),
    )
    # The first filter narrows to the candidates by index before the per-member subquery.
    candidates = Member.objects.filter(Q(organization_id=org_id) | Q(pk__in=left_later))
    return _members_then(candidates.alias(org_then=org_then).filter(org_then=org_id), day)


def _members_then(members: QuerySet[Member], day: dt.date) -> QuerySet[Member]:
    """Those of ``members`` who were members (of any organization) on ``day``."""
    return (
        members.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .filter(Q(status__in=ACTIVE_STATUSES) | Q(left_on__isnull=False))
    )


def committee_on(org: Organization | int, day: dt.date) -> QuerySet[Member]:
    """The members of ``org``'s committee on ``day`` (committee posts held that day). They
    need not belong to ``org`` itself: members belong to branches, so the committee of a
    grassroots committee or general branch sits in the branches under it."""
    org_id = org if isinstance(org, int) else org.pk
    posts = Post.objects.filter(
        organization_id=org_id, kind=PostKind.PARTY, party_post__in=COMMITTEE_POSTS, started_on__lte=day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    return _members_then(Member.objects.filter(pk__in=posts.values("member_id")), day)


def expected_members(event: Event) -> QuerySet[Member]:
    """Who is due at ``event``: all members of the organization on its date, its
    committee (committee posts held that day), the members of its party group, or, for
    talks, every member and the committee (the participants are chosen from them)."""
    members = members_on(event.organization_id, event.held_on)
    audience = AUDIENCE[event.kind]
    if audience == Audience.COMMITTEE:
        members = committee_on(event.organization_id, event.held_on)
    elif audience == Audience.CHOSEN:
        committee = committee_on(event.organization_id, event.held_on)
        members = Member.objects.filter(Q(pk__in=members.values("pk")) | Q(pk__in=committee.values("pk")))
    elif audience == Audience.GROUP and event.party_group_id:
        members = members.filter(party_group_id=event.party_group_id)
    return members.order_by("name_pinyin", "pk")


def has_vote(member: Member, day: dt.date) -> bool:
    """Full members vote; probationary members do not (D13/D14, O10)."""
    return member.full_on is not None and member.full_on <= day


# --- Drifting members (S1, S2) ---------------------------------------------------------------


def drifting(members: QuerySet[Member], today: dt.date) -> QuerySet[Member]:
    """Current members who drift: S1, no organizational life without an excused reason
    for the last N months although they were due at something held in that time (and
    have belonged to the organization for all of it); or S2, out of contact for N months.

    Annotated with ``last_present`` (date), ``missed`` (absences in the window) and
    ``drift_reason`` ("no_life" or "lost_contact")."""
    cutoff = rules.drift_cutoff(today)
    lost_cutoff = rules.lost_contact_cutoff(today)
    window = Attendance.objects.filter(
        member=OuterRef("pk"), event__state=EventState.HELD, event__held_on__gt=cutoff, event__held_on__lte=today
    )
    moved_in = Transfer.objects.filter(
        member=OuterRef("pk"), to_org=OuterRef("organization"), state=TransferState.ACCEPTED, accepted_on__gt=cutoff
    )
    no_life = (
        Q(joined_on__lte=cutoff)
        & ~Exists(window.filter(status__in=ENGAGED))
        & Exists(window.filter(status=AttendanceStatus.ABSENT))
        & ~Exists(moved_in)
    )
    lost = Q(lost_contact_since__lte=lost_cutoff)
    last_present = (
        Attendance.objects.filter(member=OuterRef("pk"), status=AttendanceStatus.PRESENT, event__state=EventState.HELD)
        .order_by("-event__held_on")
        .values("event__held_on")[:1]
    )
    missed = (
        window.filter(status=AttendanceStatus.ABSENT).order_by().values("member").annotate(n=Count("pk")).values("n")
    )
    return (
        members.filter(status__in=ACTIVE_STATUSES)
        .filter(no_life | lost)
        .annotate(
            last_present=Subquery(last_present),
            missed=Coalesce(Subquery(missed, output_field=IntegerField()), Value(0)),
            drift_reason=Case(
                When(lost, then=Value("lost_contact")), default=Value("no_life"), output_field=CharField()
            ),
        )
    )


# --- Formalism signals ------------------------------------------------------------------------


def signal_conditions(today: dt.date) -> dict[Signal, Q]:
    """The condition of each formalism signal on held events, with the thresholds in
    force ``today`` (written once, here: lists filter on them, pages display them)."""
    late_days = int(value(rules.LATE_RECORD_DAYS.key, today))
    share = float(value(rules.LOW_ATTENDANCE_SHARE.key, today))
    same = Event.objects.filter(minutes_digest=OuterRef("minutes_digest"), state=EventState.HELD).exclude(
        pk=OuterRef("pk")
    )
    return {
        Signal.NO_MINUTES: Q(minutes_digest=""),
        Signal.SAME_MINUTES: Q(~Q(minutes_digest=""), Exists(same)),
        Signal.LOW_ATTENDANCE: Q(expected_count__gt=0) & Q(present_count__lt=F("expected_count") * share),
        Signal.RECORDED_LATE: Q(recorded_on__gt=F("held_on") + dt.timedelta(days=late_days)),
    }


def any_signal(today: dt.date) -> Q:
    combined = Q(pk__in=[])
    for condition in signal_conditions(today).values():
        combined |= condition
    return combined


def with_signals(events: QuerySet[Event], today: dt.date) -> QuerySet[Event]:
    """Held events annotated with one boolean per formalism signal (``s_<signal>``)."""
    return events.filter(state=EventState.HELD).annotate(
        **{
            f"s_{signal}": ExpressionWrapper(condition, output_field=BooleanField())
            for signal, condition in signal_conditions(today).items()
        }
    )


def flagged(events: QuerySet[Event], today: dt.date, signal: str | None = None) -> QuerySet[Event]:
    """Held events with the given signal (or any signal), annotated as ``with_signals``."""
    condition = signal_conditions(today)[Signal(signal)] if signal else any_signal(today)
    return with_signals(events, today).filter(condition)


def signals_of(event: Event, today: dt.date) -> list[Signal]:
    """The formalism signals raised by one event."""
    if event.state != EventState.HELD:
        return []
    row = with_signals(Event.objects.filter(pk=event.pk), today).values(*[f"s_{s}" for s in Signal]).first()
    return [s for s in Signal if row and row[f"s_{s}"]]


# --- A member's attendance ------------------------------------------------------------------


def attendance_summary(member: Member, today: dt.date) -> dict[str, Any]:
    """Attendance of ``member`` over the last 12 months: events due (not exempt), present,
    excused, absent, the rate present / due, and the last date present (ever)."""
    since = today - dt.timedelta(days=365)
    rows = Attendance.objects.filter(
        member=member, event__state=EventState.HELD, event__held_on__gt=since, event__held_on__lte=today
    ).exclude(status=AttendanceStatus.EXEMPT)
    counts = rows.aggregate(
        due=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
    )
    last = Attendance.objects.filter(
        member=member, status=AttendanceStatus.PRESENT, event__state=EventState.HELD
    ).aggregate(last=Max("event__held_on"))["last"]
    counts["rate"] = counts["present"] / counts["due"] if counts["due"] else None
    counts["last_present"] = last
    return counts
