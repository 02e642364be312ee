"""The one way objects are restricted to a user's organization scope.

``Model.objects.restrict(user, action)`` is applied by the base view mixin, the base API
viewset, exports and imports; nothing else filters by scope. Each scoped model says how it
reaches the organization tree (``scope_paths``: lookups to a materialized path) and, for
roles scoped to their own record, how it reaches the member (``scope_self``).

Out-of-scope and missing objects look the same to the user: 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role, ScopeMode, allows, scope_mode

if TYPE_CHECKING:
    from dangjian.accounts.models import User

NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=models.Model)


class OutOfScope(Http404):
    """Raised when an object is missing or outside the user's scope (both give 404)."""

    def __init__(self, msg: Any = None) -> None:
        super().__init__(msg or _("Not found."))


class ScopedQuerySetMixin:
    """Adds ``restrict()`` to a queryset of a model that defines ``scope_q()``."""

    model: Any

    def restrict(self, user: User | Any, action: Action | str = Action.VIEW) -> Self:
        return self.filter(scope_q(self.model, user, action))  # type: ignore[attr-defined,no-any-return]


class ScopedQuerySet(ScopedQuerySetMixin, models.QuerySet):  # type: ignore[type-arg]
    pass


class ScopedModelMixin:
    """Declares how a model reaches the organization tree for scoping.

    ``scope_paths``: lookups that end at an organization's ``path``; an object is in
    scope when any of them starts with the user's scope path.
    ``scope_self``: lookup that ends at the member primary key, for roles that only see
    their own record; ``None`` means such roles see no object of this model.
    ``scope_area``: the permission area (app label by default).
    """

    scope_paths: ClassVar[tuple[str, ...]] = ("organization__path",)
    scope_self: ClassVar[str | None] = None
    scope_area: ClassVar[str | None] = None


def area_of(model: type[models.Model]) -> str:
    return getattr(model, "scope_area", None) or model._meta.app_label


def scope_q(model: type[models.Model], user: Any, action: Action | str = Action.VIEW) -> Q:
    """The filter selecting the objects of ``model`` that ``user`` may ``action``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if not allows(user.role, area_of(model), action):
        return NOTHING
    if user.role == Role.PLATFORM_ADMIN:
        return Q()
    mode = scope_mode(user.role)
    if mode is ScopeMode.SELF:
        self_lookup = getattr(model, "scope_self", None)
        if self_lookup is None or user.member_id is None:
            return NOTHING
        return Q(**{self_lookup: user.member_id})
    path = user.scope_path
    if not path:
        return NOTHING
    q = NOTHING
    for lookup in getattr(model, "scope_paths", ()):
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def can(user: Any, model: type[models.Model], action: Action | str) -> bool:
    """Whether the role allows ``action`` on ``model`` at all (e.g. to show a button)."""
    return bool(getattr(user, "is_authenticated", False) and allows(user.role, area_of(model), action))


def get_in_scope(user: Any, model: type[M], action: Action | str = Action.VIEW, **lookup: Any) -> M:
    """The object matching ``lookup`` if ``user`` may ``action`` it, else ``OutOfScope``."""
    queryset = model._default_manager.filter(scope_q(model, user, action))
    try:
        return queryset.get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise OutOfScope from exc


def ensure_in_scope(user: Any, obj: models.Model, action: Action | str = Action.CHANGE) -> None:
    """Re-check, after a write inside a transaction, that ``obj`` is still in scope.

    Raises ``OutOfScope`` so the surrounding ``transaction.atomic`` rolls the write back
    (e.g. a member moved to an organization outside the user's subtree).
    """
    if user is None:  # system and command-line writes are not scoped
        return
    model = type(obj)
    if not model._default_manager.filter(scope_q(model, user, action), pk=obj.pk).exists():
        raise OutOfScope


def covers_path(user: Any, path: str | None) -> bool:
    """Whether an organization at ``path`` lies in the user's subtree (for showing the
    right buttons; the actions themselves re-check through ``ensure_in_scope``)."""
    if not path or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    return bool(user.scope_path) and path.startswith(user.scope_path)


def require_cover(actor: Any, organization: Any) -> None:
    """For actions: ``actor`` must cover ``organization`` (its subtree); ``None`` is the
    system or the command line, never limited."""
    if actor is not None and not covers_path(actor, organization.path):
        raise OutOfScope
