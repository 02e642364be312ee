"""Due items of the democratic evaluation: rounds of one's branches not decided by the end
of their year (L8: yearly), follow-ups past their time limit to correct (V2), and for a
member their own self-evaluation to hand in. One query counts them all; the samples are
read only for groups that have something."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Action, Role
from dangjian.core import inbox
from dangjian.core.inbox import own_q
from dangjian.core.scoping import can
from dangjian.evaluation.choices import FollowUpState, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round


@inbox.provider
def evaluation_items(user: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    if not can(user, Evaluation, Action.VIEW):
        return
    evaluations = Evaluation.objects.restrict(user)
    if user.role == Role.MEMBER:
        yield from _own_self_evaluation(evaluations, today)
        return
    own = own_q(user, "round__organization")
    undecided = Q(own, ~Q(round__step=Step.DECIDED))
    late = Q(round__year__lt=today.year)
    overdue_follow_up = Q(own, follow_up__state=FollowUpState.CORRECTING, follow_up__deadline__lt=today)
    # One query over the evaluations in scope: rounds are counted through their rosters
    # (every round has one), follow-ups through their evaluation.
    counts = evaluations.filter(undecided | overdue_follow_up).aggregate(
        late=Count("round", filter=undecided & late, distinct=True),
        open=Count("round", filter=undecided & ~late, distinct=True),
        follow_ups=Count("pk", filter=overdue_follow_up),
    )
    url = reverse("evaluation:rounds")
    rounds = Round.objects.restrict(user).exclude(step=Step.DECIDED).select_related("organization")
    if counts["late"]:
        yield inbox.DueGroup(
            key="evaluation.late",
            title=_("Democratic evaluations not decided by the end of their year"),
            level=inbox.Level.OVERDUE,
            count=counts["late"],
            url=url,
            rule="L8",
            items=[
                _round_item(r) for r in rounds.filter(own_q(user, "organization"), year__lt=today.year)[: inbox.SAMPLE]
            ],
        )
    if counts["open"]:
        yield inbox.DueGroup(
            key="evaluation.open",
            title=_("Democratic evaluations under way"),
            level=inbox.Level.DUE,
            count=counts["open"],
            url=url,
            rule="L8",
            items=[
                _round_item(r)
                for r in rounds.filter(own_q(user, "organization"), year__gte=today.year).order_by("opened_on", "pk")[
                    : inbox.SAMPLE
                ]
            ],
        )
    if counts["follow_ups"]:
        follow_ups = (
            FollowUp.objects.restrict(user)
            .filter(own_q(user, "evaluation__round__organization"), state=FollowUpState.CORRECTING, deadline__lt=today)
            .select_related("evaluation__member")
            .order_by("deadline", "pk")[: inbox.SAMPLE]
        )
        yield inbox.DueGroup(
            key="evaluation.follow_ups",
            title=_("Members past their time limit to correct"),
            level=inbox.Level.OVERDUE,
            count=counts["follow_ups"],
            url=url,
            rule="V2",
            items=[
                inbox.DueItem(
                    label=f"{f.evaluation.member.name} · {f.get_grade_display()}",
                    url=f.get_absolute_url(),
                    due_on=f.deadline,
                )
                for f in follow_ups
            ],
        )


def _round_item(r: Round) -> inbox.DueItem:
    return inbox.DueItem(
        label=f"{r.organization.name} · {r.year}",
        url=r.get_absolute_url(),
        due_on=dt.date(r.year, 12, 31),
        detail=r.get_step_display(),
    )


def _own_self_evaluation(evaluations: Any, today: dt.date) -> Iterator[inbox.DueGroup]:
    """A member's own self-evaluation while their branch collects them (one query)."""
    pending = list(
        evaluations.filter(round__step=Step.SELF, self_text="", excused_reason="").select_related(
            "round__organization"
        )[: inbox.SAMPLE]
    )
    if pending:
        yield inbox.DueGroup(
            key="evaluation.self",
            title=_("Hand in your self-evaluation"),
            level=inbox.Level.DUE,
            count=len(pending),
            url=reverse("evaluation:rounds"),
            rule="L8",
            items=[
                inbox.DueItem(
                    label=f"{e.round.organization.name} · {e.round.year}",
                    url=reverse("evaluation:self", args=[e.pk]),
                )
                for e in pending
            ],
        )
