"""Choices of the democratic evaluation of members: the grades (V1), the steps of a round
(L8) and where the follow-up of a lower grade stands (V2, V3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Grade(models.TextChoices):
    """Every grade a unit may use (V1); which of them are in use is the local figure
    ``V1.grades`` (some units use three)."""

    EXCELLENT = "excellent", pgettext_lazy("evaluation grade", "Excellent")
    QUALIFIED = "qualified", pgettext_lazy("evaluation grade", "Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", pgettext_lazy("evaluation grade", "Basically qualified")
    UNQUALIFIED = "unqualified", pgettext_lazy("evaluation grade", "Unqualified")


# Grades below "qualified": they call for a follow-up (V2).
LOWER_GRADES = frozenset({Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED})


class Step(models.TextChoices):
    """The steps of a round in the order of L8: self-evaluation → mutual evaluation →
    democratic rating → the branch committee or general meeting gives its opinion."""

    SELF = "self", _("Self-evaluation")
    MUTUAL = "mutual", _("Mutual evaluation")
    RATING = "rating", _("Democratic rating")
    DECISION = "decision", _("The branch's decision")
    DECIDED = "decided", _("Decided")


class FollowUpState(models.TextChoices):
    CORRECTING = "correcting", _("Correcting within the time limit")
    PERSUADING = "persuading", _("Persuaded to withdraw")
    CORRECTED = "corrected", pgettext_lazy("follow-up", "Corrected")
    NOT_CORRECTED = "not_corrected", pgettext_lazy("follow-up", "Not corrected")
    WITHDRAWN = "withdrawn", _("Withdrew from the Party")
    REMOVED = "removed", _("Removed from the Party")


class FollowUpMove(models.TextChoices):
    CORRECT = "correct", pgettext_lazy("follow-up", "Corrected")
    NOT_CORRECTED = "not_corrected", pgettext_lazy("follow-up", "Not corrected")
    PERSUADE = "persuade", _("Persuade to withdraw")
    WITHDRAW = "withdraw", _("Withdrew from the Party")
    REMOVE = "remove", _("Remove from the Party (V3)")
