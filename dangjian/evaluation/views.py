"""Pages of the democratic evaluation: the rounds and results of a subtree (a member's own
evaluations instead), opening a round, a round with its steps, the two sheets of the
branch (tallies, grades), a member's evaluation and self-evaluation, and the follow-up of a
lower grade."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, apply_errors, file_response, year_from
from dangjian.evaluation import actions, queries, reports, rules
from dangjian.evaluation.choices import FollowUpMove, FollowUpState, Grade, Step
from dangjian.evaluation.forms import (
    VERBS,
    CloseSelfForm,
    DecisionForm,
    MoveForm,
    MutualForm,
    OpenRoundForm,
    PlanForm,
    SelfEvaluationForm,
    SheetForm,
    TallyForm,
)
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.orglife.choices import EventKind, EventState, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import acting_for, root_from


def _is_member(user: Any) -> bool:
    return bool(user.role == Role.MEMBER)


def _branch_side(user: Any, round_: Round) -> bool:
    """Whether ``user`` runs ``round_`` (covers its branch and may change evaluations)."""
    return not _is_member(user) and covers_path(user, round_.organization.path) and can(user, Round, Action.CHANGE)


def _grades(round_: Round) -> list[tuple[str, Any]]:
    return [(g, Grade(g).label) for g in round_.grades]


class RoundsView(LoginRequiredMixin, TemplateView):
    """The year's rounds of a subtree with their counts by grade, the counts per child
    subtree, and the follow-ups still open; a member sees their own evaluations."""

    template_name = "evaluation/rounds.html"

    def get_template_names(self) -> list[str]:
        return ["evaluation/mine.html" if _is_member(self.request.user) else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, Round, Action.VIEW):
            raise PermissionDenied
        today = timezone.localdate()
        if _is_member(user):
            root_from(self.request)  # an organization out of scope in ?org= is 404 here too
            context.update(title=gettext_lazy("My democratic evaluation"), entries=self._own(user), today=today)
            return context
        year = year_from(self.request)
        root = root_from(self.request)
        rounds = Round.objects.restrict(user).filter(year=year).select_related("organization", "meeting")
        evaluations = Evaluation.objects.restrict(user)
        follow_ups = FollowUp.objects.restrict(user).filter(state__in=rules.OPEN_STATES)
        if root is not None:
            rounds = rounds.filter(organization__path__startswith=root.path)
            follow_ups = follow_ups.filter(evaluation__round__organization__path__startswith=root.path)
        can_open = (
            root is not None
            and root.kind == OrgKind.BRANCH
            and covers_path(user, root.path)
            and can(user, Round, Action.ADD)
            and not Round.objects.filter(organization=root, year=year).exists()
        )
        context.update(
            title=gettext_lazy("Democratic evaluation of members"),
            year=year,
            root=root,
            rounds=[
                (r, [getattr(r, g) for g in Grade.values])
                for r in queries.with_counts(rounds).order_by("organization__path")[:500]
            ],
            by_org=[
                (row, [row[g] for g in Grade.values])
                for row in (queries.counts_by_child(evaluations, root, year) if root is not None else [])
            ],
            follow_ups=follow_ups.select_related("evaluation__member", "evaluation__round__organization").order_by(
                "deadline", "pk"
            )[:200],
            grades=list(Grade),
            can_open=can_open and year == today.year,
            today=today,
        )
        return context

    @staticmethod
    def _own(user: Any) -> list[Evaluation]:
        return list(
            Evaluation.objects.restrict(user)
            .select_related("round__organization", "round__meeting", "follow_up")
            .order_by("-round__year")
        )


class OpenRoundView(ActionFormView):
    form_class = OpenRoundForm
    permission = (Round, Action.ADD)
    title = gettext_lazy("Open the democratic evaluation")
    success_message = gettext_lazy("Democratic evaluation opened: members hand in their self-evaluations.")

    def get_target(self) -> Organization:
        if _is_member(self.request.user):
            raise PermissionDenied
        return acting_for(self.request)

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["intro"] = _(
            "L8: self-evaluation → mutual evaluation → democratic rating → the branch's decision."
            " Grades in use: %(grades)s."
        ) % {"grades": "、".join(str(Grade(g).label) for g in rules.grades_on(timezone.localdate()))}
        return context

    def perform(self, form: OpenRoundForm, target: Organization) -> Round:
        return actions.open_round(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Round) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('evaluation:rounds')}?org={target.pk}"


class RoundView(LoginRequiredMixin, TemplateView):
    """A round: its steps, the roster with each member's self-evaluation, rating,
    suggestion and grade, the counts by grade, and the form of the current step."""

    template_name = "evaluation/round.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        round_ = get_in_scope(request.user, Round, Action.VIEW, pk=kwargs["pk"])
        if _is_member(request.user):
            own = Evaluation.objects.restrict(request.user).filter(round=round_).first()
            if own is None:
                raise Http404
            return HttpResponseRedirect(own.get_absolute_url())
        return self.render_to_response(self.get_context_data(round_=round_))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        round_: Round = kwargs["round_"]
        evaluations = list(
            Evaluation.objects.restrict(user)
            .filter(round=round_)
            .select_related("member", "follow_up")
            .order_by("member__name_pinyin", "pk")
        )
        forms = kwargs.get("forms", {})
        today = timezone.localdate()
        counts = queries.counts_of(Evaluation.objects.filter(round=round_))
        context.update(
            title=round_.label,
            round=round_,
            evaluations=[(e, rules.distribution(e.tallies(), round_.ballots or 0, round_.grades)) for e in evaluations],
            counts=counts,
            grade_counts=[(g, label, counts[g]) for g, label in _grades(round_)],
            grades=_grades(round_),
            steps=[(s, s.label) for s in rules.STEPS[:-1]],
            step_index=list(rules.STEPS).index(Step(round_.step)),
            running=_branch_side(user, round_),
            close_form=forms.get("close_self") or CloseSelfForm(initial={"on": today}),
            mutual_form=forms.get("mutual") or MutualForm(initial={"held_on": today}),
            missing=sum(1 for e in evaluations if not e.self_text and not e.excused_reason),
            history=audit.entries_about(user, {Round: [round_.pk]}),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """End the ``close_self``-evaluation step, or record the ``mutual`` evaluation."""
        round_ = get_in_scope(request.user, Round, Action.CHANGE, pk=pk)
        if not _branch_side(request.user, round_):
            raise PermissionDenied
        what = request.POST.get("what", "")
        form: Any
        if what == "close_self":
            form = CloseSelfForm(request.POST)
        elif what == "mutual":
            form = MutualForm(request.POST)
        else:
            raise Http404
        if form.is_valid():
            try:
                if what == "close_self":
                    actions.close_self_evaluation(round_, actor=request.user, **form.cleaned_data)
                else:
                    actions.record_mutual_evaluation(round_, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(round_.get_absolute_url())
        round_.refresh_from_db()
        return self.render_to_response(self.get_context_data(round_=round_, forms={what: form}), status=400)


class EntryView(LoginRequiredMixin, TemplateView):
    """One member's evaluation: self-evaluation, rating and suggestion, grade, follow-up.
    A member sees their own (the name of a helper, another member, only the branch sees)."""

    template_name = "evaluation/entry.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        evaluation = get_in_scope(user, Evaluation, Action.VIEW, pk=self.kwargs["pk"])
        evaluation = Evaluation.objects.select_related("round__organization", "round__meeting", "member").get(
            pk=evaluation.pk
        )
        round_ = evaluation.round
        follow_up = FollowUp.objects.restrict(user).filter(evaluation=evaluation).select_related("helper").first()
        decided = round_.step == Step.DECIDED
        context.update(
            title=f"{evaluation.member.name} · {round_.year}",
            evaluation=evaluation,
            round=round_,
            is_member=_is_member(user),
            distribution=rules.distribution(evaluation.tallies(), round_.ballots or 0, round_.grades)
            if round_.rated_on
            else [],
            decided=decided,
            follow_up=follow_up,
            can_hand_in=round_.step == Step.SELF
            and can(user, Evaluation, Action.ADD)
            and (user.member_id == evaluation.member_id if _is_member(user) else _branch_side(user, round_)),
            running=_branch_side(user, round_),
            today=timezone.localdate(),
            history=audit.entries_about(user, {Evaluation: [evaluation.pk]}),
        )
        return context


class SelfEvaluationView(ActionFormView):
    """A member hands in their own self-evaluation; the branch records one from the paper
    form or says why the member is not evaluated."""

    form_class = SelfEvaluationForm
    template_name = "evaluation/self.html"

    def get_target(self) -> Evaluation:
        evaluation = get_in_scope(self.request.user, Evaluation, Action.ADD, pk=self.kwargs["pk"])
        evaluation = Evaluation.objects.select_related("round__organization", "member").get(pk=evaluation.pk)
        if not _is_member(self.request.user) and not _branch_side(self.request.user, evaluation.round):
            raise Http404
        return evaluation

    def get_form_kwargs(self, target: Evaluation) -> dict[str, Any]:
        return {"by_member": _is_member(self.request.user)}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        initial = {"text": target.self_text, "excused_reason": target.excused_reason}
        if target.self_on:
            initial["on"] = target.self_on
        form = self.form_class(initial=initial, **self.get_form_kwargs(target))
        return render(request, self.template_name, self.get_context(form, target))

    def get_context(self, form: Any, target: Evaluation) -> dict[str, Any]:
        context = super().get_context(form, target)
        by_member = _is_member(self.request.user)
        context.update(
            title=_("My self-evaluation") if by_member else _("Self-evaluation"),
            evaluation=target,
            by_member=by_member,
            step_problem=rules.step_problem(target.round.step, (Step.SELF,)),
        )
        return context

    def perform(self, form: SelfEvaluationForm, target: Evaluation) -> Evaluation:
        data = form.cleaned_data
        if data.get("excused_reason"):
            return actions.excuse(target, reason=data["excused_reason"], actor=self.request.user)
        return actions.hand_in_self_evaluation(target, text=data["text"], on=data.get("on"), actor=self.request.user)

    def success_url(self, result: Evaluation) -> str:
        if _is_member(self.request.user):
            return result.get_absolute_url()
        return result.round.get_absolute_url() + "#roster"

    def cancel_url(self, target: Evaluation) -> str:
        return target.get_absolute_url() if _is_member(self.request.user) else target.round.get_absolute_url()


class SheetView(ActionFormView):
    """A sheet of the whole branch (one row per member taking part) on a round: all or
    nothing, with the action's errors shown on their rows and what was typed kept."""

    form_class: Any = SheetForm

    def get_target(self) -> Round:
        round_ = get_in_scope(self.request.user, Round, Action.CHANGE, pk=self.kwargs["pk"])
        round_ = Round.objects.select_related("organization").get(pk=round_.pk)
        if not _branch_side(self.request.user, round_):
            raise Http404
        return round_

    def get_form_kwargs(self, target: Round) -> dict[str, Any]:
        evaluations = list(
            target.evaluations.filter(excused_reason="").select_related("member").order_by("member__name_pinyin", "pk")
        )
        return {"evaluations": evaluations, "grades": list(target.grades)}

    def get_context(self, form: Any, target: Round) -> dict[str, Any]:
        context = super().get_context(form, target)
        context.update(round=target, grades=_grades(target))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        form = self.form_class(data=request.POST, **self.get_form_kwargs(target))
        if form.is_valid():
            try:
                result = self.perform(form, target)
            except ValidationError as exc:
                form.apply(exc)
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(self.success_url(result))
        return render(request, self.template_name, self.get_context(form, target), status=400)

    def success_url(self, result: Round) -> str:
        return result.get_absolute_url() + "#roster"


class TallyView(SheetView):
    form_class = TallyForm
    template_name = "evaluation/tallies.html"
    title = gettext_lazy("Democratic rating: tallies of the ballots")
    success_message = gettext_lazy("Tallies saved: the suggested grades are computed. Next, the branch decides.")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        initial = {"ballots": target.ballots, "rated_on": target.rated_on or timezone.localdate()}
        form = self.form_class(initial=initial, **self.get_form_kwargs(target))
        return render(request, self.template_name, self.get_context(form, target))

    def get_context(self, form: Any, target: Round) -> dict[str, Any]:
        context = super().get_context(form, target)
        shares = rules.shares_on(timezone.localdate())
        context.update(
            step_problem=rules.step_problem(target.step, (Step.RATING, Step.DECISION)),
            shares=[(Grade(g).label, share) for g, share in shares.items() if g in target.grades],
        )
        return context

    def perform(self, form: TallyForm, target: Round) -> Round:
        data = form.cleaned_data
        return actions.record_tallies(
            target, ballots=data["ballots"], rated_on=data["rated_on"], tallies=form.tallies(), actor=self.request.user
        )


class DecisionView(SheetView):
    form_class = DecisionForm
    template_name = "evaluation/decision.html"
    title = gettext_lazy("The branch's decision on the grades")
    success_message = gettext_lazy("Grades decided. Members graded below qualified have a follow-up to plan.")

    def get_form_kwargs(self, target: Round) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(target)
        meetings = Event.objects.filter(
            organization=target.organization, kind__in=rules.DECISION_KINDS, state=EventState.HELD
        )
        if target.rated_on:
            meetings = meetings.filter(held_on__gte=target.rated_on)
        kwargs["meetings"] = meetings.order_by("-held_on", "-pk")
        return kwargs

    def get_context(self, form: Any, target: Round) -> dict[str, Any]:
        context = super().get_context(form, target)
        context.update(
            step_problem=rules.step_problem(target.step, (Step.DECISION,)),
            new_meeting=reverse("orglife:add", args=[EventKind.DEMOCRATIC_EVALUATION])
            + f"?org={target.organization_id}",
        )
        return context

    def perform(self, form: DecisionForm, target: Round) -> Round:
        return actions.decide(
            target, meeting=form.cleaned_data["meeting"], grades=form.grades_given(), actor=self.request.user
        )


class FollowUpView(LoginRequiredMixin, TemplateView):
    """The follow-up of a lower grade: the time limit, helper and plan (set here by the
    branch), the outcome so far and the moves left (V2, V3)."""

    template_name = "evaluation/follow_up.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        follow_up = get_in_scope(user, FollowUp, Action.VIEW, pk=self.kwargs["pk"])
        follow_up = FollowUp.objects.select_related(
            "evaluation__member", "evaluation__round__organization", "helper", "vote__event"
        ).get(pk=follow_up.pk)
        round_ = follow_up.evaluation.round
        running = _branch_side(user, round_)
        moves = rules.moves_for(follow_up.state, follow_up.grade) if running else []
        context.update(
            title=_("Follow-up"),
            follow_up=follow_up,
            evaluation=follow_up.evaluation,
            round=round_,
            is_member=_is_member(user),
            running=running,
            open=follow_up.state in rules.OPEN_STATES,
            today=timezone.localdate(),
            overdue=follow_up.state == FollowUpState.CORRECTING and follow_up.deadline < timezone.localdate(),
            plan_form=kwargs.get("plan_form")
            or PlanForm(
                initial={"helper": follow_up.helper, "deadline": follow_up.deadline, "plan": follow_up.plan},
                helpers=_helpers(follow_up),
            ),
            latest=rules.latest_deadline(follow_up.starts_on),
            moves=[(m, VERBS[m], MoveForm(move=m, votes=_votes(follow_up))) for m in moves],
            history=audit.entries_about(user, {FollowUp: [follow_up.pk]}),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The plan: helper, time limit and what to correct."""
        follow_up = get_in_scope(request.user, FollowUp, Action.CHANGE, pk=pk)
        if not _branch_side(request.user, follow_up.evaluation.round):
            raise PermissionDenied
        form = PlanForm(request.POST, helpers=_helpers(follow_up))
        if form.is_valid():
            try:
                actions.plan_follow_up(follow_up, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(follow_up.get_absolute_url())
        return self.render_to_response(self.get_context_data(pk=pk, plan_form=form), status=400)


def _helpers(follow_up: FollowUp) -> Any:
    evaluation = follow_up.evaluation
    return (
        Member.objects.filter(organization_id=evaluation.round.organization_id, status__in=ACTIVE_STATUSES)
        .exclude(pk=evaluation.member_id)
        .order_by("name_pinyin", "pk")
    )


def _votes(follow_up: FollowUp) -> Any:
    evaluation = follow_up.evaluation
    return (
        Vote.objects.filter(
            Q(event__organization_id=evaluation.round.organization_id),
            subject=VoteSubject.DISPOSAL,
            member_id=evaluation.member_id,
        )
        .select_related("event")
        .order_by("-event__held_on", "-pk")
    )


class FollowUpMoveView(ActionFormView):
    form_class = MoveForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["move"] not in FollowUpMove.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_target(self) -> FollowUp:
        follow_up = get_in_scope(self.request.user, FollowUp, Action.CHANGE, pk=self.kwargs["pk"])
        follow_up = FollowUp.objects.select_related("evaluation__member", "evaluation__round__organization").get(
            pk=follow_up.pk
        )
        if not _branch_side(self.request.user, follow_up.evaluation.round):
            raise Http404
        self.title = f"{VERBS[self.kwargs['move']]}: {follow_up.evaluation.member.name}"
        return follow_up

    def get_form_kwargs(self, target: FollowUp) -> dict[str, Any]:
        return {"move": self.kwargs["move"], "votes": _votes(target)}

    def perform(self, form: MoveForm, target: FollowUp) -> FollowUp:
        return actions.move_follow_up(target, self.kwargs["move"], actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: FollowUp) -> str:
        return result.get_absolute_url()


def results_export(request: HttpRequest) -> HttpResponse:
    """The evaluations of a subtree (``?org=``) for a year as .xlsx: one row per member
    with the rating, the suggested and decided grade and the follow-up."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if _is_member(user) or not can(user, Evaluation, Action.EXPORT):
        raise PermissionDenied
    year = year_from(request)
    root = root_from(request)
    rows = Evaluation.objects.restrict(user, Action.EXPORT).filter(round__year=year)
    if root is not None:
        rows = rows.filter(round__organization__path__startswith=root.path)
    content = reports.results_xlsx(rows, year)
    return file_response(content, f"evaluation-{root.code if root else 'all'}-{year}.xlsx", as_attachment=True)
