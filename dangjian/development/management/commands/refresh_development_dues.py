"""``manage.py refresh_development_dues [--check]``: recompute each open candidate's next
step, possible-from and due-by dates from the steps and the figures in force today. Run
it nightly (or from Celery beat) so dates follow the calendar and any figure change;
``--check`` only reports candidates whose stored dates are stale."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.development import actions


class Command(BaseCommand):
    help = "Recompute the next step and due dates of every candidate in the procedure (--check: report stale ones)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only report candidates whose dates are stale.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if check:
            stale = actions.stale_dues()
            if stale:
                raise CommandError(f"Stale due dates: {', '.join(str(pk) for pk in stale[:50])}")
            self.stdout.write("Every candidate's due dates match the steps and figures.")
            return
        changed = actions.refresh_due()
        self.stdout.write(f"Recomputed the due dates; {changed} candidates changed.")
