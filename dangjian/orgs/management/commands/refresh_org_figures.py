"""``manage.py refresh_org_figures [--check]``: recompute the figures stored on each
organization (member counts, units, committee, renewal date) from the records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs import figures


class Command(BaseCommand):
    help = "Recompute the figures stored on each organization from the records (or, with --check, list stale ones)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only report organizations whose figures are stale.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        stale = list(figures.stale().values_list("code", flat=True)[:50])
        if check:
            if stale:
                raise CommandError(f"Stale figures in: {', '.join(stale)}")
            self.stdout.write("All organizations' figures match the records.")
            return
        count = figures.refresh_all()
        self.stdout.write(f"Recomputed the figures of {count} organizations ({len(stale)} were stale).")
