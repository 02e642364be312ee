"""The procedure for developing party members (rules.md D1-D25) as figures plus pure
functions.

``step_problems`` says what is wrong with recording one step after a candidate's history;
``pipeline_problems`` re-checks a whole history; ``next_due`` says what comes next, from
when it may be done and by when it must be. They take plain facts (``StepFact``,
``CandidateFact``) and never touch the database, so the rules are tested on their own and
the actions feed them what the records say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from dangjian.core.dates import add_months, add_years, age_on
from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.development.choices import Body, EndReason, Stage, StepKind
from dangjian.members.rules import MIN_AGE, PROBATION_EXTENSION_MAX_MONTHS, PROBATION_YEARS
from dangjian.orgs.choices import OrgKind, Sector

DEV_RULES = _("Detailed Rules on Developing Party Members (2014)")
DEV_RULES_2026 = _("Detailed Rules on Developing Party Members, 2026 revision (public sources only)")
CONSTITUTION = _("Party Constitution (2017/2022), Art. 7")
LOCAL = _("Common local practice")

TALK_MONTHS = Figure(
    key="D2.talk_months",
    rule="D2",
    default=1,
    description=_("Talk with the applicant within this many months of the application"),
    source=DEV_RULES,
)
ACTIVIST_WAIT_MONTHS = Figure(
    key="D4.activist_wait_months",
    rule="D4",
    default=6,
    description=_("Months from application to activist (no national minimum)"),
    source=LOCAL,
    confidence=Confidence.LOCAL,
)
CONTACTS = Figure(
    key="D5.contacts",
    rule="D5",
    default={"min": 1, "max": 2},
    description=_("Number of cultivation contacts, all full members"),
    source=DEV_RULES,
)
EXAMINATION_MONTHS = Figure(
    key="D6.examination_months",
    rule="D6",
    default=6,
    description=_("Activists are examined at least this often, in months"),
    source=DEV_RULES,
)
CULTIVATION_YEARS = Figure(
    key="D7.cultivation_years",
    rule="D7",
    default=1,
    description=_("Years as activist before becoming a development object"),
    source=DEV_RULES,
)
INTRODUCERS = Figure(
    key="D8.introducers",
    rule="D8",
    default=2,
    description=_("Number of introducers, all full members"),
    source=DEV_RULES,
)
TRAINING = Figure(
    key="D10.training",
    rule="D10",
    default={"days": 3, "hours": 24},
    description=_("Centralized training of development objects: at least these days or class hours"),
    source=DEV_RULES,
)
NOTICE_WORKING_DAYS = Figure(
    key="D11.notice_working_days",
    rule="D11",
    default=5,
    description=_("Public notice before admission and before full membership, in working days"),
    source=LOCAL,
    confidence=Confidence.LOCAL,
)
MEETING_AFTER_PRE_REVIEW_MONTHS = Figure(
    key="D12.meeting_months",
    rule="D12",
    default=1,
    description=_("Branch general meeting within this many months of the pre-review"),
    source=LOCAL,
    confidence=Confidence.LOCAL,
)
APPROVAL_MONTHS = Figure(
    key="D17.approval_months",
    rule="D17",
    default={"normal": 3, "special": 6},
    description=_("Higher committee approves admission within these months of the vote (with a special extension)"),
    source=DEV_RULES,
)
LEAVING_MONTHS = Figure(
    key="D18.leaving_months",
    rule="D18",
    default=3,
    description=_("A person leaving the unit within this many months is generally not admitted there"),
    source=DEV_RULES,
)
EXTENSION_MIN_MONTHS = Figure(
    key="D20.extension_min_months",
    rule="D20",
    default=6,
    description=_("Shortest extension of probation, in months"),
    source=CONSTITUTION,
)
FULL_APPROVAL_MONTHS = Figure(
    key="D22.approval_months",
    rule="D22",
    default=3,
    description=_("Higher committee approves full membership within these months of the vote"),
    source=DEV_RULES,
)
OATH_MONTHS = Figure(
    key="D23.oath_months",
    rule="D23",
    default=1,
    description=_("Oath within this many months of the approval of admission"),
    source=DEV_RULES_2026,
    confidence=Confidence.CHECK,
)
DUE_SOON_DAYS = Figure(
    key="D.due_soon_days",
    rule="D",
    default=30,
    description=_("A deadline this many days ahead shows as due soon (board and to-do list)"),
    source=_("Dangjian setting (not a regulation figure)"),
    confidence=Confidence.LOCAL,
)

register(
    TALK_MONTHS,
    ACTIVIST_WAIT_MONTHS,
    CONTACTS,
    EXAMINATION_MONTHS,
    CULTIVATION_YEARS,
    INTRODUCERS,
    TRAINING,
    NOTICE_WORKING_DAYS,
    MEETING_AFTER_PRE_REVIEW_MONTHS,
    APPROVAL_MONTHS,
    LEAVING_MONTHS,
    EXTENSION_MIN_MONTHS,
    FULL_APPROVAL_MONTHS,
    OATH_MONTHS,
    DUE_SOON_DAYS,
)

# --- The procedure ------------------------------------------------------------------------

NUMBERED = [kind for kind in StepKind if kind.value.startswith("s")]
NUMBER = {kind: i + 1 for i, kind in enumerate(NUMBERED)}
# Recorded again for each examination while the stage lasts (D6, step 21).
REPEATABLE = frozenset({StepKind.EXAMINATION, StepKind.PROBATION_EXAMINATION})
# The public notice (D11) comes after these steps and before the next one.
NOTICE_AFTER = {StepKind.BRANCH_REVIEW: StepKind.PRE_REVIEW, StepKind.FULL_APPLICATION: StepKind.FULL_VOTE}
VOTES = frozenset({StepKind.ADMISSION_VOTE, StepKind.FULL_VOTE})
APPROVALS = frozenset({StepKind.ADMISSION_APPROVAL, StepKind.FULL_APPROVAL})
# Who decides each step (D3, D16 and the procedure's text); the first is the default.
BODIES: dict[str, tuple[str, ...]] = {
    StepKind.TALK: (Body.BRANCH,),
    StepKind.ACTIVIST: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.ACTIVIST_FILED: (Body.HIGHER_COMMITTEE,),
    StepKind.CONTACTS: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.DEVELOPMENT_OBJECT: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.OBJECT_FILED: (Body.HIGHER_COMMITTEE,),
    StepKind.INTRODUCERS: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.POLITICAL_REVIEW: (Body.BRANCH_COMMITTEE, Body.HIGHER_COMMITTEE),
    StepKind.TRAINING: (Body.HIGHER_COMMITTEE, Body.ORG_DEPARTMENT),
    StepKind.BRANCH_REVIEW: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.PRE_REVIEW: (Body.HIGHER_COMMITTEE,),
    StepKind.ADMISSION_VOTE: (Body.GENERAL_MEETING,),
    StepKind.APPROVAL_TALK: (Body.HIGHER_COMMITTEE,),
    StepKind.ADMISSION_APPROVAL: (Body.HIGHER_COMMITTEE,),
    StepKind.ADMISSION_FILED: (Body.ORG_DEPARTMENT,),
    StepKind.ASSIGNED: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING),
    StepKind.FULL_VOTE: (Body.GENERAL_MEETING,),
    StepKind.EXTENSION: (Body.GENERAL_MEETING,),
    StepKind.ENDED: (Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING, Body.BRANCH),
    StepKind.FULL_APPROVAL: (Body.HIGHER_COMMITTEE,),
}
# Steps that name people: the talk (D2), contacts (D5), introducers (D8), the higher
# committee's talk (step 16).
WITH_PEOPLE = frozenset({StepKind.TALK, StepKind.CONTACTS, StepKind.INTRODUCERS, StepKind.APPROVAL_TALK})
# Material the archive must hold (D24), by the step whose record carries it.
ARCHIVE_DOCUMENTS: dict[str, Promise | str] = {
    StepKind.APPLICATION: _("application letter"),
    StepKind.EXAMINATION: _("cultivation and examination records"),
    StepKind.POLITICAL_REVIEW: _("political review material"),
    StepKind.APPLICATION_FORM: _("application form (入党志愿书)"),
    StepKind.FULL_APPLICATION: _("application for full membership"),
}
# Committees that may not approve admissions (D16): those of villages and communities
# under a township or street committee.
NON_APPROVING_SECTORS = frozenset({Sector.VILLAGE, Sector.COMMUNITY})


def default_body(kind: str, has_committee: bool, end_reason: str = "") -> str:
    """Who decides a step when nobody said: the first of ``BODIES``, but the general
    meeting where the branch has no committee (D3) and for a cancellation (D20)."""
    allowed = BODIES.get(kind, ())
    if not allowed:
        return ""
    if kind == StepKind.ENDED and end_reason == EndReason.PROBATION_CANCELLED:
        return Body.GENERAL_MEETING
    if allowed[0] == Body.BRANCH_COMMITTEE and Body.GENERAL_MEETING in allowed and not has_committee:
        return Body.GENERAL_MEETING
    return allowed[0]


def stage_after(kind: str, current: str) -> str:
    """The stage a candidate is in after recording a step of ``kind``."""
    if kind == StepKind.ENDED:
        return Stage.ENDED
    if kind not in NUMBER:
        return current
    number = NUMBER[StepKind(kind)]
    if number >= NUMBER[StepKind.FULL_APPROVAL]:
        return Stage.FULL
    if number >= NUMBER[StepKind.ADMISSION_APPROVAL]:
        return Stage.PROBATIONARY
    if number >= NUMBER[StepKind.DEVELOPMENT_OBJECT]:
        return Stage.DEVELOPMENT_OBJECT
    if number >= NUMBER[StepKind.ACTIVIST]:
        return Stage.ACTIVIST
    return Stage.APPLICANT


# --- Facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFact:
    """Someone named on a step, as the registry says they were on the step's date."""

    name: str
    full_member: bool = True
    committee_member: bool = False  # holds a committee post in the branch or above (D2)
    under_discipline: bool = False  # probation within the Party as discipline (D8)


@dataclass(frozen=True)
class StepFact:
    """One recorded step as the rules see it."""

    kind: str
    on: dt.date
    body: str = ""
    people: tuple[PersonFact, ...] = ()
    until: dt.date | None = None  # last day of a public notice (D11)
    months: int | None = None  # extension of probation (D20)
    training_days: Decimal | None = None  # D10
    training_hours: Decimal | None = None
    conclusion: str = ""  # political review (D9)
    special_extension: bool = False  # approval after 3 months, up to 6 (D17)
    vote_passed: bool | None = None  # D13, D14 (from orglife.rules.vote_result)
    vote_problems: tuple[str | Promise, ...] = ()
    approver_kind: str = ""  # kind and sector of the approving organization (D16)
    approver_sector: str = ""
    has_documents: bool = False  # D24
    end_reason: str = ""  # leaving the procedure (D20: during probation only by cancellation)


@dataclass(frozen=True)
class CandidateFact:
    birth_date: dt.date
    has_committee: bool = True  # the branch has a committee (D3)
    leaving_on: dt.date | None = None  # expected to leave the unit (D18)


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str | Promise

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Due:
    """What comes next: ``kind`` may be recorded from ``ready_on`` and must be by
    ``due_on`` (either may be None)."""

    kind: str
    rule: str
    ready_on: dt.date | None = None
    due_on: dt.date | None = None
    note: str | Promise = ""

    @property
    def kind_label(self) -> str | Promise:
        return StepKind(self.kind).label


@dataclass
class History:
    """A candidate's steps in order, with lookups the rules need."""

    steps: Sequence[StepFact] = field(default_factory=list)

    def last(self, kind: str) -> StepFact | None:
        found = [s for s in self.steps if s.kind == kind]
        return found[-1] if found else None

    def all(self, kind: str) -> list[StepFact]:
        return [s for s in self.steps if s.kind == kind]

    @property
    def numbered(self) -> list[StepFact]:
        return [s for s in self.steps if s.kind in NUMBER]

    @property
    def reached(self) -> int:
        """Number of the furthest numbered step recorded (0 before any)."""
        return max((NUMBER[StepKind(s.kind)] for s in self.numbered), default=0)

    @property
    def ended(self) -> bool:
        return any(s.kind == StepKind.ENDED for s in self.steps)

    @property
    def latest_on(self) -> dt.date | None:
        return max((s.on for s in self.steps), default=None)


# --- Derived dates --------------------------------------------------------------------


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days from ``start`` to ``end``, both included (public holidays
    are not known to the product and count as working days)."""
    if end < start:
        return 0
    weeks, rest = divmod((end - start).days + 1, 7)
    count = weeks * 5
    for i in range(rest):
        if (start + dt.timedelta(days=i)).weekday() < 5:
            count += 1
    return count


def probation_ends(history: History) -> dt.date | None:
    """The day probation ends: one year from the admission vote (D19), plus an extension
    (D20). Full membership and party standing count from this day (``full_member_from``),
    as the member registry's D19 check does."""
    vote = history.last(StepKind.ADMISSION_VOTE)
    if vote is None:
        return None
    end = add_years(vote.on, value(PROBATION_YEARS.key, vote.on))
    extension = history.last(StepKind.EXTENSION)
    if extension is not None and extension.months:
        end = add_months(end, extension.months)
    return end


def full_member_from(history: History) -> dt.date | None:
    """The date full membership takes effect (D19): when probation ends."""
    return probation_ends(history)


def approval_deadline(vote_on: dt.date, special: bool) -> dt.date:
    months = value(APPROVAL_MONTHS.key, vote_on)
    return add_months(vote_on, months["special" if special else "normal"])


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def _list(items: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(items)


# --- Checks ---------------------------------------------------------------------------


def _order_problems(history: History, new: StepFact) -> list[Problem]:
    problems: list[Problem] = []
    reached = history.reached
    if history.ended:
        return [Problem("D", _("The candidate has left the procedure; no further step can be recorded."))]
    if new.kind in NUMBER:
        number = NUMBER[StepKind(new.kind)]
        if new.kind in REPEATABLE and reached == number:
            pass
        elif number != reached + 1:
            if number <= reached:
                problems.append(
                    Problem("D", _("Step %(step)s is already recorded.") % {"step": StepKind(new.kind).label})
                )
            else:
                problems.append(
                    Problem(
                        "D",
                        _("Step %(step)s comes next; %(new)s cannot be recorded before it.")
                        % {"step": NUMBERED[reached].label, "new": StepKind(new.kind).label},
                    )
                )
    elif new.kind == StepKind.NOTICE:
        if not reached or NUMBERED[reached - 1] not in NOTICE_AFTER:
            problems.append(
                Problem(
                    "D11",
                    _(
                        "A public notice is recorded after step 12 (before the pre-review)"
                        " or step 22 (before the vote)."
                    ),
                )
            )
    elif new.kind == StepKind.EXTENSION:
        if not NUMBER[StepKind.ADMISSION_APPROVAL] <= reached < NUMBER[StepKind.FULL_VOTE]:
            problems.append(Problem("D20", _("Probation can be extended only during probation (after step 17).")))
        elif history.last(StepKind.EXTENSION):
            problems.append(Problem("D20", _("Probation can be extended once only.")))
    elif new.kind == StepKind.ENDED and reached >= NUMBER[StepKind.FULL_APPROVAL]:
        problems.append(Problem("D", _("Full membership is approved: the procedure is over.")))
    latest = history.latest_on
    if latest and new.on < latest:
        problems.append(
            Problem(
                "D", _("The last recorded step was on %(date)s; this one cannot be earlier.") % {"date": _fmt(latest)}
            )
        )
    return problems


def _interval_problems(history: History, new: StepFact, candidate: CandidateFact) -> list[Problem]:
    problems: list[Problem] = []
    kind, on = new.kind, new.on
    application = history.last(StepKind.APPLICATION)
    if kind == StepKind.APPLICATION:
        minimum = value(MIN_AGE.key, on)
        age = age_on(candidate.birth_date, on)
        if age < minimum:
            problems.append(
                Problem(
                    "D1",
                    _("On %(date)s the applicant was %(age)s; the minimum age is %(min)s full years (D1).")
                    % {"date": _fmt(on), "age": age, "min": minimum},
                )
            )
    if kind == StepKind.TALK and application:
        deadline = add_months(application.on, value(TALK_MONTHS.key, application.on))
        if on > deadline:
            problems.append(
                Problem(
                    "D2",
                    _("The talk was due within %(months)s month(s) of the application, by %(deadline)s (D2).")
                    % {"months": value(TALK_MONTHS.key, application.on), "deadline": _fmt(deadline)},
                )
            )
    if kind == StepKind.ACTIVIST and application:
        earliest = add_months(application.on, value(ACTIVIST_WAIT_MONTHS.key, application.on))
        if on < earliest:
            problems.append(
                Problem(
                    "D4",
                    _(
                        "An applicant becomes an activist at the earliest %(months)s months after applying,"
                        " on %(date)s (D4)."
                    )
                    % {"months": value(ACTIVIST_WAIT_MONTHS.key, application.on), "date": _fmt(earliest)},
                )
            )
    activist = history.last(StepKind.ACTIVIST)
    if kind == StepKind.DEVELOPMENT_OBJECT and activist:
        earliest = add_years(activist.on, value(CULTIVATION_YEARS.key, activist.on))
        if on < earliest:
            problems.append(
                Problem(
                    "D7",
                    _(
                        "At least %(years)s year(s) as an activist (since %(since)s)"
                        " before becoming a development object:"
                        " possible from %(date)s (D7)."
                    )
                    % {
                        "years": value(CULTIVATION_YEARS.key, activist.on),
                        "since": _fmt(activist.on),
                        "date": _fmt(earliest),
                    },
                )
            )
        problems += _examination_gaps(history, on)
    if kind == StepKind.EXAMINATION:
        problems += _examination_gaps(history, on)
    if kind == StepKind.ADMISSION_VOTE:
        pre_review = history.last(StepKind.PRE_REVIEW)
        if pre_review:
            deadline = add_months(pre_review.on, value(MEETING_AFTER_PRE_REVIEW_MONTHS.key, pre_review.on))
            if on > deadline:
                problems.append(
                    Problem(
                        "D12",
                        _(
                            "The branch general meeting was due within %(months)s month(s) of the pre-review,"
                            " by %(date)s (D12)."
                        )
                        % {"months": value(MEETING_AFTER_PRE_REVIEW_MONTHS.key, pre_review.on), "date": _fmt(deadline)},
                    )
                )
    leaving = candidate.leaving_on
    admitting = kind in (StepKind.ADMISSION_VOTE, StepKind.ADMISSION_APPROVAL)
    if admitting and leaving and leaving <= add_months(on, value(LEAVING_MONTHS.key, on)):
        problems.append(
            Problem(
                "D18",
                _(
                    "The candidate leaves the unit on %(date)s, within %(months)s months:"
                    " generally not admitted here (D18)."
                )
                % {"date": _fmt(leaving), "months": value(LEAVING_MONTHS.key, on)},
            )
        )
    if kind == StepKind.ADMISSION_APPROVAL:
        vote = history.last(StepKind.ADMISSION_VOTE)
        if vote:
            deadline = approval_deadline(vote.on, new.special_extension)
            if on > deadline:
                problems.append(
                    Problem(
                        "D17",
                        _("Approval was due within %(months)s months of the vote on %(vote)s, by %(date)s (D17).")
                        % {
                            "months": value(APPROVAL_MONTHS.key, vote.on)[
                                "special" if new.special_extension else "normal"
                            ],
                            "vote": _fmt(vote.on),
                            "date": _fmt(deadline),
                        },
                    )
                )
    if kind == StepKind.OATH:
        approval = history.last(StepKind.ADMISSION_APPROVAL)
        if approval:
            deadline = add_months(approval.on, value(OATH_MONTHS.key, approval.on))
            if on > deadline:
                problems.append(
                    Problem(
                        "D23",
                        _("The oath was due within %(months)s month(s) of the approval, by %(date)s (D23).")
                        % {"months": value(OATH_MONTHS.key, approval.on), "date": _fmt(deadline)},
                    )
                )
    if kind == StepKind.FULL_VOTE:
        end = probation_ends(history)
        if end and on < end:
            problems.append(
                Problem(
                    "D19",
                    _("Probation runs until %(date)s (D19, D20): the full-membership vote comes when it ends.")
                    % {"date": _fmt(end)},
                )
            )
    if kind == StepKind.FULL_APPROVAL:
        vote = history.last(StepKind.FULL_VOTE)
        if vote:
            deadline = add_months(vote.on, value(FULL_APPROVAL_MONTHS.key, vote.on))
            if on > deadline:
                problems.append(
                    Problem(
                        "D22",
                        _("Approval was due within %(months)s months of the vote on %(vote)s, by %(date)s (D22).")
                        % {
                            "months": value(FULL_APPROVAL_MONTHS.key, vote.on),
                            "vote": _fmt(vote.on),
                            "date": _fmt(deadline),
                        },
                    )
                )
    in_probation = NUMBER[StepKind.ADMISSION_APPROVAL] <= history.reached < NUMBER[StepKind.FULL_APPROVAL]
    if kind in (StepKind.EXTENSION, StepKind.ENDED) and in_probation:
        vote = history.last(StepKind.ADMISSION_VOTE)
        end = add_years(vote.on, value(PROBATION_YEARS.key, vote.on)) if vote else None  # before any extension
        if kind == StepKind.EXTENSION and end and on < end:
            problems.append(
                Problem(
                    "D20",
                    _("Probation is extended when it ends, on %(date)s, by the branch general meeting (D20).")
                    % {"date": _fmt(end)},
                )
            )
        if kind == StepKind.ENDED and new.end_reason != EndReason.PROBATION_CANCELLED:
            problems.append(
                Problem(
                    "D20",
                    _(
                        "A probationary member leaves the procedure only by the cancellation of the probationary"
                        " qualification (D20); a move to another unit is a transfer."
                    ),
                )
            )
    if kind == StepKind.ENDED and new.end_reason == EndReason.PROBATION_CANCELLED:
        if history.reached < NUMBER[StepKind.ADMISSION_APPROVAL]:
            problems.append(Problem("D20", _("Only a probationary member's qualification can be cancelled (D20).")))
        elif new.body != Body.GENERAL_MEETING:
            problems.append(Problem("D20", _("The branch general meeting decides the cancellation (D20).")))
    if kind == StepKind.EXTENSION:
        low, high = value(EXTENSION_MIN_MONTHS.key, on), value(PROBATION_EXTENSION_MAX_MONTHS.key, on)
        if not new.months or not low <= new.months <= high:
            problems.append(
                Problem(
                    "D20",
                    _("An extension is at least %(low)s and at most %(high)s months (D20).")
                    % {"low": low, "high": high},
                )
            )
    return problems


def _examination_gaps(history: History, on: dt.date) -> list[Problem]:
    """D6: no more than the figure's months between becoming an activist or the last
    examination and ``on`` (an examination, or step 7). Earlier gaps were checked when
    their examination was recorded."""
    activist = history.last(StepKind.ACTIVIST)
    if activist is None:
        return []
    months = value(EXAMINATION_MONTHS.key, activist.on)
    start = max([activist.on, *(s.on for s in history.all(StepKind.EXAMINATION))])
    if on > add_months(start, months):
        return [
            Problem(
                "D6",
                _("Activists are examined every %(months)s months: none between %(start)s and %(end)s (D6).")
                % {"months": months, "start": _fmt(start), "end": _fmt(add_months(start, months))},
            )
        ]
    return []


def _content_problems(history: History, new: StepFact, candidate: CandidateFact) -> list[Problem]:
    problems: list[Problem] = []
    kind = new.kind
    allowed = BODIES.get(kind)
    if allowed and new.body and new.body not in allowed:
        rule = "D16" if kind in APPROVALS else "D3"
        problems.append(
            Problem(
                rule,
                _("%(step)s is decided by: %(bodies)s.")
                % {"step": StepKind(kind).label, "bodies": _list(str(Body(b).label) for b in allowed)},
            )
        )
    if kind == StepKind.ACTIVIST and new.body == Body.BRANCH_COMMITTEE and not candidate.has_committee:
        problems.append(Problem("D3", _("The branch has no committee: its general meeting determines activists (D3).")))
    if kind == StepKind.ACTIVIST and new.body == Body.GENERAL_MEETING and candidate.has_committee:
        problems.append(Problem("D3", _("A branch with a committee determines activists by its committee (D3).")))
    if kind in WITH_PEOPLE and not new.people:
        problems.append(Problem("D", _("Name the people involved.")))
    if kind == StepKind.TALK and new.people and not any(p.committee_member for p in new.people):
        problems.append(
            Problem(
                "D2",
                _("The talk is held by the secretary, a deputy secretary or the organization committee member (D2)."),
            )
        )
    if kind == StepKind.CONTACTS:
        limits = value(CONTACTS.key, new.on)
        if not limits["min"] <= len(new.people) <= limits["max"]:
            problems.append(
                Problem(
                    "D5",
                    _("%(min)s to %(max)s cultivation contacts; %(count)s named (D5).")
                    % {"min": limits["min"], "max": limits["max"], "count": len(new.people)},
                )
            )
        problems += _not_full(new.people, "D5")
    if kind == StepKind.INTRODUCERS:
        count = value(INTRODUCERS.key, new.on)
        if len(new.people) != count:
            problems.append(
                Problem(
                    "D8", _("%(need)s introducers; %(count)s named (D8).") % {"need": count, "count": len(new.people)}
                )
            )
        problems += _not_full(new.people, "D8")
        for person in new.people:
            if person.under_discipline:
                problems.append(
                    Problem(
                        "D8",
                        _("%(name)s is on probation within the Party and cannot introduce (D8).")
                        % {"name": person.name},
                    )
                )
    if kind == StepKind.POLITICAL_REVIEW and not new.conclusion.strip():
        problems.append(Problem("D9", _("The political review needs its written conclusion (D9).")))
    if kind == StepKind.TRAINING:
        need = value(TRAINING.key, new.on)
        days, hours = new.training_days or 0, new.training_hours or 0
        if days < need["days"] and hours < need["hours"]:
            problems.append(
                Problem(
                    "D10",
                    _(
                        "Centralized training of at least %(days)s days or %(hours)s class hours;"
                        " recorded %(got_days)s days, %(got_hours)s hours (D10)."
                    )
                    % {"days": need["days"], "hours": need["hours"], "got_days": days, "got_hours": hours},
                )
            )
    if kind == StepKind.NOTICE:
        need = value(NOTICE_WORKING_DAYS.key, new.on)
        got = working_days(new.on, new.until) if new.until else 0
        if got < need:
            problems.append(
                Problem(
                    "D11",
                    _("A public notice lasts at least %(need)s working days; this one has %(got)s (D11).")
                    % {"need": need, "got": got},
                )
            )
    if kind in NOTICE_AFTER.values():
        before = next(k for k, v in NOTICE_AFTER.items() if v == kind)
        previous = history.last(before)
        notices = [s for s in history.all(StepKind.NOTICE) if previous and s.on >= previous.on]
        need = value(NOTICE_WORKING_DAYS.key, new.on)
        if not any(s.until and s.until < new.on and working_days(s.on, s.until) >= need for s in notices):
            problems.append(
                Problem(
                    "D11",
                    _("A public notice of at least %(need)s working days must end before this step (D11).")
                    % {"need": need},
                )
            )
    if kind in VOTES:
        rule = "D21" if kind == StepKind.FULL_VOTE else "D14"
        if new.vote_passed is None:
            problems.append(Problem(rule, _("Record the vote of the branch general meeting (D13, D14).")))
        elif not new.vote_passed:
            problems += [Problem(rule, message) for message in new.vote_problems] or [
                Problem(rule, _("The vote did not carry (D13, D14)."))
            ]
    if kind in APPROVALS and new.approver_kind:
        if new.approver_kind not in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.LEADING_COMMITTEE):
            problems.append(
                Problem("D16", _("Only a party committee approves; a general branch or branch cannot (D16)."))
            )
        elif new.approver_kind == OrgKind.GRASSROOTS_COMMITTEE and new.approver_sector in NON_APPROVING_SECTORS:
            problems.append(
                Problem(
                    "D16",
                    _(
                        "A village or community party committee cannot approve;"
                        " its township or street committee does (D16)."
                    ),
                )
            )
    if kind == StepKind.ARCHIVED:
        missing = [
            str(label)
            for step_kind, label in ARCHIVE_DOCUMENTS.items()
            if not any(s.has_documents for s in history.all(step_kind))
        ]
        if missing:
            problems.append(Problem("D24", _("The archive lacks: %(missing)s (D24).") % {"missing": _list(missing)}))
    return problems


def _not_full(people: Sequence[PersonFact], rule: str) -> list[Problem]:
    return [
        Problem(rule, _("%(name)s is not a full member (%(rule)s).") % {"name": p.name, "rule": rule})
        for p in people
        if not p.full_member
    ]


def step_problems(
    history: Sequence[StepFact], new: StepFact, candidate: CandidateFact, today: dt.date
) -> list[Problem]:
    """Every rule recording ``new`` after ``history`` would break; empty when it may be
    recorded. ``history`` is in date order."""
    hist = History(list(history))
    problems: list[Problem] = []
    if new.on > today:
        problems.append(Problem("D", _("The date is in the future.")))
    problems += _order_problems(hist, new)
    problems += _interval_problems(hist, new, candidate)
    problems += _content_problems(hist, new, candidate)
    return problems


def pipeline_problems(history: Sequence[StepFact], candidate: CandidateFact, today: dt.date) -> list[Problem]:
    """Re-check a whole recorded history step by step, as if entered in order."""
    problems: list[Problem] = []
    for i, step in enumerate(history):
        problems += step_problems(history[:i], step, candidate, today)
    return problems


# --- What comes next ------------------------------------------------------------------


def next_due(history: Sequence[StepFact], today: dt.date) -> list[Due]:
    """The next steps with the dates the rules set, the most pressing first."""
    hist = History(list(history))
    if hist.ended or not hist.steps:
        return []
    reached = hist.reached
    last = NUMBERED[reached - 1] if reached else None
    if reached >= NUMBER[StepKind.ARCHIVED]:
        return []
    following = NUMBERED[reached]
    dues: list[Due] = []
    application = hist.last(StepKind.APPLICATION)
    if following == StepKind.TALK and application:
        dues.append(Due(following, "D2", due_on=add_months(application.on, value(TALK_MONTHS.key, application.on))))
    elif following == StepKind.ACTIVIST and application:
        dues.append(
            Due(following, "D4", ready_on=add_months(application.on, value(ACTIVIST_WAIT_MONTHS.key, application.on)))
        )
    activist = hist.last(StepKind.ACTIVIST)
    if activist and reached < NUMBER[StepKind.DEVELOPMENT_OBJECT]:
        months = value(EXAMINATION_MONTHS.key, activist.on)
        marks = [activist.on, *(s.on for s in hist.all(StepKind.EXAMINATION))]
        dues.append(
            Due(
                StepKind.EXAMINATION, "D6", due_on=add_months(max(marks), months), note=_("examination of the activist")
            )
        )
        if reached >= NUMBER[StepKind.EXAMINATION]:
            dues.append(
                Due(
                    StepKind.DEVELOPMENT_OBJECT,
                    "D7",
                    ready_on=add_years(activist.on, value(CULTIVATION_YEARS.key, activist.on)),
                )
            )
    elif last in NOTICE_AFTER:
        step = hist.last(last)
        if step and not any(n.on >= step.on for n in hist.all(StepKind.NOTICE)):
            dues.append(Due(StepKind.NOTICE, "D11", note=_("public notice")))
    pre_review = hist.last(StepKind.PRE_REVIEW)
    if pre_review and reached < NUMBER[StepKind.ADMISSION_VOTE]:
        dues.append(
            Due(
                StepKind.ADMISSION_VOTE,
                "D12",
                due_on=add_months(pre_review.on, value(MEETING_AFTER_PRE_REVIEW_MONTHS.key, pre_review.on)),
            )
        )
    vote = hist.last(StepKind.ADMISSION_VOTE)
    if vote and reached < NUMBER[StepKind.ADMISSION_APPROVAL]:
        dues.append(Due(StepKind.ADMISSION_APPROVAL, "D17", due_on=approval_deadline(vote.on, special=False)))
    approval = hist.last(StepKind.ADMISSION_APPROVAL)
    if approval and reached < NUMBER[StepKind.OATH]:
        dues.append(Due(StepKind.OATH, "D23", due_on=add_months(approval.on, value(OATH_MONTHS.key, approval.on))))
    if approval and reached < NUMBER[StepKind.FULL_VOTE]:
        end = probation_ends(hist)
        if end:
            dues.append(Due(StepKind.FULL_VOTE, "D19", ready_on=end, note=_("probation ends")))
    full_vote = hist.last(StepKind.FULL_VOTE)
    if full_vote and reached < NUMBER[StepKind.FULL_APPROVAL]:
        dues.append(
            Due(
                StepKind.FULL_APPROVAL,
                "D22",
                due_on=add_months(full_vote.on, value(FULL_APPROVAL_MONTHS.key, full_vote.on)),
            )
        )
    if not any(d.kind == following for d in dues):
        dues.append(Due(following, "D"))
    return sorted(dues, key=lambda d: d.due_on or d.ready_on or dt.date.max)


def pressing(dues: Sequence[Due]) -> Due | None:
    """The due item that sets the candidate's deadline: the earliest ``due_on``, else the
    earliest ``ready_on``."""
    with_deadline = [d for d in dues if d.due_on]
    if with_deadline:
        return min(with_deadline, key=lambda d: d.due_on or dt.date.max)
    with_ready = [d for d in dues if d.ready_on]
    return min(with_ready, key=lambda d: d.ready_on or dt.date.max) if with_ready else (dues[0] if dues else None)


def allowed_next(history: Sequence[StepFact]) -> list[str]:
    """The kinds of step that may be recorded next, in the order offered: a repeated
    examination, the following step, a public notice where one is due (D11), an
    extension during probation (D20), leaving the procedure."""
    hist = History(list(history))
    reached = hist.reached
    if hist.ended or reached >= NUMBER[StepKind.ARCHIVED]:
        return []
    current = NUMBERED[reached - 1] if reached else None
    kinds: list[str] = []
    if current in REPEATABLE:
        kinds.append(current)
    kinds.append(NUMBERED[reached])
    if current in NOTICE_AFTER:
        kinds.append(StepKind.NOTICE)
    if NUMBER[StepKind.ADMISSION_APPROVAL] <= reached < NUMBER[StepKind.FULL_VOTE] and not hist.last(
        StepKind.EXTENSION
    ):
        kinds.append(StepKind.EXTENSION)
    if reached < NUMBER[StepKind.FULL_APPROVAL]:
        kinds.append(StepKind.ENDED)
    return kinds


def following(history: Sequence[StepFact]) -> str:
    """The numbered step that comes next ("" when the procedure is over)."""
    hist = History(list(history))
    if hist.ended or hist.reached >= NUMBER[StepKind.ARCHIVED]:
        return ""
    return NUMBERED[hist.reached]
