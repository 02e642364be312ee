"""Every change to the democratic evaluation of members. Each validates (the order of the
steps of L8, the grades of V1, the time limits of V2, the procedure of V3), writes
atomically with an audit entry and re-checks the scope. The branch's side needs a user
covering the branch; a member hands in only their own self-evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.scoping import OutOfScope, ensure_in_scope, require_cover
from dangjian.evaluation import rules
from dangjian.evaluation.choices import LOWER_GRADES, FollowUpMove, FollowUpState, Grade, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.members import actions as member_actions
from dangjian.members.choices import ACTIVE_STATUSES, Status, Transition
from dangjian.members.models import Member
from dangjian.orglife.choices import EventState, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orglife.queries import members_on
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, field: str) -> None:
    if day > _today():
        raise ValidationError({field: _("The date is in the future.")})


def _at_step(round_: Round, *allowed: Step) -> None:
    problem = rules.step_problem(round_.step, allowed)
    if problem:
        raise ValidationError(str(problem))


def _locked(round_: Round) -> Round:
    return Round.objects.select_related("organization").select_for_update().get(pk=round_.pk)


def _save(actor: Any, row: Any, before: dict[str, Any]) -> None:
    row.full_clean()
    row.save()
    audit.record(actor, "update" if before else "create", row, before=before)


# --- The round and its steps (L8) ---------------------------------------------------------------


@transaction.atomic
def open_round(organization: Organization, *, opened_on: dt.date, actor: Any) -> Round:
    """Open the democratic evaluation of ``organization`` (a branch) for the year of
    ``opened_on``, with the grades in use that day (V1) and every full and probationary
    member of the branch on that day on the roster (L8)."""
    require_cover(actor, organization)
    if organization.kind != OrgKind.BRANCH:
        raise ValidationError(
            {
                "organization": _("Members are evaluated by their branch; %(org)s is not a branch.")
                % {"org": organization}
            }
        )
    if organization.dissolved_on is not None:
        raise ValidationError({"organization": _("%(org)s is dissolved.") % {"org": organization}})
    _not_future(opened_on, "opened_on")
    if Round.objects.filter(organization=organization, year=opened_on.year).exists():
        raise ValidationError(
            {
                "opened_on": _("%(org)s already has a democratic evaluation for %(year)s.")
                % {"org": organization.name, "year": opened_on.year}
            }
        )
    roster = list(
        members_on(organization, opened_on).order_by("name_pinyin", "pk").only("pk", "name", "full_on", "status")
    )
    if not roster:
        raise ValidationError(
            {"opened_on": _("%(org)s had no member on %(day)s.") % {"org": organization.name, "day": opened_on}}
        )
    round_ = Round(
        organization=organization,
        year=opened_on.year,
        opened_on=opened_on,
        grades=list(rules.grades_on(opened_on)),
    )
    _save(actor, round_, {})
    ensure_in_scope(actor, round_, Action.ADD)
    for member in roster:
        full = member.full_on is not None and member.full_on <= opened_on
        row = Evaluation(round=round_, member=member, status=Status.FULL if full else Status.PROBATIONARY)
        _save(actor, row, {})
    return round_


def _member_actor(actor: Any) -> bool:
    return actor is not None and getattr(actor, "role", None) == Role.MEMBER


@transaction.atomic
def hand_in_self_evaluation(evaluation: Evaluation, *, text: str, on: dt.date | None = None, actor: Any) -> Evaluation:
    """A member's self-evaluation (L8, first step): handed in by the member themself (their
    own record only, dated today) or recorded by the branch from the paper form, dated the
    day it was handed in. The branch does not overwrite what a member handed in."""
    evaluation = Evaluation.objects.select_related("round__organization", "member").get(pk=evaluation.pk)
    by_member = _member_actor(actor)
    if by_member:
        if actor.member_id != evaluation.member_id:
            raise OutOfScope
        on = _today()
    else:
        require_cover(actor, evaluation.round.organization)
    ensure_in_scope(actor, evaluation, Action.ADD)
    _at_step(evaluation.round, Step.SELF)
    on = on or _today()
    _not_future(on, "on")
    if on < evaluation.round.opened_on:
        raise ValidationError(
            {"on": _("The evaluation opened on %(day)s.") % {"day": evaluation.round.opened_on.isoformat()}}
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the self-evaluation.")})
    if evaluation.self_by_member and not by_member:
        raise ValidationError(
            _("%(name)s handed in their own self-evaluation; it is kept as written.") % {"name": evaluation.member.name}
        )
    before = audit.snapshot(evaluation)
    evaluation.self_text, evaluation.self_on, evaluation.self_by_member = text.strip(), on, by_member
    evaluation.excused_reason = ""
    _save(actor, evaluation, before)
    return evaluation


@transaction.atomic
def excuse(evaluation: Evaluation, *, reason: str, actor: Any) -> Evaluation:
    """The member takes no part in this year's evaluation (long illness, abroad…) and gets
    no grade; decided by the branch while self-evaluations are handed in."""
    evaluation = Evaluation.objects.select_related("round__organization").get(pk=evaluation.pk)
    require_cover(actor, evaluation.round.organization)
    _at_step(evaluation.round, Step.SELF)
    if not reason.strip():
        raise ValidationError({"excused_reason": _("Say why the member is not evaluated.")})
    before = audit.snapshot(evaluation)
    evaluation.excused_reason = reason.strip()
    _save(actor, evaluation, before)
    ensure_in_scope(actor, evaluation, Action.CHANGE)
    return evaluation


def _taking_part(round_: Round) -> list[Evaluation]:
    return list(round_.evaluations.filter(excused_reason="").select_related("member").order_by("member__name_pinyin"))


@transaction.atomic
def close_self_evaluation(round_: Round, *, on: dt.date, actor: Any) -> Round:
    """End the first step once every member taking part has a self-evaluation."""
    round_ = _locked(round_)
    require_cover(actor, round_.organization)
    _at_step(round_, Step.SELF)
    _not_future(on, "on")
    if on < round_.opened_on:
        raise ValidationError({"on": _("The evaluation opened on %(day)s.") % {"day": round_.opened_on.isoformat()}})
    taking_part = _taking_part(round_)
    if not taking_part:
        raise ValidationError(_("Nobody on the roster takes part."))
    last = max((e.self_on for e in taking_part if e.self_on), default=None)
    if last is not None and on < last:
        raise ValidationError({"on": _("The last self-evaluation was handed in on %(day)s.") % {"day": last}})
    missing = [e.member.name for e in taking_part if not e.self_text]
    if missing:
        raise ValidationError(
            _(
                "Self-evaluation missing for %(names)s: record it from the paper form,"
                " or say why they are not evaluated."
            )
            % {"names": "、".join(missing)}
        )
    before = audit.snapshot(round_)
    round_.self_closed_on, round_.step = on, Step.MUTUAL
    _save(actor, round_, before)
    ensure_in_scope(actor, round_, Action.CHANGE)
    return round_


@transaction.atomic
def record_mutual_evaluation(round_: Round, *, held_on: dt.date, summary: str, actor: Any) -> Round:
    """The mutual evaluation (second step): when it was held and what came out of it."""
    round_ = _locked(round_)
    require_cover(actor, round_.organization)
    _at_step(round_, Step.MUTUAL)
    _not_future(held_on, "held_on")
    if round_.self_closed_on and held_on < round_.self_closed_on:
        raise ValidationError(
            {
                "held_on": _("Mutual evaluation follows the self-evaluations, closed on %(day)s (L8).")
                % {"day": round_.self_closed_on.isoformat()}
            }
        )
    if not summary.strip():
        raise ValidationError({"summary": _("Summarize the mutual evaluation.")})
    before = audit.snapshot(round_)
    round_.mutual_on, round_.mutual_summary, round_.step = held_on, summary.strip(), Step.RATING
    _save(actor, round_, before)
    ensure_in_scope(actor, round_, Action.CHANGE)
    return round_


@transaction.atomic
def record_tallies(
    round_: Round,
    *,
    ballots: int,
    rated_on: dt.date,
    tallies: Mapping[int, Mapping[str, int]],
    actor: Any,
) -> Round:
    """The democratic rating (third step) from the paper ballots: how many of the
    ``ballots`` cast rated each member taking part at each grade (``tallies``: evaluation
    id → grade → count). All or nothing; problems come back by row (``row-<id>``). Each
    member gets the grade the rating suggests (``rules.suggest_grade``). Can be entered
    again until the branch decides."""
    round_ = _locked(round_)
    require_cover(actor, round_.organization)
    _at_step(round_, Step.RATING, Step.DECISION)
    errors: dict[str, Any] = {}
    if ballots < 1:
        errors["ballots"] = _("At least one ballot is cast.")
    if rated_on > _today():
        errors["rated_on"] = _("The date is in the future.")
    elif round_.mutual_on and rated_on < round_.mutual_on:
        errors["rated_on"] = _("The democratic rating follows the mutual evaluation of %(day)s (L8).") % {
            "day": round_.mutual_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    taking_part = {e.pk: e for e in _taking_part(round_)}
    unknown = set(tallies) - set(taking_part)
    if unknown:
        raise ValidationError(
            _("%(n)s of the rows are not members taking part in this evaluation.") % {"n": len(unknown)}
        )
    shares = rules.shares_on(rated_on)
    suggestions: dict[int, str | None] = {}
    for pk in taking_part:
        row = {g: int(tallies.get(pk, {}).get(g, 0) or 0) for g in Grade.values}
        problems = rules.tally_problems(row, ballots, round_.grades)
        if problems:
            errors[f"row-{pk}"] = [str(p) for p in problems]
            continue
        suggestions[pk] = rules.suggest_grade(row, ballots, round_.grades, shares)
    if errors:
        raise ValidationError(errors)
    for pk, evaluation in taking_part.items():
        before = audit.snapshot(evaluation)
        for grade in Grade.values:
            setattr(evaluation, f"rated_{grade}", int(tallies[pk].get(grade, 0) or 0))
        evaluation.suggested = suggestions[pk] or ""
        evaluation.round = round_
        _save(actor, evaluation, before)
    before = audit.snapshot(round_)
    round_.ballots, round_.rated_on, round_.step = ballots, rated_on, Step.DECISION
    _save(actor, round_, before)
    ensure_in_scope(actor, round_, Action.CHANGE)
    return round_


@transaction.atomic
def decide(round_: Round, *, meeting: Event, grades: Mapping[int, tuple[str, str]], actor: Any) -> Round:
    """The branch's grade for each member taking part (fourth step), given at ``meeting``:
    a held branch committee meeting, general membership meeting, democratic evaluation or
    organizational life meeting of the branch on or after the rating (L8). ``grades``:
    evaluation id → (grade, reason); a grade other than the suggested one needs the reason.
    Problems come back by row (``grade-<id>``, ``reason-<id>``). Each member graded below
    qualified gets a follow-up with the time limit of V2."""
    round_ = _locked(round_)
    require_cover(actor, round_.organization)
    _at_step(round_, Step.DECISION)
    meeting = Event.objects.select_related("organization").get(pk=meeting.pk)
    if meeting.organization_id != round_.organization_id:
        raise ValidationError({"meeting": _("Choose a meeting of %(org)s.") % {"org": round_.organization.name}})
    if meeting.kind not in rules.DECISION_KINDS:
        raise ValidationError(
            {"meeting": _("The grades are decided by the branch committee or the general membership meeting (L8).")}
        )
    if meeting.state != EventState.HELD:
        raise ValidationError({"meeting": _("Choose a meeting that was held.")})
    if round_.rated_on and meeting.held_on < round_.rated_on:
        raise ValidationError(
            {
                "meeting": _("The decision follows the democratic rating of %(day)s (L8).")
                % {"day": round_.rated_on.isoformat()}
            }
        )
    taking_part = _taking_part(round_)
    errors: dict[str, Any] = {}
    for evaluation in taking_part:
        grade, reason = grades.get(evaluation.pk, ("", ""))
        if grade not in round_.grades:
            errors[f"grade-{evaluation.pk}"] = _("Choose one of the grades in use.")
        elif grade != evaluation.suggested and evaluation.suggested and not reason.strip():
            errors[f"reason-{evaluation.pk}"] = _(
                "The rating suggests “%(suggested)s”: give the reason for “%(grade)s”."
            ) % {"suggested": Grade(evaluation.suggested).label, "grade": Grade(grade).label}
    if errors:
        raise ValidationError(errors)
    decided_on = meeting.held_on
    for evaluation in taking_part:
        grade, reason = grades[evaluation.pk]
        before = audit.snapshot(evaluation)
        evaluation.grade = grade
        evaluation.grade_reason = reason.strip() if grade != evaluation.suggested else ""
        evaluation.round = round_
        _save(actor, evaluation, before)
        if grade in LOWER_GRADES:
            follow_up = FollowUp(
                evaluation=evaluation,
                grade=grade,
                starts_on=decided_on,
                deadline=rules.default_deadline(decided_on),
            )
            _save(actor, follow_up, {})
    before = audit.snapshot(round_)
    round_.meeting, round_.decided_on, round_.step = meeting, decided_on, Step.DECIDED
    _save(actor, round_, before)
    ensure_in_scope(actor, round_, Action.CHANGE)
    return round_


# --- Follow-up of the lower grades (V2, V3) -----------------------------------------------------


def _follow_up(follow_up: FollowUp, actor: Any) -> FollowUp:
    locked = (
        FollowUp.objects.select_for_update()
        .select_related("evaluation__round__organization", "evaluation__member")
        .get(pk=follow_up.pk)
    )
    require_cover(actor, locked.evaluation.round.organization)
    return locked


@transaction.atomic
def plan_follow_up(follow_up: FollowUp, *, helper: Member | None, plan: str, deadline: dt.date, actor: Any) -> FollowUp:
    """The plan of correction, the helper (a member of the branch) and the time limit:
    after the decision and at most ``V2.correction_max_months`` later (V2)."""
    follow_up = _follow_up(follow_up, actor)
    if follow_up.state != FollowUpState.CORRECTING:
        raise ValidationError(_("The plan is set while the member corrects."))
    evaluation = follow_up.evaluation
    errors: dict[str, Any] = {}
    if helper is not None and (
        helper.pk == evaluation.member_id
        or helper.organization_id != evaluation.round.organization_id
        or helper.status not in ACTIVE_STATUSES
    ):
        errors["helper"] = _("The helper is another current member of %(org)s.") % {
            "org": evaluation.round.organization.name
        }
    latest = rules.latest_deadline(follow_up.starts_on)
    if deadline < follow_up.starts_on:
        errors["deadline"] = _("The time limit ends after the decision of %(day)s.") % {
            "day": follow_up.starts_on.isoformat()
        }
    elif deadline > latest:
        errors["deadline"] = _("The time limit is at most one year: until %(day)s (V2).") % {"day": latest.isoformat()}
    if not plan.strip():
        errors["plan"] = _("Write what the member is to correct and how.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(follow_up)
    follow_up.helper, follow_up.plan, follow_up.deadline = helper, plan.strip(), deadline
    _save(actor, follow_up, before)
    ensure_in_scope(actor, follow_up, Action.CHANGE)
    return follow_up


@transaction.atomic
def move_follow_up(
    follow_up: FollowUp,
    move: FollowUpMove | str,
    *,
    on: dt.date,
    text: str,
    evidence: Any = None,
    proposed_on: dt.date | None = None,
    filed_on: dt.date | None = None,
    vote: Vote | None = None,
    actor: Any,
) -> FollowUp:
    """Record the outcome of a follow-up (V2): corrected (with evidence), not corrected
    (basically qualified), persuaded to withdraw (unqualified), then withdrawn or removed.
    A removal needs (V3) the branch committee's proposal, its filing with the grassroots
    committee and the branch general meeting's passed vote (D13/D14) on the removal of this
    member; the member may not rejoin for ``V2.rejoin_years``."""
    follow_up = _follow_up(follow_up, actor)
    member = follow_up.evaluation.member
    if move not in FollowUpMove.values or not rules.allowed(follow_up.state, follow_up.grade, move):
        label = FollowUpMove(move).label if move in FollowUpMove.values else move
        raise ValidationError(
            _("“%(move)s” is not possible for a member graded “%(grade)s” whose follow-up is “%(state)s”.")
            % {"move": label, "grade": follow_up.get_grade_display(), "state": follow_up.get_state_display()}
        )
    move = FollowUpMove(move)
    _not_future(on, "on")
    if on < follow_up.starts_on:
        raise ValidationError({"on": _("The follow-up starts on %(day)s.") % {"day": follow_up.starts_on.isoformat()}})
    if move in (FollowUpMove.NOT_CORRECTED, FollowUpMove.PERSUADE) and on < follow_up.deadline:
        raise ValidationError(
            {"on": _("The time limit to correct runs until %(day)s (V2).") % {"day": follow_up.deadline.isoformat()}}
        )
    if follow_up.persuaded_on and on < follow_up.persuaded_on:
        raise ValidationError(
            {"on": _("The member was persuaded to withdraw on %(day)s.") % {"day": follow_up.persuaded_on.isoformat()}}
        )
    if not text.strip():
        raise ValidationError({"text": _("Say what was done, or why.")})
    before = audit.snapshot(follow_up)
    follow_up.outcome = text.strip()
    if move == FollowUpMove.PERSUADE:
        follow_up.persuaded_on = on
    else:
        follow_up.closed_on = on
    if move == FollowUpMove.CORRECT and evidence:
        follow_up.evidence = evidence
    if move == FollowUpMove.REMOVE:
        _check_removal(follow_up, on=on, proposed_on=proposed_on, filed_on=filed_on, vote=vote)
        follow_up.proposed_on, follow_up.filed_on, follow_up.vote = proposed_on, filed_on, vote
        follow_up.rejoin_after = rules.rejoin_after(on)
    follow_up.state = rules.TRANSITIONS[move].target
    _save(actor, follow_up, before)
    if move in (FollowUpMove.WITHDRAW, FollowUpMove.REMOVE):
        transition = Transition.WITHDRAWN if move == FollowUpMove.WITHDRAW else Transition.REMOVED
        member_actions.record_transition(member, transition, on=on, reason=text.strip(), actor=actor)
    ensure_in_scope(actor, follow_up, Action.CHANGE)
    return follow_up


def _check_removal(
    follow_up: FollowUp,
    *,
    on: dt.date,
    proposed_on: dt.date | None,
    filed_on: dt.date | None,
    vote: Vote | None,
) -> None:
    errors: dict[str, Any] = {}
    if proposed_on is None:
        errors["proposed_on"] = _("Give the day the branch committee proposed the removal (V3).")
    if filed_on is None:
        errors["filed_on"] = _("Give the day the proposal was filed with the grassroots committee (V3).")
    if vote is not None:
        vote = Vote.objects.select_related("event").get(pk=vote.pk)
        evaluation = follow_up.evaluation
        if (
            vote.subject != VoteSubject.DISPOSAL
            or vote.member_id != evaluation.member_id
            or vote.event.organization_id != evaluation.round.organization_id
        ):
            errors["vote"] = _("Choose the vote of the branch general meeting on the disposal of %(name)s (V3).") % {
                "name": evaluation.member.name
            }
    if errors:
        raise ValidationError(errors)
    assert proposed_on is not None and filed_on is not None
    problems = rules.removal_problems(
        persuaded_on=follow_up.persuaded_on,
        proposed_on=proposed_on,
        filed_on=filed_on,
        vote_held_on=vote.event.held_on if vote is not None else None,
        vote_passed=bool(vote is not None and vote.passed),
        removed_on=on,
    )
    if problems:
        raise ValidationError(problems)
