"""Choices of the organization tree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    """Level of a party organization (O1-O5). A joint branch is a branch covering
    several units; a party group (党小组) is kept inside its branch (see PartyGroup)."""

    LEADING_COMMITTEE = "leading_committee", _("Party committee (county level and above)")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")


class Sector(models.TextChoices):
    """Field of the units an organization covers (party statistics categories)."""

    GOVERNMENT_ORGAN = "government_organ", _("Government organ")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise", _("State-owned enterprise")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    TOWNSHIP = "township", _("Township or subdistrict")
    OTHER = "other", _("Other or mixed")


# The "two new" organizations (rules.md, X): new economic and new social organizations.
TWO_NEW_SECTORS = frozenset({Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION})

# Kinds that elect a committee with a term (O7); a leading committee is elected by a
# congress above the grassroots and is out of this product's scope for terms.
KINDS_WITH_TERMS = frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH})

# Which kinds may sit under which (a branch may sit directly under a grassroots committee).
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    OrgKind.LEADING_COMMITTEE: frozenset(
        {OrgKind.LEADING_COMMITTEE, OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
    ),
    OrgKind.GRASSROOTS_COMMITTEE: frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BRANCH}),
    OrgKind.BRANCH: frozenset(),
}


class StructureWarning(models.TextChoices):
    """Structure warnings computed from rules O1-O8."""

    UNDERSIZED = "undersized", _("Fewer full members than a branch needs (O1)")
    OVERSIZED = "oversized", _("More members than a branch should have (O2)")
    TOO_MANY_UNITS = "too_many_units", _("Joint branch covers too many units (O1)")
    NO_COMMITTEE = "no_committee", _("Branch large enough for a committee has none (O3)")
    NO_SECRETARY = "no_secretary", _("No secretary (O3)")
    NO_TERM = "no_term", _("No term recorded (O7)")
    TERM_OVERDUE = "term_overdue", _("Term past its renewal date (O7, O8)")
    TERM_DUE_SOON = "term_due_soon", _("Term renewal due soon (O9)")
