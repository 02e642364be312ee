"""Every change to organizational life: events, their attendance, votes, attachments,
sign-in, planning, and requirement overrides. Each action is atomic, checks the rules,
writes the audit trail and re-checks the scope."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.rulesets import value
from dangjian.core.scoping import OutOfScope, can, ensure_in_scope
from dangjian.members.models import Member
from dangjian.orglife import queries, rules
from dangjian.orglife.choices import (
    AUDIENCE,
    AttendanceStatus,
    Audience,
    EventKind,
    EventState,
    LecturerKind,
)
from dangjian.orglife.models import Attendance, Event, EventAttachment, RequirementOverride, Vote
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

# Formatting the minutes editor produces; everything else is dropped (no scripts, no styles).
MINUTES_TAGS = {"p", "br", "div", "strong", "b", "em", "i", "u", "del", "ul", "ol", "li", "h1", "h2", "h3",
                "blockquote", "pre", "a", "span"}  # fmt: skip


def clean_minutes(html: str) -> str:
    """The minutes as safe HTML: only simple formatting tags, links without scripts."""
    return nh3.clean(html or "", tags=MINUTES_TAGS, attributes={"a": {"href"}}, link_rel="noopener").strip()


def _check_event(event: Event) -> None:
    org = event.organization
    problems: dict[str, Any] = {}
    if org.dissolved_on and event.held_on >= org.dissolved_on:
        problems["held_on"] = _("The organization was dissolved on %(date)s.") % {"date": org.dissolved_on}
    elif org.established_on and event.held_on < org.established_on:
        problems["held_on"] = _("The organization was established on %(date)s.") % {"date": org.established_on}
    if event.kind == EventKind.GENERAL_MEETING and org.kind == OrgKind.LEADING_COMMITTEE:
        problems["kind"] = _("A general membership meeting is held by a branch or another grassroots organization.")
    if event.kind == EventKind.GROUP_MEETING:
        if not event.party_group_id:
            problems["party_group"] = _("Choose the party group that met.")
        elif event.party_group is not None and event.party_group.organization_id != org.pk:
            problems["party_group"] = _("This party group belongs to another organization.")
    elif event.party_group_id:
        event.party_group = None
    if event.kind == EventKind.PARTY_LESSON and event.state == EventState.HELD:
        if not event.lecturer_kind:
            problems["lecturer_kind"] = _("Say who gave the lesson (L5).")
        elif event.lecturer_kind == LecturerKind.INVITED and not event.lecturer_name:
            problems["lecturer_name"] = _("Give the invited speaker's name and position.")
        elif event.lecturer_kind != LecturerKind.INVITED and not (event.lecturer_id or event.lecturer_name):
            problems["lecturer"] = _("Choose the member who gave the lesson.")
    elif event.kind != EventKind.PARTY_LESSON:
        event.lecturer_kind, event.lecturer, event.lecturer_name = "", None, ""
    if event.includes_evaluation and event.kind != EventKind.LIFE_MEETING:
        event.includes_evaluation = False
    if event.state == EventState.HELD and event.held_on > timezone.localdate():
        problems["held_on"] = _("An event in the future cannot be recorded as held; plan it instead.")
    if problems:
        raise ValidationError(problems)


def _prepare(event: Event) -> None:
    event.minutes = clean_minutes(event.minutes)
    event.minutes_digest = rules.minutes_digest(event.minutes)
    if event.state == EventState.HELD and event.recorded_on is None:
        event.recorded_on = timezone.localdate()
    if event.state != EventState.CANCELLED:
        event.cancel_reason = ""
    _check_event(event)
    event.full_clean(exclude=["organization"] if event.organization_id else None)


@transaction.atomic
def create_event(
    event: Event,
    *,
    actor: Any,
    attendance: Mapping[int, tuple[str, str]] | None = None,
) -> Event:
    """Record a planned or held event (``event`` unsaved, fields set). For a held event
    ``attendance`` maps member id → (status, reason); members due who are not in it are
    recorded as present (a talk records only the participants named)."""
    _prepare(event)
    event.save()
    audit.record(actor, "create", event, before={})
    ensure_in_scope(actor, event, Action.ADD)
    if event.state == EventState.HELD:
        _write_attendance(event, attendance or {}, actor=actor, default=AttendanceStatus.PRESENT)
    return event


@transaction.atomic
def update_event(event: Event, *, actor: Any, before: dict[str, Any]) -> Event:
    """Save edits to an event's record; marking a planned event held sets the day it was
    recorded (which decides on time or late) and fills the attendance from sign-ins."""
    was_held = before.get("state") == EventState.HELD
    if was_held and event.state != EventState.HELD:
        raise ValidationError({"state": _("A held event stays held; correct its record instead.")})
    _prepare(event)
    event.save()
    audit.record(actor, "update", event, before=before)
    ensure_in_scope(actor, event, Action.CHANGE)
    if event.state == EventState.HELD:
        # Keep what was recorded (sign-ins, earlier entries); add the members due
        # who are missing; refresh the counts.
        _write_attendance(event, {}, actor=actor, default=None if was_held else AttendanceStatus.ABSENT)
    return event


@transaction.atomic
def cancel_event(event: Event, *, reason: str, actor: Any) -> Event:
    """Cancel a planned event (a held event cannot be cancelled)."""
    if event.state != EventState.PLANNED:
        raise ValidationError({"reason": _("Only a planned event can be cancelled.")})
    # Checked before touching the instance: a refused cancellation leaves it planned.
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    before = audit.snapshot(event)
    event.state, event.cancel_reason, event.sign_in_code = EventState.CANCELLED, reason.strip(), ""
    event.full_clean()
    event.save()
    audit.record(actor, "update", event, before=before, note=reason)
    ensure_in_scope(actor, event, Action.CHANGE)
    return event


@transaction.atomic
def record_attendance(event: Event, entries: Mapping[int, tuple[str, str]], *, actor: Any) -> Event:
    """Set the attendance of members due at a held event: member id → (status, reason).
    For a talk, the members named are the participants and the others are removed."""
    if event.state != EventState.HELD:
        raise ValidationError(_("Attendance is recorded for a held event."))
    ensure_in_scope(actor, event, Action.CHANGE)
    _write_attendance(event, entries, actor=actor, default=None)
    return event


def _write_attendance(event: Event, entries: Mapping[int, tuple[str, str]], *, actor: Any, default: str | None) -> None:
    due = {m.pk: m for m in queries.expected_members(event)}
    chosen = AUDIENCE[event.kind] == Audience.CHOSEN
    unknown = [pk for pk in entries if pk not in due]
    if unknown:
        raise ValidationError(
            _("%(n)s of the people given were not members of this organization on %(date)s.")
            % {"n": len(unknown), "date": event.held_on}
        )
    errors = {}
    for pk, (status, reason) in entries.items():
        if status not in AttendanceStatus.values:
            errors[f"att_{pk}"] = _("Choose present, excused, absent or not due.")
        elif status in (AttendanceStatus.EXCUSED, AttendanceStatus.EXEMPT) and not reason.strip():
            errors[f"att_{pk}"] = _("Give the reason for %(name)s's absence.") % {"name": due[pk].name}
    if errors:
        raise ValidationError(errors)
    existing = {a.member_id: a for a in event.attendances.all()}
    wanted: dict[int, tuple[str, str]] = {}
    if chosen:
        # A talk: the participants are those named (kept from before if none are given now).
        wanted = dict(entries) if entries else {pk: (a.status, a.reason) for pk, a in existing.items()}
        if len(wanted) < 2 and event.kind == EventKind.HEART_TALK:
            raise ValidationError(_("A heart-to-heart talk is between at least two members (L9)."))
    else:
        for pk in due:
            if pk in entries:
                wanted[pk] = entries[pk]
            elif pk in existing:
                wanted[pk] = (existing[pk].status, existing[pk].reason)
            elif default is not None:
                wanted[pk] = (default, "")
    for pk, attendance in existing.items():
        if pk not in wanted:
            before = audit.snapshot(attendance)
            attendance.delete()
            audit.record(actor, "delete", attendance, before=before)
    for pk, (status, reason) in wanted.items():
        member = due[pk]
        voting = queries.has_vote(member, event.held_on)
        row = existing.get(pk)
        if row is None:
            row = Attendance(event=event, member=member, status=status, reason=reason.strip(), voting=voting)
            row.save()
            audit.record(actor, "create", row, before={})
        elif (row.status, row.reason, row.voting) != (status, reason.strip(), voting):
            before = audit.snapshot(row)
            row.status, row.reason, row.voting = status, reason.strip(), voting
            row.save()
            audit.record(actor, "update", row, before=before)
    refresh_counts(event)


def refresh_counts(event: Event) -> None:
    """Recompute the stored attendance counts of ``event`` and the results of its votes
    from the attendance rows (derived figures, not audited)."""
    counts = event.attendances.aggregate(
        due=Count("pk", filter=~Q(status=AttendanceStatus.EXEMPT)),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        voting_due=Count("pk", filter=Q(voting=True) & ~Q(status=AttendanceStatus.EXEMPT)),
        voting_present=Count("pk", filter=Q(voting=True, status=AttendanceStatus.PRESENT)),
    )
    Event.objects.filter(pk=event.pk).update(
        expected_count=counts["due"],
        present_count=counts["present"],
        excused_count=counts["excused"],
        absent_count=counts["absent"],
    )
    event.expected_count, event.present_count = counts["due"], counts["present"]
    event.excused_count, event.absent_count = counts["excused"], counts["absent"]
    for vote in event.votes.all():
        _apply_result(vote, counts["voting_due"], counts["voting_present"], event.held_on)
        Vote.objects.filter(pk=vote.pk).update(
            voting_due=vote.voting_due, voting_present=vote.voting_present, quorate=vote.quorate, passed=vote.passed
        )


def _apply_result(vote: Vote, voting_due: int, voting_present: int, on: dt.date) -> rules.VoteResult:
    result = rules.vote_result(
        voting_due=voting_due,
        voting_present=voting_present,
        votes_for=vote.votes_for,
        votes_against=vote.votes_against,
        abstentions=vote.abstentions,
        written_for=vote.written_for,
        written_against=vote.written_against,
        on=on,
    )
    vote.voting_due, vote.voting_present = voting_due, voting_present
    vote.quorate, vote.passed = result.quorate, result.passed
    return result


@transaction.atomic
def record_vote(vote: Vote, *, actor: Any) -> rules.VoteResult:
    """Record a vote of a held branch general meeting (L2). Its validity (D13 quorum,
    D14 pass) is derived from the meeting's attendance and returned with the reasons;
    an invalid vote is still recorded (it happened) and shown as not carried."""
    event = vote.event
    if event.kind != EventKind.GENERAL_MEETING or event.state != EventState.HELD:
        raise ValidationError(_("Votes are taken at a held branch general membership meeting (L2)."))
    concerned = vote.member
    if (
        concerned is not None
        and concerned.organization_id != event.organization_id
        and not queries.members_on(event.organization_id, event.held_on).filter(pk=concerned.pk).exists()
    ):
        raise ValidationError({"member": _("The member concerned belongs to another organization.")})
    counts = event.attendances.aggregate(
        due=Count("pk", filter=Q(voting=True) & ~Q(status=AttendanceStatus.EXEMPT)),
        present=Count("pk", filter=Q(voting=True, status=AttendanceStatus.PRESENT)),
    )
    # The stored row, not the edited instance: the entry must hold what changed.
    before = audit.snapshot(Vote.objects.get(pk=vote.pk)) if vote.pk else {}
    result = _apply_result(vote, counts["due"], counts["present"], event.held_on)
    vote.full_clean()
    vote.save()
    audit.record(actor, "update" if before else "create", vote, before=before)
    ensure_in_scope(actor, event, Action.CHANGE)
    return result


@transaction.atomic
def add_attachment(attachment: EventAttachment, *, actor: Any) -> EventAttachment:
    attachment.full_clean()
    attachment.save()
    audit.record(actor, "create", attachment, before={})
    ensure_in_scope(actor, attachment.event, Action.CHANGE)
    return attachment


@transaction.atomic
def remove_attachment(attachment: EventAttachment, *, actor: Any) -> None:
    ensure_in_scope(actor, attachment.event, Action.CHANGE)
    before = audit.snapshot(attachment)
    name = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    audit.record(actor, "delete", attachment, before=before)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Sign-in ------------------------------------------------------------------------------


def sign_in_window(event: Event) -> tuple[dt.datetime, dt.datetime]:
    before, after = value(rules.SIGN_IN_MINUTES.key, event.held_on)
    return event.window(dt.timedelta(minutes=before), dt.timedelta(minutes=after))


@transaction.atomic
def open_sign_in(event: Event, *, actor: Any) -> Event:
    """Give the event a six-digit sign-in code, unique among the events of its day."""
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("A cancelled event has no sign-in."))
    ensure_in_scope(actor, event, Action.CHANGE)
    taken = set(
        Event.objects.filter(held_on=event.held_on).exclude(sign_in_code="").values_list("sign_in_code", flat=True)
    )
    for _attempt in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        if code not in taken:
            break
    else:  # pragma: no cover - a million codes a day
        raise ValidationError(_("No free sign-in code for this day."))
    Event.objects.filter(pk=event.pk).update(sign_in_code=code)
    event.sign_in_code = code
    audit.record(actor, "update", event, changes={"sign_in_code": [None, "******"]}, note=_("Sign-in opened"))
    return event


@transaction.atomic
def sign_in(member: Member, code: str, *, now: dt.datetime | None = None, actor: Any) -> Attendance:
    """A member signs in at an event with the code the host shows: only inside the
    event's window, only if due at it, only once."""
    now = now or timezone.now()
    code = "".join(ch for ch in code if ch.isdigit())
    today = timezone.localtime(now).date()
    event = (
        Event.objects.select_for_update()
        .filter(sign_in_code=code, held_on=today)
        .exclude(state=EventState.CANCELLED)
        .first()
        if len(code) == 6
        else None
    )
    if event is None:
        raise ValidationError({"code": _("No event today has this sign-in code. Check the six digits with the host.")})
    start, end = sign_in_window(event)
    if not start <= now <= end:
        raise ValidationError(
            {
                "code": _("Sign-in for this event is open from %(start)s to %(end)s.")
                % {
                    "start": timezone.localtime(start).strftime("%H:%M"),
                    "end": timezone.localtime(end).strftime("%H:%M"),
                }
            }
        )
    if not queries.expected_members(event).filter(pk=member.pk).exists():
        raise ValidationError({"code": _("You are not among the members due at this event.")})
    row = Attendance.objects.filter(event=event, member=member).first()
    if row is not None and row.signed_in_at is not None:
        raise ValidationError(
            {
                "code": _("You signed in at %(time)s already.")
                % {"time": timezone.localtime(row.signed_in_at).strftime("%H:%M")}
            }
        )
    before = audit.snapshot(row) if row else {}
    if row is None:
        row = Attendance(event=event, member=member, voting=queries.has_vote(member, event.held_on))
    row.status, row.reason, row.signed_in_at = AttendanceStatus.PRESENT, "", now
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:  # two taps at once
        raise ValidationError({"code": _("You signed in already.")}) from exc
    audit.record(actor, "update" if before else "create", row, before=before, note=_("Signed in with the code"))
    if event.state == EventState.HELD:
        refresh_counts(event)
    return row


# --- Planning -------------------------------------------------------------------------------


@transaction.atomic
def plan_period(
    org: Organization,
    window: rules.Span,
    *,
    day_of_month: int,
    actor: Any,
    today: dt.date | None = None,
) -> list[Event]:
    """Plan the events ``org`` owes in ``window`` (normally the next quarter) that are
    neither planned nor held yet: one per missing slot, on ``day_of_month`` of the
    slot's first month (or its last day), topic to be filled in."""
    from dangjian.orglife import compliance

    today = today or timezone.localdate()
    if not 1 <= day_of_month <= 31:
        raise ValidationError({"day_of_month": _("Give a day of the month from 1 to 31.")})
    slots = compliance.rollup(org, window, today=today, only_org=True, by_requirement=True, by_span=True, group="org")
    created: list[Event] = []
    for (_org_id, key, index), tally in sorted(slots.items(), key=lambda item: (item[0][2], item[0][1])):
        req = rules.REQUIREMENT_BY_KEY[key]
        span = rules.spans_in(window, req.period)[index]
        planned = Event.objects.filter(
            organization=org, kind=req.event_kind, state=EventState.PLANNED, held_on__range=(span.start, span.end)
        )
        if req.lecturer_kind:  # L5: only the secretary's own lessons make the secretary's
            planned = planned.filter(lecturer_kind=req.lecturer_kind)
        planned_count = planned.count()
        last = calendar.monthrange(span.start.year, span.start.month)[1]
        day = span.start.replace(day=min(day_of_month, last))
        if day < today:  # a period already running: plan from today, never in the past
            if span.end < today:
                continue
            day = today
        for _n in range(max(tally.required - tally.held - planned_count, 0)):
            event = Event(
                organization=org,
                kind=req.event_kind,
                state=EventState.PLANNED,
                held_on=day,
                topic=str(req.label),
                lecturer_kind=req.lecturer_kind,
            )
            if req.event_kind == EventKind.GROUP_MEETING:
                # One meeting per group without a meeting planned or held in the span.
                busy = (
                    Event.objects.filter(organization=org, kind=req.event_kind, held_on__range=(span.start, span.end))
                    .exclude(state=EventState.CANCELLED)
                    .values("party_group_id")
                )
                group = org.party_groups.exclude(pk__in=busy).first()
                if group is None:
                    continue
                event.party_group = group
            create_event(event, actor=actor)
            created.append(event)
    return created


# --- Requirement overrides -------------------------------------------------------------------


@transaction.atomic
def set_override(override: RequirementOverride, *, actor: Any) -> RequirementOverride:
    """Record a requirement override (an organization's or a sector's own count). Periods
    of overrides of the same requirement and target may not overlap."""
    # Requirements are configuration: an organization administrator (or higher) sets
    # them, never the secretary of the organization they would exempt.
    if actor is not None and not can(actor, Organization, Action.ADD):
        raise PermissionDenied(_("Only an organization administrator sets requirement overrides."))
    if override.key not in rules.REQUIREMENT_BY_KEY:
        raise ValidationError({"key": _("Unknown requirement.")})
    override.full_clean(exclude=["set_by"])
    same = RequirementOverride.objects.filter(
        key=override.key, organization=override.organization, sector=override.sector, org_kind=override.org_kind
    ).exclude(pk=override.pk)
    end = override.valid_to or dt.date.max
    clash = same.filter(valid_from__lte=end).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=override.valid_from))
    if clash.exists():
        raise ValidationError({"valid_from": _("Another override of this requirement covers part of this period.")})
    override.set_by = actor
    before = audit.snapshot(RequirementOverride.objects.get(pk=override.pk)) if override.pk else {}
    override.save()
    audit.record(actor, "update" if before else "create", override, before=before)
    if override.organization_id is None:
        if actor is not None and not getattr(actor, "sees_everything", False):
            raise OutOfScope
    else:
        ensure_in_scope(actor, override, Action.CHANGE)
    return override


@transaction.atomic
def remove_override(override: RequirementOverride, *, actor: Any) -> None:
    if override.organization_id is None:
        if actor is not None and not getattr(actor, "sees_everything", False):
            raise OutOfScope
    else:
        ensure_in_scope(actor, override, Action.DELETE)
    before = audit.snapshot(override)
    override.delete()
    audit.record(actor, "delete", override, before=before)
