"""Every change to accounts: creating, editing, passwords, API tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from dangjian.accounts.models import User
from dangjian.accounts.roles import ASSIGNABLE, Action, Role
from dangjian.core import audit
from dangjian.core.scoping import ensure_in_scope


def _check_assignment(actor: Any, user: User) -> None:
    if actor is None:
        return
    if user.role not in ASSIGNABLE.get(actor.role, frozenset()):
        raise ValidationError({"role": _("You cannot give the role “%(role)s”.") % {"role": Role(user.role).label}})
    if user.role == Role.MEMBER and user.member_id:
        user.scope_org = None


@transaction.atomic
def create_user(user: User, *, password: str, actor: Any) -> User:
    _check_assignment(actor, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor, "create", user, before={})
    ensure_in_scope(actor, user, Action.ADD)
    return user


@transaction.atomic
def update_user(user: User, *, actor: Any, before: dict[str, Any]) -> User:
    _check_assignment(actor, user)
    user.full_clean()
    user.save()
    audit.record(actor, "update", user, before=before)
    ensure_in_scope(actor, user, Action.CHANGE)
    return user


@transaction.atomic
def set_password(user: User, *, password: str, actor: Any) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor, "update", user, changes={"password": ["***", "***"]})
    return user


@transaction.atomic
def issue_token(user: User) -> Token:
    """A new API token for ``user`` (any previous one stops working)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(user, "update", user, changes={"api_token": ["", _("new token issued")]})
    return token


@transaction.atomic
def revoke_token(user: User) -> None:
    Token.objects.filter(user=user).delete()
    audit.record(user, "update", user, changes={"api_token": [_("token"), ""]})
