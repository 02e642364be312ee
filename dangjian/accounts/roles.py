"""Roles and what each may do: the single permission table of the product.

An account has one role and one scope (an organization subtree). The role says which
actions are allowed on which area (app label); the scope says on which objects.
``dangjian.core.scoping`` combines both; nothing else checks permissions.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    MEMBER = "member", _("Member")
    INSTRUCTOR = "instructor", _("Party-building instructor")
    INSPECTOR = "inspector", _("Inspector")


class Action(StrEnum):
    """What a user wants to do with an object or a list of objects."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    VIEW_SENSITIVE = "view_sensitive"  # ID numbers and phones in full
    EXPORT = "export"
    IMPORT = "import"
    OVERRIDE = "override"  # record something a rule forbids, with a written reason


class ScopeMode(StrEnum):
    SUBTREE = "subtree"  # everything under the account's scope organization
    SELF = "self"  # only the member record linked to the account


_ALL = frozenset(Action)
_READ = frozenset({Action.VIEW, Action.EXPORT})

# role -> area (app label) -> allowed actions. "core" covers the audit trail.
GRANTS: dict[str, dict[str, frozenset[Action]]] = {
    Role.PLATFORM_ADMIN: {
        "orgs": _ALL,
        "members": _ALL,
        "accounts": _ALL,
        "core": _ALL,
        "orglife": _ALL,
        "development": _ALL,
        "dues": _ALL,
        "duties": _ALL,
        "inspections": _ALL,
        "assessment": _ALL,
        "evaluation": _ALL,
    },
    Role.ORG_ADMIN: {
        "orgs": _ALL,
        "members": _ALL,
        "accounts": _ALL,
        "core": _READ,
        "orglife": _ALL,
        "development": _ALL,
        "dues": _ALL,
        "duties": _ALL,
        "inspections": _ALL,
        "assessment": _ALL,
        "evaluation": _ALL,
    },
    Role.BRANCH_SECRETARY: {
        # A secretary keeps their own organization's committee, terms and party groups
        # up to date but does not create or remove organizations.
        "orgs": frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT}),
        "members": _ALL - {Action.DELETE, Action.OVERRIDE},
        "core": _READ,
        # Records the organization's meetings, attendance and votes; cannot delete them.
        "orglife": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Records the steps of development; a step that breaks a rule needs an
        # administrator's override (D).
        "development": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Sets the members' dues standards and records their payments, from sheets too.
        "dues": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT, Action.IMPORT}),
        # Publishes the branch's own work list, reports on the items assigned to it.
        "duties": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Inspects its own subtree, reports the rectifications of its organization.
        "inspections": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Sees its organization's draft scores and results, appeals; scores where it is an
        # assessor of its own subtree.
        "assessment": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Runs the branch's democratic evaluation of members and the follow-up (L8, V1-V3).
        "evaluation": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
    },
    # A member sees the events of their own organization and their own attendance.
    Role.MEMBER: {
        "orgs": frozenset({Action.VIEW}),
        "members": frozenset({Action.VIEW}),
        "orglife": frozenset({Action.VIEW}),
        "dues": frozenset({Action.VIEW}),  # their own standard and payments
        # Their own evaluation; they hand in their self-evaluation.
        "evaluation": frozenset({Action.VIEW, Action.ADD}),
    },
    # Instructors guide development in "two new" units; inspectors check it.
    Role.INSTRUCTOR: {"orgs": _READ, "members": _READ, "orglife": _READ, "development": _READ},
    Role.INSPECTOR: {
        "orgs": _READ,
        "members": _READ,
        "core": _READ,
        "orglife": _READ,
        "development": _READ,
        "dues": _READ,
        "duties": _READ,
        # Plans inspections, records findings and verifies rectifications.
        "inspections": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        # Scores the manual indicators of assessment rounds as an assessor.
        "assessment": frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
        "evaluation": _READ,
    },
}

SCOPE_MODE: dict[str, ScopeMode] = {role: ScopeMode.SUBTREE for role in Role}
SCOPE_MODE[Role.MEMBER] = ScopeMode.SELF

# Roles an account of the given role may hand out (user management stays below oneself).
ASSIGNABLE: dict[str, frozenset[str]] = {
    Role.PLATFORM_ADMIN: frozenset(Role),
    Role.ORG_ADMIN: frozenset(Role) - {Role.PLATFORM_ADMIN},
}


def allows(role: str, area: str, action: Action | str) -> bool:
    """Whether ``role`` may perform ``action`` in ``area`` at all (scope aside)."""
    return Action(action) in GRANTS.get(role, {}).get(area, frozenset())


def scope_mode(role: str) -> ScopeMode:
    return SCOPE_MODE.get(role, ScopeMode.SELF)
