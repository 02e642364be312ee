"""Rules of organizational life (rules.md L1-L11, D13-D15, S1-S2) as figures plus pure
functions: what each kind of organization must hold and how often, whether a vote is
valid, the periods compliance is counted in, and the thresholds of the signals."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from html import unescape

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months
from dangjian.core.rulesets import Confidence, Figure, register, value
from dangjian.orglife.choices import EventKind, LecturerKind, Period, Status
from dangjian.orgs.choices import OrgKind

BRANCH_REGS = _("Regulations on Party Branch Work (trial, 2018)")
EDU_REGS = _("Regulations on Party Member Education and Management (2019)")
DEV_RULES = _("Detailed Rules on Developing Party Members (2014)")
CONSTITUTION = _("Party Constitution (2017/2022), Art. 9")
PRODUCT = _("Dangjian setting (not a regulation figure)")


# --- How often each event must be held (L1-L9) ------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One requirement of rules L1-L9: ``figure`` holds how many events of ``event_kind``
    an organization of one of ``org_kinds`` holds per ``period``.

    ``lecturer_kind`` restricts the events that count (L5: lessons given by the
    secretary); an event of ``combined_kind`` marked ``includes_evaluation`` counts too
    (L8 may be combined with L7). ``condition`` limits it to organizations that have a
    committee (L3) or party groups (L4); ``per_group`` multiplies the count by the number
    of party groups."""

    key: str
    rule: str
    event_kind: str
    period: str
    figure: Figure
    org_kinds: frozenset[str]
    label: str | Promise
    lecturer_kind: str = ""
    combined_kind: str = ""
    condition: str = ""
    per_group: bool = False


def _count(key: str, rule: str, default: int, description: Promise, source: Promise, **kw: object) -> Figure:
    return Figure(key=key, rule=rule, default=default, description=description, source=source, **kw)  # type: ignore[arg-type]


BRANCH = frozenset({OrgKind.BRANCH.value})
BRANCH_LEVELS = frozenset({OrgKind.BRANCH.value, OrgKind.GENERAL_BRANCH.value})
COMMITTEES = frozenset({OrgKind.BRANCH.value, OrgKind.GENERAL_BRANCH.value, OrgKind.GRASSROOTS_COMMITTEE.value})

HAS_COMMITTEE = "has_committee"
HAS_GROUPS = "has_groups"

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        key="general_meeting",
        rule="L1",
        event_kind=EventKind.GENERAL_MEETING,
        period=Period.QUARTER,
        figure=_count("L1.general_meetings_per_quarter", "L1", 1, _("Branch general meetings a quarter"), BRANCH_REGS),
        org_kinds=BRANCH,
        label=_("General meeting"),
    ),
    Requirement(
        key="committee_meeting",
        rule="L3",
        event_kind=EventKind.COMMITTEE_MEETING,
        period=Period.MONTH,
        figure=_count("L3.committee_meetings_per_month", "L3", 1, _("Branch committee meetings a month"), BRANCH_REGS),
        org_kinds=BRANCH_LEVELS,
        label=_("Committee meeting"),
        condition=HAS_COMMITTEE,
    ),
    Requirement(
        key="group_meeting",
        rule="L4",
        event_kind=EventKind.GROUP_MEETING,
        period=Period.MONTH,
        figure=_count("L4.group_meetings_per_month", "L4", 1, _("Meetings a month of each party group"), BRANCH_REGS),
        org_kinds=BRANCH,
        label=_("Party group meetings"),
        condition=HAS_GROUPS,
        per_group=True,
    ),
    Requirement(
        key="party_lesson",
        rule="L5",
        event_kind=EventKind.PARTY_LESSON,
        period=Period.QUARTER,
        figure=_count(
            "L5.branch_lessons_per_quarter",
            "L5",
            1,
            _("Party lessons a quarter in a branch"),
            BRANCH_REGS,
            confidence=Confidence.LOCAL,
        ),
        org_kinds=BRANCH,
        label=_("Party lesson"),
    ),
    Requirement(
        key="secretary_lesson",
        rule="L5",
        event_kind=EventKind.PARTY_LESSON,
        period=Period.YEAR,
        figure=_count(
            "L5.secretary_lessons_per_year", "L5", 1, _("Party lessons a year given by the secretary"), BRANCH_REGS
        ),
        org_kinds=COMMITTEES,
        label=_("Lesson by the secretary"),
        lecturer_kind=LecturerKind.SECRETARY,
    ),
    Requirement(
        key="theme_day",
        rule="L6",
        event_kind=EventKind.THEME_DAY,
        period=Period.MONTH,
        figure=_count("L6.theme_days_per_month", "L6", 1, _("Theme party days a month"), BRANCH_REGS),
        org_kinds=BRANCH,
        label=_("Theme party day"),
    ),
    Requirement(
        key="life_meeting",
        rule="L7",
        event_kind=EventKind.LIFE_MEETING,
        period=Period.YEAR,
        figure=_count("L7.life_meetings_per_year", "L7", 1, _("Organizational life meetings a year"), BRANCH_REGS),
        org_kinds=BRANCH,
        label=_("Organizational life meeting"),
    ),
    Requirement(
        key="democratic_evaluation",
        rule="L8",
        event_kind=EventKind.DEMOCRATIC_EVALUATION,
        period=Period.YEAR,
        figure=_count("L8.evaluations_per_year", "L8", 1, _("Democratic evaluations of members a year"), EDU_REGS),
        org_kinds=BRANCH,
        label=_("Democratic evaluation"),
        combined_kind=EventKind.LIFE_MEETING,
    ),
    Requirement(
        key="heart_talk",
        rule="L9",
        event_kind=EventKind.HEART_TALK,
        period=Period.YEAR,
        figure=_count("L9.heart_talks_per_year", "L9", 1, _("Heart-to-heart talks a year"), BRANCH_REGS),
        org_kinds=COMMITTEES,
        label=_("Heart-to-heart talk"),
    ),
)
REQUIREMENT_BY_KEY = {req.key: req for req in REQUIREMENTS}

# L10: "three meetings and one lesson" is L1 + L3 + L4 + the party lessons.
THREE_MEETINGS_ONE_LESSON = ("general_meeting", "committee_meeting", "group_meeting", "party_lesson")


# --- Votes (D13-D15, L2) ------------------------------------------------------------------

QUORUM_SHARE = Figure(
    key="D13.quorum_share",
    rule="D13",
    default=0.5,
    description=_("Share of the voting members due to attend who must be present (more than)"),
    source=DEV_RULES,
)
PASS_SHARE = Figure(
    key="D14.pass_share",
    rule="D14",
    default=0.5,
    description=_("Share of the voting members due to attend who must vote for (more than)"),
    source=DEV_RULES,
)
COMMITTEE_QUORUM_SHARE = Figure(
    key="L3.committee_quorum_share",
    rule="L3",
    default=0.5,
    description=_("Share of the committee that must be present at a committee meeting (at least)"),
    source=BRANCH_REGS,
)


@dataclass(frozen=True)
class VoteResult:
    """Whether a vote is valid and carried, with the reasons in words."""

    voting_due: int
    voting_present: int
    votes_for: int
    quorate: bool
    passed: bool
    problems: list[str | Promise] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.quorate and self.passed


def vote_result(
    *,
    voting_due: int,
    voting_present: int,
    votes_for: int,
    votes_against: int = 0,
    abstentions: int = 0,
    written_for: int = 0,
    written_against: int = 0,
    on: dt.date | None = None,
) -> VoteResult:
    """Check a branch general meeting vote (L2 → D13, D14).

    ``voting_due``: full members due to attend, after those excluded under D15;
    ``voting_present``: those of them present. The quorum counts those present; the pass
    rule counts "for" votes, including written opinions of absent voting members,
    against all voting members due to attend (not those present). One vote per person.
    """
    problems: list[str | Promise] = []
    quorum_share = value(QUORUM_SHARE.key, on)
    pass_share = value(PASS_SHARE.key, on)
    total_for = votes_for + written_for
    cast_present = votes_for + votes_against + abstentions
    absent = max(voting_due - voting_present, 0)
    # Counts that cannot be true make the vote invalid whatever the totals say.
    consistent = cast_present <= voting_present and written_for + written_against <= absent
    if cast_present > voting_present:
        problems.append(
            _("%(cast)s votes were cast by %(present)s voting members present: one vote per person (D14).")
            % {"cast": cast_present, "present": voting_present}
        )
    if written_for + written_against > absent:
        problems.append(
            _("%(written)s written opinions but only %(absent)s voting members were absent (D14).")
            % {"written": written_for + written_against, "absent": absent}
        )
    quorate = voting_due > 0 and voting_present > quorum_share * voting_due
    if not quorate:
        problems.append(
            _(
                "No quorum: more than %(share)s of the %(due)s voting members due to attend must be present;"
                " %(present)s were (D13)."
            )
            % {"share": _share(quorum_share), "due": voting_due, "present": voting_present}
        )
    passed = voting_due > 0 and total_for > pass_share * voting_due
    if not passed:
        problems.append(
            _(
                "Not carried: needs more than %(share)s of the %(due)s voting members due to attend;"
                " %(for)s voted for, written opinions included (D14)."
            )
            % {"share": _share(pass_share), "due": voting_due, "for": total_for}
        )
    return VoteResult(
        voting_due=voting_due,
        voting_present=voting_present,
        votes_for=total_for,
        quorate=quorate and consistent,
        passed=passed and consistent,
        problems=problems,
    )


def committee_quorum_problem(committee_size: int, present: int, on: dt.date | None = None) -> str | Promise | None:
    """Why a committee meeting was not quorate (L3: at least half the committee present)."""
    share = value(COMMITTEE_QUORUM_SHARE.key, on)
    if committee_size and present < share * committee_size:
        return _("At least %(share)s of the %(size)s committee members must be present; %(present)s were (L3).") % {
            "share": _share(share),
            "size": committee_size,
            "present": present,
        }
    return None


def _share(share: float) -> str:
    return "½" if share == 0.5 else f"{share:.0%}"


# --- Periods ------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Span:
    """One month, quarter or year: first and last day, and a label such as 2026-Q3."""

    start: dt.date
    end: dt.date
    period: str
    label: str

    @property
    def mid(self) -> dt.date:
        """The day an organization must exist on to owe this period's events."""
        return self.start + (self.end - self.start) // 2

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def span_of(day: dt.date, period: str) -> Span:
    """The month, quarter or year that contains ``day``."""
    if period == Period.MONTH:
        start = day.replace(day=1)
        return Span(start, add_months(start, 1) - dt.timedelta(days=1), period, f"{day:%Y-%m}")
    if period == Period.QUARTER:
        quarter = (day.month - 1) // 3
        start = dt.date(day.year, quarter * 3 + 1, 1)
        return Span(start, add_months(start, 3) - dt.timedelta(days=1), period, f"{day.year}-Q{quarter + 1}")
    if period == Period.YEAR:
        return Span(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), period, str(day.year))
    raise ValueError(period)


ORDER = {Period.MONTH: 0, Period.QUARTER: 1, Period.YEAR: 2}


def spans_in(window: Span, period: str) -> list[Span]:
    """The ``period`` spans inside ``window`` (empty when ``period`` is longer)."""
    if ORDER[Period(period)] > ORDER[Period(window.period)]:
        return []
    spans = []
    day = window.start
    while day <= window.end:
        span = span_of(day, period)
        spans.append(span)
        day = span.end + dt.timedelta(days=1)
    return spans


def parse_span(text: str) -> Span:
    """``2026``, ``2026-Q3`` or ``2026-07`` → the span (ValueError if malformed)."""
    text = text.strip().upper()
    if re.fullmatch(r"\d{4}", text):
        return span_of(dt.date(int(text), 1, 1), Period.YEAR)
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return span_of(dt.date(int(match[1]), 3 * int(match[2]) - 2, 1), Period.QUARTER)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return span_of(dt.date(int(match[1]), int(match[2]), 1), Period.MONTH)
    raise ValueError(text)


# --- Compliance status and signals -----------------------------------------------------------

GREEN_FROM = Figure(
    key="orglife.green_from",
    rule="L10",
    default=0.9,
    description=_("Completion rate from which an organization is green"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
YELLOW_FROM = Figure(
    key="orglife.yellow_from",
    rule="L10",
    default=0.6,
    description=_("Completion rate from which an organization is yellow (below: red)"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
RECORD_GRACE_DAYS = Figure(
    key="orglife.record_grace_days",
    rule="L10",
    default=0,
    description=_("Days after a period ends during which a record still counts as on time"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
LATE_RECORD_DAYS = Figure(
    key="orglife.late_record_days",
    rule="L10",
    default=30,
    description=_("An event recorded more than this many days after it was held is flagged"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
LOW_ATTENDANCE_SHARE = Figure(
    key="orglife.low_attendance_share",
    rule="L10",
    default=0.5,
    description=_("An event with a smaller share of its members present is flagged"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
SIGN_IN_MINUTES = Figure(
    key="orglife.sign_in_minutes",
    rule="L10",
    default=[30, 30],
    description=_("Sign-in opens this many minutes before the start and closes this many after the end"),
    source=PRODUCT,
    confidence=Confidence.LOCAL,
)
DRIFT_MONTHS = Figure(
    key="S1.months",
    rule="S1",
    default=6,
    description=_("Consecutive months without organizational life after which a member is regarded as having left"),
    source=CONSTITUTION,
)
LOST_CONTACT_MONTHS = Figure(
    key="S2.months",
    rule="S2",
    default=6,
    description=_("Months of lost contact after which membership is suspended"),
    source=EDU_REGS,
)

register(
    *(req.figure for req in REQUIREMENTS),
    QUORUM_SHARE,
    PASS_SHARE,
    COMMITTEE_QUORUM_SHARE,
    GREEN_FROM,
    YELLOW_FROM,
    RECORD_GRACE_DAYS,
    LATE_RECORD_DAYS,
    LOW_ATTENDANCE_SHARE,
    SIGN_IN_MINUTES,
    DRIFT_MONTHS,
    LOST_CONTACT_MONTHS,
)


def status_of(rate: float | None, on: dt.date | None = None) -> Status:
    """Red / yellow / green for a completion rate (None when nothing was due)."""
    if rate is None:
        return Status.NONE
    if rate >= value(GREEN_FROM.key, on):
        return Status.GREEN
    if rate >= value(YELLOW_FROM.key, on):
        return Status.YELLOW
    return Status.RED


def late_after(span: Span) -> dt.date:
    """The last day a record of an event in ``span`` counts as on time."""
    return span.end + dt.timedelta(days=int(value(RECORD_GRACE_DAYS.key, span.end)))


def drift_cutoff(today: dt.date) -> dt.date:
    """Members with no organizational life since before this day drift (S1)."""
    return add_months(today, -int(value(DRIFT_MONTHS.key, today)))


def lost_contact_cutoff(today: dt.date) -> dt.date:
    """Members out of contact since this day or earlier are due for suspension (S2)."""
    return add_months(today, -int(value(LOST_CONTACT_MONTHS.key, today)))


_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def minutes_text(html: str) -> str:
    """The words of the minutes: tags dropped, entities decoded, white space collapsed."""
    return _SPACE.sub(" ", unescape(_TAGS.sub(" ", html or ""))).strip()


def minutes_digest(html: str) -> str:
    """A fingerprint of the minutes' words (empty for empty minutes), to find events
    whose minutes were copied from another (a formalism signal)."""
    text = minutes_text(html)
    return hashlib.sha256(text.encode()).hexdigest() if text else ""
