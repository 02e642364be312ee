"""Pages of party dues: a member's standard, payments and unpaid months; setting the
standard and recording payments; the arrears of a subtree with the month's collection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from dangjian.accounts.roles import Action
from dangjian.core.dates import add_months
from dangjian.core.ids import pk_or_404
from dangjian.core.rulesets import value
from dangjian.core.scoping import can, covers_path, get_in_scope
from dangjian.dues import actions, queries
from dangjian.dues.forms import PaymentForm, StandardForm
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.members.views import MemberActionView
from dangjian.orglife.rules import DRIFT_MONTHS
from dangjian.orgs.models import Organization
from dangjian.orgs.queries import scope_roots

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
        org_pk = self.request.GET.get("org", "")
        if org_pk:
            root = get_in_scope(user, Organization, Action.VIEW, pk=pk_or_404(org_pk))
        else:
            root = scope_roots(user).first()
        members = Member.objects.restrict(user).select_related("organization")
        if root is not None:
            members = members.filter(organization__path__startswith=root.path)
        month, month_error = _month_from(self.request)
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
            year=queries.collection_year(members, month.year, last_month()),
            listed=listed,
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
