"""Every change to work lists and items. Each validates, writes atomically with the
item's history and an audit entry, and re-checks the scope. The issuer's moves need a
user covering the issuing organization; the owner's moves one covering the owner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.dates import add_months
from dangjian.core.scoping import ensure_in_scope, require_cover
from dangjian.duties import rules
from dangjian.duties.choices import ItemState, ListState, Move, ProjectState
from dangjian.duties.models import Decision, Item, ItemEvent, Milestone, Project, WorkList
from dangjian.duties.rules import Side
from dangjian.orgs.models import Organization


@transaction.atomic
def create_list(organization: Organization, *, year: int, title: str, actor: Any) -> WorkList:
    require_cover(actor, organization)
    work_list = WorkList(organization=organization, year=year, title=title.strip())
    work_list.full_clean()
    work_list.save()
    audit.record(actor, "create", work_list, before={})
    ensure_in_scope(actor, work_list, Action.ADD)
    return work_list


@transaction.atomic
def add_item(
    work_list: WorkList,
    *,
    assignee: Organization,
    title: str,
    deadline: dt.date,
    post: str = "secretary",
    requirements: str = "",
    quality_standard: str = "",
    max_score: Decimal = Decimal(10),
    parent: Item | None = None,
    actor: Any,
) -> Item:
    """An item of ``work_list`` for ``assignee`` (in the issuer's subtree); with
    ``parent``, a sub-item the parent's owner assigns further down its own subtree."""
    issuer = parent.assignee if parent is not None else work_list.organization
    require_cover(actor, issuer)
    if not assignee.path.startswith(issuer.path):
        raise ValidationError(
            {"assignee": _("Assign the item to %(org)s or an organization under it.") % {"org": issuer.name}}
        )
    if parent is not None:
        if parent.work_list_id != work_list.pk:
            raise ValidationError(_("A sub-item belongs to the list of its item."))
        if not rules.is_open(parent.state) or parent.state == ItemState.ASSIGNED:
            raise ValidationError(_("Acknowledge the item before splitting it, and split it while it is open."))
        if deadline > parent.deadline:
            raise ValidationError(
                {
                    "deadline": _("A sub-item is due by the item's deadline, %(day)s.")
                    % {"day": parent.deadline.isoformat()}
                }
            )
    item = Item(
        work_list=work_list,
        parent=parent,
        issuer=issuer,
        assignee=assignee,
        post=post,
        title=title.strip(),
        requirements=requirements,
        quality_standard=quality_standard,
        deadline=deadline,
        max_score=max_score,
    )
    item.full_clean()
    item.save()
    audit.record(actor, "create", item, before={})
    if work_list.state == ListState.PUBLISHED or parent is not None:
        _event(item, Move.ASSIGN, actor, timezone.localdate())
    ensure_in_scope(actor, item, Action.ADD)
    return item


@transaction.atomic
def publish(work_list: WorkList, *, actor: Any) -> WorkList:
    """Publish a draft: every item is assigned from today (its history starts)."""
    require_cover(actor, work_list.organization)
    if work_list.state != ListState.DRAFT:
        raise ValidationError(_("The list is already published."))
    items = list(work_list.items.filter(parent__isnull=True))
    if not items:
        raise ValidationError(_("Add the items before publishing the list."))
    before = audit.snapshot(work_list)
    today = timezone.localdate()
    work_list.state = ListState.PUBLISHED
    work_list.published_on = today
    work_list.save(update_fields=["state", "published_on", "updated_at"])
    audit.record(actor, "update", work_list, before=before)
    for item in items:
        _event(item, Move.ASSIGN, actor, today)
    ensure_in_scope(actor, work_list, Action.CHANGE)
    return work_list


@transaction.atomic
def copy_list(source: WorkList, *, organization: Organization, year: int, actor: Any) -> WorkList:
    """A new draft for ``year`` with the top-level items of ``source`` (from last year or a
    model list of another organization in scope), deadlines moved by the years between.
    Items assigned outside ``organization``'s subtree go to ``organization`` itself."""
    copy = create_list(organization, year=year, title=source.title, actor=actor)
    copy.copied_from = source
    copy.save(update_fields=["copied_from", "updated_at"])
    shift = (year - source.year) * 12
    for item in source.items.filter(parent__isnull=True).select_related("assignee").order_by("deadline", "id"):
        assignee = item.assignee if item.assignee.path.startswith(organization.path) else organization
        add_item(
            copy,
            assignee=assignee,
            title=item.title,
            deadline=add_months(item.deadline, shift),
            post=item.post,
            requirements=item.requirements,
            quality_standard=item.quality_standard,
            max_score=item.max_score,
            actor=actor,
        )
    return copy


def side_of(actor: Any, item: Item, move: Move) -> Side:
    """The side ``move`` needs, after checking the actor covers it."""
    side = rules.TRANSITIONS[move].side if move in rules.TRANSITIONS else Side.ISSUER
    require_cover(actor, item.issuer if side == Side.ISSUER else item.assignee)
    return side


@transaction.atomic
def make_move(
    item: Item,
    move: Move,
    *,
    actor: Any,
    on: dt.date | None = None,
    text: str = "",
    percent: int | None = None,
    score: Decimal | None = None,
    measure: str = "",
    decided_by: str = "",
    evidence: Any = None,
) -> ItemEvent:
    """Make ``move`` on ``item`` if the state machine (``rules``) allows it for the side of
    the actor; the item's state, progress and score follow, with the history."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    side = side_of(actor, item, move)
    on = on or timezone.localdate()
    if not rules.allowed(item.state, move, side):
        raise ValidationError(
            _("“%(move)s” is not possible while the item is “%(state)s”.")
            % {"move": Move(move).label, "state": ItemState(item.state).label}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if item.work_list.state != ListState.PUBLISHED:
        raise ValidationError(_("The list is a draft: publish it first."))
    last = item.events.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise ValidationError(
            {"on": _("A move is dated on or after the previous one, %(day)s.") % {"day": last.isoformat()}}
        )
    if move in rules.NEEDS_TEXT and not text.strip():
        raise ValidationError({"text": _("Say what was done, or why.")})
    if move == Move.PROGRESS and (percent is None or not 0 <= percent < 100):
        raise ValidationError({"percent": _("Progress is 0 to 99 percent; report the item done at 100.")})
    if move == Move.ACCEPT and (score is None or not 0 <= score <= item.max_score):
        raise ValidationError({"score": _("Score between 0 and %(max)s.") % {"max": item.max_score}})
    if move == Move.PURSUE and (not measure or not decided_by.strip()):
        raise ValidationError({"measure": _("Name the measure and who decided it.")})
    if move == Move.REPORT:
        open_children = [c.title for c in item.children.all() if c.state not in (ItemState.ACCEPTED,)]
        if open_children:
            raise ValidationError(_("Sub-items not yet accepted: %(items)s.") % {"items": "、".join(open_children)})
    before = audit.snapshot(item)
    item.state = rules.after(item.state, move)
    if move == Move.PROGRESS:
        item.percent = percent or 0
    elif move == Move.REPORT:
        item.percent, item.done_on = 100, on
    elif move == Move.ACCEPT:
        item.score = score
    elif move == Move.RETURN:
        item.percent, item.done_on = min(item.percent, 99), None
    item.save()
    audit.record(actor, "update", item, before=before)
    event = _event(
        item,
        move,
        actor,
        on,
        text=text.strip(),
        percent=percent if move == Move.PROGRESS else None,
        score=score if move == Move.ACCEPT else None,
        measure=measure if move == Move.PURSUE else "",
        decided_by=decided_by.strip() if move == Move.PURSUE else "",
        evidence=evidence if move in (Move.PROGRESS, Move.REPORT) else None,
    )
    ensure_in_scope(actor, item, Action.CHANGE)
    return event


def _event(item: Item, move: Move, actor: Any, on: dt.date, **fields: Any) -> ItemEvent:
    evidence = fields.pop("evidence", None)
    event = ItemEvent(item=item, move=move, on=on, by=actor, **fields)
    if evidence:
        event.evidence = evidence
    event.full_clean()
    event.save()
    audit.record(actor, "create", event, before={})
    return event


# --- party-building projects ---------------------------------------------------------


@transaction.atomic
def create_project(
    organization: Organization,
    *,
    title: str,
    goals: str,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: Decimal = Decimal(0),
    post: str = "secretary",
    actor: Any,
) -> Project:
    require_cover(actor, organization)
    project = Project(
        organization=organization,
        title=title.strip(),
        goals=goals.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        post=post,
    )
    project.full_clean()
    project.save()
    audit.record(actor, "create", project, before={})
    ensure_in_scope(actor, project, Action.ADD)
    return project


@transaction.atomic
def add_milestone(project: Project, *, title: str, due_on: dt.date, actor: Any) -> Milestone:
    require_cover(actor, project.organization)
    if project.state != ProjectState.RUNNING:
        raise ValidationError(_("The project is closed."))
    if not project.starts_on <= due_on <= project.ends_on:
        raise ValidationError(
            {
                "due_on": _("A milestone falls within the project, %(start)s to %(end)s.")
                % {"start": project.starts_on.isoformat(), "end": project.ends_on.isoformat()}
            }
        )
    milestone = Milestone(project=project, title=title.strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    audit.record(actor, "create", milestone, before={})
    ensure_in_scope(actor, milestone, Action.ADD)
    return milestone


@transaction.atomic
def complete_milestone(
    milestone: Milestone, *, done_on: dt.date, note: str, evidence: Any = None, actor: Any
) -> Milestone:
    require_cover(actor, milestone.project.organization)
    if milestone.done_on is not None:
        raise ValidationError(_("The milestone is already done."))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date is in the future.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was done, or why.")})
    before = audit.snapshot(milestone)
    milestone.done_on, milestone.note = done_on, note.strip()
    if evidence:
        milestone.evidence = evidence
    milestone.full_clean()
    milestone.save()
    audit.record(actor, "update", milestone, before=before)
    ensure_in_scope(actor, milestone, Action.CHANGE)
    return milestone


@transaction.atomic
def close_project(project: Project, *, closed_on: dt.date, grade: str, evaluation: str, actor: Any) -> Project:
    """The closing evaluation: by the organization above the project's (its own for a
    top-level one), with a grade and the reasons."""
    parent = Organization.objects.get_parent(project.organization)
    require_cover(actor, parent or project.organization)
    if project.state != ProjectState.RUNNING:
        raise ValidationError(_("The project is closed."))
    if not grade or not evaluation.strip():
        raise ValidationError({"evaluation": _("Give the grade and the evaluation.")})
    if closed_on > timezone.localdate() or closed_on < project.starts_on:
        raise ValidationError({"closed_on": _("Close on a day from the start to today.")})
    before = audit.snapshot(project)
    project.state, project.closed_on, project.grade, project.evaluation = (
        ProjectState.CLOSED,
        closed_on,
        grade,
        evaluation.strip(),
    )
    project.save()
    audit.record(actor, "update", project, before=before)
    ensure_in_scope(actor, project, Action.CHANGE)
    return project


# --- "three majors and one big" decisions --------------------------------------------

# The meetings at which the party organization discusses a decision first.
DISCUSSING_KINDS = ("committee_meeting", "general_meeting")


@transaction.atomic
def record_decision(
    organization: Organization,
    *,
    kind: str,
    title: str,
    decided_on: dt.date,
    meeting: str,
    prior_discussion: Any = None,
    participants: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstained: int | None = None,
    document: Any = None,
    actor: Any,
) -> Decision:
    """A decision with, if there was one, the meeting of ``organization``'s committee or
    general meeting that discussed it first: held, and on or before the decision."""
    require_cover(actor, organization)
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The date is in the future.")})
    if prior_discussion is not None:
        problems = []
        if prior_discussion.organization_id != organization.pk:
            problems.append(_("The discussion is a meeting of %(org)s.") % {"org": organization.name})
        if prior_discussion.kind not in DISCUSSING_KINDS or prior_discussion.state != "held":
            problems.append(_("Choose a committee meeting or general meeting that was held."))
        if prior_discussion.held_on > decided_on:
            problems.append(_("The party organization discusses a decision before it is taken."))
        if problems:
            raise ValidationError({"prior_discussion": problems})
    decision = Decision(
        organization=organization,
        kind=kind,
        title=title.strip(),
        decided_on=decided_on,
        meeting=meeting.strip(),
        prior_discussion=prior_discussion,
        participants=participants.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstained=votes_abstained,
    )
    if document:
        decision.document = document
    decision.full_clean()
    decision.save()
    audit.record(actor, "create", decision, before={})
    ensure_in_scope(actor, decision, Action.ADD)
    return decision
