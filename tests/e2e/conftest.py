"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.testing import PASSWORD, build_cast

# Playwright runs an event loop in the test thread; the ORM calls of the tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def cast_live(transactional_db, settings):  # type: ignore[no-untyped-def]
    """The fixed cast in a database the live server sees."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_cast()


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the form; the dashboard (or a member's welcome) follows."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.get_by_role("heading", name="Dashboard").or_(page.locator("h1").first)).to_be_visible()
