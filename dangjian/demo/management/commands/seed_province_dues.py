"""``manage.py seed_province_dues``: dues standards and a year of monthly payments for the
province-size dataset (dangjian/demo/province_dues.py), for bench/bench_dues.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.models import Member


class Command(BaseCommand):
    help = (
        "Write a dues standard for every current member and the monthly payments from January to last month "
        "(benchmarks; PostgreSQL only)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same rows.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="The day the data is built as of (YYYY-MM-DD)."
        )
        parser.add_argument("--replace", action="store_true", help="Delete every existing standard and payment first.")

    def handle(self, *args: Any, seed: int, today: dt.date | None, replace: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_province_dues generates its rows in PostgreSQL SQL (generate_series, hashint8extended): "
                f"set DATABASE_URL to a PostgreSQL database (this one is {connection.vendor})."
            )
        if not Member.objects.exists():
            raise CommandError("No members: run seed_demo --size province first.")
        if DuesStandard.objects.exists() or Payment.objects.exists():
            if not replace:
                raise CommandError("Dues standards or payments exist: use --replace to delete them and write new ones.")
            with connection.cursor() as cursor:
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (DuesStandard, Payment))
                cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")
        from dangjian.demo.province_dues import build_dues

        result = build_dues(seed=seed, today=today or timezone.localdate(), log=self.stdout.write)
        categories = ", ".join(f"{n:,} {cat}" for cat, n in result["categories"].items())
        habits = ", ".join(f"{n:,} {habit}" for habit, n in result["habits"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Party dues: {result['standards']:,} standards ({categories}; {result['exempted']:,} exempted, "
                f"{result['reduced']:,} reduced), {result['regular']:,} monthly payments "
                f"{result['first_month']:%Y-%m}–{result['last_month']:%Y-%m} and {result['voluntary']:,} voluntary "
                f"in {result['seconds']} s. Paying members by habit: {habits}."
            )
        )
