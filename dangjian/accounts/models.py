"""User accounts: one role and one scope (an organization subtree) per account."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role, ScopeMode, scope_mode
from dangjian.core.models import AuditedModel
from dangjian.core.scoping import ScopedModelMixin, ScopedQuerySetMixin


class UserQuerySet(ScopedQuerySetMixin, models.QuerySet):  # type: ignore[type-arg]
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> Any:
        extra.setdefault("role", Role.PLATFORM_ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(ScopedModelMixin, AuditedModel, AbstractUser):
    """An account. ``scope_org`` is the root of the subtree it works in; a member account
    is linked to its member record and sees only that."""

    scope_paths: ClassVar[tuple[str, ...]] = ("scope_org__path", "member__organization__path")
    scope_area: ClassVar[str | None] = "accounts"
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"password", "last_login", "date_joined"})

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    scope_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("scope"),
        help_text=_("The organization whose subtree this account works in."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoped_users",
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.PLATFORM_ADMIN) | Q(role=Role.MEMBER) | Q(scope_org__isnull=False),
                name="user_scope_required",
                violation_error_message=_("This role needs a scope organization."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.MEMBER) | Q(member__isnull=False),
                name="user_member_required",
                violation_error_message=_("A member account must be linked to a member record."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def scope_path(self) -> str:
        """Materialized path of the scope organization ('' if none)."""
        if scope_mode(self.role) is ScopeMode.SELF or self.scope_org_id is None:
            return ""
        return self.scope_org.path if self.scope_org else ""

    def audit_organization(self) -> Any:
        return self.scope_org

    @property
    def sees_everything(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN
