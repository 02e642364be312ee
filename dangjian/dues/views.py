"""Pages of party dues: a member's standard, payments and unpaid months; setting the
standard and recording payments; the arrears of a subtree with the month's collection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action
from dangjian.core.dates import add_months
from dangjian.core.imports import Column
from dangjian.core.rulesets import value
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.core.views import file_response
from dangjian.dues import actions, imports, queries, rules
from dangjian.dues.forms import PaymentForm, StandardForm, VoluntaryForm
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.members.views import MemberActionView
from dangjian.orglife.rules import DRIFT_MONTHS
from dangjian.orgs.queries import root_from

# Members' unpaid months are listed for subtrees up to this size (a township, a large
# enterprise); above it the page shows the collection by organization to drill into.
ARREARS_LIST_LIMIT = 5000


def last_month() -> dt.date:
    return add_months(timezone.localdate().replace(day=1), -1)


def _month_from(request: HttpRequest) -> tuple[dt.date, str]:
    """The month of ``?month=2026-10`` (default: last month), with an error message when
    the text is not a month."""
    text = request.GET.get("month", "").strip()
    if not text:
        return last_month(), ""
    try:
        return dt.date.fromisoformat(f"{text}-01"), ""
    except ValueError:
        return last_month(), _("“%(text)s” is not a month: give it as 2026-10.") % {"text": text}


class ArrearsView(LoginRequiredMixin, TemplateView):
    """Members of a subtree with unpaid months up to last month (S1 at six in a row), and
    the collection of one month (``?month=2026-10``)."""

    template_name = "dues/arrears.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, DuesStandard, Action.VIEW) or not can(user, Member, Action.VIEW):
            raise PermissionDenied
        root = root_from(self.request)
        members = Member.objects.restrict(user).select_related("organization")
        if root is not None:
            members = members.filter(organization__path__startswith=root.path)
        month, month_error = _month_from(self.request)
        year = queries.collection_year(members, month.year, last_month())
        s1 = value(DRIFT_MONTHS.key, timezone.localdate())
        listed = members.filter(status__in=ACTIVE_STATUSES).count() <= ARREARS_LIST_LIMIT
        owed = queries.arrears(members, last_month()) if listed else []
        context.update(
            title=gettext_lazy("Party dues"),
            root=root,
            month=month,
            month_error=month_error,
            collection=queries.collection(members, month),
            by_child=queries.collection_by_child(members, root, month) if root else [],
            year=year,
            year_total=queries.year_total(year),
            listed=listed,
            can_import=can(user, Payment, Action.IMPORT),
            list_limit=ARREARS_LIST_LIMIT,
            arrears=sorted(owed, key=lambda a: (-a.current_run, -a.count)),
            s1_months=s1,
            flagged=queries.unpaid_in_a_row(members, last_month(), s1).count(),
        )
        return context


class MemberDuesView(LoginRequiredMixin, TemplateView):
    template_name = "dues/member.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        member = get_in_scope(user, Member, Action.VIEW, pk=self.kwargs["pk"])
        standards = DuesStandard.objects.restrict(user).filter(member=member).order_by("-valid_from")
        payments = Payment.objects.restrict(user).filter(member=member).order_by("-month", "-id")
        owed = queries.arrears(Member.objects.filter(pk=member.pk), last_month())
        context.update(
            member=member,
            standards=standards,
            payments=payments[:60],
            unpaid=owed[0].months if owed else [],
            can_change=can(user, DuesStandard, Action.CHANGE) and covers_path(user, member.organization.path),
        )
        return context


class MemberDuesFormView(MemberActionView):
    """A dues form on one member (the member loaded for change, as the registry's forms
    do), back to the member's dues page."""

    def get_target(self) -> Member:
        if not can(self.request.user, DuesStandard, Action.CHANGE):
            raise Http404
        return super().get_target()

    def success_url(self, result: Any) -> str:
        return reverse("dues:member", args=[self.kwargs["pk"]])

    def cancel_url(self, target: Any) -> str:
        return reverse("dues:member", args=[self.kwargs["pk"]])


class StandardView(MemberDuesFormView):
    form_class = StandardForm
    title = gettext_lazy("Set the dues standard")
    success_message = gettext_lazy("Dues standard saved.")

    def perform(self, form: StandardForm, target: Member) -> DuesStandard:
        data = form.cleaned_data
        return actions.set_standard(
            target,
            category=data["category"],
            valid_from=data["valid_from"],
            base=data["base"],
            farmer_amount=data["farmer_amount"],
            reduced_amount=data["reduced_amount"],
            reduction_reason=data["reduction_reason"],
            note=data["note"],
            actor=self.request.user,
        )


class VoluntaryView(MemberDuesFormView):
    form_class = VoluntaryForm
    title = gettext_lazy("Record a voluntary payment")
    success_message = gettext_lazy("Voluntary payment recorded.")

    def get_context(self, form: Any, target: Any) -> dict[str, Any]:
        context = super().get_context(form, target)
        context["intro"] = _(
            "On top of the monthly dues. From %(amount)s yuan a one-off payment goes wholly to the Centre (F10)."
        ) % {"amount": value(rules.LARGE_VOLUNTARY.key, timezone.localdate())}
        return context

    def perform(self, form: VoluntaryForm, target: Member) -> Payment:
        return actions.record_voluntary(target, actor=self.request.user, **form.cleaned_data)


class PaymentView(MemberDuesFormView):
    form_class = PaymentForm
    title = gettext_lazy("Record dues paid")
    success_message = gettext_lazy("Payment recorded.")

    def get_form_kwargs(self, target: Member) -> dict[str, Any]:
        owed = queries.arrears(Member.objects.filter(pk=target.pk), timezone.localdate())
        return {"unpaid": owed[0].months if owed else []}

    def perform(self, form: PaymentForm, target: Member) -> list[Payment]:
        data = form.cleaned_data
        return actions.record_payments(
            target,
            form.chosen_months(),
            method=data["method"],
            paid_on=data["paid_on"],
            receipt_no=data["receipt_no"],
            note=data["note"],
            actor=self.request.user,
        )


@login_required
def payment_sheet(request: HttpRequest) -> HttpResponse:
    """The dues sheet of a month for a subtree: one row per member who owes that month and
    has not paid it, with the amount; the secretary fills in how and when each paid,
    deletes the rest, and uploads it (``imports.PaymentImporter``)."""
    user = request.user
    if not can(user, Payment, Action.IMPORT):
        raise PermissionDenied
    root = root_from(request)
    month, error = _month_from(request)
    if error:
        return HttpResponseBadRequest(error)
    members = Member.objects.restrict(user).select_related("organization")
    if root is not None:
        members = members.filter(organization__path__startswith=root.path)
    owing = list(queries.unpaid_in(members, month).order_by("organization__path", "name_pinyin", "pk"))
    payable = queries.payable_in([m.pk for m in owing], month)
    importer = imports.PaymentImporter()
    rows = [[m.pk, "", m.name, f"{month:%Y-%m}", payable[m.pk], "", "", "", "", m.organization.name] for m in owing]
    branch = Column("branch", gettext_lazy("Branch")).template_header()
    name = f"dues-{(root.code or root.pk) if root else 'all'}-{month:%Y-%m}.xlsx"
    return file_response(importer.template_workbook(rows, extra_headers=[branch]), name, as_attachment=True)
