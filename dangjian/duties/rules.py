"""The four links of responsibility as a state machine (issue 6): who may make which move
from which state, and the state it leads to. Pure data and functions, no queries.

determined = assigned (by the issuer) and acknowledged (by the owner); performed = progress
and the report of completion (owner); assessed = accepted with a score, or returned with the
reason (issuer); pursued = an accountability record after the issuer found the item failed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dangjian.duties.choices import ItemState, Move


class Side(StrEnum):
    ISSUER = "issuer"  # the organization that published the list (or its higher ones)
    OWNER = "owner"  # the organization the item is assigned to


@dataclass(frozen=True)
class Transition:
    move: Move
    side: Side
    sources: frozenset[ItemState]
    target: ItemState | None  # None: the state does not change (progress)


OPEN = frozenset({ItemState.ASSIGNED, ItemState.ACKNOWLEDGED, ItemState.RETURNED})

TRANSITIONS: dict[Move, Transition] = {
    t.move: t
    for t in (
        Transition(Move.ACKNOWLEDGE, Side.OWNER, frozenset({ItemState.ASSIGNED}), ItemState.ACKNOWLEDGED),
        Transition(Move.PROGRESS, Side.OWNER, frozenset({ItemState.ACKNOWLEDGED, ItemState.RETURNED}), None),
        Transition(
            Move.REPORT, Side.OWNER, frozenset({ItemState.ACKNOWLEDGED, ItemState.RETURNED}), ItemState.REPORTED
        ),
        Transition(Move.ACCEPT, Side.ISSUER, frozenset({ItemState.REPORTED}), ItemState.ACCEPTED),
        Transition(Move.RETURN, Side.ISSUER, frozenset({ItemState.REPORTED}), ItemState.RETURNED),
        Transition(Move.FAIL, Side.ISSUER, OPEN | {ItemState.REPORTED}, ItemState.FAILED),
        Transition(Move.PURSUE, Side.ISSUER, frozenset({ItemState.FAILED}), ItemState.PURSUED),
    )
}

# The moves that need a text (the report, the reason for returning, the failure).
NEEDS_TEXT = frozenset({Move.REPORT, Move.RETURN, Move.FAIL, Move.PURSUE})


def allowed(state: str, move: Move, side: Side) -> bool:
    """Whether ``side`` may make ``move`` on an item in ``state``."""
    transition = TRANSITIONS.get(move)
    return transition is not None and transition.side == side and state in transition.sources


def moves_for(state: str, side: Side) -> list[Move]:
    """The moves ``side`` can make now, in the order of the choices."""
    return [move for move in Move if allowed(state, move, side)]


def after(state: str, move: Move) -> str:
    """The state after ``move`` (which must be allowed)."""
    target = TRANSITIONS[move].target
    return str(target) if target is not None else state


def is_open(state: str) -> bool:
    """Still to be done by the owner (overdue once its deadline has passed)."""
    return state in OPEN
