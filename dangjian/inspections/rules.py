"""Supervision and inspection as data (issue 6, item 5): the default checklist drawn from
the rules of ../shared/domain/rules.md, the way a rectification goes from required to
verified closed, and the product setting for a rectification's default time.

Pure data and functions, no queries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.core.states import StateMachine, Transition
from dangjian.inspections.choices import RectificationMove, RectificationState


@dataclass(frozen=True)
class Check:
    """A default checklist item: the rule id it checks and the question asked."""

    rule: str
    text: str | Promise


# A new plan's checklist, editable per plan (add, reword, remove). Each question checks
# one rule of the specification; the rule id is kept with the copied item.
CHECKLIST: tuple[Check, ...] = (
    Check("L1", _("Branch general membership meetings held every quarter, with minutes")),
    Check("L3", _("Branch committee meetings held monthly with at least half of the committee present")),
    Check("L4", _("Party group meetings held monthly")),
    Check("L5", _("Party lessons given, at least one a year by the secretary")),
    Check("L6", _("A theme party day held every month")),
    Check("L7", _("Organizational life meeting held this year")),
    Check("L8", _("Democratic evaluation of members carried out with every step recorded")),
    Check("L9", _("Heart-to-heart talks held between committee members and with members")),
    Check("L11", _("Leading cadres take part in the organizational life of their own branch")),
    Check("O3", _("Committee or secretary set up as the number of full members requires")),
    Check("O7", _("Term of office recorded")),
    Check("O8", _("Committee renewed on time, or the delay approved by the higher organization")),
    Check("D2", _("Applicants talked to within one month of their application")),
    Check("D9", _("Political review concluded in writing before admission")),
    Check("D10", _("Development objects trained centrally for at least three days or 24 class hours")),
    Check("D14", _("Admission votes counted against the voting members due to attend")),
    Check("D17", _("Admissions approved by the higher committee within three months of the vote")),
    Check("D24", _("Development files complete and archived")),
    Check("F1", _("Dues standards set by the regulation's brackets for every member")),
    Check("F7", _("Reductions and exemptions of dues approved by the committee")),
    Check("S1", _("Members without dues, organizational life or work for six months followed up")),
    Check("E1", _("Members' centralized study of at least 32 class hours a year")),
)


class Side(StrEnum):
    INSPECTOR = "inspector"  # the organization that planned the inspection (or above)
    OWNER = "owner"  # the organization responsible for the rectification


OPEN = frozenset({RectificationState.OPEN, RectificationState.RETURNED})

MACHINE = StateMachine(
    RectificationMove,
    (
        Transition(RectificationMove.PROGRESS, Side.OWNER, OPEN, None),
        Transition(RectificationMove.REPORT, Side.OWNER, OPEN, RectificationState.REPORTED),
        Transition(
            RectificationMove.RETURN,
            Side.INSPECTOR,
            frozenset({RectificationState.REPORTED}),
            RectificationState.RETURNED,
        ),
        Transition(
            RectificationMove.VERIFY,
            Side.INSPECTOR,
            frozenset({RectificationState.REPORTED}),
            RectificationState.VERIFIED,
        ),
    ),
)
# What the actions, views, API and tests ask of the machine.
TRANSITIONS = MACHINE.transitions
allowed = MACHINE.allowed
moves_for = MACHINE.moves_for
after = MACHINE.after


PRODUCT = _("Dangjian setting (not a regulation figure)")

RECTIFICATION_DAYS = Figure(
    key="INSP.rectification_days",
    rule="INSP",
    default=30,
    description=_("Days a rectification is given by default when a finding is recorded"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)

register(RECTIFICATION_DAYS)


def value_of_days(on: Any) -> int:
    """The default number of days for a rectification, in force on ``on``."""
    return int(value(RECTIFICATION_DAYS.key, on))
