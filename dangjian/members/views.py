"""Pages of the member registry."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action
from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import can, get_in_scope
from dangjian.core.views import ActionFormView, ScopedDetailView, ScopedListView
from dangjian.members import actions
from dangjian.members.choices import ACTIVE_STATUSES, PostKind, TransferState, Transition
from dangjian.members.filters import MemberFilter, TransferFilter
from dangjian.members.forms import (
    AcceptTransferForm,
    CancelTransferForm,
    MemberForm,
    PostEndForm,
    PostForm,
    TransferForm,
    TransferInForm,
    TransitionForm,
)
from dangjian.members.models import Member, Post, StatusChange, Transfer
from dangjian.members.rules import MANUAL_TRANSITIONS, TRANSITIONS
from dangjian.members.tables import MemberTable, TransferTable, sees_sensitive
from dangjian.orgs.models import Organization

ID_FIELD_MAP = {"id_number_digest": "id_number"}


class MemberListView(ScopedListView):
    model = Member
    table_class = MemberTable
    filterset_class = MemberFilter
    export_name = "members"
    title = _("Members")
    template_name = "members/list.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization")


class MemberDetailView(ScopedDetailView):
    model = Member
    template_name = "members/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member: Member = self.object
        user = self.request.user
        context.update(
            sensitive=sees_sensitive(self.request),
            posts=Post.objects.restrict(user).filter(member=member).select_related("organization"),
            changes=StatusChange.objects.restrict(user)
            .filter(member=member)
            .select_related("organization")
            .order_by("on", "id"),
            transfers=Transfer.objects.restrict(user).filter(member=member).select_related("from_org", "to_org"),
            can_change=can(user, Member, Action.CHANGE) and member.status in ACTIVE_STATUSES,
            can_transition=any(member.status in TRANSITIONS[t][0] for t in MANUAL_TRANSITIONS),
            can_view_audit=can(user, AuditEntry, Action.VIEW),
            history=audit.entries_about(
                user,
                {
                    Member: [member.pk],
                    Post: member.posts.values_list("pk", flat=True),
                    Transfer: member.transfers.values_list("pk", flat=True),
                },
            ),
            pending_transfer=member.transfers.filter(state=TransferState.PENDING).first(),
            can_see_dues=can(user, apps.get_model("dues", "DuesStandard"), Action.VIEW),
            # The development file that made this person a member (development app).
            development_file=apps.get_model("development", "Candidate")
            .objects.restrict(user)
            .filter(member=member)
            .first(),
        )
        context.update(_organizational_life(user, member))
        return context


def _organizational_life(user: Any, member: Member) -> dict[str, Any]:
    """Attendance rate and last attendance of ``member``, and whether they drift (S1/S2)."""
    from django.utils import timezone

    from dangjian.orglife import queries as life
    from dangjian.orglife.choices import DriftReason
    from dangjian.orglife.models import Event

    if not can(user, Event, Action.VIEW):
        return {}
    today = timezone.localdate()
    drift = life.drifting(Member.objects.filter(pk=member.pk), today).values_list("drift_reason", flat=True).first()
    return {
        "attendance": life.attendance_summary(member, today),
        "drifting": DriftReason(drift).label if drift else "",
    }


class MemberFormMixin:
    field_map = ID_FIELD_MAP

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"user": self.request.user}  # type: ignore[attr-defined]
        if target is not None:
            self._before = audit.snapshot(target)
            kwargs["instance"] = target
        else:
            kwargs["initial"] = {"organization": self.request.GET.get("organization")}  # type: ignore[attr-defined]
        return kwargs

    def success_url(self, result: Member) -> str:
        return reverse("members:detail", args=[result.pk])


class MemberCreateView(MemberFormMixin, ActionFormView):
    form_class = MemberForm
    permission = (Member, Action.ADD)
    title = _("Add a member")
    template_name = "members/form.html"
    success_message = _("The member is registered.")

    def perform(self, form: MemberForm, target: None) -> Member:
        return actions.register_member(form.instance, actor=self.request.user)

    def cancel_url(self, target: Any) -> str:
        return reverse("members:list")


class MemberUpdateView(MemberFormMixin, ActionFormView):
    form_class = MemberForm
    title = _("Edit member")
    template_name = "members/form.html"

    def get_target(self) -> Member:
        return get_in_scope(self.request.user, Member, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: MemberForm, target: Member) -> Member:
        return actions.update_member(form.instance, actor=self.request.user, before=self._before)


class MemberActionView(ActionFormView):
    """Base of the forms acting on one member (loaded for CHANGE)."""

    def get_target(self) -> Member:
        return get_in_scope(self.request.user, Member, Action.CHANGE, pk=self.kwargs["pk"])

    def success_url(self, result: Any) -> str:
        return reverse("members:detail", args=[self.kwargs["pk"]])


class TransitionView(MemberActionView):
    form_class = TransitionForm
    title = _("Record a status change")
    success_message = _("The change is recorded in the member's history.")

    def get_form_kwargs(self, target: Member) -> dict[str, Any]:
        return {"member": target, "initial": {"transition": self.request.GET.get("transition")}}

    def perform(self, form: TransitionForm, target: Member) -> Any:
        data = form.cleaned_data
        return actions.record_transition(
            target, Transition(data["transition"]), on=data["on"], reason=data["reason"], actor=self.request.user
        )


class TransferStartView(MemberActionView):
    form_class = TransferForm
    title = _("Transfer organizational relation")
    success_message = _("The transfer is started; the member stays here until the receiver accepts.")

    def perform(self, form: TransferForm, target: Member) -> Transfer:
        data = form.cleaned_data
        return actions.start_transfer(
            target,
            to_org=data["to_org"],
            to_external=data["to_external"],
            reason=data["reason"],
            letter_number=data["letter_number"],
            issued_on=data["issued_on"],
            same_city=data["same_city"],
            note=data["note"],
            actor=self.request.user,
        )


class TransferListView(ScopedListView):
    """Transfers touching the scope: waiting to be accepted here, sent from here, done."""

    model = Transfer
    table_class = TransferTable
    filterset_class = TransferFilter
    export_name = "transfers"
    title = _("Transfers")
    template_name = "members/transfers.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("member", "from_org", "to_org")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_receive"] = can(self.request.user, Member, Action.ADD)
        return context


class TransferActionView(ActionFormView):
    def get_target(self) -> Transfer:
        return get_in_scope(self.request.user, Transfer, Action.CHANGE, pk=self.kwargs["pk"])

    def success_url(self, result: Transfer) -> str:
        return reverse("members:transfers")

    def cancel_url(self, target: Transfer) -> str:
        return reverse("members:transfers")


class TransferAcceptView(TransferActionView):
    form_class = AcceptTransferForm
    title = _("Accept transfer")
    success_message = _("The transfer is accepted.")

    def perform(self, form: AcceptTransferForm, target: Transfer) -> Transfer:
        return actions.accept_transfer(target, accepted_on=form.cleaned_data["accepted_on"], actor=self.request.user)


class TransferCancelView(TransferActionView):
    form_class = CancelTransferForm
    title = _("Cancel transfer")
    success_message = _("The transfer is cancelled.")

    def perform(self, form: CancelTransferForm, target: Transfer) -> Transfer:
        return actions.cancel_transfer(target, reason=form.cleaned_data["reason"], actor=self.request.user)


class TransferInView(MemberFormMixin, ActionFormView):
    form_class = TransferInForm
    permission = (Member, Action.ADD)
    title = _("Receive a member from outside the system")
    template_name = "members/form.html"
    success_message = _("The member is registered with the transfer.")

    def perform(self, form: TransferInForm, target: None) -> Member:
        data = form.cleaned_data
        return actions.receive_transfer_from_outside(
            form.instance,
            from_external=data["from_external"],
            letter_number=data["letter_number"],
            issued_on=data["issued_on"],
            accepted_on=data["accepted_on"],
            reason=data["reason"],
            actor=self.request.user,
        )

    def cancel_url(self, target: Any) -> str:
        return reverse("members:transfers")


class PostAddView(ActionFormView):
    form_class = PostForm
    permission = (Post, Action.CHANGE)
    title = _("Add a post")
    success_message = _("The post is recorded.")

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        user = self.request.user
        member_id = self.request.GET.get("member")
        org_id = self.request.GET.get("organization")
        return {
            "user": user,
            "member": get_in_scope(user, Member, Action.CHANGE, pk=member_id) if member_id else None,
            "organization": get_in_scope(user, Organization, Action.CHANGE, pk=org_id) if org_id else None,
        }

    def perform(self, form: PostForm, target: None) -> Post:
        return actions.add_post(form.instance, actor=self.request.user)

    def success_url(self, result: Post) -> str:
        if result.kind == PostKind.PARTY and self.request.GET.get("organization"):
            return reverse("orgs:detail", args=[result.organization_id])
        return reverse("members:detail", args=[result.member_id])

    def cancel_url(self, target: Any) -> str:
        if self.request.GET.get("organization"):
            return reverse("orgs:detail", args=[self.request.GET["organization"]])
        if self.request.GET.get("member"):
            return reverse("members:detail", args=[self.request.GET["member"]])
        return reverse("members:list")


class PostEndView(ActionFormView):
    form_class = PostEndForm
    title = _("End a post")

    def get_target(self) -> Post:
        return get_in_scope(self.request.user, Post, Action.CHANGE, pk=self.kwargs["pk"])

    def perform(self, form: PostEndForm, target: Post) -> Post:
        return actions.end_post(target, ended_on=form.cleaned_data["ended_on"], actor=self.request.user)

    def success_url(self, result: Post) -> str:
        return reverse("members:detail", args=[result.member_id])

    def cancel_url(self, target: Post) -> str:
        return reverse("members:detail", args=[target.member_id])
