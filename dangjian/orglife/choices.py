"""Choices of organizational life."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """The kinds of organizational life (rules L1-L9 and the democratic life meeting)."""

    GENERAL_MEETING = "general_meeting", _("Branch general membership meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LESSON = "party_lesson", _("Party lesson")
    THEME_DAY = "theme_day", _("Theme party day")
    LIFE_MEETING = "life_meeting", _("Organizational life meeting")
    DEMOCRATIC_LIFE_MEETING = "democratic_life_meeting", _("Democratic life meeting")
    DEMOCRATIC_EVALUATION = "democratic_evaluation", _("Democratic evaluation of members")
    HEART_TALK = "heart_talk", _("Heart-to-heart talk")


class Audience(models.TextChoices):
    """Who is expected at an event of a kind."""

    ALL_MEMBERS = "all_members", _("All members of the organization")
    COMMITTEE = "committee", _("Committee members")
    GROUP = "group", _("Members of the party group")
    CHOSEN = "chosen", _("The people taking part")


AUDIENCE: dict[str, Audience] = {
    EventKind.GENERAL_MEETING: Audience.ALL_MEMBERS,
    EventKind.COMMITTEE_MEETING: Audience.COMMITTEE,
    EventKind.GROUP_MEETING: Audience.GROUP,
    EventKind.PARTY_LESSON: Audience.ALL_MEMBERS,
    EventKind.THEME_DAY: Audience.ALL_MEMBERS,
    EventKind.LIFE_MEETING: Audience.ALL_MEMBERS,
    EventKind.DEMOCRATIC_LIFE_MEETING: Audience.COMMITTEE,
    EventKind.DEMOCRATIC_EVALUATION: Audience.ALL_MEMBERS,
    EventKind.HEART_TALK: Audience.CHOSEN,
}


class EventState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class LecturerKind(models.TextChoices):
    """Who gave a party lesson (L5: each committee secretary gives at least one a year)."""

    SECRETARY = "secretary", _("Secretary")
    LEADING_CADRE = "leading_cadre", _("Leading cadre")
    MEMBER = "member", _("Member")
    INVITED = "invited", _("Invited speaker")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")
    # D15: not counted among those due to attend (with the higher organization's approval).
    EXEMPT = "exempt", _("Not due to attend (D15)")


# Statuses that show a member keeps organizational life (S1 counts the others).
ENGAGED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.EXEMPT})


class VoteSubject(models.TextChoices):
    ADMISSION = "admission", _("Admission of a probationary member")
    FULL_MEMBERSHIP = "full_membership", _("Full membership")
    DISPOSAL = "disposal", _("Disposal of an unqualified member")
    OTHER = "other", _("Other resolution")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGN_IN_SHEET = "sign_in_sheet", _("Scanned sign-in sheet")
    DOCUMENT = "document", _("Document")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Status(models.TextChoices):
    """Red / yellow / green compliance of an organization (thresholds are figures)."""

    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Behind")
    RED = "red", _("Failing")
    NONE = "none", _("Nothing due yet")


class Signal(models.TextChoices):
    """Formalism signals flagged for the higher organization."""

    NO_MINUTES = "no_minutes", _("No minutes")
    SAME_MINUTES = "same_minutes", _("Minutes identical to another event")
    LOW_ATTENDANCE = "low_attendance", _("Attendance below the threshold")
    RECORDED_LATE = "recorded_late", _("Recorded long after it was held")


class DriftReason(models.TextChoices):
    NO_LIFE = "no_life", _("No organizational life for 6 months (S1)")
    LOST_CONTACT = "lost_contact", _("Lost contact for 6 months (S2)")
