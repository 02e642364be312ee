"""The JSON columns written in bulk (a published result's breakdown, the audit entries'
changes) come back as they were written, quotes, backslashes and Chinese included; on
PostgreSQL they are inserted with VALUES, not UNNEST (dangjian.core.fields)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.assessment.models import Result, Round, Scheme
from dangjian.core.models import AuditEntry, AuditSource
from dangjian.core.testing import Cast

TRICKY: list[Any] = [
    {
        "title": '“三会一课” "quoted" \\ back\\slash \\"both\\"',
        "detail": {"done": 11, "due": 12, "rate": 0.9166, "none": None, "nested": [[], {}, ["\n\t"]]},
        "score": "8.25",
    },
    {"title": "", "detail": {}, "score": None},
]


def inserts(queries: list[dict[str, str]], table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"')]


def test_breakdowns_and_changes_round_trip_through_bulk_create(cast: Cast) -> None:
    scheme = Scheme.objects.create(organization=cast.county, year=2026, title="考核")
    round_ = Round.objects.create(
        scheme=scheme, kind="year_end", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    points = {"party": D(1), "business": D(1), "bonus": D(0), "deduction": D(0), "total": D(2)}
    results = [
        Result(
            round=round_,
            organization=org,
            place=1,
            place_from_bottom=1,
            group_size=2,
            grade="A",
            breakdown=TRICKY,
            **points,
        )
        for org in (cast.committee_x, cast.committee_y)
    ]
    about = ContentType.objects.get_for_model(Result)
    entries = [
        AuditEntry(action="create", source=AuditSource.COMMAND, content_type=about, object_id=str(n), changes=changes)
        for n, changes in enumerate(({"breakdown": [None, TRICKY]}, {}))
    ]
    with CaptureQueriesContext(connection) as captured:
        Result.objects.bulk_create(results)
        AuditEntry.objects.bulk_create(entries)
    for table in ("assessment_result", "core_auditentry"):
        (sql,) = inserts(captured.captured_queries, table)
        assert "UNNEST" not in sql.upper()
    assert [r.breakdown for r in Result.objects.filter(round=round_)] == [TRICKY, TRICKY]
    stored = AuditEntry.objects.filter(content_type=about).order_by("object_id")
    assert [e.changes for e in stored] == [{"breakdown": [None, TRICKY]}, {}]
