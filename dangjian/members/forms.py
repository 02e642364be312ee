"""Forms of the member registry. They collect input; rules and actions validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action
from dangjian.core.forms import StyledForm, StyledModelForm
from dangjian.core.ids import is_pk
from dangjian.members.choices import Status, TransferReason
from dangjian.members.models import Member, Post
from dangjian.members.rules import MANUAL_TRANSITIONS, TRANSITIONS
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization, PartyGroup

PERSONAL_FIELDS = [
    "name",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "occupation",
    "workplace",
    "phone",
]
MOBILE_FIELDS = ["is_mobile", "mobile_location", "mobile_since", "mobile_certificate", "lost_contact_since"]


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


def visible_branches(user: Any) -> Any:
    """Branches the user can see; whether they may add members there is checked by the
    action (``ensure_in_scope`` on the new member)."""
    return Organization.objects.restrict(user).filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)


class MemberForm(StyledModelForm):
    """A member's personal data; on creation also organization, status and dates."""

    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=20,
        help_text=_("18 characters; birth date and gender are read from it."),
    )

    class Meta:
        model = Member
        fields = [
            "organization",
            "party_group",
            *[f for f in PERSONAL_FIELDS if f != "id_number"],
            "status",
            "joined_on",
            "full_on",
            *MOBILE_FIELDS,
        ]
        field_classes = {"organization": OrgChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["organization", "party_group", *PERSONAL_FIELDS])
        creating = self.instance.pk is None
        if creating:
            self.fields["organization"].queryset = visible_branches(user)
            self.fields["status"].choices = [
                (Status.PROBATIONARY.value, Status.PROBATIONARY.label),
                (Status.FULL.value, Status.FULL.label),
            ]
        else:
            del self.fields["organization"]
            del self.fields["status"]
            self.fields["id_number"].initial = self.instance.id_number
        if creating and not self.initial.get("organization"):
            only = list(self.fields["organization"].queryset[:2])
            if len(only) == 1:  # a branch secretary: their branch
                self.initial["organization"] = only[0].pk
        org_id = self.data.get("organization") or self.initial.get("organization") or self.instance.organization_id
        groups = PartyGroup.objects.restrict(user).select_related("organization")
        if org_id and is_pk(org_id):
            groups = groups.filter(organization_id=org_id)
        self.fields["party_group"].queryset = groups
        self.fields["party_group"].label_from_instance = lambda g: f"{g.organization.name} · {g.name}"
        if not creating and self.instance.status != Status.FULL:
            del self.fields["full_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The model validates the ID number (checksum, birth date, gender, duplicates).
        self.instance.id_number = data.get("id_number", "")
        return data


class TransitionForm(StyledForm):
    transition = forms.ChoiceField(label=_("Change"))
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = [
            (t.value, t.label) for t in MANUAL_TRANSITIONS if member.status in TRANSITIONS[t][0]
        ]


class TransferForm(StyledForm):
    to_org_code = forms.CharField(
        label=_("Receiving organization code"),
        required=False,
        max_length=32,
        help_text=_("For a branch in this system: its organization code."),
    )
    to_external = forms.CharField(
        label=_("Receiving organization outside the system"),
        required=False,
        max_length=200,
        help_text=_("Otherwise: its full name as on the introduction letter."),
    )
    same_city = forms.BooleanField(
        label=_("Within the same city"), required=False, help_text=_("Sets the letter's validity (T4).")
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    letter_number = forms.CharField(label=_("Introduction letter number"), max_length=50)
    issued_on = forms.DateField(label=_("Letter issued on"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = (data.get("to_org_code") or "").strip()
        data["to_org"] = None
        if code:
            data["to_org"] = Organization.objects.filter(code__iexact=code).first()
            if data["to_org"] is None:
                self.add_error("to_org_code", _("No organization has the code %(code)s.") % {"code": code})
        elif not (data.get("to_external") or "").strip():
            self.add_error("to_org_code", _("Give the receiving organization's code or its name."))
        return data


class AcceptTransferForm(StyledForm):
    accepted_on = forms.DateField(label=_("Accepted on"), initial=timezone.localdate)


class CancelTransferForm(StyledForm):
    reason = forms.CharField(label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}))


class TransferInForm(MemberForm):
    """A member arriving from an organization outside the system, with the letter."""

    from_external = forms.CharField(label=_("Sending organization"), max_length=200)
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    letter_number = forms.CharField(label=_("Introduction letter number"), max_length=50)
    issued_on = forms.DateField(label=_("Letter issued on"))
    accepted_on = forms.DateField(label=_("Accepted on"), initial=timezone.localdate)

    def clean(self) -> dict[str, Any]:
        self.instance.returning_member_ok = True
        return super().clean()


class PostForm(StyledModelForm):
    class Meta:
        model = Post
        fields = ["member", "kind", "organization", "party_post", "portfolio", "title", "unit_name", "started_on"]
        field_classes = {"organization": OrgChoiceField}

    def __init__(
        self,
        *args: Any,
        user: Any,
        member: Member | None = None,
        organization: Organization | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, Action.CHANGE)
        self.fields["member"].queryset = Member.objects.restrict(user).active().select_related("organization")
        self.fields["member"].label_from_instance = lambda m: f"{m.name} · {m.organization.name}"
        if member is not None:
            self.fields["member"].initial = member.pk
            self.fields["member"].queryset = Member.objects.filter(pk=member.pk)
        if organization is not None:
            self.fields["organization"].initial = organization.pk
            self.fields["kind"].initial = "party"
            self.fields["member"].queryset = self.fields["member"].queryset.filter(
                organization__path__startswith=organization.path
            )


class PostEndForm(StyledForm):
    ended_on = forms.DateField(label=_("Until"), initial=timezone.localdate)
