"""Primary keys read from query strings and form data."""

from __future__ import annotations

from typing import Any

from django.http import Http404


def is_pk(value: Any) -> bool:
    """Whether ``value`` reads as a primary key: ASCII digits of a sane length (``"²"``
    passes ``str.isdigit`` but not ``int``; a 30-digit number overflows the database)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) < 16


def pk_or_404(value: Any) -> int:
    """``value`` as a primary key, else 404 (like an object out of scope)."""
    if not is_pk(value):
        raise Http404
    return int(value)
