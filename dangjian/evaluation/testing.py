"""Helpers that build democratic evaluations through the product's own actions, for the
tests, the scope crawl and the demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dangjian.evaluation import actions
from dangjian.evaluation.choices import Grade
from dangjian.evaluation.models import Round
from dangjian.members.models import Member
from dangjian.orglife import actions as life_actions
from dangjian.orglife.choices import EventKind, EventState, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orgs.models import Organization


def meeting(org: Organization, day: dt.date, kind: str = EventKind.DEMOCRATIC_EVALUATION, actor: Any = None) -> Event:
    """A held meeting of ``org`` on ``day`` (everyone due present)."""
    event = Event(
        organization=org,
        kind=kind,
        state=EventState.HELD,
        held_on=day,
        topic=f"{day.year}年度民主评议党员",
        minutes=f"<p>{day.year}年度民主评议党员会议记录</p>",
    )
    return life_actions.create_event(event, actor=actor)


def disposal_vote(org: Organization, member: Member, day: dt.date, *, votes_for: int, actor: Any = None) -> Vote:
    """A branch general meeting on ``day`` voting on the disposal of ``member`` (V3)."""
    event = meeting(org, day, EventKind.GENERAL_MEETING, actor=actor)
    vote = Vote(
        event=event,
        subject=VoteSubject.DISPOSAL,
        title=f"关于{member.name}的处置",
        member=member,
        votes_for=votes_for,
    )
    life_actions.record_vote(vote, actor=actor)
    return vote


def to_rating(org: Organization, opened_on: dt.date, actor: Any, *, excused: Mapping[int, str] | None = None) -> Round:
    """A round of ``org`` opened on ``opened_on``, every self-evaluation handed in (or the
    member excused), the mutual evaluation held: at the rating step."""
    round_ = actions.open_round(org, opened_on=opened_on, actor=actor)
    for evaluation in round_.evaluations.select_related("member"):
        if excused and evaluation.member_id in excused:
            actions.excuse(evaluation, reason=excused[evaluation.member_id], actor=actor)
        else:
            actions.hand_in_self_evaluation(
                evaluation, text=f"{evaluation.member.name}的自我评价", on=opened_on, actor=actor
            )
    actions.close_self_evaluation(round_, on=opened_on + dt.timedelta(days=7), actor=actor)
    actions.record_mutual_evaluation(
        round_, held_on=opened_on + dt.timedelta(days=10), summary="党员之间开展批评与自我批评", actor=actor
    )
    round_.refresh_from_db()
    return round_


def rate(round_: Round, ballots: int, tallies: Mapping[int, Mapping[str, int]], actor: Any, day: dt.date) -> Round:
    """Record the tallies by member id (members not given: all ``qualified``)."""
    rows = {}
    for evaluation in round_.evaluations.filter(excused_reason=""):
        rows[evaluation.pk] = dict(tallies.get(evaluation.member_id, {Grade.QUALIFIED: ballots}))
    return actions.record_tallies(round_, ballots=ballots, rated_on=day, tallies=rows, actor=actor)


def decide_as_suggested(
    round_: Round, event: Event, actor: Any, overrides: Mapping[int, tuple[str, str]] | None = None
) -> Round:
    """Decide every member's grade as suggested, except ``overrides`` (member id →
    (grade, reason))."""
    grades = {}
    for evaluation in round_.evaluations.filter(excused_reason=""):
        grades[evaluation.pk] = (overrides or {}).get(evaluation.member_id, (evaluation.suggested, ""))
    return actions.decide(round_, meeting=event, grades=grades, actor=actor)
