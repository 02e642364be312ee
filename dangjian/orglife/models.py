"""Organizational life: events with attendance and votes, and requirement overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import ScopedModel
from dangjian.core.scoping import ScopedQuerySet
from dangjian.orglife.choices import (
    AttachmentKind,
    AttendanceStatus,
    EventKind,
    EventState,
    LecturerKind,
    VoteSubject,
)
from dangjian.orgs.choices import OrgKind, Sector


class EventQuerySet(ScopedQuerySet):
    def held(self) -> EventQuerySet:
        return self.filter(state=EventState.HELD)


class Event(ScopedModel):
    """One occasion of organizational life (a meeting, lesson, theme day or talk).

    Planned events become held when their record is entered; ``recorded_on`` is the day
    the record was entered as held, which decides whether the event counts on time or
    late for its period. The attendance counts are derived from the attendance rows by
    the actions (never typed) so compliance and formalism signals are indexed queries.
    """

    # A member sees the events of their own organization (upcoming ones and sign-in).
    scope_self: ClassVar[str | None] = "organization__members"
    audit_exclude: ClassVar[frozenset[str]] = frozenset(
        {
            "created_at",
            "updated_at",
            "minutes_digest",
            "expected_count",
            "present_count",
            "excused_count",
            "absent_count",
            "sign_in_code",
        }
    )

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=EventState.choices, default=EventState.PLANNED)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(
        "members.Member",
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_events",
    )
    topic = models.CharField(_("topic"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Formatted text; kept as sanitized HTML."))
    resolutions = models.TextField(_("resolutions"), blank=True)
    guests = models.TextField(
        _("non-members attending"), blank=True, help_text=_("Names and roles of people attending who are not members.")
    )
    guest_count = models.PositiveSmallIntegerField(_("number of non-members attending"), default=0)
    party_group = models.ForeignKey(
        "orgs.PartyGroup",
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    lecturer_kind = models.CharField(_("lecturer"), max_length=20, choices=LecturerKind.choices, blank=True)
    lecturer = models.ForeignKey(
        "members.Member",
        verbose_name=_("lecturer (member)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons_given",
    )
    lecturer_name = models.CharField(_("lecturer's name and position"), max_length=200, blank=True)
    includes_evaluation = models.BooleanField(
        _("includes the democratic evaluation of members"),
        default=False,
        help_text=_("An organizational life meeting may be combined with the democratic evaluation (L8)."),
    )
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    sign_in_code = models.CharField(_("sign-in code"), max_length=8, blank=True, editable=False)

    # Derived by the actions from the attendance rows and the minutes.
    minutes_digest = models.CharField(_("minutes digest"), max_length=64, blank=True, editable=False)
    expected_count = models.PositiveIntegerField(_("members due to attend"), default=0, editable=False)
    present_count = models.PositiveIntegerField(_("present"), default=0, editable=False)
    excused_count = models.PositiveIntegerField(_("excused"), default=0, editable=False)
    absent_count = models.PositiveIntegerField(_("absent"), default=0, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "held_on"], name="event_org_date"),
            models.Index(fields=["held_on", "state"], name="event_date_state"),
            models.Index(fields=["minutes_digest"], name="event_minutes_digest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["held_on", "sign_in_code"],
                condition=~Q(sign_in_code=""),
                name="event_sign_in_code_per_day",
                violation_error_message=_("This sign-in code is already used on that day."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                name="event_cancel_has_reason",
                violation_error_message=_("Give the reason for cancelling."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}: {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("orglife:detail", args=[self.pk])

    @property
    def is_held(self) -> bool:
        return self.state == EventState.HELD

    def window(self, before: dt.timedelta, after: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
        """When members may sign in: from ``before`` ahead of the start to ``after`` past
        the end (the whole day when no times are set), in the organization's time zone."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.held_on, self.starts_at or dt.time(0, 0), zone)
        end = dt.datetime.combine(self.held_on, self.ends_at or dt.time(23, 59, 59), zone)
        if self.starts_at:
            start -= before
        if self.ends_at:
            end += after
        return start, end

    @property
    def attendance_share(self) -> float | None:
        return self.present_count / self.expected_count if self.expected_count else None


class Attendance(ScopedModel):
    """Whether one member due to attend an event was there. ``voting`` records whether
    the member had a vote at the event's date (full members only, D13/D14, O10)."""

    scope_paths: ClassVar[tuple[str, ...]] = ("event__organization__path",)
    scope_self: ClassVar[str | None] = "member"

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    voting = models.BooleanField(_("has a vote"), default=False)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event", "member__name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                name="attendance_once_per_member",
                violation_error_message=_("This member is already on the attendance list."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["excused", "exempt"]) | ~Q(reason=""),
                name="attendance_excuse_has_reason",
                violation_error_message=_("Give the reason for the absence."),
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"

    def audit_organization(self) -> Any:
        return self.event.organization


class Vote(ScopedModel):
    """A vote taken at a branch general meeting. Validity (quorum D13, pass D14) is
    derived from the attendance and the counts by ``rules.vote_result`` and stored."""

    scope_paths: ClassVar[tuple[str, ...]] = ("event__organization__path",)

    event = models.ForeignKey(Event, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="votes")
    subject = models.CharField(_("subject"), max_length=20, choices=VoteSubject.choices)
    title = models.CharField(_("resolution"), max_length=200)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votes_about",
    )
    votes_for = models.PositiveIntegerField(_("votes for (present)"))
    votes_against = models.PositiveIntegerField(_("votes against (present)"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    written_for = models.PositiveIntegerField(
        _("written opinions for"), default=0, help_text=_("Written opinions of absent voting members (D14).")
    )
    written_against = models.PositiveIntegerField(_("written opinions against"), default=0)
    secret_ballot = models.BooleanField(_("secret ballot"), default=True)
    # Derived (rules.vote_result) from the meeting's attendance when recorded.
    voting_due = models.PositiveIntegerField(_("voting members due to attend"), default=0, editable=False)
    voting_present = models.PositiveIntegerField(_("voting members present"), default=0, editable=False)
    quorate = models.BooleanField(_("quorum reached"), default=False, editable=False)
    passed = models.BooleanField(_("passed"), default=False, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_organization(self) -> Any:
        return self.event.organization


def attachment_path(instance: EventAttachment, filename: str) -> str:
    return f"orglife/{instance.event.held_on:%Y/%m}/{filename}"


class EventAttachment(ScopedModel):
    """A photo, scanned sign-in sheet or document kept with an event. Served only
    through a scoped view, never as a public media URL."""

    scope_paths: ClassVar[tuple[str, ...]] = ("event__organization__path",)

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.description or self.file.name.rsplit("/", 1)[-1]

    def audit_organization(self) -> Any:
        return self.event.organization


class RequirementOverride(ScopedModel):
    """A different count for one requirement (L1-L9) for an organization, or for a sector
    (optionally one kind of organization in it), from a date on. The count replaces the
    regulation figure; 0 means not required. Organization entries win over sector ones.
    Sector entries have no organization and only a platform administrator sets them."""

    key = models.CharField(_("requirement"), max_length=40)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requirement_overrides",
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    org_kind = models.CharField(
        _("kind of organization"),
        max_length=30,
        choices=OrgKind.choices,
        blank=True,
        help_text=_("Leave blank for every kind the requirement applies to."),
    )
    count = models.PositiveSmallIntegerField(_("number required per period"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("reason or source"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("requirement override")
        verbose_name_plural = _("requirement overrides")
        ordering = ["key", "sector", "organization", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(sector="") & Q(org_kind=""))
                | (Q(organization__isnull=True) & ~Q(sector="")),
                name="override_org_or_sector",
                violation_error_message=_("Choose either one organization or a sector."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="override_valid_range",
                violation_error_message=_("The end date cannot come before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"
