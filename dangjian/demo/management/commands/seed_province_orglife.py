"""``manage.py seed_province_orglife``: a year of organizational life events for the
province-size dataset (dangjian/demo/province_orglife.py), for bench/bench_orglife.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "Write one year of held, late, missing and planned events for every organization (benchmarks)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same events.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="The day the data is built as of (YYYY-MM-DD)."
        )
        parser.add_argument("--replace", action="store_true", help="Delete every existing event first.")

    def handle(self, *args: Any, seed: int, today: dt.date | None, replace: bool, **options: Any) -> None:
        if not Organization.objects.exists():
            raise CommandError("No organizations: run seed_demo --size province first.")
        if Event.objects.exists():
            if not replace:
                raise CommandError("Events already exist: use --replace to delete them and write new ones.")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Attendance, votes and attachments of the events go with them.
                    cursor.execute(f"TRUNCATE {connection.ops.quote_name(Event._meta.db_table)} CASCADE")
            else:
                Event.objects.all().delete()
        from dangjian.demo.province_orglife import build_orglife

        result = build_orglife(seed=seed, today=today or timezone.localdate(), log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Organizational life: {result['events']:,} events."))
