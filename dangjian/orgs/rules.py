"""Rules of organizations and terms (rules.md section O), as figures plus pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months, add_years
from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.orgs.choices import OrgKind, Sector

CONSTITUTION = _("Party Constitution (2017/2022), Art. 30")
BRANCH_REGS = _("Regulations on Party Branch Work (trial, 2018)")
ELECTION_REGS = _("Regulations on Grassroots Election Work (2020)")

BRANCH_MIN_FULL_MEMBERS = Figure(
    key="O1.branch_min_full_members",
    rule="O1",
    default=3,
    description=_("Full members needed to form a branch"),
    source=CONSTITUTION,
)
JOINT_BRANCH_MAX_UNITS = Figure(
    key="O1.joint_branch_max_units",
    rule="O1",
    default=5,
    description=_("Most units a joint branch may cover"),
    source=BRANCH_REGS,
)
BRANCH_MAX_MEMBERS = Figure(
    key="O2.branch_max_members",
    rule="O2",
    default=50,
    description=_("Most members a branch should generally have"),
    source=BRANCH_REGS,
)
COMMITTEE_THRESHOLD = Figure(
    key="O3.committee_threshold",
    rule="O3",
    default=7,
    description=_("Full members from which a branch elects a committee"),
    source=BRANCH_REGS,
)
COMMITTEE_MIN_SIZE = Figure(
    key="O3.committee_min_size",
    rule="O3",
    default=3,
    description=_("Smallest branch committee"),
    source=BRANCH_REGS,
)
TERM_YEARS_RANGE = Figure(
    key="O7.term_years_range",
    rule="O7",
    default=[3, 5],
    description=_("Allowed term length in years (shortest, longest)"),
    source=CONSTITUTION,
)
TERM_YEARS = Figure(
    key="O7.term_years",
    rule="O7",
    # Practice: grassroots committee 5, general branch and branch 3, village and
    # community organizations 5 (sector entries win over kind entries).
    default={
        OrgKind.GRASSROOTS_COMMITTEE.value: 5,
        OrgKind.GENERAL_BRANCH.value: 3,
        OrgKind.BRANCH.value: 3,
        Sector.VILLAGE.value: 5,
        Sector.COMMUNITY.value: 5,
    },
    description=_("Term length in years by organization kind and sector"),
    source=CONSTITUTION,
)
POSTPONEMENT_MAX_MONTHS = Figure(
    key="O8.postponement_max_months",
    rule="O8",
    default=12,
    description=_("Longest approved delay of a renewal, in months"),
    source=ELECTION_REGS,
)
RENEWAL_NOTICE_MONTHS = Figure(
    key="O9.renewal_notice_months",
    rule="O9",
    default=2,
    description=_("Months before the term ends when renewal work starts"),
    source=ELECTION_REGS,
    confidence=Confidence.LOCAL,
)

register(
    BRANCH_MIN_FULL_MEMBERS,
    JOINT_BRANCH_MAX_UNITS,
    BRANCH_MAX_MEMBERS,
    COMMITTEE_THRESHOLD,
    COMMITTEE_MIN_SIZE,
    TERM_YEARS_RANGE,
    TERM_YEARS,
    POSTPONEMENT_MAX_MONTHS,
    RENEWAL_NOTICE_MONTHS,
)


def default_term_years(kind: str, sector: str, on: dt.date | None = None) -> int:
    """Term length for an organization of ``kind`` in ``sector`` (O7)."""
    table: dict[str, int] = value(TERM_YEARS.key, on)
    return int(table.get(sector) or table.get(kind) or min(value(TERM_YEARS_RANGE.key, on)))


def term_due_on(elected_on: dt.date, years: int) -> dt.date:
    """Renewal date of a term elected on ``elected_on`` lasting ``years`` (O7)."""
    return add_years(elected_on, years)


@dataclass(frozen=True)
class TermProblem:
    field: str
    message: str | Promise


def check_term(
    *,
    elected_on: dt.date,
    years: int,
    today: dt.date,
    previous_elected_on: dt.date | None = None,
    postponed_to: dt.date | None = None,
) -> list[TermProblem]:
    """Problems with a term as recorded (empty if it is valid)."""
    problems: list[TermProblem] = []
    low, high = value(TERM_YEARS_RANGE.key, elected_on)
    if not low <= years <= high:
        problems.append(
            TermProblem(
                "years",
                _("A term lasts %(low)s to %(high)s years (O7); %(years)s given.")
                % {"low": low, "high": high, "years": years},
            )
        )
    if elected_on > today:
        problems.append(TermProblem("elected_on", _("The election date is in the future.")))
    if previous_elected_on and elected_on <= previous_elected_on:
        problems.append(
            TermProblem(
                "elected_on",
                _("The previous term was elected on %(date)s; a new term must start later.")
                % {"date": previous_elected_on.isoformat()},
            )
        )
    if postponed_to is not None:
        due = term_due_on(elected_on, years)
        limit = add_months(due, value(POSTPONEMENT_MAX_MONTHS.key, elected_on))
        if postponed_to <= due:
            problems.append(
                TermProblem(
                    "postponed_to",
                    _("A postponed renewal date must be after the regular date %(due)s.") % {"due": due.isoformat()},
                )
            )
        elif postponed_to > limit:
            problems.append(
                TermProblem(
                    "postponed_to",
                    _("A renewal may be delayed until %(limit)s at the latest (O8).") % {"limit": limit.isoformat()},
                )
            )
    return problems
