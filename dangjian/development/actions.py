"""Every change to member development. Views, the API, the demo and tests all call these:
each checks the step against ``rules`` (D1-D25), writes atomically, records the audit
entry and re-checks the scope. Admission and full membership write the member registry
through ``members.actions``: one record per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.scoping import can, ensure_in_scope
from dangjian.development import queries, rules
from dangjian.development.choices import OPEN_STAGES, EndReason, Stage, StepKind
from dangjian.development.models import Candidate, Plan, Quota, Step, StepDocument
from dangjian.members import actions as member_actions
from dangjian.members.choices import ACTIVE_STATUSES, Status, Transition
from dangjian.members.models import Member
from dangjian.orglife import actions as orglife_actions
from dangjian.orglife.choices import VoteSubject
from dangjian.orglife.models import Vote
from dangjian.orgs.choices import OrgKind


class RuleViolation(ValidationError):
    """A step breaks rules; ``problems`` says which. An administrator may record it
    anyway with a written reason (``override_reason``)."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems])


@transaction.atomic
def register_candidate(
    candidate: Candidate, *, applied_on: dt.date, actor: Any, override_reason: str = ""
) -> Candidate:
    """Save a new candidate (unsaved, personal data set) and record step 1, the
    application letter of ``applied_on`` (D1 is checked on it)."""
    if candidate.organization.kind != OrgKind.BRANCH:
        raise ValidationError(
            {
                "organization": _("Candidates are developed by a party branch; %(org)s is not one.")
                % {"org": candidate.organization}
            }
        )
    candidate.set_name(candidate.name)
    problems = candidate.identity_problems(timezone.localdate())
    if problems:
        raise ValidationError(problems)
    _refuse_member(candidate)
    candidate.stage = Stage.APPLICANT
    candidate.full_clean()
    candidate.save()
    audit.record(actor, "create", candidate, before={})
    record_step(
        Step(candidate=candidate, kind=StepKind.APPLICATION, on=applied_on),
        actor=actor,
        override_reason=override_reason,
    )
    ensure_in_scope(actor, candidate, Action.ADD)
    candidate.refresh_from_db()
    return candidate


def _refuse_member(candidate: Candidate) -> None:
    """One record per person: someone in the member registry is not a candidate (a former
    member's return is a matter for the registry, not this procedure)."""
    status = Member.objects.filter(id_number_digest=candidate.id_number_digest).values_list("status", flat=True).first()
    if status in ACTIVE_STATUSES:
        raise ValidationError({"id_number": _("This person is already a party member.")})
    if status:
        raise ValidationError(
            {
                "id_number": _("This person has a record in the member registry (%(status)s).")
                % {"status": Status(status).label}
            }
        )


@transaction.atomic
def update_candidate(candidate: Candidate, *, actor: Any, before: dict[str, Any]) -> Candidate:
    """Save edits to a candidate's personal data (the branch is fixed: a candidate who
    moves applies again where they go). After admission the member record is the one
    to edit."""
    original = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if original.organization_id != candidate.organization_id:
        raise ValidationError({"organization": _("A candidate stays with the branch that develops them.")})
    if original.member_id:
        raise ValidationError(_("The candidate has been admitted: edit the member record instead."))
    candidate.set_name(candidate.name)
    problems = candidate.identity_problems(timezone.localdate())
    if problems:
        raise ValidationError(problems)
    if candidate.id_number_digest != original.id_number_digest:
        _refuse_member(candidate)
    candidate.full_clean()
    candidate.save()
    audit.record(actor, "update", candidate, before=before)
    ensure_in_scope(actor, candidate, Action.CHANGE)
    return candidate


def _vote_for(step: Step, candidate: Candidate, counts: dict[str, int] | None, actor: Any) -> tuple[Any, ...]:
    """Record the vote of a step 15 or 23 at its branch general meeting through
    ``orglife`` (quorum and pass computed from the meeting's attendance, D13, D14, D21);
    the reasons it failed, if it did."""
    if step.event is None:
        raise ValidationError({"event": _("Choose the branch general meeting that voted (D13, D14).")})
    if step.event.organization_id != candidate.organization_id:
        raise ValidationError({"event": _("The meeting belongs to another organization.")})
    if counts is None:
        raise ValidationError({"votes_for": _("Enter the votes (D14).")})
    step.on = step.event.held_on
    admission = step.kind == StepKind.ADMISSION_VOTE
    vote = Vote(
        event=step.event,
        subject=VoteSubject.ADMISSION if admission else VoteSubject.FULL_MEMBERSHIP,
        title=(_("Admission of %(name)s") if admission else _("Full membership of %(name)s"))
        % {"name": candidate.name},
        member=None if admission else candidate.member,
        **counts,
    )
    result = orglife_actions.record_vote(vote, actor=actor)
    step.vote = vote
    return tuple(result.problems)


@transaction.atomic
def record_step(
    step: Step,
    *,
    actor: Any,
    people: Iterable[Member] = (),
    vote_counts: dict[str, int] | None = None,
    override_reason: str = "",
    today: dt.date | None = None,
) -> Step:
    """Record ``step`` (unsaved, candidate and fields set) after the candidate's history.

    Raises ``RuleViolation`` listing every rule it breaks, unless ``override_reason`` is
    given by someone allowed to override: then the step is recorded with the reason,
    the overriding user and the problems waived. Step 17 creates the member record
    (probationary, admitted on the vote's date), step 24 makes it full from the end of
    probation (D19), leaving the procedure during probation cancels it (D20)."""
    today = today or timezone.localdate()
    candidate = Candidate.objects.select_for_update().select_related("organization").get(pk=step.candidate_id)
    step.candidate = candidate
    people = list(dict.fromkeys(people))  # a person named twice counts once (D5, D8)
    if step.special_extension and not can(actor, Candidate, Action.OVERRIDE):
        raise PermissionDenied(_("Only an administrator records a special extension of the approval period (D17)."))
    vote_problems: tuple[Any, ...] = ()
    if step.kind in rules.VOTES:
        vote_problems = _vote_for(step, candidate, vote_counts, actor)
    if step.kind in rules.APPROVALS and step.decided_by is None:
        step.decided_by = queries.approving_committee(candidate.organization)
    candidate_fact = queries.candidate_fact(candidate, step.on)
    if not step.body:
        step.body = rules.default_body(step.kind, candidate_fact.has_committee, step.end_reason)
    history = queries.history(candidate)
    fact = queries.step_fact(step, queries.person_facts(people, step.on, candidate.organization), vote_problems)
    problems = rules.step_problems(history, fact, candidate_fact, today)
    if problems:
        if not override_reason.strip():
            raise RuleViolation(problems)
        if not _may_override(actor, candidate):
            raise PermissionDenied(
                _("Only an administrator of a higher organization can record a step against the rules.")
            )
        step.override_reason = override_reason.strip()
        step.overridden_problems = [{"rule": p.rule, "message": str(p)} for p in problems]
        step.overridden_by = actor if getattr(actor, "pk", None) else None
    step.full_clean(exclude=["vote"])
    step.save()
    step.people.set(people)
    audit.record(actor, "create", step, before={}, note=step.override_reason)
    _apply_to_registry(step, candidate, actor)
    refresh(candidate, today)
    ensure_in_scope(actor, step, Action.ADD)
    return step


def _may_override(actor: Any, candidate: Candidate) -> bool:
    """Administrators override, from above the branch (not the branch's own account)."""
    if not can(actor, Candidate, Action.OVERRIDE):
        return False
    if actor.role == Role.PLATFORM_ADMIN:
        return True
    scope = actor.scope_path or ""
    return bool(scope) and candidate.organization.path.startswith(scope) and candidate.organization.path != scope


def _apply_to_registry(step: Step, candidate: Candidate, actor: Any) -> None:
    """Admission, full membership and cancellation change the member registry."""
    if step.kind == StepKind.ADMISSION_APPROVAL:
        admission_vote = candidate.steps.filter(kind=StepKind.ADMISSION_VOTE).order_by("-on").first()
        member = Member(
            organization=candidate.organization,
            status=Status.PROBATIONARY,
            joined_on=admission_vote.on if admission_vote else step.on,
            **{field: getattr(candidate, field) for field in PERSON_FIELDS},
        )
        member_actions.register_member(
            member,
            actor=actor,
            transition=Transition.ADMITTED,
            reason=_("Admission approved on %(date)s (development step 17).") % {"date": step.on.isoformat()},
        )
        before = audit.snapshot(candidate)
        candidate.member = member
        candidate.save(update_fields=["member", "updated_at"])
        audit.record(actor, "update", candidate, before=before)
    elif step.kind in (StepKind.FULL_APPROVAL, StepKind.ARCHIVED) and candidate.member is None:
        # No override makes a full member of someone the registry never admitted.
        raise ValidationError(_("There is no member record: admission (step 17) was not approved here."))
    elif step.kind == StepKind.FULL_APPROVAL and candidate.member is not None:
        if candidate.member.status == Status.FULL:
            return  # already made full in the registry: the file follows it
        full_from = rules.full_member_from(rules.History(queries.history(candidate)))
        member_actions.record_transition(
            candidate.member,
            Transition.MADE_FULL,
            on=full_from or step.on,
            reason=_("Full membership approved on %(date)s (development step 24).") % {"date": step.on.isoformat()},
            actor=actor,
        )
    elif step.kind == StepKind.ENDED and candidate.member_id:
        member = Member.objects.get(pk=candidate.member_id)
        if member.status == Status.PROBATIONARY:
            member_actions.record_transition(
                member,
                Transition.PROBATION_CANCELLED,
                on=step.on,
                reason=step.notes or str(EndReason(step.end_reason or EndReason.PROBATION_CANCELLED).label),
                actor=actor,
            )


PERSON_FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_encrypted",
    "id_number_digest",
    "id_number_last4",
    "education",
    "occupation",
    "workplace",
    "phone",
)


DERIVED = ("stage", "reached", "last_step_on", "next_kind", "ready_on", "due_on", "due_rule")


def derived(candidate: Candidate, today: dt.date) -> dict[str, Any]:
    """The stored columns of ``candidate`` as the steps and the figures make them."""
    history = queries.history(candidate)
    stage: str = Stage.APPLICANT
    for fact in history:
        stage = rules.stage_after(fact.kind, stage)
    hist = rules.History(history)
    due = rules.pressing(rules.next_due(history, today))
    return {
        "stage": stage,
        "reached": hist.reached,
        "last_step_on": hist.latest_on,
        "next_kind": due.kind if due else "",
        "ready_on": due.ready_on if due else None,
        "due_on": due.due_on if due else None,
        "due_rule": due.rule if due else "",
    }


def stale_dues(today: dt.date | None = None) -> list[int]:
    """Candidates whose stored stage or dates differ from what the steps give now."""
    today = today or timezone.localdate()
    return [
        candidate.pk
        for candidate in Candidate.objects.all()
        if {name: getattr(candidate, name) for name in DERIVED} != derived(candidate, today)
    ]


def refresh(candidate: Candidate, today: dt.date | None = None) -> Candidate:
    """Recompute the candidate's stored stage and next step from the steps (rules)."""
    for name, value in derived(candidate, today or timezone.localdate()).items():
        setattr(candidate, name, value)
    candidate.save(
        update_fields=["stage", "reached", "last_step_on", "next_kind", "ready_on", "due_on", "due_rule", "updated_at"]
    )
    return candidate


@transaction.atomic
def add_document(document: StepDocument, *, actor: Any) -> StepDocument:
    document.full_clean()
    document.save()
    audit.record(actor, "create", document, before={})
    ensure_in_scope(actor, document.step, Action.CHANGE)
    return document


@transaction.atomic
def remove_document(document: StepDocument, *, actor: Any) -> None:
    ensure_in_scope(actor, document.step, Action.CHANGE)
    before = audit.snapshot(document)
    name = document.file.name or ""
    storage = document.file.storage
    document.delete()
    audit.record(actor, "delete", document, before=before)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def undoable(candidate: Candidate) -> bool:
    """Whether the latest step can be taken back (see ``remove_last_step``)."""
    step = candidate.steps.order_by("-on", "-id").first()
    if step is None or step.kind == StepKind.APPLICATION or step.kind in rules.APPROVALS:
        return False
    return not (step.kind == StepKind.ENDED and candidate.member_id)


@transaction.atomic
def remove_last_step(candidate: Candidate, *, actor: Any) -> None:
    """Take back the latest step recorded by mistake (administrators only). Steps that
    changed the member registry (17, 24, leaving during probation) and step 1 stay:
    they are corrected in the registry."""
    if not can(actor, Candidate, Action.DELETE):
        raise PermissionDenied(_("Only an administrator can take back a step."))
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    step = candidate.steps.order_by("-on", "-id").first()
    if step is None or step.kind == StepKind.APPLICATION:
        raise ValidationError(_("There is no step to take back."))
    if step.kind in rules.APPROVALS or (step.kind == StepKind.ENDED and candidate.member_id):
        raise ValidationError(_("This step changed the member registry; it cannot be taken back here."))
    if (
        step.kind == StepKind.ENDED
        and Candidate.objects.open()
        .filter(id_number_digest=candidate.id_number_digest)
        .exclude(pk=candidate.pk)
        .exists()
    ):
        raise ValidationError(_("The person has applied again since; this file stays closed."))
    ensure_in_scope(actor, step, Action.DELETE)
    before = audit.snapshot(step)
    vote = step.vote
    for document in step.documents.all():
        remove_document(document, actor=actor)
    step.delete()
    audit.record(actor, "delete", step, before=before)
    if vote is not None:
        vote_before = audit.snapshot(vote)
        vote.delete()
        audit.record(actor, "delete", vote, before=vote_before)
    refresh(candidate)


# --- Plans ----------------------------------------------------------------------------


@transaction.atomic
def save_plan(plan: Plan, quotas: dict[Any, int], *, actor: Any) -> Plan:
    """Create or update a committee's plan for a year with its quotas (organization ->
    admissions planned; 0 removes a quota). Quotas are for organizations under the
    committee."""
    if plan.organization.kind not in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.LEADING_COMMITTEE):
        raise ValidationError({"organization": _("Development plans are made by a party committee.")})
    before = audit.snapshot(Plan.objects.get(pk=plan.pk)) if plan.pk else {}
    plan.full_clean()
    plan.save()
    audit.record(actor, "update" if before else "create", plan, before=before)
    existing = {q.organization_id: q for q in plan.quotas.all()}
    for org, admissions in quotas.items():
        if not org.path.startswith(plan.organization.path) or org.pk == plan.organization_id:
            raise ValidationError(
                _("%(org)s is not under %(committee)s.") % {"org": org, "committee": plan.organization}
            )
        quota = existing.get(org.pk)
        if quota is None and admissions:
            quota = Quota(plan=plan, organization=org, admissions=admissions)
            quota.full_clean()
            quota.save()
            audit.record(actor, "create", quota, before={})
        elif quota is not None and not admissions:
            quota_before = audit.snapshot(quota)
            quota.delete()
            audit.record(actor, "delete", quota, before=quota_before)
        elif quota is not None and quota.admissions != admissions:
            quota_before = audit.snapshot(quota)
            quota.admissions = admissions
            quota.save()
            audit.record(actor, "update", quota, before=quota_before)
    ensure_in_scope(actor, plan, Action.CHANGE)
    return plan


def refresh_due(today: dt.date | None = None) -> int:
    """Recompute the next step of every candidate in the procedure (nightly: figures may
    have changed). Returns how many changed."""
    today = today or timezone.localdate()
    changed = 0
    for candidate in Candidate.objects.filter(stage__in=OPEN_STAGES).select_related("organization"):
        before = (candidate.next_kind, candidate.ready_on, candidate.due_on)
        refresh(candidate, today)
        changed += before != (candidate.next_kind, candidate.ready_on, candidate.due_on)
    return changed
