"""Two-sided state machines as data: a record (a work item, a rectification) goes from state
to state by moves, each move made by one side (the organization that asked for the work, or
the one that does it). An area's ``rules.py`` keeps its table of transitions; a
``StateMachine`` over that table answers which moves a side may make and where they lead.

Pure data and functions, no queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

MoveT = TypeVar("MoveT", bound=str)
SideT = TypeVar("SideT", bound=str)
StateT = TypeVar("StateT", bound=str)


@dataclass(frozen=True)
class Transition(Generic[MoveT, SideT, StateT]):
    """``side`` may make ``move`` on a record in one of ``sources``; the record is then in
    ``target`` (None: the state does not change, as with progress)."""

    move: MoveT
    side: SideT
    sources: frozenset[StateT]
    target: StateT | None


class StateMachine(Generic[MoveT, SideT, StateT]):
    """The transitions of one kind of record, one per move.

    ``moves`` are all the moves of the record's choices, in their order (``moves_for``
    keeps it); moves without a transition (such as the first assignment) are never allowed."""

    def __init__(self, moves: Iterable[MoveT], transitions: Iterable[Transition[MoveT, SideT, StateT]]) -> None:
        self.moves: tuple[MoveT, ...] = tuple(moves)
        self.transitions: dict[MoveT, Transition[MoveT, SideT, StateT]] = {t.move: t for t in transitions}

    def allowed(self, state: str, move: MoveT, side: SideT) -> bool:
        """Whether ``side`` may make ``move`` on a record in ``state``."""
        transition = self.transitions.get(move)
        return transition is not None and transition.side == side and state in transition.sources

    def moves_for(self, state: str, side: SideT) -> list[MoveT]:
        """The moves ``side`` can make now, in the order of the choices."""
        return [move for move in self.moves if self.allowed(state, move, side)]

    def after(self, state: str, move: MoveT) -> str:
        """The state after ``move`` (which must be allowed)."""
        target = self.transitions[move].target
        return str(target) if target is not None else state
