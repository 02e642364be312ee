"""Fixtures shared by the whole suite: the fixed cast and fast, inline background jobs."""

from __future__ import annotations

import pytest

from dangjian.core.testing import Cast, build_cast


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Inline background jobs, a private media folder, a fast hasher, English."""
    settings.BACKGROUND_JOBS = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 stays the hasher under test in accounts tests; elsewhere a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Messages are asserted in English; tests of the Chinese catalog override the language.
    settings.LANGUAGE_CODE = "en"
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db) -> Cast:  # type: ignore[no-untyped-def]
    return build_cast()
