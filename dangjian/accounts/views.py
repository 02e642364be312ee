"""Login, one's own account (password, API token) and user management."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from rest_framework.authtoken.models import Token

from dangjian.accounts import actions
from dangjian.accounts.forms import LoginForm, PasswordChangeForm, UserForm
from dangjian.accounts.models import User
from dangjian.accounts.roles import Action, Role
from dangjian.core import audit
from dangjian.core.filters import StyledFilterSet
from dangjian.core.scoping import get_in_scope
from dangjian.core.views import ActionFormView, ScopedListView


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class ProfileView(LoginRequiredMixin, View):
    """One's own account: change password, issue or revoke an API token."""

    def render_page(self, request: HttpRequest, form: PasswordChangeForm, status: int = 200) -> HttpResponse:
        token = Token.objects.filter(user=request.user).first()
        shown = request.session.pop("new_token", None)
        return render(
            request,
            "accounts/profile.html",
            {"form": form, "has_token": token is not None, "new_token": shown, "title": _("My account")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, PasswordChangeForm(instance=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        what = request.POST.get("do")
        if what == "issue_token":
            token = actions.issue_token(user)  # type: ignore[arg-type]
            request.session["new_token"] = token.key
            return HttpResponseRedirect(reverse("accounts:profile"))
        if what == "revoke_token":
            actions.revoke_token(user)  # type: ignore[arg-type]
            messages.success(request, _("The API token is revoked."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        form = PasswordChangeForm(request.POST, instance=user)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        actions.set_password(user, password=form.cleaned_data["new_password"], actor=user)  # type: ignore[arg-type]
        update_session_auth_hash(request, user)  # type: ignore[arg-type]
        messages.success(request, _("Your password is changed."))
        return HttpResponseRedirect(reverse("accounts:profile"))


class UserFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Name or user name"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, qs: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return qs.filter(Q(username__icontains=value) | Q(full_name__icontains=value)) if value else qs


class UserTable(tables.Table):
    username = tables.Column(verbose_name=_("User name"), linkify=("accounts:user_edit", {"pk": tables.A("pk")}))
    full_name = tables.Column(verbose_name=_("Full name"))
    role = tables.Column(verbose_name=_("Role"))
    scope_org = tables.Column(verbose_name=_("Scope"))
    member = tables.Column(verbose_name=_("Member record"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    last_login = tables.DateTimeColumn(verbose_name=_("Last login"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "scope_org", "member", "is_active", "last_login"]


class UserListView(ScopedListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilter
    export_name = "users"
    title = _("Users")
    template_name = "accounts/users.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("scope_org", "member").order_by("username")


class UserCreateView(ActionFormView):
    form_class = UserForm
    permission = (User, Action.ADD)
    title = _("Add a user")
    success_message = _("The account is created.")

    def get_form_kwargs(self, target: Any) -> dict[str, Any]:
        return {"actor": self.request.user, "initial": {"scope_org": self.request.user.scope_org_id}}

    def perform(self, form: UserForm, target: None) -> User:
        return actions.create_user(form.instance, password=form.cleaned_data["password"], actor=self.request.user)

    def success_url(self, result: User) -> str:
        return reverse("accounts:users")

    def cancel_url(self, target: Any) -> str:
        return reverse("accounts:users")


class UserUpdateView(ActionFormView):
    form_class = UserForm
    title = _("Edit user")

    def get_target(self) -> User:
        return get_in_scope(self.request.user, User, Action.CHANGE, pk=self.kwargs["pk"])

    def get_form_kwargs(self, target: User) -> dict[str, Any]:
        self._before = audit.snapshot(target)
        return {"actor": self.request.user, "instance": target}

    def perform(self, form: UserForm, target: User) -> User:
        user = actions.update_user(form.instance, actor=self.request.user, before=self._before)
        if form.cleaned_data["password"]:
            actions.set_password(user, password=form.cleaned_data["password"], actor=self.request.user)
        return user

    def success_url(self, result: User) -> str:
        return reverse("accounts:users")

    def cancel_url(self, target: User) -> str:
        return reverse("accounts:users")
