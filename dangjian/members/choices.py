"""Choices of the member registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Status(models.TextChoices):
    """Party status. The first two are current members; the rest are end states kept
    in history (a record is never deleted)."""

    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMOVED = "removed", _("Removed from the Party")
    PROBATION_CANCELLED = "probation_cancelled", _("Probationary qualification cancelled")


ACTIVE_STATUSES = frozenset({Status.PROBATIONARY, Status.FULL})


class Transition(models.TextChoices):
    """Explicit changes of a member's status or organization, kept as history."""

    ADMITTED = "admitted", _("Admitted as probationary member")
    REGISTERED = "registered", _("Registered (existing member entered)")
    MADE_FULL = "made_full", _("Made full member")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMOVED = "removed", _("Removed from the Party")
    PROBATION_CANCELLED = "probation_cancelled", _("Probationary qualification cancelled")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    UNDERGRADUATE = "undergraduate", _("University (bachelor)")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school")
    HIGH_SCHOOL = "high_school", _("Senior high school")
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    PRIMARY = "primary", _("Primary school or below")


class Occupation(models.TextChoices):
    """Occupation categories of the party statistics annual report (X)."""

    WORKER = "worker", _("Worker")
    FARMER = "farmer", _("Farmer, herdsman or fisherman")
    ENTERPRISE_PROFESSIONAL = "enterprise_professional", _("Professional or technical staff")
    ENTERPRISE_MANAGER = "enterprise_manager", _("Management staff of an enterprise or institution")
    ORGAN_STAFF = "organ_staff", _("Staff of a party or government organ")
    STUDENT = "student", _("Student")
    MILITARY = "military", _("Military or armed police")
    SELF_EMPLOYED = "self_employed", _("Self-employed or freelance")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    OTHER = "other", _("Other")


class PostKind(models.TextChoices):
    PARTY = "party", _("Party post")
    ADMINISTRATIVE = "administrative", _("Administrative post")


class PartyPost(models.TextChoices):
    """Posts in a party organization's committee (O3) and party groups (O6)."""

    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    PARTY_GROUP_LEADER = "party_group_leader", _("Party group leader")


COMMITTEE_POSTS = frozenset({PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY, PartyPost.COMMITTEE_MEMBER})


class Portfolio(models.TextChoices):
    ORGANIZATION = "organization", pgettext_lazy("portfolio", "Organization")
    PROPAGANDA = "propaganda", _("Propaganda")
    DISCIPLINE = "discipline", _("Discipline inspection")
    UNITED_FRONT = "united_front", _("United front")
    YOUTH = "youth", _("Youth work")
    WOMEN = "women", _("Women's work")
    MASS_WORK = "mass_work", _("Mass work")
    OTHER = "other", _("Other")


class TransferState(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


class TransferReason(models.TextChoices):
    """Why relations move (T1)."""

    WORK = "work", _("Change of work unit")
    RESIDENCE = "residence", _("Change of residence")
    AWAY = "away", _("Away six months or more at a fixed place")
    STUDY = "study", _("Study or graduation")
    OTHER = "other", _("Other")
