"""``make demo`` builds the county on the day it runs: the builders place their dates
around that day, so the demo must build early in a year too (a builder with fixed months
once failed on every day before November)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from dangjian.demo.county import CountyBuilder
from dangjian.orgs.models import Organization


def test_the_demo_builds_early_in_the_year(db: Any) -> None:
    day = dt.date(2026, 2, 10)
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        root = CountyBuilder(1, day).build()["root"]
    assert Organization.objects.filter(path__startswith=root.path).count() > 50
