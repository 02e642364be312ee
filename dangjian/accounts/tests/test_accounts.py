"""Accounts: Argon2 passwords, throttled logins, user management within the scope."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.testing import PASSWORD, Cast


def test_argon2_is_the_default_hasher() -> None:
    from dangjian import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_and_throttle(cast: Cast, settings) -> None:
    settings.PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("accounts:login")
    assert client.post(url, {"username": "secretary_a", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(3):
        response = client.post(url, {"username": "secretary_a", "password": "wrong"})
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()
    # Even the right password is refused while locked.
    assert client.post(url, {"username": "secretary_a", "password": PASSWORD}).status_code == 429
    # Another account from the same address is not locked.
    assert client.post(url, {"username": "secretary_b", "password": PASSWORD}).status_code == 302


def test_org_admin_manages_users_in_scope_only(cast: Cast) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.committee_admin)
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "secretary_a" in listing and "secretary_b" not in listing and ">admin<" not in listing
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "new_sec",
            "role": Role.BRANCH_SECRETARY,
            "scope_org": cast.branch_b.pk,
            "password": "Xk3#long-pass",
        },
    )
    assert response.status_code == 400  # branch B is not in the committee's scope
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "new_admin",
            "role": Role.PLATFORM_ADMIN,
            "scope_org": cast.branch_a.pk,
            "password": "Xk3#long-pass",
        },
    )
    assert response.status_code == 400  # cannot hand out a higher role
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "new_sec",
            "role": Role.BRANCH_SECRETARY,
            "scope_org": cast.branch_a.pk,
            "password": "Xk3#long-pass",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_sec")
    assert user.check_password("Xk3#long-pass") and user.scope_org == cast.branch_a
    assert client.get(reverse("accounts:user_edit", args=[cast.secretary_b.pk])).status_code == 404


@pytest.mark.parametrize("who", ["secretary_a", "instructor", "member_a"])
def test_roles_without_user_management(cast: Cast, who: str) -> None:
    client = Client()
    client.force_login(getattr(cast, who))
    assert client.get(reverse("accounts:user_add")).status_code == 403


def test_api_token_authentication(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.secretary_a)
    client.post(reverse("accounts:profile"), {"do": "issue_token"})
    page = client.get(reverse("accounts:profile")).content.decode()
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user=cast.secretary_a).key
    assert key in page
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    names = {r["name"] for r in api.get(reverse("member-list")).json()["results"]}
    assert names == {m.name for m in cast.members_a}
    assert Client(HTTP_AUTHORIZATION="Token nope").get(reverse("member-list")).status_code == 401
