"""Choices of the responsibility system: the states of a work item through the four links
of responsibility (determined, performed, assessed, pursued) and the accountability
measures."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ListState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ItemState(models.TextChoices):
    """Where an item stands. *Determined*: assigned, then acknowledged by the owner;
    *performed*: reported done; *assessed*: accepted with a score, or returned; *pursued*:
    failed, with an accountability record."""

    ASSIGNED = "assigned", _("Assigned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPORTED = "reported", _("Reported done")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", pgettext_lazy("work item", "Accepted")
    FAILED = "failed", _("Failed")
    PURSUED = "pursued", _("Accountability pursued")


class Move(models.TextChoices):
    """What someone does to an item; each is a row of its history."""

    ASSIGN = "assign", _("Assigned")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    PROGRESS = "progress", _("Progress reported")
    REPORT = "report", _("Reported done")
    ACCEPT = "accept", pgettext_lazy("work item", "Accepted")
    RETURN = "return", _("Returned")
    FAIL = "fail", _("Found failed")
    PURSUE = "pursue", _("Accountability recorded")


class Measure(models.TextChoices):
    """Accountability measures, from the mildest."""

    TALK = "talk", _("Reminder talk")
    CRITICISM = "criticism", _("Criticism and education")
    WRITTEN_CHECK = "written_check", _("Written self-criticism")
    NOTIFICATION = "notification", _("Notification")
    ADJUSTMENT = "adjustment", _("Organizational adjustment")


class ProjectState(models.TextChoices):
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class ProjectGrade(models.TextChoices):
    """The closing evaluation of a party-building project."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class DecisionKind(models.TextChoices):
    """ "Three majors and one big": what must be discussed by the party organization first."""

    MAJOR_DECISION = "major_decision", _("Major decision")
    APPOINTMENT = "appointment", _("Important appointment or removal")
    MAJOR_PROJECT = "major_project", _("Major project arrangement")
    LARGE_SUM = "large_sum", _("Use of a large sum")
