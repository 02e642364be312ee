"""Pages of the money that leaves the members: dues handed over up the tree with the
reconciliation of a subtree, and the party-building funds ledger of an organization
(income, spending with approval, allocations below, the yearly statement)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action, Role
from dangjian.core.rulesets import value
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import ActionFormView, apply_errors, file_response, year_from
from dangjian.dues import actions, queries, reports, rules
from dangjian.dues.choices import FundSource, FundState
from dangjian.dues.forms import ConfirmForm, DecisionForm, ExpenditureForm, GrantForm, HandoverForm, IncomeForm
from dangjian.dues.models import FundEntry, Handover
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import root_from


class HandoversView(LoginRequiredMixin, TemplateView):
    """The reconciliation of a subtree for a year (the organization itself and each
    child subtree: collected, received, handed up, retained), what it holds now, and its
    handovers in and out."""

    template_name = "dues/handovers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, Handover, Action.VIEW) or user.role == Role.MEMBER:
            raise PermissionDenied
        root = root_from(self.request)
        year = year_from(self.request)
        context.update(title=gettext_lazy("Dues handed over"), root=root, year=year)
        if root is None:
            return context
        rows = queries.reconciliation(root, dt.date(year, 1, 1), dt.date(year, 12, 31))
        own = covers_path(user, root.path) and can(user, Handover, Action.ADD)
        context.update(
            rows=rows,
            total=queries.subtree_totals(rows),
            held=queries.held(root, timezone.localdate()),
            parent=Organization.objects.get_parent(root),
            handovers=Handover.objects.restrict(user)
            .filter(Q(from_organization=root) | Q(to_organization=root), handed_on__year=year)
            .select_related("from_organization", "to_organization", "confirmed_by")
            .order_by("-handed_on", "-id"),
            can_hand_over=own,
            can_confirm=own,
            large_voluntary=rules.LARGE_VOLUNTARY,
        )
        return context


class OrganizationDuesFormView(ActionFormView):
    """A dues form acting for one organization (``org`` in the URL) of the user's subtree."""

    model: type[Any] = Handover

    def get_target(self) -> Organization:
        org = get_in_scope(self.request.user, Organization, Action.VIEW, pk=self.kwargs["org"])
        if not covers_path(self.request.user, org.path) or not can(self.request.user, self.model, Action.ADD):
            raise Http404
        return org


class HandOverView(OrganizationDuesFormView):
    form_class = HandoverForm
    title = gettext_lazy("Hand dues over")
    success_message = gettext_lazy("Handover recorded; the higher organization confirms receipt.")

    def get_target(self) -> Organization:
        org = super().get_target()
        self.parent = Organization.objects.get_parent(org)
        if self.parent is None:
            raise Http404
        return org

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        today = timezone.localdate()
        return {"initial": {"amount": queries.held(target, today), "months_to": today.replace(day=1)}}

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["intro"] = _("To %(parent)s. %(org)s holds %(held)s yuan of dues today.") % {
            "parent": self.parent.name,
            "org": target.name,
            "held": queries.held(target, timezone.localdate()),
        }
        return context

    def perform(self, form: HandoverForm, target: Organization) -> Handover:
        return actions.hand_over(target, actor=self.request.user, **form.cleaned_data)

    def success_url(self, result: Handover) -> str:
        return f"{reverse('dues:handovers')}?org={result.from_organization_id}"

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('dues:handovers')}?org={target.pk}"


class ConfirmHandoverView(ActionFormView):
    form_class = ConfirmForm
    title = gettext_lazy("Confirm receipt of dues")
    success_message = gettext_lazy("Receipt confirmed.")

    def get_target(self) -> Handover:
        return get_in_scope(self.request.user, Handover, Action.CHANGE, pk=self.kwargs["pk"])

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["intro"] = _("%(amount)s yuan from %(org)s, handed over on %(day)s.") % {
            "amount": target.amount,
            "org": target.from_organization.name,
            "day": target.handed_on.isoformat(),
        }
        return context

    def perform(self, form: ConfirmForm, target: Handover) -> Handover:
        return actions.confirm_handover(target, confirmed_on=form.cleaned_data["confirmed_on"], actor=self.request.user)

    def success_url(self, result: Handover) -> str:
        return f"{reverse('dues:handovers')}?org={result.to_organization_id}"

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('dues:handovers')}?org={target.to_organization_id}"


@login_required
def withdraw_handover(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_in_scope(request.user, Handover, Action.CHANGE, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405)
    back = f"{reverse('dues:handovers')}?org={handover.from_organization_id}"
    try:
        actions.withdraw_handover(handover, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Handover withdrawn."))
    return HttpResponseRedirect(back)


class FundsView(LoginRequiredMixin, TemplateView):
    """An organization's funds ledger for a year: balance, entries, pending approvals,
    and the expenditures below it that wait for this user's decision."""

    template_name = "dues/funds.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, FundEntry, Action.VIEW) or user.role == Role.MEMBER:
            raise PermissionDenied
        root = root_from(self.request)
        year = year_from(self.request)
        context.update(title=gettext_lazy("Party-building funds"), root=root, year=year)
        if root is None:
            return context
        statement = queries.fund_statement(root, year)
        to_decide = [
            e
            for e in FundEntry.objects.restrict(user)
            .filter(state=FundState.PENDING, organization__path__startswith=root.path)
            .select_related("organization")
            .order_by("on", "id")[:50]
            if actions.can_decide(user, e)
        ]
        editable = covers_path(user, root.path) and can(user, FundEntry, Action.ADD)
        context.update(
            statement=statement,
            balance=queries.fund_balance(root),
            pending=queries.fund_pending(root),
            to_decide=to_decide,
            can_record=editable,
            can_grant=editable and Organization.objects.get_children(root).exists(),
            threshold=rules.APPROVAL_THRESHOLD,
        )
        return context


class FundEntryFormView(OrganizationDuesFormView):
    model = FundEntry

    def success_url(self, result: FundEntry) -> str:
        org = result.granted_by_id or result.organization_id
        return f"{reverse('dues:funds')}?org={org}&year={result.on.year}"

    def cancel_url(self, target: Any) -> str:
        return f"{reverse('dues:funds')}?org={target.pk}"


class IncomeView(FundEntryFormView):
    form_class = IncomeForm
    title = gettext_lazy("Record funds received")
    success_message = gettext_lazy("Income recorded.")

    def perform(self, form: IncomeForm, target: Organization) -> FundEntry:
        return actions.record_income(target, actor=self.request.user, **form.cleaned_data)


class GrantView(FundEntryFormView):
    form_class = GrantForm
    title = gettext_lazy("Allocate funds to a lower organization")
    success_message = gettext_lazy("Allocation recorded: it is income of the lower organization.")
    field_map = {"granted_by": "organization"}

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        return {"below": Organization.objects.filter(path__startswith=target.path).exclude(pk=target.pk)}

    def perform(self, form: GrantForm, target: Organization) -> FundEntry:
        data = dict(form.cleaned_data)
        below = data.pop("organization")
        return actions.record_income(
            below, source=FundSource.HIGHER, granted_by=target, actor=self.request.user, **data
        )


class ExpenditureView(FundEntryFormView):
    form_class = ExpenditureForm
    title = gettext_lazy("Record an expenditure")

    def get_form_kwargs(self, target: Organization) -> dict[str, Any]:
        from dangjian.duties.models import Project

        return {"projects": Project.objects.filter(organization=target, state="running")}

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        threshold = rules.APPROVAL_THRESHOLD
        context["intro"] = _(
            "Balance %(balance)s yuan. Above %(threshold)s yuan the expenditure waits for the higher "
            "organization's approval (local setting %(key)s)."
        ) % {
            "balance": queries.fund_balance(target),
            "threshold": value(threshold.key, timezone.localdate()),
            "key": threshold.key,
        }
        return context

    def perform(self, form: ExpenditureForm, target: Organization) -> FundEntry:
        entry = actions.record_expenditure(target, actor=self.request.user, **form.cleaned_data)
        self.success_message = (
            _("The expenditure waits for the higher organization's approval.")
            if entry.state == FundState.PENDING
            else _("Expenditure recorded.")
        )
        return entry


class FundEntryView(LoginRequiredMixin, TemplateView):
    """One ledger entry with its voucher, approval and history; the decision form for
    whoever may decide."""

    template_name = "dues/fund_entry.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = get_in_scope(self.request.user, FundEntry, Action.VIEW, pk=self.kwargs["pk"])
        context.update(
            entry=entry,
            title=entry.description,
            can_decide=actions.can_decide(self.request.user, entry),
            form=kwargs.get("form") or DecisionForm(),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_in_scope(request.user, FundEntry, Action.CHANGE, pk=pk)
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide_expenditure(
                    entry, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"], actor=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc, {"decision_note": "note"})
            else:
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(reverse("dues:fund_entry", args=[pk]))
        return self.render_to_response(self.get_context_data(pk=pk, form=form), status=400)


@login_required
def fund_statement(request: HttpRequest, org: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    if not can(request.user, FundEntry, Action.EXPORT) or request.user.role == Role.MEMBER:
        raise PermissionDenied
    organization = get_in_scope(request.user, Organization, Action.VIEW, pk=org)
    statement = queries.fund_statement(organization, year_from(request))
    name = f"funds-{organization.code or organization.pk}-{statement.year}"
    if fmt == "pdf":
        return file_response(reports.statement_pdf(statement), f"{name}.pdf", as_attachment=False)
    return file_response(reports.statement_xlsx(statement), f"{name}.xlsx", as_attachment=True)
