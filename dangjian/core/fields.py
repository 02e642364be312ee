"""Model fields the apps share."""

from __future__ import annotations

from typing import Any

from django.db import models


class JSONField(models.JSONField):
    """A JSON column bulk-inserted with ``VALUES``, as before Django 5.2.

    Since Django 5.2 (ticket #35936) ``bulk_create`` on PostgreSQL sends each column as
    one array through ``UNNEST``; psycopg dumps a ``jsonb[]`` array as text and escapes
    every ``"`` and ``\\`` of every element with a regular expression whose replacement
    is expanded in Python per match: 21.7 million calls and ~29 s of publishing a
    province's assessment results (docs/benchmarks.md, "Assessment: scoring a year-end
    round", "Slow spots and suggestions" 1). Django keeps ``VALUES`` for a field that has
    ``get_placeholder``; the placeholder is the one it would use anyway. For any JSON
    column written in bulk."""

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
