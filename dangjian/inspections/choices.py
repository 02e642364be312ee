"""Choices of supervision and inspection: what the inspection covers and where a
rectification stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Coverage(models.TextChoices):
    """Which organizations of the inspected subtree a new plan visits."""

    ROOT = "root", _("The organization itself")
    CHILDREN = "children", _("Each organization directly under it")
    BRANCHES = "branches", _("Every branch of its subtree")


class RectificationState(models.TextChoices):
    OPEN = "open", _("To rectify")
    REPORTED = "reported", _("Rectification reported")
    RETURNED = "returned", pgettext_lazy("rectification", "Not accepted, redo")
    VERIFIED = "verified", _("Verified closed")


class RectificationMove(models.TextChoices):
    ASSIGN = "assign", _("Rectification required")
    PROGRESS = "progress", _("Progress reported")
    REPORT = "report", _("Rectification reported")
    RETURN = "return", pgettext_lazy("rectification", "Not accepted, redo")
    VERIFY = "verify", _("Verified closed")
