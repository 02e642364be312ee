"""Choices of party dues: the member categories of the 2008 provisions (rules.md F)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuesCategory(models.TextChoices):
    """How a member's monthly dues are set (F1-F6)."""

    SALARY = "salary", _("On salary (F1)")
    ANNUAL_SALARY = "annual_salary", _("Annual-salary system (F2)")
    SELF_EMPLOYED = "self_employed", _("Self-employed (F3)")
    RETIRED = "retired", _("Retired (F4)")
    FARMER = "farmer", _("Farmer (F5)")
    LOW_INCOME = "low_income", _("Student, laid-off, unemployed or on relief (F6)")


# Categories whose dues are a rate of an income base, and the figure of their brackets.
RATED = frozenset({DuesCategory.SALARY, DuesCategory.ANNUAL_SALARY, DuesCategory.SELF_EMPLOYED, DuesCategory.RETIRED})


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank or mobile transfer")
    PAYROLL = "payroll", _("Payroll deduction")


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("Monthly dues")
    VOLUNTARY = "voluntary", _("Voluntary payment (F10)")


class FundSource(models.TextChoices):
    """Where party-building funds come from."""

    HIGHER = "higher", _("Allocation from the higher organization")
    BUDGET = "budget", _("Unit's budget (management fees)")
    RETURNED_DUES = "returned_dues", _("Returned party dues")
    OTHER = "other", _("Other income")


class FundCategory(models.TextChoices):
    """What party-building funds are spent on."""

    TRAINING = "training", _("Education and training")
    ACTIVITIES = "activities", _("Organizational life and activities")
    MATERIALS = "materials", _("Education materials and publications")
    ASSISTANCE = "assistance", _("Assistance to members in difficulty")
    COMMENDATION = "commendation", _("Commendation of advanced members and organizations")
    PREMISES = "premises", _("Activity premises and equipment")
    OTHER = "other", _("Other party-building work")


class FundState(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# Entries that count in a balance.
COUNTED_STATES = (FundState.RECORDED, FundState.APPROVED)
