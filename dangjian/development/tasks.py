"""Background jobs of member development."""

from __future__ import annotations

from celery import shared_task

from dangjian.core import rulesets
from dangjian.core.tasks import run_in_background
from dangjian.development import actions


@shared_task
def refresh_dues() -> int:
    """Recompute every open candidate's next step and dates (after a figure changed)."""
    return actions.refresh_due()


@rulesets.on_change
def figure_changed(key: str) -> None:
    """A local value of a development figure (D…) moves the stored due dates."""
    if key.startswith("D"):
        run_in_background(refresh_dues)
