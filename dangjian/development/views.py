"""Pages of member development: the pipeline board, a candidate's file with the timeline of
steps, recording a step (blocked by the rules unless an administrator overrides), the
documents, the overrides report and the yearly plans."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.forms import ConfirmForm
from dangjian.core.ids import is_pk, pk_or_404
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, ScopedDetailView, ScopedListView, apply_errors, serve_upload
from dangjian.development import actions, queries, rules
from dangjian.development.choices import Stage, StepKind
from dangjian.development.filters import CandidateFilter, OverrideFilter
from dangjian.development.forms import CandidateForm, DocumentForm, PlanForm, StepForm
from dangjian.development.models import Candidate, Plan, Quota, Step, StepDocument
from dangjian.development.tables import CandidateTable, OverrideTable
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots


def _root_from(request: HttpRequest) -> Organization | None:
    """The organization of ``?org=`` or ``?within=`` (in scope), else the scope root."""
    value = request.GET.get("org") or request.GET.get("within") or ""
    if value:
        return get_in_scope(request.user, Organization, Action.VIEW, pk=pk_or_404(value))
    return scope_roots(request.user).first()


class BoardView(ScopedListView):
    """The pipeline board: candidates of a subtree by stage, with what is due and overdue."""

    model = Candidate
    table_class = CandidateTable
    filterset_class = CandidateFilter
    export_name = "development"
    title = gettext_lazy("Member development")
    template_name = "development/board.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization")

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        """``?org=`` on the board means the organization's subtree, as its counts do."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs.get("data")
        if data is not None and data.get("org") and not data.get("within"):
            data = data.copy()
            data["within"] = data.pop("org")[0]
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        root = _root_from(self.request)
        candidates = Candidate.objects.restrict(user)
        if root is not None:
            candidates = candidates.filter(organization__path__startswith=root.path)
        today = timezone.localdate()
        counts = queries.stage_counts(candidates)
        context.update(
            root=root,
            stages=[(stage, counts[stage.value]) for stage in Stage],
            overdue_count=queries.overdue(candidates, today).count(),
            due_soon_count=queries.due_soon(candidates, today).count(),
            can_add=can(user, Candidate, Action.ADD),
            can_print=can(user, Candidate, Action.EXPORT),
            quotas=self._quotas(root, today.year),
        )
        return context

    def _quotas(self, root: Organization | None, year: int) -> list[dict[str, Any]]:
        """This year's plans covering the root: its own quota or its committee's plan."""
        if root is None:
            return []
        plans = Plan.objects.restrict(self.request.user).filter(year=year, organization__path__startswith=root.path)
        rows: list[dict[str, Any]] = []
        for plan in plans.select_related("organization")[:5]:
            rows += [dict(row, plan=plan, plan_visible=True) for row in queries.plan_progress(plan)]
        if not rows:
            quota = (
                Quota.objects.restrict(self.request.user)
                .filter(plan__year=year, organization=root)
                .select_related("plan__organization")
                .first()
            )
            if quota:
                # The committee's plan itself is out of scope: the quota row only, no link.
                rows = [
                    dict(row, plan=quota.plan, plan_visible=False)
                    for row in queries.plan_progress(quota.plan)
                    if row["quota"] == quota
                ]
        return rows


class OverridesView(ScopedListView):
    """Steps recorded against the rules, with the reason and who overrode: for the
    organization department to review."""

    model = Step
    table_class = OverrideTable
    filterset_class = OverrideFilter
    export_name = "development-overrides"
    title = gettext_lazy("Steps recorded against the rules")

    def get_queryset(self) -> Any:
        return queries.overrides(super().get_queryset()).order_by("-on", "-id")


class CandidateDetailView(ScopedDetailView):
    model = Candidate
    template_name = "development/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        candidate: Candidate = self.object
        user = self.request.user
        today = timezone.localdate()
        steps = (
            Step.objects.restrict(user)
            .filter(candidate=candidate)
            .select_related("vote", "event", "decided_by", "overridden_by")
            .prefetch_related("people", Prefetch("documents", queryset=StepDocument.objects.order_by("pk")))
            .order_by("on", "id")
        )
        history = queries.history(candidate)
        can_change = can(user, Candidate, Action.CHANGE) and covers_path(user, candidate.organization.path)
        context.update(
            steps=steps,
            dues=rules.next_due(history, today),
            file_problems=queries.file_check(candidate, today),
            due_state=queries.due_state(candidate, today),
            next_kinds=[StepKind(k) for k in rules.allowed_next(history)] if can_change else [],
            following=rules.following(history),
            probation_ends=rules.probation_ends(rules.History(history)),
            can_change=can_change,
            can_edit=can_change and candidate.member_id is None,
            can_undo=can_change and can(user, Candidate, Action.DELETE) and actions.undoable(candidate),
            can_print=can(user, Candidate, Action.EXPORT),
            history_entries=_audit_entries(user, candidate, steps),
            today=today,
        )
        return context


def _audit_entries(user: Any, candidate: Candidate, steps: Any) -> Any:
    return audit.entries_about(user, {Candidate: [candidate.pk], Step: [s.pk for s in steps]})


class CandidateCreateView(ActionFormView):
    """Register an applicant: personal data, branch, date of the application letter."""

    permission = (Candidate, Action.ADD)
    form_class = CandidateForm
    title = gettext_lazy("Register an applicant")
    success_message = gettext_lazy("Applicant registered.")

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"user": self.request.user}
        org = self.request.GET.get("org", "")
        if self.request.method == "GET" and org:
            kwargs["initial"] = {"organization": pk_or_404(org)}
        return kwargs

    def perform(self, form: CandidateForm, target: Any) -> Candidate:
        candidate = actions.register_candidate(
            form.save(commit=False), applied_on=form.cleaned_data["applied_on"], actor=self.request.user
        )
        scan = form.cleaned_data.get("application_scan")
        if scan:
            step = candidate.steps.get(kind=StepKind.APPLICATION)
            actions.add_document(
                StepDocument(step=step, file=scan, description=str(StepKind.APPLICATION.label)),
                actor=self.request.user,
            )
        return candidate

    def success_url(self, result: Candidate) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: Any) -> str:
        return reverse("development:board")


class CandidateUpdateView(ActionFormView):
    form_class = CandidateForm
    title = gettext_lazy("Edit personal data")

    def get_target(self) -> Candidate:
        candidate = get_in_scope(self.request.user, Candidate, Action.CHANGE, pk=self.kwargs["pk"])
        self.before = audit.snapshot(candidate)
        return candidate

    def get_form_kwargs(self, target: Candidate) -> dict[str, Any]:
        return {"user": self.request.user, "instance": target}

    def perform(self, form: CandidateForm, target: Candidate) -> Candidate:
        return actions.update_candidate(form.save(commit=False), actor=self.request.user, before=self.before)

    def success_url(self, result: Candidate) -> str:
        return result.get_absolute_url()


class StepCreateView(ActionFormView):
    """Record the next step. The rules check it; what they forbid is shown with the rule
    ids, and an administrator may record it anyway with a written reason."""

    form_class = StepForm
    template_name = "development/step_form.html"
    success_message = gettext_lazy("Step recorded.")

    def get_target(self) -> Candidate:
        candidate = get_in_scope(self.request.user, Candidate, Action.CHANGE, pk=self.kwargs["pk"])
        kind = self.kwargs["kind"]
        if kind not in rules.allowed_next(queries.history(candidate)):
            raise Http404
        self.kind = kind
        self.title = StepKind(kind).label
        return candidate

    def can_override(self) -> bool:
        return can(self.request.user, Candidate, Action.OVERRIDE)

    def get_form_kwargs(self, target: Candidate) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"candidate": target, "kind": self.kind, "can_override": self.can_override()}
        if self.request.method == "GET":
            kwargs["initial"] = {"on": timezone.localdate()}
        return kwargs

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context.update(
            kind=self.kind,
            problems=getattr(self, "problems", []),
            can_override=self.can_override(),
            dues=[d for d in rules.next_due(queries.history(target), timezone.localdate()) if d.kind == self.kind],
            meetings_url=reverse("orglife:add", args=["general_meeting"]) + f"?org={target.organization_id}",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        form = StepForm(data=request.POST, files=request.FILES, **self.get_form_kwargs(target))
        if form.is_valid():
            step = form.save(commit=False)
            step.candidate = target
            step.kind = self.kind
            document = form.cleaned_data.get("document")
            try:
                with transaction.atomic():  # the step and its scan together, or neither
                    result = actions.record_step(
                        step,
                        actor=request.user,
                        people=form.cleaned_data.get("people") or [],
                        vote_counts=form.vote_counts(),
                        override_reason=form.cleaned_data.get("override_reason", ""),
                    )
                    if document:
                        actions.add_document(
                            StepDocument(step=result, file=document, description=str(StepKind(result.kind).label)),
                            actor=request.user,
                        )
            except actions.RuleViolation as exc:
                self.problems = exc.problems
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if result.overridden:
                    messages.warning(
                        request, gettext_lazy("Step recorded against the rules; the override is reported.")
                    )
                else:
                    messages.success(request, self.success_message)
                return HttpResponseRedirect(target.get_absolute_url())
        status = 400 if (form.errors or getattr(self, "problems", None)) else 200
        return render(request, self.template_name, self.get_context(form, target), status=status)


class DocumentAddView(ActionFormView):
    form_class = DocumentForm
    title = gettext_lazy("Add a document")
    success_message = gettext_lazy("Document added.")

    def get_target(self) -> Step:
        return get_in_scope(self.request.user, Step, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: DocumentForm, target: Step) -> StepDocument:
        document = form.save(commit=False)
        document.step = target
        return actions.add_document(document, actor=self.request.user)

    def success_url(self, result: StepDocument) -> str:
        return result.step.candidate.get_absolute_url() + f"#step-{result.step_id}"

    def cancel_url(self, target: Step) -> str:
        return target.candidate.get_absolute_url()


class DocumentRemoveView(ActionFormView):
    form_class = ConfirmForm
    title = gettext_lazy("Remove the document")
    success_message = gettext_lazy("Document removed.")

    def get_target(self) -> StepDocument:
        return get_in_scope(self.request.user, StepDocument, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: Any, target: StepDocument) -> Candidate:
        candidate = target.step.candidate
        actions.remove_document(target, actor=self.request.user)
        return candidate

    def success_url(self, result: Candidate) -> str:
        return result.get_absolute_url()

    def cancel_url(self, target: StepDocument) -> str:
        return target.step.candidate.get_absolute_url()


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A step's document, only through the scope (404 outside it, like a missing one)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login") + f"?next={request.path}")
    document = get_in_scope(request.user, StepDocument, Action.VIEW, pk=pk)
    return serve_upload(document.file)


class UndoStepView(ActionFormView):
    """Take back the latest step (administrators)."""

    form_class = ConfirmForm
    title = gettext_lazy("Take back the latest step")
    success_message = gettext_lazy("The latest step was taken back.")

    def get_target(self) -> Candidate:
        # Roles without the delete right find nothing here, like out of scope.
        return get_in_scope(self.request.user, Candidate, Action.DELETE, pk=self.kwargs["pk"])

    def perform(self, form: Any, target: Candidate) -> Candidate:
        actions.remove_last_step(target, actor=self.request.user)
        return target

    def success_url(self, result: Candidate) -> str:
        return result.get_absolute_url()


# --- Plans ----------------------------------------------------------------------------


def _committees(user: Any) -> Any:
    return Organization.objects.restrict(user, Action.CHANGE).filter(
        kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.LEADING_COMMITTEE], dissolved_on__isnull=True
    )


class PlanListView(LoginRequiredMixin, TemplateView):
    template_name = "development/plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, Plan, Action.VIEW):
            raise PermissionDenied
        plans = Plan.objects.restrict(user).select_related("organization").order_by("-year", "organization__path")
        context.update(
            title=gettext_lazy("Development plans"),
            plans=queries.plans_progress(plans[:50]),
            can_add=can(user, Plan, Action.ADD) and _committees(user).exists(),
        )
        return context


class PlanDetailView(ScopedDetailView):
    model = Plan
    template_name = "development/plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan: Plan = self.object
        rows = queries.plan_progress(plan)
        context.update(
            rows=rows,
            planned=sum(r["planned"] for r in rows),
            done=sum(r["done"] for r in rows),
            can_change=can(self.request.user, Plan, Action.CHANGE)
            and covers_path(self.request.user, plan.organization.path),
        )
        return context


class PlanFormMixin:
    request: HttpRequest

    def children_of(self, committee: Organization) -> list[Organization]:
        return list(Organization.objects.get_children(committee).filter(dissolved_on__isnull=True).order_by("path"))


class PlanCreateView(PlanFormMixin, ActionFormView):
    """A new plan: first the committee and year, then the quotas."""

    permission = (Plan, Action.ADD)
    form_class = PlanForm
    title = gettext_lazy("New development plan")
    success_message = gettext_lazy("Plan saved.")

    def committee(self) -> Organization | None:
        value = self.request.POST.get("organization") or self.request.GET.get("org") or ""
        if is_pk(value):
            return _committees(self.request.user).filter(pk=int(value)).first()
        return None

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        committee = self.committee()
        kwargs: dict[str, Any] = {
            "committees": _committees(self.request.user),
            "children": self.children_of(committee) if committee else [],
        }
        if self.request.method == "GET" and committee:
            kwargs["initial"] = {"organization": committee.pk}
        return kwargs

    def perform(self, form: PlanForm, target: Any) -> Plan:
        return actions.save_plan(form.save(commit=False), form.quotas(), actor=self.request.user)

    def success_url(self, result: Plan) -> str:
        # The quotas are given per organization under the committee chosen here.
        return reverse("development:plan_edit", args=[result.pk])

    def cancel_url(self, target: Any) -> str:
        return reverse("development:plans")


class PlanUpdateView(PlanFormMixin, ActionFormView):
    form_class = PlanForm
    title = gettext_lazy("Quotas")
    success_message = gettext_lazy("Plan saved.")

    def get_target(self) -> Plan:
        plan = get_in_scope(self.request.user, Plan, Action.CHANGE, pk=self.kwargs["pk"])
        if not covers_path(self.request.user, plan.organization.path):
            raise PermissionDenied
        return plan

    def get_form_kwargs(self, target: Plan) -> dict[str, Any]:
        return {
            "instance": target,
            "committees": _committees(self.request.user),
            "children": self.children_of(target.organization),
        }

    def perform(self, form: PlanForm, target: Plan) -> Plan:
        return actions.save_plan(form.save(commit=False), form.quotas(), actor=self.request.user)

    def success_url(self, result: Plan) -> str:
        return result.get_absolute_url()
