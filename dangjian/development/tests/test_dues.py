"""Stored due dates follow the figures: a local value set on the rules page recomputes
them (rulesets.on_change → tasks.refresh_dues), and the command finds stale ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from dangjian.core import actions as core_actions
from dangjian.core.dates import add_months
from dangjian.core.testing import Cast
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate
from dangjian.development.testing import committee_post, new_candidate, walk

APPLIED = dt.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def now(time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def applicant(cast: Cast) -> Candidate:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    candidate = new_candidate(cast.branch_a, "周一", applied_on=APPLIED, actor=cast.secretary_a)
    return walk(candidate, cast.secretary_a, until=StepKind.TALK)


def test_a_local_figure_moves_the_stored_dates(
    cast: Cast, applicant: Candidate, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    assert applicant.next_kind == StepKind.ACTIVIST
    assert applicant.ready_on == add_months(APPLIED, 6)  # D4 default
    with django_capture_on_commit_callbacks(execute=True):
        core_actions.set_figure(
            key="D4.activist_wait_months", value=3, effective_from=dt.date(2026, 1, 1), note="本县规定", actor=None
        )
    applicant.refresh_from_db()
    assert applicant.ready_on == add_months(APPLIED, 3)


def test_the_command_reports_and_fixes_stale_dates(applicant: Candidate) -> None:
    Candidate.objects.filter(pk=applicant.pk).update(ready_on=None)
    with pytest.raises(CommandError, match=str(applicant.pk)):
        call_command("refresh_development_dues", "--check")
    call_command("refresh_development_dues")
    call_command("refresh_development_dues", "--check")
    applicant.refresh_from_db()
    assert applicant.ready_on == add_months(APPLIED, 6)


def test_the_file_check_shows_waived_steps_and_nothing_else(cast: Cast, applicant: Candidate) -> None:
    from dangjian.development.queries import file_check
    from dangjian.development.testing import take_step

    today = dt.date(2026, 11, 23)
    assert file_check(applicant, today) == []
    take_step(applicant, StepKind.ACTIVIST, add_months(APPLIED, 2), cast.committee_admin, override_reason="特批")
    found = file_check(applicant, today)
    assert [(step.kind, [p.rule for p in problems]) for step, problems in found] == [(StepKind.ACTIVIST, ["D4"])]
