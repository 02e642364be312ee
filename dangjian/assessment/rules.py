"""The arithmetic of the two-way assessment (issue 7), as pure functions without queries:
combining several assessors' scores, scoring an indicator, the total with its party and
business shares and capped bonus and deduction items, ranking with ties, grades by bands
or by quotas, and the consequence rules evaluated over consecutive years of results.

Ties are explicit: a ranking is "competition" ranking (1, 2, 2, 4): tied organizations
share the better place and the next place is skipped. A quota is a maximum: when
organizations tied on the same total straddle a quota's boundary, all of them get the next
grade down, so no grade ever holds more than its quota."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.assessment.choices import Combine, Position

K = TypeVar("K", bound=Hashable)
CENT = Decimal("0.01")


def q(value: Decimal) -> Decimal:
    """Scores are kept to two decimals, rounded half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def combine(scores: Sequence[Decimal], how: str) -> Decimal | None:
    """One score from several assessors' scores of one indicator: the average, or the
    average without one highest and one lowest score (only with three scores or more;
    with fewer, the plain average). None without any score."""
    if not scores:
        return None
    values = sorted(scores)
    if how == Combine.TRIMMED and len(values) >= 3:
        values = values[1:-1]
    return q(sum(values, Decimal(0)) / len(values))


def automatic_score(max_score: Decimal, rate: float | None) -> Decimal:
    """An automatic indicator scores its full score times the rate its records show
    (0 to 1). Without anything to measure (no events owed, no dues due…), the full score:
    nothing was required, so nothing was missed."""
    if rate is None:
        return q(max_score)
    return q(max_score * Decimal(str(min(max(rate, 0.0), 1.0))))


def capped(points: Sequence[Decimal], cap: Decimal) -> Decimal:
    """Bonus points or deductions of one item, summed and held to the item's cap."""
    return q(min(sum(points, Decimal(0)), cap))


@dataclass(frozen=True)
class Total:
    party: Decimal
    business: Decimal
    bonus: Decimal
    deduction: Decimal

    @property
    def total(self) -> Decimal:
        return q(self.party + self.business + self.bonus - self.deduction)


def rank(totals: Mapping[K, Decimal]) -> dict[K, int]:
    """Competition ranking, best total first: tied totals share the better place and the
    next place is skipped (100, 90, 90, 80 → 1, 2, 2, 4)."""
    ordered = sorted(totals.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in totals.items()}


def from_bottom(totals: Mapping[K, Decimal]) -> dict[K, int]:
    """Places counted from the bottom, with the same tie rule: 1 is the lowest total."""
    ordered = sorted(totals.values())
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in totals.items()}


@dataclass(frozen=True)
class Band:
    """A grade given from ``floor`` points up (bands) or to at most ``share`` percent of
    the group (quotas; None: no limit, the rest)."""

    grade: str
    label: str | Promise
    floor: Decimal = Decimal(0)
    share: int | None = None


DEFAULT_GRADES: tuple[Band, ...] = (
    Band("excellent", _("Excellent"), Decimal(90), 20),
    Band("good", _("Good"), Decimal(80), 50),
    Band("fair", _("Fair"), Decimal(60), None),
    Band("poor", _("Poor"), Decimal(0), None),
)


def grade_by_bands(total: Decimal, bands: Sequence[Band]) -> str:
    """The first band (best first) whose floor the total reaches; the last otherwise."""
    for band in bands:
        if total >= band.floor:
            return band.grade
    return bands[-1].grade


def grade_by_quotas(totals: Mapping[K, Decimal], bands: Sequence[Band]) -> dict[K, str]:
    """Grades by quota, best first. Each band with a ``share`` takes, in ranking order,
    at most that percent of the group (rounded down) among those reaching its floor;
    organizations tied at the boundary all go on to the next band. Everyone left is graded
    by the floors of the bands without a share (the last band if none is reached)."""
    n = len(totals)
    order = sorted(totals, key=lambda key: totals[key], reverse=True)
    out: dict[K, str] = {}
    start = 0
    for band in (b for b in bands if b.share is not None):
        reaching = start
        while reaching < n and totals[order[reaching]] >= band.floor:
            reaching += 1
        end = min(start + math.floor(n * (band.share or 0) / 100), reaching)
        # Hold back organizations tied with the first one that does not fit.
        while start < end < n and totals[order[end - 1]] == totals[order[end]]:
            end -= 1
        for key in order[start:end]:
            out[key] = band.grade
        start = end
    rest = [b for b in bands if b.share is None] or [bands[-1]]
    for key in order[start:]:
        out[key] = grade_by_bands(totals[key], rest)
    return out


@dataclass(frozen=True)
class Consequence:
    """A consequence rule: an organization among the ``places`` first (TOP) or last
    (BOTTOM) of its group for ``years`` consecutive published year-end results gets
    ``measure``. Rules of one position escalate: the rule with the most years that the run
    reaches applies, alone. A year counts only in a group of at least ``min_group``
    organizations (in a group of three, the "last three" would be everyone)."""

    key: str
    position: str
    places: int
    years: int
    measure: str | Promise
    min_group: int = 10


DEFAULT_CONSEQUENCES: tuple[Consequence, ...] = (
    Consequence(
        "bottom_1", Position.BOTTOM, 3, 1, _("Admonishment talk with the principal party and administrative leaders")
    ),
    Consequence("bottom_2", Position.BOTTOM, 3, 2, _("Public notification")),
    Consequence("bottom_3", Position.BOTTOM, 3, 3, _("Proposal of adjustment or demotion")),
    Consequence("top_3", Position.TOP, 1, 3, _("Reward and priority for promotion")),
)


@dataclass(frozen=True)
class Place:
    """An organization's place in one year's published year-end ranking of its group."""

    from_top: int
    from_bottom: int
    group: int


def in_position(place: Place, rule: Consequence) -> bool:
    if place.group < rule.min_group:
        return False
    return (place.from_top if rule.position == Position.TOP else place.from_bottom) <= rule.places


def run_length(years: Iterable[int], flags: Mapping[int, bool], year: int) -> int:
    """How many consecutive years up to ``year`` (inclusive) are flagged; a year without a
    published result for the organization (not in the group that year) breaks the run."""
    available = set(years)
    length = 0
    while year in available and flags.get(year, False):
        length += 1
        year -= 1
    return length


def consequences_for(
    history: Mapping[int, Place], year: int, rules: Sequence[Consequence]
) -> list[tuple[Consequence, list[int]]]:
    """The consequence rules an organization triggers in ``year``, from its ``history``:
    year → its place in the published year-end results. For each position, the rule with
    the most years the current run reaches; with the years that triggered it."""
    out = []
    for position in (Position.BOTTOM, Position.TOP):
        applicable = []
        for rule in (r for r in rules if r.position == position):
            flags = {y: in_position(place, rule) for y, place in history.items()}
            if run_length(history.keys(), flags, year) >= rule.years:
                applicable.append(rule)
        if applicable:
            rule = max(applicable, key=lambda r: (r.years, -r.places))
            out.append((rule, list(range(year - rule.years + 1, year + 1))))
    return out


@dataclass(frozen=True)
class PointRule:
    """Points for each record of ``source`` in the year (negative: a deduction), at most
    ``cap`` in absolute value."""

    source: str
    points: Decimal
    cap: Decimal


# Local practice, not a regulation: every organization can set its own (PointsRule rows);
# these apply where nothing is set.
DEFAULT_POINTS: tuple[PointRule, ...] = (
    PointRule("orglife.present", Decimal(2), Decimal(40)),
    PointRule("orglife.absent", Decimal(-3), Decimal(15)),
    PointRule("dues.on_time", Decimal(1), Decimal(12)),
    PointRule("dues.late", Decimal("-0.5"), Decimal(6)),
    PointRule("duties.accepted", Decimal(3), Decimal(15)),
    PointRule("development.contact", Decimal(2), Decimal(6)),
)


def points_of(count: int, rule: PointRule) -> Decimal:
    """``count`` records under ``rule``, held to its cap (in absolute value)."""
    raw = rule.points * count
    return q(max(min(raw, rule.cap), -rule.cap)) + 0  # + 0: no "-0.00" for a deduction never made
