"""The democratic evaluation of members as data (L8, V1-V3 of ../shared/domain/rules.md):
the order of a round's steps, the grades in use, the grade the ballots suggest, the time
limit of a correction and the way a lower grade's follow-up goes to its outcome.

Pure data and functions, no queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months, add_years
from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.evaluation.choices import LOWER_GRADES, FollowUpMove, FollowUpState, Grade, Step
from dangjian.orglife.choices import EventKind

EDU_REGS = _("Regulations on Party Member Education and Management (2019)")
DISPOSAL_MEASURES = _("Measures on the disposal of unqualified Party members (2024)")
LOCAL = _("Common local practice")

# --- The steps of a round (L8) ------------------------------------------------------------------

# L8: self-evaluation → mutual evaluation → democratic rating → the branch committee or the
# general meeting gives its opinion. A round moves through them in this order only.
STEPS: tuple[Step, ...] = (Step.SELF, Step.MUTUAL, Step.RATING, Step.DECISION, Step.DECIDED)


def step_problem(current: str, allowed: Sequence[str]) -> str | Promise | None:
    """Why something done in one of the ``allowed`` steps cannot be done while the round
    is at ``current`` (None if it can)."""
    if current in allowed:
        return None
    return _("This belongs to the step “%(wanted)s”; the round is at “%(current)s” (L8: %(order)s).") % {
        "wanted": Step(allowed[0]).label,
        "current": Step(current).label,
        "order": " → ".join(str(Step(s).label) for s in STEPS[:-1]),
    }


# The meetings at which the branch gives its opinion on the grades (L8): the branch
# committee or the general membership meeting, or the evaluation meeting itself, or an
# organizational life meeting combined with the evaluation (L7).
DECISION_KINDS: tuple[EventKind, ...] = (
    EventKind.COMMITTEE_MEETING,
    EventKind.GENERAL_MEETING,
    EventKind.DEMOCRATIC_EVALUATION,
    EventKind.LIFE_MEETING,
)

# --- Grades (V1) ---------------------------------------------------------------------------------

GRADES = Figure(
    key="V1.grades",
    rule="V1",
    default={
        Grade.EXCELLENT.value: True,
        Grade.QUALIFIED.value: True,
        Grade.BASICALLY_QUALIFIED.value: True,
        Grade.UNQUALIFIED.value: True,
    },
    description=_(
        "Grades in use (true or false for each; a unit using three grades sets basically_qualified to false)"
    ),
    source=LOCAL,
    confidence=Confidence.LOCAL,
)
SUGGESTION_SHARES = Figure(
    key="V1.suggestion_shares",
    rule="V1",
    default={
        Grade.UNQUALIFIED.value: 0.5,
        Grade.BASICALLY_QUALIFIED.value: 0.5,
        Grade.EXCELLENT.value: 0.5,
    },
    description=_(
        "Suggested grade: share of the ballots cast rating a member unqualified, basically qualified or"
        " lower, or excellent, above which that grade is suggested (more than)"
    ),
    source=LOCAL,
    confidence=Confidence.LOCAL,
)

# Whatever the local set, a member is either qualified or not (V2 acts on unqualified).
ALWAYS = frozenset({Grade.QUALIFIED, Grade.UNQUALIFIED})


def grades_in_use(table: Mapping[str, Any]) -> tuple[str, ...]:
    """The grades of the ``V1.grades`` table in use, best first (qualified and unqualified
    always)."""
    return tuple(g.value for g in Grade if g in ALWAYS or table.get(g.value))


def grades_on(on: dt.date) -> tuple[str, ...]:
    return grades_in_use(value(GRADES.key, on))


def shares_on(on: dt.date) -> dict[str, float]:
    return dict(value(SUGGESTION_SHARES.key, on))


def _more_than(count: int, share: float, ballots: int) -> bool:
    # Fractions: "more than half of 10" is 6, never 5.000001; a third typed as 0.3333…
    # is a third.
    return count > Fraction(share).limit_denominator(10_000) * ballots


def suggest_grade(
    tallies: Mapping[str, int], ballots: int, grades: Sequence[str], shares: Mapping[str, float]
) -> str | None:
    """The grade the democratic rating suggests for a member (V1; the branch decides):
    unqualified when more than ``shares["unqualified"]`` of the ``ballots`` cast rate them
    unqualified; basically qualified (where in use) when more than its share rate them
    basically qualified or unqualified; excellent (where in use) when more than its share
    rate them excellent; otherwise qualified. None without ballots."""
    if ballots <= 0:
        return None
    unqualified = tallies.get(Grade.UNQUALIFIED, 0)
    if _more_than(unqualified, shares[Grade.UNQUALIFIED], ballots):
        return Grade.UNQUALIFIED.value
    lower = unqualified + tallies.get(Grade.BASICALLY_QUALIFIED, 0)
    if Grade.BASICALLY_QUALIFIED in grades and _more_than(lower, shares[Grade.BASICALLY_QUALIFIED], ballots):
        return Grade.BASICALLY_QUALIFIED.value
    if Grade.EXCELLENT in grades and _more_than(tallies.get(Grade.EXCELLENT, 0), shares[Grade.EXCELLENT], ballots):
        return Grade.EXCELLENT.value
    return Grade.QUALIFIED.value


def distribution(tallies: Mapping[str, int], ballots: int, grades: Sequence[str]) -> list[tuple[str, int, float]]:
    """For each grade in use: how many ballots rated the member so, and that share of
    the ballots cast (0 without ballots)."""
    return [(g, tallies.get(g, 0), tallies.get(g, 0) / ballots if ballots > 0 else 0.0) for g in grades]


def tally_problems(tallies: Mapping[str, int], ballots: int, grades: Sequence[str]) -> list[str | Promise]:
    """What is wrong with one member's tallies from ``ballots`` paper ballots."""
    problems: list[str | Promise] = []
    if any(count < 0 for count in tallies.values()):
        problems.append(_("A tally is a whole number of zero or more."))
    unused = [g for g, count in tallies.items() if count and g not in grades]
    if unused:
        problems.append(_("This round does not use the grade “%(grade)s”.") % {"grade": Grade(unused[0]).label})
    total = sum(tallies.values())
    if total > ballots:
        problems.append(
            _("%(total)s ratings but %(ballots)s ballots were cast: each ballot rates a member once.")
            % {"total": total, "ballots": ballots}
        )
    elif total == 0:
        problems.append(_("No rating entered."))
    return problems


# --- Follow-up of the lower grades (V2, V3) -----------------------------------------------------

CORRECTION_MONTHS = Figure(
    key="V2.correction_months",
    rule="V2",
    default=6,
    description=_("Months given by default to correct after a lower grade (generally 6)"),
    source=DISPOSAL_MEASURES,
    confidence=Confidence.LOCAL,
)
CORRECTION_MAX_MONTHS = Figure(
    key="V2.correction_max_months",
    rule="V2",
    default=12,
    description=_("Longest time limit for a correction, in months"),
    source=DISPOSAL_MEASURES,
)
REJOIN_YEARS = Figure(
    key="V2.rejoin_years",
    rule="V2",
    default=5,
    description=_("Years before a member removed from the Party may join again"),
    source=DISPOSAL_MEASURES,
)

register(GRADES, SUGGESTION_SHARES, CORRECTION_MONTHS, CORRECTION_MAX_MONTHS, REJOIN_YEARS)


def default_deadline(decided_on: dt.date) -> dt.date:
    """The end of the time limit to correct, counted from the decision (V2)."""
    return add_months(decided_on, int(value(CORRECTION_MONTHS.key, decided_on)))


def latest_deadline(decided_on: dt.date) -> dt.date:
    return add_months(decided_on, int(value(CORRECTION_MAX_MONTHS.key, decided_on)))


def rejoin_after(removed_on: dt.date) -> dt.date:
    """The first day a member removed on ``removed_on`` may join again (V2)."""
    return add_years(removed_on, int(value(REJOIN_YEARS.key, removed_on)))


@dataclass(frozen=True)
class Transition:
    move: FollowUpMove
    sources: frozenset[FollowUpState]
    target: FollowUpState
    grades: frozenset[Grade]


# V2: correction within the time limit; an unqualified member who does not correct is
# persuaded to withdraw, and removed if they refuse (V3). A basically qualified member who
# does not correct is closed as such (graded again at the next evaluation).
TRANSITIONS: dict[FollowUpMove, Transition] = {
    t.move: t
    for t in (
        Transition(
            FollowUpMove.CORRECT,
            frozenset({FollowUpState.CORRECTING}),
            FollowUpState.CORRECTED,
            frozenset(LOWER_GRADES),
        ),
        Transition(
            FollowUpMove.NOT_CORRECTED,
            frozenset({FollowUpState.CORRECTING}),
            FollowUpState.NOT_CORRECTED,
            frozenset({Grade.BASICALLY_QUALIFIED}),
        ),
        Transition(
            FollowUpMove.PERSUADE,
            frozenset({FollowUpState.CORRECTING}),
            FollowUpState.PERSUADING,
            frozenset({Grade.UNQUALIFIED}),
        ),
        Transition(
            FollowUpMove.WITHDRAW,
            frozenset({FollowUpState.PERSUADING}),
            FollowUpState.WITHDRAWN,
            frozenset({Grade.UNQUALIFIED}),
        ),
        Transition(
            FollowUpMove.REMOVE,
            frozenset({FollowUpState.PERSUADING}),
            FollowUpState.REMOVED,
            frozenset({Grade.UNQUALIFIED}),
        ),
    )
}

OPEN_STATES = frozenset({FollowUpState.CORRECTING, FollowUpState.PERSUADING})


def allowed(state: str, grade: str, move: str) -> bool:
    """Whether ``move`` may be made on a follow-up of ``grade`` in ``state``."""
    transition = TRANSITIONS.get(FollowUpMove(move)) if move in FollowUpMove.values else None
    return transition is not None and state in transition.sources and grade in transition.grades


def moves_for(state: str, grade: str) -> list[FollowUpMove]:
    return [move for move in FollowUpMove if allowed(state, grade, move)]


def removal_problems(
    *,
    persuaded_on: dt.date | None,
    proposed_on: dt.date,
    filed_on: dt.date,
    vote_held_on: dt.date | None,
    vote_passed: bool,
    removed_on: dt.date,
) -> dict[str, str | Promise]:
    """What keeps a removal from being recorded, by field (V3: the branch committee
    proposes, files with the grassroots committee, the branch general meeting votes by
    D13/D14; the removal follows the vote)."""
    problems: dict[str, str | Promise] = {}
    if persuaded_on is not None and proposed_on < persuaded_on:
        problems["proposed_on"] = _(
            "The committee proposes the removal after the member refused to withdraw (%(day)s)."
        ) % {"day": persuaded_on.isoformat()}
    if filed_on < proposed_on:
        problems["filed_on"] = _("The proposal is filed with the grassroots committee after it is made (V3).")
    if vote_held_on is None:
        problems["vote"] = _("Choose the branch general meeting's vote on the removal (V3).")
    elif not vote_passed:
        problems["vote"] = _(
            "The branch general meeting's vote did not carry: a removal needs more than half of the voting"
            " members due to attend (V3, D13/D14)."
        )
    elif vote_held_on < filed_on:
        problems["vote"] = _(
            "The general meeting votes after the proposal is filed with the grassroots committee (V3)."
        )
    elif removed_on < vote_held_on:
        problems["on"] = _("The removal follows the vote of %(day)s.") % {"day": vote_held_on.isoformat()}
    return problems
