"""The four links of responsibility as a state machine (issue 6): who may make which move
from which state, and the state it leads to. Pure data and functions, no queries.

determined = assigned (by the issuer) and acknowledged (by the owner); performed = progress
and the report of completion (owner); assessed = accepted with a score, or returned with the
reason (issuer); pursued = an accountability record after the issuer found the item failed."""

from __future__ import annotations

from enum import StrEnum

from dangjian.core.states import StateMachine, Transition
from dangjian.duties.choices import ItemState, Move


class Side(StrEnum):
    ISSUER = "issuer"  # the organization that published the list (or its higher ones)
    OWNER = "owner"  # the organization the item is assigned to


OPEN = frozenset({ItemState.ASSIGNED, ItemState.ACKNOWLEDGED, ItemState.RETURNED})

MACHINE = StateMachine(
    Move,
    (
        Transition(Move.ACKNOWLEDGE, Side.OWNER, frozenset({ItemState.ASSIGNED}), ItemState.ACKNOWLEDGED),
        Transition(Move.PROGRESS, Side.OWNER, frozenset({ItemState.ACKNOWLEDGED, ItemState.RETURNED}), None),
        Transition(
            Move.REPORT, Side.OWNER, frozenset({ItemState.ACKNOWLEDGED, ItemState.RETURNED}), ItemState.REPORTED
        ),
        Transition(Move.ACCEPT, Side.ISSUER, frozenset({ItemState.REPORTED}), ItemState.ACCEPTED),
        Transition(Move.RETURN, Side.ISSUER, frozenset({ItemState.REPORTED}), ItemState.RETURNED),
        Transition(Move.FAIL, Side.ISSUER, OPEN | {ItemState.REPORTED}, ItemState.FAILED),
        Transition(Move.PURSUE, Side.ISSUER, frozenset({ItemState.FAILED}), ItemState.PURSUED),
    ),
)
# What the actions, views, API and tests ask of the machine.
TRANSITIONS = MACHINE.transitions
allowed = MACHINE.allowed
moves_for = MACHINE.moves_for
after = MACHINE.after

# The moves that need a text (the report, the reason for returning, the failure).
NEEDS_TEXT = frozenset({Move.REPORT, Move.RETURN, Move.FAIL, Move.PURSUE})


def is_open(state: str) -> bool:
    """Still to be done by the owner (overdue once its deadline has passed)."""
    return state in OPEN
