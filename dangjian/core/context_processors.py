"""Template context shared by every page: the navigation of the UI shell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.roles import Action, Role, allows


def _nav(user: Any) -> list[tuple[str, Any, str]]:
    """The main navigation: daily work. The brand links to the dashboard (no separate
    item: the bar must fit 1280 px in Chinese and English)."""
    items: list[tuple[str, Any, str]] = [
        (reverse("core:inbox"), _("To do"), "inbox"),
    ]
    if user.role == Role.MEMBER:
        if user.member_id:
            items.append((reverse("members:detail", args=[user.member_id]), _("My record"), "person"))
            items.append((reverse("orglife:mine"), _("Meetings"), "calendar-check"))
        return items
    items += [
        (reverse("orgs:tree"), _("Organizations"), "diagram-3"),
        (reverse("members:list"), _("Members"), "people"),
        (reverse("orglife:list"), pgettext_lazy("navigation", "Org life"), "calendar-check"),
        (reverse("orglife:compliance"), _("Compliance"), "clipboard-check"),
    ]
    if allows(user.role, "development", Action.VIEW):
        items.append((reverse("development:board"), _("Development"), "person-plus"))
    if allows(user.role, "duties", Action.VIEW):
        items.append((reverse("duties:lists"), _("Duties"), "list-task"))
    if allows(user.role, "inspections", Action.VIEW):
        items.append((reverse("inspections:plans"), _("Inspections"), "search"))
    if allows(user.role, "assessment", Action.VIEW):
        items.append((reverse("assessment:schemes"), _("Assessment"), "bar-chart-line"))
    return items


def _more(user: Any) -> list[tuple[str, Any, str]]:
    """Less frequent pages, in the account menu: warnings, transfers, import, users,
    audit trail, rules, requirements."""
    items: list[tuple[str, Any, str]] = []
    if user.role == Role.MEMBER:
        # A member's own democratic evaluation (self-evaluation, grade); the branch reaches
        # the evaluation from the organizational life list.
        if allows(user.role, "evaluation", Action.VIEW):
            items.append((reverse("evaluation:rounds"), _("My democratic evaluation"), "person-check"))
        if user.member_id:
            items.append((reverse("assessment:points"), _("My points"), "award"))
        return items
    items.append((reverse("orgs:warnings"), _("Warnings"), "exclamation-triangle"))
    items.append((reverse("members:transfers"), _("Transfers"), "arrow-left-right"))
    if allows(user.role, "members", Action.IMPORT):
        items.append((reverse("core:import", args=["members"]), _("Import"), "upload"))
    if allows(user.role, "accounts", Action.VIEW):
        items.append((reverse("accounts:users"), _("Users"), "person-badge"))
    if allows(user.role, "core", Action.VIEW):
        items.append((reverse("core:audit"), _("Audit trail"), "journal-text"))
    items.append((reverse("core:rules"), _("Rules"), "book"))
    items.append((reverse("orglife:requirements"), _("Requirements"), "list-check"))
    if allows(user.role, "dues", Action.VIEW):
        items.append((reverse("dues:arrears"), _("Party dues"), "cash-coin"))
    if allows(user.role, "development", Action.VIEW):
        items.append((reverse("development:plans"), _("Development plans"), "bullseye"))
        items.append((reverse("development:overrides"), _("Development overrides"), "shield-exclamation"))
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path

    def entries(items: list[tuple[str, Any, str]]) -> list[dict[str, Any]]:
        return [
            {"url": url, "label": label, "icon": icon, "active": (url != "/" and path.startswith(url)) or url == path}
            for url, label, icon in items
        ]

    return {"nav": entries(_nav(user)), "nav_more": entries(_more(user))}
