"""Choices of assessment: what an indicator measures and how it is scored, the rounds of
a year, where a round and an appeal stand, and the consequences of the rankings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    """The two sides of the two-way assessment."""

    PARTY = "party", _("Party building")
    BUSINESS = "business", _("Administrative and business work")


class Method(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic, from the product's records")
    MANUAL = "manual", _("Scored by assessors")
    BONUS = "bonus", _("Bonus points")
    DEDUCTION = "deduction", _("Deductions")


class Combine(models.TextChoices):
    """How the scores of several assessors of one indicator are combined."""

    MEAN = "mean", _("Average")
    TRIMMED = "trimmed", _("Average without the highest and the lowest")


class Grading(models.TextChoices):
    BANDS = "bands", _("By score bands")
    QUOTAS = "quotas", _("By quotas of the group")


class SchemeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FROZEN = "frozen", _("Frozen: scoring has started")


class RoundKind(models.TextChoices):
    MID_YEAR = "mid_year", _("Mid-year")
    YEAR_END = "year_end", _("Year-end")


class RoundState(models.TextChoices):
    SCORING = "scoring", pgettext_lazy("assessment round", "Scoring")
    REVIEW = "review", _("Draft results: appeals open")
    PUBLISHED = "published", pgettext_lazy("assessment round", "Published")


class AppealState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("appeal", "Pending")
    UPHELD = "upheld", _("Upheld: scores corrected")
    DISMISSED = "dismissed", _("Dismissed")


class Position(models.TextChoices):
    """Where in a ranking a consequence rule looks."""

    BOTTOM = "bottom", _("Among the last")
    TOP = "top", _("Among the first")


class FollowUp(models.TextChoices):
    OPEN = "open", _("To follow up")
    DONE = "done", _("Done")


class PointSource(models.TextChoices):
    """Substantive records member points are counted from (never clicks, likes,
    check-ins or minutes on a screen)."""

    PRESENT = "orglife.present", _("Attended organizational life (recorded present)")
    ABSENT = "orglife.absent", _("Absent from organizational life without leave")
    DUES_ON_TIME = "dues.on_time", _("Dues of a month paid within the month")
    DUES_LATE = "dues.late", _("Dues of a month paid after the month")
    DUTIES = "duties.accepted", _("Responsibility items of one's post accepted")
    INTRODUCER = "development.contact", _("Cultivation contact or introducer of a candidate")
