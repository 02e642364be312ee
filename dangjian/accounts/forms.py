"""Forms of accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import User
from dangjian.accounts.roles import ASSIGNABLE, Action, Role
from dangjian.core.forms import StyledFormMixin, StyledModelForm
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class UserForm(StyledModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Required for a new account; leave blank to keep the current one."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "role", "scope_org", "member", "is_active"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ASSIGNABLE.get(actor.role, frozenset())
        self.fields["role"].choices = [c for c in Role.choices if c[0] in allowed]
        self.fields["scope_org"].queryset = Organization.objects.restrict(actor, Action.VIEW)
        self.fields["scope_org"].label_from_instance = lambda o: f"{o.name} ({o.code})"
        self.fields["member"].queryset = Member.objects.restrict(actor).active().select_related("organization")
        self.fields["member"].label_from_instance = lambda m: f"{m.name} · {m.organization.name}"
        self.fields["member"].help_text = _("For a member account: the member's own record.")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not password and self.instance.pk is None:
            raise forms.ValidationError(_("A new account needs an initial password."))
        if password:
            validate_password(password, self.instance)
        return password


class PasswordChangeForm(StyledModelForm):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    class Meta:
        model = User
        fields: list[str] = []

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.instance.check_password(password):
            raise forms.ValidationError(_("The current password is not right."))
        return password

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        validate_password(password, self.instance)
        return password
