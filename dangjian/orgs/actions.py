"""Every change to the organization tree: organizations, units, terms, party groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.scoping import ensure_in_scope
from dangjian.orgs import figures, rules
from dangjian.orgs.choices import ALLOWED_CHILDREN, KINDS_WITH_TERMS, OrgKind
from dangjian.orgs.models import Organization, PartyGroup, Term, Unit


def _check_placement(kind: str, parent: Organization | None) -> None:
    if parent is None:
        if kind != OrgKind.LEADING_COMMITTEE:
            raise ValidationError({"parent": _("Only a leading committee can be a root.")})
        return
    if kind not in ALLOWED_CHILDREN.get(parent.kind, frozenset()):
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot sit under a %(parent)s.")
                % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
            }
        )


@transaction.atomic
def create_organization(org: Organization, *, parent: Organization | None, actor: Any) -> Organization:
    """Add ``org`` (unsaved, fields set) under ``parent`` (or as a root)."""
    _check_placement(org.kind, parent)
    org.full_clean(exclude=["path", "depth", "numchild"])
    manager = Organization.objects
    org = manager.add_child(parent, instance=org) if parent else manager.add_root(instance=org)
    audit.record(actor, "create", org, before={})
    ensure_in_scope(actor, org, Action.ADD)
    return org


@transaction.atomic
def update_organization(org: Organization, *, actor: Any, before: dict[str, Any]) -> Organization:
    """Save edits to an organization's own fields (not its place in the tree)."""
    parent = Organization.objects.get_parent(org)
    _check_placement(org.kind, parent)
    if org.kind != OrgKind.BRANCH and org.members.exists():
        raise ValidationError({"kind": _("Members belong to branches: this organization has members.")})
    bad_child = Organization.objects.get_children(org).exclude(kind__in=ALLOWED_CHILDREN.get(org.kind, ())).first()
    if bad_child:
        raise ValidationError(
            {"kind": _("%(child)s cannot sit under this kind of organization.") % {"child": bad_child}}
        )
    org.full_clean(exclude=["path", "depth", "numchild"])
    org.save()
    audit.record(actor, "update", org, before=before)
    ensure_in_scope(actor, org, Action.CHANGE)
    return org


@transaction.atomic
def record_election(
    org: Organization,
    *,
    elected_on: dt.date,
    years: int | None,
    note: str = "",
    actor: Any,
) -> Term:
    """Record the election of a new committee, which ends the current term (O7).

    ``years`` defaults to the term length the rules give for the organization's kind
    and sector; the renewal date is derived from it.
    """
    if org.kind not in KINDS_WITH_TERMS:
        raise ValidationError(_("This kind of organization has no term recorded here."))
    years = years or rules.default_term_years(org.kind, org.sector, elected_on)
    current = Term.objects.select_for_update().filter(organization=org, ended_on__isnull=True).first()
    problems = rules.check_term(
        elected_on=elected_on,
        years=years,
        today=timezone.localdate(),
        previous_elected_on=current.elected_on if current else None,
    )
    if problems:
        raise ValidationError({p.field: p.message for p in problems})
    if current:
        before = audit.snapshot(current)
        current.ended_on = elected_on
        current.save()
        audit.record(actor, "update", current, before=before)
    term = Term(
        organization=org,
        elected_on=elected_on,
        years=years,
        due_on=rules.term_due_on(elected_on, years),
        note=note,
    )
    term.full_clean()
    term.save()
    figures.refresh([org.pk])
    audit.record(actor, "create", term, before={})
    ensure_in_scope(actor, org, Action.CHANGE)
    return term


@transaction.atomic
def postpone_renewal(term: Term, *, postponed_to: dt.date, approval: str, actor: Any) -> Term:
    """Record an approved delay of the renewal (O8: higher approval, generally ≤1 year)."""
    if term.ended_on:
        raise ValidationError(_("Only the current term can be postponed."))
    if not approval.strip():
        raise ValidationError({"postponement_approval": _("Say who approved the delay (O8).")})
    problems = rules.check_term(
        elected_on=term.elected_on,
        years=term.years,
        today=timezone.localdate(),
        postponed_to=postponed_to,
    )
    if problems:
        raise ValidationError({p.field: p.message for p in problems})
    before = audit.snapshot(term)
    term.postponed_to = postponed_to
    term.postponement_approval = approval.strip()
    term.save()
    figures.refresh([term.organization_id])
    audit.record(actor, "update", term, before=before)
    ensure_in_scope(actor, term, Action.CHANGE)
    return term


@transaction.atomic
def add_unit(unit: Unit, *, actor: Any) -> Unit:
    unit.full_clean()
    unit.save()
    figures.refresh([unit.organization_id])
    audit.record(actor, "create", unit, before={})
    ensure_in_scope(actor, unit, Action.CHANGE)
    return unit


@transaction.atomic
def remove_unit(unit: Unit, *, actor: Any) -> None:
    audit.record(actor, "delete", unit, changes=audit.diff(audit.snapshot(unit), {}))
    ensure_in_scope(actor, unit, Action.CHANGE)
    unit.delete()
    figures.refresh([unit.organization_id])


@transaction.atomic
def add_party_group(group: PartyGroup, *, actor: Any) -> PartyGroup:
    if group.organization.kind != OrgKind.BRANCH:
        raise ValidationError(_("Party groups are formed inside a branch (O6)."))
    group.full_clean()
    group.save()
    audit.record(actor, "create", group, before={})
    ensure_in_scope(actor, group, Action.CHANGE)
    return group
