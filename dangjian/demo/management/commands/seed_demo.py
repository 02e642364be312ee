"""``manage.py seed_demo --seed N --size county|province``: deterministic demo data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "Build a deterministic demo county (default) or a province-size dataset for benchmarks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--size", choices=["county", "province"], default="county")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if organizations already exist.")
        parser.add_argument("--orgs", type=int, default=100_000, help="Province size: about this many organizations.")
        parser.add_argument("--members", type=int, default=3_000_000, help="Province size: about this many members.")

    def handle(self, *args: Any, seed: int, size: str, if_empty: bool, **options: Any) -> None:
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("Data already present; nothing loaded.")
                self.print_logins(seed)
                return
            raise CommandError("The database already has organizations: seed an empty database (or use --if-empty).")
        today = timezone.localdate()
        if size == "province":
            from dangjian.demo.province import build_province

            result = build_province(
                seed=seed, today=today, orgs=options["orgs"], members=options["members"], log=self.stdout.write
            )
            self.stdout.write(
                self.style.SUCCESS(f"Province: {result['orgs']} organizations, {result['members']} members.")
            )
            return
        from dangjian.demo.county import CountyBuilder

        result = CountyBuilder(seed, today).build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo county “{result['root']}”: {result['orgs']} organizations, {Member.objects.count()} members."
            )
        )
        self.print_logins(seed)

    def print_logins(self, seed: int) -> None:
        from dangjian.demo.county import login_rows

        rows = login_rows(seed)
        if not rows:
            return
        self.stdout.write("\nLog in at http://127.0.0.1:8000/ with one of these accounts:\n")
        width = max(len(r[0]) for r in rows)
        for username, password, role, scope in rows:
            self.stdout.write(f"  {username.ljust(width)}  {password.ljust(width + 6)}  {role} · {scope}")
        self.stdout.write("(Demo passwords follow from --seed; a password changed in the product is not shown.)")
