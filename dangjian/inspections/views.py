"""Pages of supervision and inspection: the plans and rectification closure of a subtree,
a plan with its checklist and organizations, an inspected organization with the automatic
signals about it and the findings, and a rectification with its history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.core import alerts, audit
from dangjian.core.ids import pk_or_404
from dangjian.core.inbox import own_q
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, apply_errors, file_response, year_from
from dangjian.inspections import actions, queries, reports, rules
from dangjian.inspections.choices import RectificationMove
from dangjian.inspections.forms import VERBS, CheckForm, FindingForm, MoveForm, PlanForm, VisitAddForm, VisitForm
from dangjian.inspections.models import Check, Finding, Plan, Rectification, RectificationEvent, Visit
from dangjian.inspections.rules import Side
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import acting_for, root_from


def _no_members(user: Any) -> None:
    if user.role == Role.MEMBER or not can(user, Visit, Action.VIEW):
        raise PermissionDenied


class PlansView(LoginRequiredMixin, TemplateView):
    """The year's inspection plans in scope with their progress, the rectification
    closure of the subtree per child organization, and the rectifications assigned to
    the user's organizations."""

    template_name = "inspections/plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _no_members(user)
        year = year_from(self.request)
        today = timezone.localdate()
        root = root_from(self.request)
        plans = Plan.objects.restrict(user).filter(year=year).select_related("organization", "target")
        if root is not None:
            plans = plans.filter(organization__path__startswith=root.path)
        plans = plans.annotate(
            visits_total=Count("visits", distinct=True),
            visits_done=Count("visits", filter=Q(visits__inspected_on__isnull=False), distinct=True),
            findings=Count("visits__findings", distinct=True),
        ).order_by("-starts_on", "pk")
        rectifications = Rectification.objects.restrict(user)
        per_plan = {
            row["finding__visit__plan"]: queries.with_rate(row)
            for row in rectifications.filter(finding__visit__plan__in=[p.pk for p in plans[:200]])
            .values("finding__visit__plan")
            .annotate(**queries.tallies(today))
        }
        # Inspections of the user's organizations by organizations above (whose plans the
        # user does not see): the only way to their pages when nothing is to rectify.
        inspected = (
            Visit.objects.restrict(user)
            .filter(plan__year=year)
            .exclude(plan__in=Plan.objects.restrict(user))
            .select_related("plan__organization", "organization")
            .annotate(findings_count=Count("findings"))
            .order_by("-plan__starts_on", "plan_id", "organization__path")
        )
        if root is not None:
            inspected = inspected.filter(organization__path__startswith=root.path)
        assigned = (
            rectifications.filter(own_q(user, "owner"), finding__visit__plan__year=year)
            .select_related("owner", "finding__visit__plan")
            .order_by("state", "deadline", "pk")[:200]
        )
        context.update(
            title=gettext_lazy("Supervision and inspection"),
            year=year,
            root=root,
            plans=[(p, per_plan.get(p.pk)) for p in plans[:200]],
            by_org=queries.closure_by_child(rectifications, root, year, today) if root is not None else [],
            assigned=assigned,
            inspected=inspected[:200],
            today=today,
            can_add=root is not None and covers_path(user, root.path) and can(user, Plan, Action.ADD),
        )
        return context


class PlanCreateView(ActionFormView):
    form_class = PlanForm
    permission = (Plan, Action.ADD)
    title = gettext_lazy("New inspection plan")
    success_message = gettext_lazy("Inspection planned: review its checklist.")

    def get_target(self) -> Organization:
        return acting_for(self.request)

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        return {
            "organizations": Organization.objects.filter(path__startswith=target.path, dissolved_on__isnull=True)
            .order_by("path")
            .only("pk", "name", "path", "depth"),
            "plans": Plan.objects.filter(organization=target).order_by("-year", "-pk"),
        }

    def perform(self, form: PlanForm, target: Organization) -> Plan:
        return actions.create_plan(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Plan) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('inspections:plans')}?org={target.pk}"


class PlanView(LoginRequiredMixin, TemplateView):
    """A plan: the organizations inspected with their findings and rectification closure,
    and the checklist, which the inspecting side edits here."""

    template_name = "inspections/plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = get_in_scope(user, Plan, Action.VIEW, pk=self.kwargs["pk"])
        today = timezone.localdate()
        visits = plan.visits.select_related("organization").annotate(
            findings_count=Count("findings", distinct=True),
            rect_total=Count("findings__rectification", distinct=True),
            rect_verified=Count(
                "findings__rectification", filter=Q(findings__rectification__state="verified"), distinct=True
            ),
        )
        totals = queries.with_rate(
            Rectification.objects.filter(finding__visit__plan=plan).aggregate(**queries.tallies(today))
        )
        editable = covers_path(user, plan.organization.path) and can(user, Plan, Action.CHANGE)
        forms = kwargs.get("forms", {})
        context.update(
            title=plan.title,
            plan=plan,
            visits=visits,
            checks=plan.checks.annotate(findings_count=Count("findings")),
            totals=totals,
            can_edit=editable,
            check_form=forms.get("check") or CheckForm(),
            change_form=forms.get("change"),
            visit_form=forms.get("visit") or VisitAddForm(organizations=self._candidates(plan)),
            failed_check=kwargs.get("failed_check"),
            history=audit.entries_about(user, {Plan: [plan.pk]}),
        )
        return context

    @staticmethod
    def _candidates(plan: Plan) -> Any:
        return (
            Organization.objects.filter(path__startswith=plan.target.path, dissolved_on__isnull=True)
            .exclude(pk__in=plan.visits.values("organization"))
            .order_by("path")
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """``add`` a checklist item, ``change`` or ``remove`` one (``check`` id), or add an
        organization (``visit``)."""
        plan = get_in_scope(request.user, Plan, Action.CHANGE, pk=pk)
        what = request.POST.get("what", "")
        check = None
        if what in ("change", "remove"):
            check = get_in_scope(request.user, Check, Action.CHANGE, pk=pk_or_404(request.POST.get("check", "")))
            if check.plan_id != plan.pk:
                raise Http404
        if what == "remove" and check is not None:
            try:
                actions.remove_check(check, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Checklist item removed."))
            return HttpResponseRedirect(plan.get_absolute_url())
        form: Any
        if what == "add":
            form = CheckForm(request.POST)
        elif what == "change":
            form = CheckForm(request.POST, auto_id="id_change_%s")
        elif what == "visit":
            form = VisitAddForm(request.POST, organizations=self._candidates(plan))
        else:
            raise Http404
        if form.is_valid():
            try:
                if what == "add":
                    actions.add_check(plan, actor=request.user, **form.cleaned_data)
                elif what == "change" and check is not None:
                    actions.change_check(check, actor=request.user, **form.cleaned_data)
                else:
                    actions.add_visit(plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(plan.get_absolute_url())
        # A failed edit is re-shown in its own item's form, not in the form adding one.
        key = {"visit": "visit", "change": "change"}.get(what, "check")
        context = self.get_context_data(pk=pk, forms={key: form}, failed_check=check)
        return self.render_to_response(context, status=400)


class VisitView(LoginRequiredMixin, TemplateView):
    """An inspected organization: the automatic signals about it today, the checklist with
    what was found against each item, the rectifications, and the inspector's forms."""

    template_name = "inspections/visit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visit = get_in_scope(user, Visit, Action.VIEW, pk=self.kwargs["pk"])
        plan = visit.plan
        today = timezone.localdate()
        inspecting = covers_path(user, plan.organization.path) and can(user, Visit, Action.CHANGE)
        signals = alerts.for_organization(visit.organization, today)
        findings = (
            Finding.objects.restrict(user)
            .filter(visit=visit)
            .select_related("check_item", "rectification__owner")
            .order_by("found_on", "pk")
        )
        recorded = {f.signal for f in findings if f.signal}
        forms = kwargs.get("forms", {})
        finding_form = forms.get("finding")
        if finding_form is None:
            initial: dict[str, Any] = {"owner": visit.organization}
            code = self.request.GET.get("signal", "")
            chosen = next((s for s in signals if s.code == code), None)
            if chosen is not None:
                initial.update(signal=chosen.code, signal_text=str(chosen.text), text=str(chosen.text))
                # The checklist item of the signal's rule; a signal without a rule (work
                # items) is not about the items added without one.
                if chosen.rule:
                    initial["check"] = plan.checks.filter(rule=chosen.rule).first()
            finding_form = FindingForm(initial=initial, **self._finding_kwargs(visit))
        context.update(
            title=f"{visit.organization.name} · {plan.title}",
            visit=visit,
            plan=plan,
            plan_visible=Plan.objects.restrict(user).filter(pk=plan.pk).exists(),
            signals=[(s, s.code in recorded) for s in signals],
            checks=plan.checks.all(),
            findings=findings,
            inspecting=inspecting,
            finding_form=finding_form,
            visit_form=forms.get("visit")
            or VisitForm(initial={"inspected_on": visit.inspected_on or today, "summary": visit.summary}),
            default_days=rules.value_of_days(today),
            today=today,
        )
        return context

    @staticmethod
    def _finding_kwargs(visit: Visit) -> dict[str, Any]:
        return {
            "checks": visit.plan.checks.all(),
            "organizations": Organization.objects.filter(path__startswith=visit.organization.path).order_by("path"),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Record a ``finding`` or the ``visit`` itself (date and conclusion)."""
        visit = get_in_scope(request.user, Visit, Action.CHANGE, pk=pk)
        if not covers_path(request.user, visit.plan.organization.path):
            raise PermissionDenied
        what = request.POST.get("what", "")
        form: Any
        if what == "finding":
            form = FindingForm(request.POST, **self._finding_kwargs(visit))
        elif what == "visit":
            form = VisitForm(request.POST)
        else:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if what == "finding":
                    actions.record_finding(visit, actor=request.user, **data)
                else:
                    actions.record_visit(visit, actor=request.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(visit.get_absolute_url())
        return self.render_to_response(self.get_context_data(pk=pk, forms={what: form}), status=400)


class RectificationView(LoginRequiredMixin, TemplateView):
    template_name = "inspections/rectification.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rectification = get_in_scope(user, Rectification, Action.VIEW, pk=self.kwargs["pk"])
        finding = rectification.finding
        visit = finding.visit
        sides = []
        if can(user, Rectification, Action.CHANGE):
            sides = [
                side
                for side, org in ((Side.OWNER, rectification.owner), (Side.INSPECTOR, visit.plan.organization))
                if covers_path(user, org.path)
            ]
        moves = [m for s in sides for m in rules.moves_for(rectification.state, s)]
        reporter = rectification.events.filter(move=RectificationMove.REPORT).order_by("-on", "-id").first()
        if reporter is not None and reporter.by_id == user.pk:  # someone else verifies (actions.make_move)
            moves = [m for m in moves if m != RectificationMove.VERIFY]
        events = rectification.events.select_related("by").order_by("on", "id")
        today = timezone.localdate()
        context.update(
            title=_("Rectification"),
            rectification=rectification,
            finding=finding,
            visit=visit,
            visit_visible=Visit.objects.restrict(user).filter(pk=visit.pk).exists(),
            events=events,
            moves=[(m, VERBS[m], MoveForm(move=m)) for m in moves],
            overdue=rectification.state in rules.OPEN and rectification.deadline < today,
            today=today,
            history=audit.entries_about(
                user, {Rectification: [rectification.pk], RectificationEvent: [e.pk for e in events]}
            ),
        )
        return context


class MoveView(ActionFormView):
    form_class = MoveForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["move"] not in rules.TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_target(self) -> Rectification:
        rectification = get_in_scope(self.request.user, Rectification, Action.CHANGE, pk=self.kwargs["pk"])
        self.title = f"{VERBS[self.kwargs['move']]}: {rectification.task[:60]}"
        return rectification

    def get_form_kwargs(self, target: Rectification) -> dict[str, Any]:
        return {"move": self.kwargs["move"]}

    def perform(self, form: MoveForm, target: Rectification) -> RectificationEvent:
        move = RectificationMove(self.kwargs["move"])
        return actions.make_move(target, move, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: RectificationEvent) -> str:
        return result.rectification.get_absolute_url()


def rectifications_export(request: HttpRequest) -> HttpResponse:
    """The rectifications of a subtree (``?org=``) for a year as .xlsx: finding, owner,
    deadline, state and dates, one row each."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    _no_members(user)
    if not can(user, Rectification, Action.EXPORT):
        raise PermissionDenied
    year = year_from(request)
    root = root_from(request)
    rows = Rectification.objects.restrict(user, Action.EXPORT).filter(finding__visit__plan__year=year)
    if root is not None:
        rows = rows.filter(owner__path__startswith=root.path)
    content = reports.rectifications_xlsx(rows, year, timezone.localdate())
    return file_response(content, f"rectifications-{root.code if root else 'all'}-{year}.xlsx", as_attachment=True)
