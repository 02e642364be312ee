"""Every change to inspections. Each validates, writes atomically with an audit entry and
re-checks the scope. The inspecting side (planning, checklist, findings, verification)
needs a user covering the plan's organization; the owner of a rectification one covering
the owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.actions import create
from dangjian.core.scoping import ensure_in_scope, require_cover
from dangjian.inspections import rules
from dangjian.inspections.choices import Coverage, RectificationMove, RectificationState
from dangjian.inspections.models import Check, Finding, Plan, Rectification, RectificationEvent, Visit
from dangjian.inspections.rules import Side
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


def coverage(target: Organization, how: str) -> list[Organization]:
    """The organizations a new plan visits: ``target`` itself, its children, or every
    branch of its subtree (dissolved ones left out)."""
    alive = Organization.objects.filter(dissolved_on__isnull=True)
    if how == Coverage.CHILDREN:
        return list(Organization.objects.get_children(target).filter(dissolved_on__isnull=True).order_by("path"))
    if how == Coverage.BRANCHES:
        return list(alive.filter(path__startswith=target.path, kind=OrgKind.BRANCH).order_by("path"))
    return [target]


@transaction.atomic
def create_plan(
    organization: Organization,
    *,
    target: Organization,
    title: str,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    inspectors: str = "",
    focus: str = "",
    covering: str = Coverage.ROOT,
    checklist_from: Plan | None = None,
    actor: Any,
) -> Plan:
    """A plan of ``organization`` for organizations under ``target`` (in its subtree),
    with a visit for each organization ``covering`` names and a checklist copied from
    ``checklist_from`` or else from the rules (``rules.CHECKLIST``)."""
    require_cover(actor, organization)
    if not target.path.startswith(organization.path):
        raise ValidationError(
            {"target": _("Inspect %(org)s or an organization under it.") % {"org": organization.name}}
        )
    plan = create(
        actor,
        Plan(
            organization=organization,
            target=target,
            title=title.strip(),
            year=year,
            starts_on=starts_on,
            ends_on=ends_on,
            inspectors=inspectors.strip(),
            focus=focus.strip(),
        ),
    )
    organizations = coverage(target, covering)
    if not organizations:
        raise ValidationError({"covering": _("There is no such organization under %(org)s.") % {"org": target.name}})
    for org in organizations:
        create(actor, Visit(plan=plan, organization=org))
    if checklist_from is not None:
        if checklist_from.organization_id != organization.pk:
            raise ValidationError({"checklist_from": _("Copy the checklist of one of this organization's plans.")})
        source = [(c.rule, c.text) for c in checklist_from.checks.all()]
    else:
        source = [(c.rule, str(c.text)) for c in rules.CHECKLIST]
    for position, (rule, text) in enumerate(source, start=1):
        create(actor, Check(plan=plan, rule=rule, text=text, position=position))
    return plan


@transaction.atomic
def add_visit(plan: Plan, *, organization: Organization, actor: Any) -> Visit:
    require_cover(actor, plan.organization)
    if not organization.path.startswith(plan.target.path):
        raise ValidationError(
            {"organization": _("Inspect %(org)s or an organization under it.") % {"org": plan.target.name}}
        )
    if plan.visits.filter(organization=organization).exists():
        raise ValidationError({"organization": _("%(org)s is already in the plan.") % {"org": organization.name}})
    return create(actor, Visit(plan=plan, organization=organization))


@transaction.atomic
def add_check(plan: Plan, *, rule: str, text: str, actor: Any) -> Check:
    require_cover(actor, plan.organization)
    position = (plan.checks.aggregate(m=Max("position"))["m"] or 0) + 1
    return create(actor, Check(plan=plan, rule=rule.strip().upper(), text=text.strip(), position=position))


@transaction.atomic
def change_check(check: Check, *, rule: str, text: str, actor: Any) -> Check:
    require_cover(actor, check.plan.organization)
    before = audit.snapshot(check)
    check.rule, check.text = rule.strip().upper(), text.strip()
    check.full_clean()
    check.save()
    audit.record(actor, "update", check, before=before)
    ensure_in_scope(actor, check, Action.CHANGE)
    return check


@transaction.atomic
def remove_check(check: Check, *, actor: Any) -> None:
    require_cover(actor, check.plan.organization)
    ensure_in_scope(actor, check, Action.CHANGE)
    if check.findings.exists():
        raise ValidationError(_("Findings were recorded against this checklist item; it stays."))
    audit.record(actor, "delete", check, before=audit.snapshot(check))
    check.delete()


@transaction.atomic
def record_visit(visit: Visit, *, inspected_on: dt.date, summary: str, actor: Any) -> Visit:
    """The day of the inspection and its conclusion."""
    require_cover(actor, visit.plan.organization)
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("The date is in the future.")})
    if inspected_on < visit.plan.starts_on:
        raise ValidationError(
            {"inspected_on": _("The inspection starts on %(day)s.") % {"day": visit.plan.starts_on.isoformat()}}
        )
    before = audit.snapshot(visit)
    visit.inspected_on, visit.summary = inspected_on, summary.strip()
    visit.full_clean()
    visit.save()
    audit.record(actor, "update", visit, before=before)
    ensure_in_scope(actor, visit, Action.CHANGE)
    return visit


@transaction.atomic
def record_finding(
    visit: Visit,
    *,
    text: str,
    found_on: dt.date,
    check: Check | None = None,
    signal: str = "",
    signal_text: str = "",
    rectify: bool = True,
    task: str = "",
    owner: Organization | None = None,
    post: str = "secretary",
    deadline: dt.date | None = None,
    actor: Any,
) -> Finding:
    """A finding at ``visit``'s organization; with ``rectify``, the rectification the owner
    (the inspected organization or one under it) must make by ``deadline`` (by default
    ``INSP.rectification_days`` after the finding)."""
    require_cover(actor, visit.plan.organization)
    if check is not None and check.plan_id != visit.plan_id:
        raise ValidationError({"check": _("Choose an item of this plan's checklist.")})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("The date is in the future.")})
    # Found during the inspection, as the inspection itself is dated (``record_visit``):
    # a finding dated earlier would give a rectification already overdue when recorded.
    if found_on < visit.plan.starts_on:
        raise ValidationError(
            {"found_on": _("The inspection starts on %(day)s.") % {"day": visit.plan.starts_on.isoformat()}}
        )
    finding = create(
        actor,
        Finding(
            visit=visit,
            check_item=check,
            text=text.strip(),
            signal=signal.strip(),
            signal_text=signal_text.strip()[:300],
            found_on=found_on,
        ),
    )
    if rectify:
        owner = owner or visit.organization
        if not owner.path.startswith(visit.organization.path):
            raise ValidationError(
                {
                    "owner": _("The rectification is for %(org)s or an organization under it.")
                    % {"org": visit.organization.name}
                }
            )
        deadline = deadline or found_on + dt.timedelta(days=rules.value_of_days(found_on))
        if deadline < found_on:
            raise ValidationError({"deadline": _("The deadline is on or after the day of the finding.")})
        rectification = create(
            actor,
            Rectification(finding=finding, owner=owner, post=post, task=(task or text).strip(), deadline=deadline),
        )
        _event(rectification, RectificationMove.ASSIGN, actor, found_on)
    return finding


def side_of(actor: Any, rectification: Rectification, move: RectificationMove) -> Side:
    side = rules.TRANSITIONS[move].side if move in rules.TRANSITIONS else Side.INSPECTOR
    inspecting = rectification.finding.visit.plan.organization
    require_cover(actor, inspecting if side == Side.INSPECTOR else rectification.owner)
    return side


@transaction.atomic
def make_move(
    rectification: Rectification,
    move: RectificationMove,
    *,
    actor: Any,
    on: dt.date | None = None,
    text: str = "",
    evidence: Any = None,
) -> RectificationEvent:
    """The owner reports progress or the rectification done (with evidence); the
    inspecting side verifies it closed or returns it with the reason."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    side = side_of(actor, rectification, move)
    on = on or timezone.localdate()
    if not rules.allowed(rectification.state, move, side):
        raise ValidationError(
            _("“%(move)s” is not possible while the rectification is “%(state)s”.")
            % {"move": RectificationMove(move).label, "state": RectificationState(rectification.state).label}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    last = rectification.events.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise ValidationError(
            {"on": _("A move is dated on or after the previous one, %(day)s.") % {"day": last.isoformat()}}
        )
    if not text.strip():
        raise ValidationError({"text": _("Say what was done, or why.")})
    if move == RectificationMove.VERIFY and actor is not None:
        reporter = rectification.events.filter(move=RectificationMove.REPORT).order_by("-on", "-id").first()
        if reporter is not None and reporter.by_id == actor.pk:
            raise ValidationError(_("A rectification is verified by someone other than who reported it."))
    before = audit.snapshot(rectification)
    rectification.state = rules.after(rectification.state, move)
    if move == RectificationMove.REPORT:
        rectification.reported_on = on
    elif move == RectificationMove.VERIFY:
        rectification.verified_on = on
    rectification.save()
    audit.record(actor, "update", rectification, before=before)
    event = _event(
        rectification,
        move,
        actor,
        on,
        text=text.strip(),
        evidence=evidence if move in (RectificationMove.PROGRESS, RectificationMove.REPORT) else None,
    )
    ensure_in_scope(actor, rectification, Action.CHANGE)
    return event


def _event(rectification: Rectification, move: RectificationMove, actor: Any, on: dt.date, **fields: Any) -> Any:
    evidence = fields.pop("evidence", None)
    event = RectificationEvent(rectification=rectification, move=move, on=on, by=actor, **fields)
    if evidence:
        event.evidence = evidence
    event.full_clean()
    event.save()
    audit.record(actor, "create", event, before={})
    return event
