"""Choices of member development: the 25 steps of DevRules in five stages (rules.md D)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where a candidate is in the procedure. The five stages of DevRules, then full
    membership, or out of the procedure."""

    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    DEVELOPMENT_OBJECT = "development_object", _("Development object")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    ENDED = "ended", _("Left the procedure")


OPEN_STAGES = frozenset({Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_OBJECT, Stage.PROBATIONARY})


class StepKind(models.TextChoices):
    """The 25 numbered steps (D, stages I-V), plus the records between them: the public
    notice (D11), the extension of probation (D20) and leaving the procedure."""

    APPLICATION = "s01", _("1 Application letter submitted")
    TALK = "s02", _("2 Talk with the applicant")
    ACTIVIST = "s03", _("3 Determined as activist")
    ACTIVIST_FILED = "s04", _("4 Activist filed with the higher committee")
    CONTACTS = "s05", _("5 Cultivation contacts assigned")
    EXAMINATION = "s06", _("6 Cultivation and examination")
    DEVELOPMENT_OBJECT = "s07", _("7 Determined as development object")
    OBJECT_FILED = "s08", _("8 Development object filed with the higher committee")
    INTRODUCERS = "s09", _("9 Introducers determined")
    POLITICAL_REVIEW = "s10", _("10 Political review")
    TRAINING = "s11", _("11 Centralized training")
    BRANCH_REVIEW = "s12", _("12 Review by the branch committee")
    PRE_REVIEW = "s13", _("13 Pre-review by the higher committee")
    APPLICATION_FORM = "s14", _("14 Application form filled in")
    ADMISSION_VOTE = "s15", _("15 Branch general meeting: admission vote")
    APPROVAL_TALK = "s16", _("16 Talk by the higher committee")
    ADMISSION_APPROVAL = "s17", _("17 Admission approved by the higher committee")
    ADMISSION_FILED = "s18", _("18 Filed with the organization department")
    ASSIGNED = "s19", _("19 Assigned to a branch and party group")
    OATH = "s20", _("20 Oath taken")
    PROBATION_EXAMINATION = "s21", _("21 Education and examination in probation")
    FULL_APPLICATION = "s22", _("22 Application for full membership")
    FULL_VOTE = "s23", _("23 Branch general meeting: full-membership vote")
    FULL_APPROVAL = "s24", _("24 Full membership approved by the higher committee")
    ARCHIVED = "s25", _("25 File archived")
    NOTICE = "notice", _("Public notice")
    EXTENSION = "extension", _("Probation extended")
    ENDED = "ended", _("Left the procedure")


class Body(models.TextChoices):
    """Who decides or carries out a step."""

    BRANCH_COMMITTEE = "branch_committee", _("Branch committee")
    GENERAL_MEETING = "general_meeting", _("Branch general meeting")
    HIGHER_COMMITTEE = "higher_committee", _("Higher party committee")
    ORG_DEPARTMENT = "org_department", _("Organization department")
    BRANCH = "branch", _("The branch (persons named)")


class Recommendation(models.TextChoices):
    """How an applicant was put forward as activist (D3)."""

    MEMBERS = "members", _("Recommended by party members")
    MASS_ORGANIZATION = "mass_organization", _("Recommended by a mass organization")


class EndReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Withdrew the application")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    PROBATION_CANCELLED = "probation_cancelled", _("Probationary qualification cancelled (D20)")
    LEFT_UNIT = "left_unit", _("Left the unit (D18)")
    OTHER = "other", _("Other")


class DueState(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    WAITING = "waiting", _("Waiting")
    NONE = "none", _("Nothing due")
