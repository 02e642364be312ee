"""The rule engine of member development (rules.md D1-D25), one rule at a time, with the
figures of rules.md and the dates on either side of each deadline; then the order of the
steps, what comes next (``next_due``, ``pressing``), the stage a step leads to, working
days, the end of probation, and local figures (``FigureOverride``) changing the results.

The engine is pure, but ``value()`` reads local overrides through the cache and, on a
miss, from the database: hence the ``django_db`` mark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.dates import add_months, add_years
from dangjian.core.models import FigureOverride
from dangjian.core.rulesets import forget_overrides
from dangjian.core.testing import Cast
from dangjian.development import rules
from dangjian.development.choices import Body, EndReason, Stage
from dangjian.development.choices import StepKind as K
from dangjian.development.rules import (
    CandidateFact,
    Due,
    History,
    PersonFact,
    Problem,
    StepFact,
    next_due,
    pipeline_problems,
    pressing,
    probation_ends,
    stage_after,
    step_problems,
    working_days,
)
from dangjian.development.testing import SCHEDULE
from dangjian.orglife import actions as orglife_actions
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orglife.rules import vote_result
from dangjian.orgs.choices import OrgKind, Sector

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
LATER = dt.date(2030, 1, 1)  # "today" for histories that run past TODAY
APPLIED = dt.date(2023, 12, 1)  # the schedule then runs to the archive on 2026-10-06
SECRETARY = PersonFact("张三", committee_member=True)
LI = PersonFact("李四")
WANG = PersonFact("王五")
CANDIDATE = CandidateFact(birth_date=dt.date(2000, 4, 12))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def fact(kind: str, on: dt.date, **changes: object) -> StepFact:
    """A step of ``kind`` on ``on`` with everything the rules ask of it (the body that
    decides it, the people, the training, the vote, the approver, its documents);
    ``changes`` replace any of it."""
    fields: dict[str, object] = {}
    if kind in rules.BODIES:
        fields["body"] = rules.BODIES[kind][0]
    if kind in (K.TALK, K.APPROVAL_TALK):
        fields["people"] = (SECRETARY,)
    if kind in (K.CONTACTS, K.INTRODUCERS):
        fields["people"] = (LI, WANG)
    if kind == K.POLITICAL_REVIEW:
        fields["conclusion"] = "政治审查合格"
    if kind == K.TRAINING:
        fields["training_days"] = Decimal(3)
    if kind == K.NOTICE:
        fields["until"] = on + dt.timedelta(days=9)
    if kind in rules.VOTES:
        fields["vote_passed"] = True
    if kind in rules.APPROVALS:
        fields.update(approver_kind=OrgKind.GRASSROOTS_COMMITTEE, approver_sector=Sector.TOWNSHIP)
    if kind in rules.ARCHIVE_DOCUMENTS:
        fields["has_documents"] = True
    if kind == K.EXTENSION:
        fields["months"] = 6
    fields.update(changes)
    return StepFact(kind=kind, on=on, **fields)  # type: ignore[arg-type]


def schedule(applied: dt.date = APPLIED) -> list[StepFact]:
    """The whole procedure on the schedule of ``development.testing`` (months after the
    application), every step valid."""
    return [fact(kind, add_months(applied, months) + dt.timedelta(days=days)) for kind, months, days in SCHEDULE]


def upto(kind: str, applied: dt.date = APPLIED, *, last: bool = False) -> list[StepFact]:
    """The schedule before the first step of ``kind`` (before its last with ``last``)."""
    kinds = [s.kind for s in schedule(applied)]
    index = len(kinds) - 1 - kinds[::-1].index(kind) if last else kinds.index(kind)
    return schedule(applied)[:index]


def through(kind: str, applied: dt.date = APPLIED) -> list[StepFact]:
    """The schedule up to and including the first step of ``kind``."""
    return schedule(applied)[: len(upto(kind, applied)) + 1]


def problems(
    history: list[StepFact], new: StepFact, candidate: CandidateFact = CANDIDATE, today: dt.date = TODAY
) -> list[Problem]:
    return step_problems(history, new, candidate, today)


def rule_ids(
    history: list[StepFact], new: StepFact, candidate: CandidateFact = CANDIDATE, today: dt.date = TODAY
) -> list[str]:
    return [p.rule for p in problems(history, new, candidate, today)]


def only(
    history: list[StepFact], new: StepFact, candidate: CandidateFact = CANDIDATE, today: dt.date = TODAY
) -> Problem:
    """The single problem of recording ``new``."""
    found = problems(history, new, candidate, today)
    assert len(found) == 1, [(p.rule, str(p)) for p in found]
    return found[0]


def dues(history: list[StepFact], today: dt.date = TODAY) -> set[tuple[str, str, dt.date | None, dt.date | None]]:
    return {(d.kind, d.rule, d.ready_on, d.due_on) for d in next_due(history, today)}


def cultivated(activist_on: dt.date, examinations: list[dt.date]) -> list[StepFact]:
    """An activist since ``activist_on`` (applied 6 months before), with contacts and the
    examinations given."""
    applied = add_months(activist_on, -6)
    return [
        fact(K.APPLICATION, applied),
        fact(K.TALK, applied + dt.timedelta(days=10)),
        fact(K.ACTIVIST, activist_on),
        fact(K.ACTIVIST_FILED, activist_on + dt.timedelta(days=5)),
        fact(K.CONTACTS, activist_on + dt.timedelta(days=5)),
        *[fact(K.EXAMINATION, on) for on in examinations],
    ]


def override(key: str, value: object, effective_from: dt.date = dt.date(2000, 1, 1)) -> None:
    FigureOverride.objects.create(key=key, value=value, effective_from=effective_from, note="县委组织部通知")
    forget_overrides()


# --- The schedule everything starts from -------------------------------------------------


@pytest.mark.parametrize("applied", [APPLIED, day("2024-03-31"), day("2022-05-29")])
def test_the_schedule_keeps_every_rule(applied: dt.date) -> None:
    history = schedule(applied)
    assert len(history) == len(SCHEDULE) == 28
    assert pipeline_problems(history, CANDIDATE, LATER) == []


# --- D1 minimum age 18 at the application ------------------------------------------------------


def test_D1_an_applicant_is_18_on_the_birthday_itself() -> None:
    born = CandidateFact(birth_date=day("2008-01-31"))
    assert rule_ids([], fact(K.APPLICATION, day("2026-01-31")), born) == []
    problem = only([], fact(K.APPLICATION, day("2026-01-30")), born)
    assert problem.rule == "D1"
    assert "was 17" in str(problem) and "minimum age is 18" in str(problem)


def test_D1_born_on_29_february_turns_18_on_1_march_in_a_common_year() -> None:
    born = CandidateFact(birth_date=day("2008-02-29"))
    problem = only([], fact(K.APPLICATION, day("2026-02-28")), born)
    assert problem.rule == "D1" and "was 17" in str(problem)
    assert rule_ids([], fact(K.APPLICATION, day("2026-03-01")), born) == []


def test_D1_an_applicant_born_the_day_after_is_still_17() -> None:
    born = CandidateFact(birth_date=day("2008-03-01"))
    assert rule_ids([], fact(K.APPLICATION, day("2026-02-28")), born) == ["D1"]
    assert rule_ids([], fact(K.APPLICATION, day("2026-03-01")), born) == []


def test_D1_only_the_application_checks_the_age() -> None:
    # The age is a condition of applying; later steps do not re-check it.
    born = CandidateFact(birth_date=day("2008-01-31"))
    history = [fact(K.APPLICATION, day("2026-01-31"))]
    assert rule_ids(history, fact(K.TALK, day("2026-02-10")), born) == []


# --- D2 talk within 1 month, by the secretary, a deputy or a committee member -----------------


def test_D2_talk_within_one_month_of_the_application() -> None:
    history = [fact(K.APPLICATION, day("2026-03-15"))]
    assert rule_ids(history, fact(K.TALK, day("2026-03-15"))) == []
    assert rule_ids(history, fact(K.TALK, day("2026-04-15"))) == []
    problem = only(history, fact(K.TALK, day("2026-04-16")))
    assert problem.rule == "D2"
    assert "within 1 month(s)" in str(problem) and "by 2026-04-15" in str(problem)


@pytest.mark.parametrize(
    ("applied", "deadline"),
    [
        ("2026-01-31", "2026-02-28"),  # a month on from 31 January is the end of February
        ("2024-01-31", "2024-02-29"),  # in a leap year
        ("2026-03-31", "2026-04-30"),
        ("2026-12-31", "2027-01-31"),
    ],
)
def test_D2_talk_deadline_at_the_end_of_a_month(applied: str, deadline: str) -> None:
    history = [fact(K.APPLICATION, day(applied))]
    assert rule_ids(history, fact(K.TALK, day(deadline)), today=LATER) == []
    problem = only(history, fact(K.TALK, day(deadline) + dt.timedelta(days=1)), today=LATER)
    assert problem.rule == "D2" and f"by {deadline}" in str(problem)


def test_D2_talk_is_held_by_a_committee_member() -> None:
    history = through(K.APPLICATION)
    on = history[-1].on + dt.timedelta(days=10)
    problem = only(history, fact(K.TALK, on, people=(LI, WANG)))
    assert problem.rule == "D2" and "secretary" in str(problem)
    assert rule_ids(history, fact(K.TALK, on, people=(LI, SECRETARY))) == []
    # Nobody named at all: the people are missing (and so nobody qualified to hold it).
    assert rule_ids(history, fact(K.TALK, on, people=())) == ["D"]


# --- D3 the activist is chosen by the branch committee, filed with the higher committee --------


def test_D3_a_branch_with_a_committee_determines_activists_by_the_committee() -> None:
    history, on = upto(K.ACTIVIST), through(K.ACTIVIST)[-1].on
    assert rule_ids(history, fact(K.ACTIVIST, on, body=Body.BRANCH_COMMITTEE)) == []
    problem = only(history, fact(K.ACTIVIST, on, body=Body.GENERAL_MEETING))
    assert problem.rule == "D3" and "committee" in str(problem)


def test_D3_a_branch_without_a_committee_determines_activists_by_its_general_meeting() -> None:
    no_committee = CandidateFact(birth_date=CANDIDATE.birth_date, has_committee=False)
    history, on = upto(K.ACTIVIST), through(K.ACTIVIST)[-1].on
    assert rule_ids(history, fact(K.ACTIVIST, on, body=Body.GENERAL_MEETING), no_committee) == []
    problem = only(history, fact(K.ACTIVIST, on, body=Body.BRANCH_COMMITTEE), no_committee)
    assert problem.rule == "D3" and "no committee" in str(problem)


@pytest.mark.parametrize("body", [Body.HIGHER_COMMITTEE, Body.ORG_DEPARTMENT, Body.BRANCH])
def test_D3_nobody_else_determines_activists(body: str) -> None:
    history, on = upto(K.ACTIVIST), through(K.ACTIVIST)[-1].on
    problem = only(history, fact(K.ACTIVIST, on, body=body))
    assert problem.rule == "D3" and "Branch committee, Branch general meeting" in str(problem)


def test_D3_the_activist_is_filed_with_the_higher_committee() -> None:
    history, on = upto(K.ACTIVIST_FILED), through(K.ACTIVIST_FILED)[-1].on
    assert rule_ids(history, fact(K.ACTIVIST_FILED, on, body=Body.HIGHER_COMMITTEE)) == []
    assert rule_ids(history, fact(K.ACTIVIST_FILED, on, body=Body.BRANCH_COMMITTEE)) == ["D3"]


# --- D4 six months locally from the application to the activist --------------------------------


def test_D4_six_months_from_the_application_to_the_activist() -> None:
    history = [fact(K.APPLICATION, day("2025-08-31")), fact(K.TALK, day("2025-09-10"))]
    # Six months on from 31 August is the end of February.
    assert rule_ids(history, fact(K.ACTIVIST, day("2026-02-28"))) == []
    problem = only(history, fact(K.ACTIVIST, day("2026-02-27")))
    assert problem.rule == "D4"
    assert "earliest 6 months" in str(problem) and "on 2026-02-28" in str(problem)


def test_D4_is_a_local_figure() -> None:
    assert rules.ACTIVIST_WAIT_MONTHS.default == 6
    assert rules.ACTIVIST_WAIT_MONTHS.configurable


# --- D5 one or two full members as cultivation contacts ----------------------------------------


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ((LI,), []),
        ((LI, WANG), []),
        ((LI, WANG, SECRETARY), ["D5"]),
        ((), ["D", "D5"]),  # nobody named, and fewer than 1
        ((LI, PersonFact("吴十", full_member=False)), ["D5"]),  # a probationary member
    ],
)
def test_D5_one_or_two_full_members_as_contacts(people: tuple[PersonFact, ...], expected: list[str]) -> None:
    history, on = upto(K.CONTACTS), through(K.CONTACTS)[-1].on
    assert sorted(rule_ids(history, fact(K.CONTACTS, on, people=people))) == expected


def test_D5_messages_name_the_limits_and_the_member() -> None:
    history, on = upto(K.CONTACTS), through(K.CONTACTS)[-1].on
    too_many = only(history, fact(K.CONTACTS, on, people=(LI, WANG, SECRETARY)))
    assert "1 to 2 cultivation contacts; 3 named" in str(too_many)
    not_full = only(history, fact(K.CONTACTS, on, people=(PersonFact("吴十", full_member=False),)))
    assert "吴十 is not a full member (D5)" in str(not_full)


# --- D6 activists examined every half year -----------------------------------------------------


def test_D6_examinations_exactly_six_months_apart_are_in_time() -> None:
    history = cultivated(day("2024-01-10"), [day("2024-07-10")])
    assert rule_ids(history, fact(K.DEVELOPMENT_OBJECT, day("2025-01-10"))) == []


def test_D6_the_first_examination_a_day_late() -> None:
    history = cultivated(day("2024-01-10"), [])
    assert rule_ids(history, fact(K.EXAMINATION, day("2024-07-10"))) == []
    problem = only(history, fact(K.EXAMINATION, day("2024-07-11")))
    assert problem.rule == "D6"
    assert "every 6 months" in str(problem) and "between 2024-01-10 and 2024-07-10" in str(problem)


def test_D6_a_gap_between_two_examinations() -> None:
    history = cultivated(day("2024-01-10"), [day("2024-03-01")])
    assert rule_ids(history, fact(K.EXAMINATION, day("2024-09-01"))) == []
    problem = only(history, fact(K.EXAMINATION, day("2024-09-02")))
    assert problem.rule == "D6" and "between 2024-03-01 and 2024-09-01" in str(problem)


def test_D6_a_late_examination_is_not_reported_again_at_step_7() -> None:
    # The gap was reported (and, say, overridden) when the late examination was recorded.
    history = cultivated(day("2024-01-10"), [day("2024-09-02"), day("2024-12-01")])
    assert rule_ids(history, fact(K.DEVELOPMENT_OBJECT, day("2025-01-10"))) == []


def test_D6_the_last_examination_to_the_development_object() -> None:
    history = cultivated(day("2024-01-10"), [day("2024-07-10")])
    problem = only(history, fact(K.DEVELOPMENT_OBJECT, day("2025-01-11")))
    assert problem.rule == "D6" and "between 2024-07-10 and 2025-01-10" in str(problem)


def test_D6_half_years_at_the_end_of_a_month() -> None:
    # Six months on from 31 August is 28 February, and from 28 February is 28 August.
    in_time = cultivated(day("2024-08-31"), [day("2025-02-28")])
    assert rule_ids(in_time, fact(K.EXAMINATION, day("2025-08-28"))) == []
    assert rule_ids(in_time, fact(K.EXAMINATION, day("2025-08-29"))) == ["D6"]
    late = cultivated(day("2024-08-31"), [])
    problem = only(late, fact(K.EXAMINATION, day("2025-03-01")))
    assert problem.rule == "D6" and "between 2024-08-31 and 2025-02-28" in str(problem)


# --- D7 at least one year as activist ---------------------------------------------------------


def test_D7_one_year_as_activist() -> None:
    history = cultivated(day("2024-06-01"), [day("2024-11-01"), day("2025-04-01")])
    assert rule_ids(history, fact(K.DEVELOPMENT_OBJECT, day("2025-06-01"))) == []
    problem = only(history, fact(K.DEVELOPMENT_OBJECT, day("2025-05-31")))
    assert problem.rule == "D7"
    assert "1 year(s) as an activist (since 2024-06-01)" in str(problem) and "from 2025-06-01" in str(problem)


def test_D7_an_activist_since_29_february_is_ready_on_28_february() -> None:
    # add_years: 29 February becomes 28 February in a common year (dangjian.core.dates).
    assert add_years(day("2024-02-29"), 1) == day("2025-02-28")
    history = cultivated(day("2024-02-29"), [day("2024-08-29")])
    assert rule_ids(history, fact(K.DEVELOPMENT_OBJECT, day("2025-02-28"))) == []
    problem = only(history, fact(K.DEVELOPMENT_OBJECT, day("2025-02-27")))
    assert problem.rule == "D7" and "since 2024-02-29" in str(problem) and "from 2025-02-28" in str(problem)


# --- D8 two full members as introducers, none under discipline -------------------------------


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ((LI, WANG), []),
        ((LI,), ["D8"]),
        ((LI, WANG, SECRETARY), ["D8"]),
        ((LI, PersonFact("吴十", full_member=False)), ["D8"]),
        ((LI, PersonFact("赵六", under_discipline=True)), ["D8"]),
        ((), ["D", "D8"]),
    ],
)
def test_D8_two_full_members_as_introducers(people: tuple[PersonFact, ...], expected: list[str]) -> None:
    history, on = upto(K.INTRODUCERS), through(K.INTRODUCERS)[-1].on
    assert sorted(rule_ids(history, fact(K.INTRODUCERS, on, people=people))) == expected


def test_D8_messages() -> None:
    history, on = upto(K.INTRODUCERS), through(K.INTRODUCERS)[-1].on
    assert "2 introducers; 1 named" in str(only(history, fact(K.INTRODUCERS, on, people=(LI,))))
    disciplined = only(history, fact(K.INTRODUCERS, on, people=(LI, PersonFact("赵六", under_discipline=True))))
    assert "赵六 is on probation within the Party" in str(disciplined)


# --- D9 the political review has a written conclusion ------------------------------------------


@pytest.mark.parametrize(("conclusion", "expected"), [("政治审查合格", []), ("", ["D9"]), ("   ", ["D9"])])
def test_D9_political_review_needs_a_written_conclusion(conclusion: str, expected: list[str]) -> None:
    history, on = upto(K.POLITICAL_REVIEW), through(K.POLITICAL_REVIEW)[-1].on
    assert rule_ids(history, fact(K.POLITICAL_REVIEW, on, conclusion=conclusion)) == expected


# --- D10 centralized training of at least 3 days or 24 class hours -----------------------------


@pytest.mark.parametrize(
    ("days", "hours", "expected"),
    [
        (Decimal(3), None, []),
        (None, Decimal(24), []),
        (Decimal("2.5"), Decimal(24), []),
        (Decimal(5), Decimal(0), []),
        (Decimal("2.5"), Decimal("23.5"), ["D10"]),
        (Decimal(2), None, ["D10"]),
        (None, None, ["D10"]),
    ],
)
def test_D10_three_days_or_24_class_hours(days: Decimal | None, hours: Decimal | None, expected: list[str]) -> None:
    history, on = upto(K.TRAINING), through(K.TRAINING)[-1].on
    assert rule_ids(history, fact(K.TRAINING, on, training_days=days, training_hours=hours)) == expected


def test_D10_message_names_the_figures() -> None:
    history, on = upto(K.TRAINING), through(K.TRAINING)[-1].on
    problem = only(history, fact(K.TRAINING, on, training_days=Decimal(2), training_hours=Decimal(16)))
    assert "at least 3 days or 24 class hours; recorded 2 days, 16 hours" in str(problem)


# --- D11 public notice of at least 5 working days ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "until", "got"),
    [
        ("2025-08-04", "2025-08-08", 5),  # Monday to Friday
        ("2025-08-01", "2025-08-07", 5),  # Friday to Thursday over a weekend
        ("2025-08-02", "2025-08-08", 5),  # from a Saturday
        ("2025-08-01", "2025-08-06", 4),  # Friday to Wednesday
        ("2025-08-02", "2025-08-07", 4),  # Saturday to Thursday
        ("2025-08-04", "2025-08-03", 0),  # ends before it starts
    ],
)
def test_D11_a_notice_lasts_five_working_days(start: str, until: str, got: int) -> None:
    history = through(K.BRANCH_REVIEW)
    assert history[-1].on == day("2025-08-01") and day("2025-08-01").weekday() == 4  # a Friday
    found = problems(history, fact(K.NOTICE, day(start), until=day(until)))
    if got >= 5:
        assert found == []
    else:
        assert [p.rule for p in found] == ["D11"]
        assert f"at least 5 working days; this one has {got}" in str(found[0])


def test_D11_a_notice_without_an_end_has_no_working_days() -> None:
    problem = only(through(K.BRANCH_REVIEW), fact(K.NOTICE, day("2025-08-04"), until=None))
    assert problem.rule == "D11" and "this one has 0" in str(problem)


def test_D11_the_notice_ends_before_the_pre_review() -> None:
    history = upto(K.PRE_REVIEW)
    assert history[-1].kind == K.NOTICE and history[-1].until == day("2025-08-11")
    problem = only(history, fact(K.PRE_REVIEW, day("2025-08-11")))
    assert problem.rule == "D11" and "must end before this step" in str(problem)
    assert rule_ids(history, fact(K.PRE_REVIEW, day("2025-08-12"))) == []


def test_D11_no_notice_no_pre_review() -> None:
    history = through(K.BRANCH_REVIEW)
    assert rule_ids(history, fact(K.PRE_REVIEW, day("2025-08-20"))) == ["D11"]


def test_D11_a_notice_too_short_does_not_count() -> None:
    # Recorded against the rules (an administrator's override), it still does not count.
    history = [*through(K.BRANCH_REVIEW), fact(K.NOTICE, day("2025-08-01"), until=day("2025-08-06"))]
    assert rule_ids(history, fact(K.PRE_REVIEW, day("2025-08-20"))) == ["D11"]


def test_D11_the_full_membership_vote_needs_its_own_notice() -> None:
    history = upto(K.NOTICE, last=True)
    assert history[-1].kind == K.FULL_APPLICATION
    # The notice of the admission (before step 13) does not count for the full membership.
    assert rule_ids(history, fact(K.FULL_VOTE, day("2026-09-01"))) == ["D11"]
    history.append(fact(K.NOTICE, day("2026-08-17"), until=day("2026-08-21")))  # Monday to Friday
    assert sorted(rule_ids(history, fact(K.FULL_VOTE, day("2026-08-21")))) == ["D11", "D19"]
    assert rule_ids(history, fact(K.FULL_VOTE, day("2026-09-01"))) == []


# --- D12 the general meeting within a month of the pre-review ----------------------------------


def test_D12_general_meeting_within_a_month_of_the_pre_review() -> None:
    history = [
        *upto(K.PRE_REVIEW),
        fact(K.PRE_REVIEW, day("2025-08-31")),
        fact(K.APPLICATION_FORM, day("2025-09-05")),
    ]
    assert rule_ids(history, fact(K.ADMISSION_VOTE, day("2025-09-30"))) == []
    problem = only(history, fact(K.ADMISSION_VOTE, day("2025-10-01")))
    assert problem.rule == "D12"
    assert "within 1 month(s) of the pre-review, by 2025-09-30" in str(problem)


# --- D13, D14, D21 the votes of the general meeting --------------------------------------------


def test_D13_D14_an_admission_vote_that_failed_blocks_with_the_votes_reasons() -> None:
    reasons = ("No quorum: 5 of 10 present (D13).", "Not carried: 5 for of 10 due (D14).")
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    found = problems(history, fact(K.ADMISSION_VOTE, on, vote_passed=False, vote_problems=reasons))
    assert [(p.rule, str(p)) for p in found] == [("D14", reasons[0]), ("D14", reasons[1])]


def test_D14_a_failed_vote_without_reasons_still_blocks() -> None:
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    problem = only(history, fact(K.ADMISSION_VOTE, on, vote_passed=False))
    assert problem.rule == "D14" and "did not carry" in str(problem)


def test_D14_the_vote_must_be_recorded() -> None:
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    problem = only(history, fact(K.ADMISSION_VOTE, on, vote_passed=None))
    assert problem.rule == "D14" and "Record the vote" in str(problem)


def test_D13_D14_the_vote_result_of_orglife_feeds_the_engine() -> None:
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    # 10 voting members due, 5 present (exactly half: no quorum), 5 for (not more than half of 10).
    failed = vote_result(voting_due=10, voting_present=5, votes_for=5, on=on)
    found = problems(
        history, fact(K.ADMISSION_VOTE, on, vote_passed=failed.valid, vote_problems=tuple(failed.problems))
    )
    assert [p.rule for p in found] == ["D14", "D14"]
    assert "(D13)" in str(found[0]) and "(D14)" in str(found[1])
    # 6 present, 4 for and 2 written opinions for of absent members: 6 of 10, carried.
    carried = vote_result(voting_due=10, voting_present=6, votes_for=4, votes_against=2, written_for=2, on=on)
    assert carried.valid
    assert problems(history, fact(K.ADMISSION_VOTE, on, vote_passed=carried.valid)) == []


def test_D21_the_full_membership_vote_has_the_same_rule() -> None:
    history, on = upto(K.FULL_VOTE), through(K.FULL_VOTE)[-1].on
    reasons = ("Not carried: 2 for of 5 due (D14).",)
    found = problems(history, fact(K.FULL_VOTE, on, vote_passed=False, vote_problems=reasons))
    assert [(p.rule, str(p)) for p in found] == [("D21", reasons[0])]
    assert rule_ids(history, fact(K.FULL_VOTE, on, vote_passed=None)) == ["D21"]
    assert rule_ids(history, fact(K.FULL_VOTE, on)) == []


# --- D15, D25 who is due to vote: enforced by organizational life ------------------------------


def general_meeting(cast: Cast, attendance: dict[int, tuple[str, str]]) -> Event:
    event = Event(
        organization=cast.branch_a,
        kind=EventKind.GENERAL_MEETING,
        state=EventState.HELD,
        held_on=dt.date(2026, 11, 2),
        topic="讨论接收预备党员",
    )
    return orglife_actions.create_event(event, actor=cast.secretary_a, attendance=attendance)


def test_D25_a_probationary_member_attends_without_a_vote(cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    event = general_meeting(cast, {})
    voting = {a.member.name: a.voting for a in event.attendances.select_related("member")}
    assert voting == {"张三": True, "李四": True, "王五": True, "赵六": True, "吴十": False}


def test_D15_a_member_not_due_to_attend_does_not_count_for_the_admission_vote(cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    zhang, li, *_ = cast.members_a
    A, X = AttendanceStatus.ABSENT, AttendanceStatus.EXEMPT
    # 张三 abroad at his own expense for more than half a year (D15), 李四 absent.
    event = general_meeting(cast, {zhang.pk: (X, "自费出国一年以上"), li.pk: (A, "")})
    vote = Vote(event=event, subject=VoteSubject.ADMISSION, title="接收预备党员", votes_for=2)
    result = orglife_actions.record_vote(vote, actor=cast.secretary_a)
    # Due to vote: 李四, 王五, 赵六 (吴十 is probationary, D25); 2 of 3 present and for.
    assert (result.voting_due, result.voting_present, result.valid) == (3, 2, True)
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    assert problems(history, fact(K.ADMISSION_VOTE, on, vote_passed=result.valid)) == []
    # Without the exemption 张三 is one of 4 due: 2 present is no quorum, 2 for does not carry.
    orglife_actions.record_attendance(event, {zhang.pk: (A, "")}, actor=cast.secretary_a)
    vote.refresh_from_db()
    assert (vote.voting_due, vote.voting_present, vote.quorate, vote.passed) == (4, 2, False, False)
    again = orglife_actions.record_vote(vote, actor=cast.secretary_a)
    found = problems(history, fact(K.ADMISSION_VOTE, on, vote_passed=vote.passed, vote_problems=tuple(again.problems)))
    assert [p.rule for p in found] == ["D14", "D14"] and "No quorum" in str(found[0])


# --- D16 only a party committee approves -----------------------------------------------------


@pytest.mark.parametrize("kind", [K.ADMISSION_APPROVAL, K.FULL_APPROVAL])
@pytest.mark.parametrize(
    ("approver_kind", "sector", "ok"),
    [
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.TOWNSHIP, True),
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.NON_PUBLIC_ENTERPRISE, True),
        (OrgKind.LEADING_COMMITTEE, Sector.OTHER, True),
        (OrgKind.GENERAL_BRANCH, Sector.STATE_OWNED_ENTERPRISE, False),
        (OrgKind.BRANCH, Sector.TOWNSHIP, False),
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.VILLAGE, False),
        (OrgKind.GRASSROOTS_COMMITTEE, Sector.COMMUNITY, False),
    ],
)
def test_D16_only_a_party_committee_approves(kind: str, approver_kind: str, sector: str, ok: bool) -> None:
    history, on = upto(kind), through(kind)[-1].on
    found = problems(history, fact(kind, on, approver_kind=approver_kind, approver_sector=sector))
    if ok:
        assert found == []
    else:
        assert [p.rule for p in found] == ["D16"]
        expected = "village or community" if approver_kind == OrgKind.GRASSROOTS_COMMITTEE else "general branch"
        assert expected in str(found[0])


@pytest.mark.parametrize("kind", [K.ADMISSION_APPROVAL, K.FULL_APPROVAL])
@pytest.mark.parametrize("body", [Body.BRANCH_COMMITTEE, Body.GENERAL_MEETING, Body.ORG_DEPARTMENT])
def test_D16_the_approval_is_the_higher_committees(kind: str, body: str) -> None:
    history, on = upto(kind), through(kind)[-1].on
    assert rule_ids(history, fact(kind, on, body=body)) == ["D16"]


# --- D17 approval within 3 months of the vote, 6 with a special extension ----------------------


def test_D17_approval_within_three_months_of_the_vote() -> None:
    applied = day("2024-03-31")
    history = upto(K.ADMISSION_APPROVAL, applied)
    assert History(history).last(K.ADMISSION_VOTE).on == day("2025-12-31")  # type: ignore[union-attr]
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, day("2026-03-31"))) == []
    problem = only(history, fact(K.ADMISSION_APPROVAL, day("2026-04-01")))
    assert problem.rule == "D17"
    assert "within 3 months of the vote on 2025-12-31, by 2026-03-31" in str(problem)


def test_D17_up_to_six_months_with_a_special_extension() -> None:
    history = upto(K.ADMISSION_APPROVAL, day("2024-03-31"))
    special = {"special_extension": True}
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, day("2026-04-01"), **special)) == []
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, day("2026-06-30"), **special)) == []
    problem = only(history, fact(K.ADMISSION_APPROVAL, day("2026-07-01"), **special))
    assert problem.rule == "D17" and "within 6 months" in str(problem) and "by 2026-06-30" in str(problem)


# --- D18 someone leaving the unit within 3 months ---------------------------------------------


def test_D18_is_checked_again_at_the_approval() -> None:
    history, on = upto(K.ADMISSION_APPROVAL), through(K.ADMISSION_APPROVAL)[-1].on
    leaving = CandidateFact(birth_date=CANDIDATE.birth_date, leaving_on=add_months(on, 3))
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, on), leaving) == ["D18"]
    later = CandidateFact(birth_date=CANDIDATE.birth_date, leaving_on=add_months(on, 3) + dt.timedelta(days=1))
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, on), later) == []


@pytest.mark.parametrize(
    ("leaving_on", "expected"),
    [
        (None, []),
        ("2025-09-01", ["D18"]),  # leaves on the day of the vote
        ("2025-12-01", ["D18"]),  # exactly three months after the vote
        ("2025-12-02", []),
        ("2026-06-01", []),
    ],
)
def test_D18_a_candidate_leaving_within_three_months_is_not_admitted(
    leaving_on: str | None, expected: list[str]
) -> None:
    history, on = upto(K.ADMISSION_VOTE), through(K.ADMISSION_VOTE)[-1].on
    assert on == day("2025-09-01")
    leaving = CandidateFact(birth_date=CANDIDATE.birth_date, leaving_on=day(leaving_on) if leaving_on else None)
    found = problems(history, fact(K.ADMISSION_VOTE, on), leaving)
    assert [p.rule for p in found] == expected
    if expected:
        assert f"leaves the unit on {leaving_on}, within 3 months" in str(found[0])


# --- D19 probation of one year from the admission vote ----------------------------------------


def test_D19_full_membership_vote_when_probation_ends() -> None:
    history = upto(K.FULL_VOTE)
    assert probation_ends(History(history)) == day("2026-09-01")
    assert rule_ids(history, fact(K.FULL_VOTE, day("2026-09-01"))) == []
    problem = only(history, fact(K.FULL_VOTE, day("2026-08-31")))
    assert problem.rule == "D19" and "Probation runs until 2026-09-01" in str(problem)


def test_D19_admitted_on_29_february() -> None:
    applied = day("2022-05-29")
    history = upto(K.FULL_VOTE, applied)
    assert History(history).last(K.ADMISSION_VOTE).on == day("2024-02-29")  # type: ignore[union-attr]
    assert probation_ends(History(history)) == day("2025-02-28")
    assert rule_ids(history, fact(K.FULL_VOTE, day("2025-02-28"))) == []
    problem = only(history, fact(K.FULL_VOTE, day("2025-02-27")))
    assert problem.rule == "D19" and "until 2025-02-28" in str(problem)


# --- D20 extension of probation: once, 6 to 12 months, during probation -------------------------


@pytest.mark.parametrize(("months", "ok"), [(6, True), (9, True), (12, True), (5, False), (13, False), (None, False)])
def test_D20_an_extension_is_six_to_twelve_months(months: int | None, ok: bool) -> None:
    history = through(K.OATH)
    found = problems(history, fact(K.EXTENSION, day("2026-09-01"), months=months))
    if ok:
        assert found == []
    else:
        assert [p.rule for p in found] == ["D20"]
        assert "at least 6 and at most 12 months" in str(found[0])


def test_D20_probation_is_extended_once_only() -> None:
    history = [*through(K.OATH), fact(K.EXTENSION, day("2026-09-01"))]
    problem = only(history, fact(K.EXTENSION, day("2026-09-05")))
    assert problem.rule == "D20" and "once only" in str(problem)


@pytest.mark.parametrize("last", [K.ADMISSION_VOTE, K.APPROVAL_TALK, K.FULL_VOTE, K.FULL_APPROVAL])
def test_D20_only_during_probation(last: str) -> None:
    history = through(last)
    problem = only(history, fact(K.EXTENSION, history[-1].on), today=LATER)
    assert problem.rule == "D20" and "only during probation" in str(problem)


@pytest.mark.parametrize("last", [K.ADMISSION_APPROVAL, K.OATH, K.PROBATION_EXAMINATION, K.FULL_APPLICATION])
def test_D20_during_probation_from_the_approval_to_the_full_membership_vote(last: str) -> None:
    history = through(last)
    assert rule_ids(history, fact(K.EXTENSION, day("2026-09-01"))) == []


def test_D20_probation_is_extended_when_it_ends() -> None:
    history = through(K.FULL_APPLICATION)
    problem = only(history, fact(K.EXTENSION, day("2026-08-31")))
    assert problem.rule == "D20" and "when it ends, on 2026-09-01" in str(problem)


@pytest.mark.parametrize("reason", [EndReason.WITHDRAWN, EndReason.LEFT_UNIT, EndReason.NOT_ADMITTED, EndReason.OTHER])
def test_D20_a_probationary_member_leaves_only_by_cancellation(reason: str) -> None:
    history = through(K.OATH)
    problem = only(history, fact(K.ENDED, day("2026-09-01"), end_reason=reason, body=Body.GENERAL_MEETING))
    assert problem.rule == "D20" and "transfer" in str(problem)


def test_D20_the_general_meeting_cancels_the_probationary_qualification() -> None:
    history = through(K.OATH)
    cancel = {"end_reason": EndReason.PROBATION_CANCELLED}
    assert rule_ids(history, fact(K.ENDED, day("2026-09-01"), body=Body.GENERAL_MEETING, **cancel)) == []
    problem = only(history, fact(K.ENDED, day("2026-09-01"), body=Body.BRANCH_COMMITTEE, **cancel))
    assert problem.rule == "D20" and "general meeting" in str(problem)
    before = through(K.TRAINING)
    problem = only(before, fact(K.ENDED, before[-1].on, body=Body.GENERAL_MEETING, **cancel))
    assert problem.rule == "D20" and "probationary member's" in str(problem)
    # Before probation an applicant may simply withdraw.
    assert rule_ids(before, fact(K.ENDED, before[-1].on, end_reason=EndReason.WITHDRAWN)) == []


def test_nothing_ends_the_procedure_after_full_membership() -> None:
    history = through(K.FULL_APPROVAL)
    problem = only(history, fact(K.ENDED, history[-1].on, end_reason=EndReason.OTHER), today=LATER)
    assert problem.rule == "D" and "procedure is over" in str(problem)


def test_D20_an_extension_moves_the_end_of_probation() -> None:
    history = [*upto(K.FULL_VOTE), fact(K.EXTENSION, day("2026-08-20"), months=6)]
    assert probation_ends(History(history)) == day("2027-03-01")
    problem = only(history, fact(K.FULL_VOTE, day("2026-09-01")))
    assert problem.rule == "D19" and "until 2027-03-01" in str(problem)
    assert rule_ids(history, fact(K.FULL_VOTE, day("2027-03-01")), today=LATER) == []
    assert (K.FULL_VOTE, "D19", day("2027-03-01"), None) in dues(history)


# --- D22 approval of full membership within 3 months ------------------------------------------


def test_D22_full_membership_approved_within_three_months() -> None:
    history = upto(K.FULL_APPROVAL)
    assert history[-1].kind == K.FULL_VOTE and history[-1].on == day("2026-09-01")
    assert rule_ids(history, fact(K.FULL_APPROVAL, day("2026-12-01")), today=LATER) == []
    problem = only(history, fact(K.FULL_APPROVAL, day("2026-12-02")), today=LATER)
    assert problem.rule == "D22" and "within 3 months of the vote on 2026-09-01, by 2026-12-01" in str(problem)


def test_D22_a_special_extension_does_not_apply_to_full_membership() -> None:
    history = upto(K.FULL_APPROVAL)
    late = fact(K.FULL_APPROVAL, day("2026-12-02"), special_extension=True)
    assert rule_ids(history, late, today=LATER) == ["D22"]


# --- D23 oath within a month of the approval ------------------------------------------------------


def test_D23_oath_within_a_month_of_the_approval() -> None:
    applied = day("2024-03-31")
    history = upto(K.OATH, applied)
    assert History(history).last(K.ADMISSION_APPROVAL).on == day("2026-01-31")  # type: ignore[union-attr]
    assert rule_ids(history, fact(K.OATH, day("2026-02-28"))) == []
    problem = only(history, fact(K.OATH, day("2026-03-01")))
    assert problem.rule == "D23" and "within 1 month(s) of the approval, by 2026-02-28" in str(problem)


def test_D23_is_a_figure_to_check() -> None:
    assert rules.OATH_MONTHS.confidence == "check" and rules.OATH_MONTHS.default == 1


# --- D24 the archive holds the documents -------------------------------------------------------


def without_documents(history: list[StepFact], kinds: set[str]) -> list[StepFact]:
    return [fact(s.kind, s.on, has_documents=False) if s.kind in kinds else s for s in history]


def test_D24_the_archive_holds_every_document() -> None:
    history, on = upto(K.ARCHIVED), through(K.ARCHIVED)[-1].on
    assert rule_ids(history, fact(K.ARCHIVED, on)) == []
    problem = only(without_documents(history, {K.POLITICAL_REVIEW}), fact(K.ARCHIVED, on))
    assert problem.rule == "D24" and str(problem) == "The archive lacks: political review material (D24)."


def test_D24_one_examination_with_records_is_enough() -> None:
    history, on = upto(K.ARCHIVED), through(K.ARCHIVED)[-1].on
    first_exam = next(i for i, s in enumerate(history) if s.kind == K.EXAMINATION)
    history[first_exam] = fact(K.EXAMINATION, history[first_exam].on, has_documents=False)
    assert rule_ids(history, fact(K.ARCHIVED, on)) == []


def test_D24_an_archive_without_documents_lists_them_all() -> None:
    history, on = upto(K.ARCHIVED), through(K.ARCHIVED)[-1].on
    problem = only(without_documents(history, set(rules.ARCHIVE_DOCUMENTS)), fact(K.ARCHIVED, on))
    assert problem.rule == "D24"
    for needed in (
        "application letter",
        "cultivation and examination records",
        "political review material",
        "application form (入党志愿书)",
        "application for full membership",
    ):
        assert needed in str(problem)


# --- Order of the steps ------------------------------------------------------------------------


def test_the_first_step_is_the_application() -> None:
    problem = only([], fact(K.TALK, day("2026-01-10")))
    assert problem.rule == "D" and "Step 1 Application letter submitted comes next" in str(problem)


@pytest.mark.parametrize("kind", [K.ACTIVIST_FILED, K.DEVELOPMENT_OBJECT, K.ADMISSION_VOTE, K.OATH])
def test_a_step_cannot_be_skipped(kind: str) -> None:
    history = through(K.TALK)
    problem = only(history, fact(kind, day("2024-06-01")))
    assert problem.rule == "D" and "Step 3 Determined as activist comes next" in str(problem)


@pytest.mark.parametrize(
    "kind", [K.APPLICATION, K.ACTIVIST, K.CONTACTS, K.DEVELOPMENT_OBJECT, K.TRAINING, K.BRANCH_REVIEW]
)
def test_a_step_cannot_be_recorded_twice(kind: str) -> None:
    history = through(K.BRANCH_REVIEW)
    problem = only(history, fact(kind, history[-1].on))
    assert problem.rule == "D" and "is already recorded" in str(problem)


def test_a_step_recorded_twice_is_also_checked_against_its_deadline() -> None:
    history = through(K.BRANCH_REVIEW)
    found = problems(history, fact(K.TALK, history[-1].on))
    assert [p.rule for p in found] == ["D", "D2"]
    assert "Step 2 Talk with the applicant is already recorded" in str(found[0])


def test_examinations_are_recorded_again_while_the_stage_lasts() -> None:
    history = through(K.EXAMINATION)
    assert rule_ids(history, fact(K.EXAMINATION, day("2025-01-01"))) == []
    # Once a development object, the activist's examinations are over.
    history = through(K.DEVELOPMENT_OBJECT)
    assert rule_ids(history, fact(K.EXAMINATION, history[-1].on)) == ["D"]


def test_probation_examinations_are_recorded_again_until_the_application() -> None:
    history = through(K.PROBATION_EXAMINATION)
    assert rule_ids(history, fact(K.PROBATION_EXAMINATION, day("2026-06-01"))) == []
    history = through(K.FULL_APPLICATION)
    assert rule_ids(history, fact(K.PROBATION_EXAMINATION, history[-1].on)) == ["D"]


@pytest.mark.parametrize("last", [K.BRANCH_REVIEW, K.FULL_APPLICATION])
def test_a_notice_after_step_12_or_step_22(last: str) -> None:
    history = through(last)
    on = history[-1].on
    assert rule_ids(history, fact(K.NOTICE, on)) == []
    # A second notice (say, a longer one) is allowed too.
    assert rule_ids([*history, fact(K.NOTICE, on)], fact(K.NOTICE, on + dt.timedelta(days=1))) == []


@pytest.mark.parametrize("last", [None, K.APPLICATION, K.TRAINING, K.PRE_REVIEW, K.PROBATION_EXAMINATION, K.FULL_VOTE])
def test_a_notice_anywhere_else_is_refused(last: str | None) -> None:
    history = through(last) if last else []
    on = history[-1].on if history else day("2025-01-06")
    problem = only(history, fact(K.NOTICE, on), today=LATER)
    assert problem.rule == "D11" and "after step 12" in str(problem)


def test_nothing_after_leaving_the_procedure() -> None:
    history = through(K.ACTIVIST)
    on = history[-1].on
    assert rule_ids(history, fact(K.ENDED, on)) == []
    ended = [*history, fact(K.ENDED, on)]
    for kind in (K.ACTIVIST_FILED, K.NOTICE, K.EXTENSION, K.ENDED, K.APPLICATION):
        problem = only(ended, fact(kind, on + dt.timedelta(days=1)))
        assert problem.rule == "D" and "left the procedure" in str(problem)
    assert stage_after(K.ENDED, Stage.ACTIVIST) == Stage.ENDED
    assert next_due(ended, TODAY) == []


def test_a_step_is_not_earlier_than_the_last_one() -> None:
    history = through(K.ACTIVIST)
    assert history[-1].on == day("2024-06-01")
    assert rule_ids(history, fact(K.ACTIVIST_FILED, day("2024-06-01"))) == []
    problem = only(history, fact(K.ACTIVIST_FILED, day("2024-05-31")))
    assert problem.rule == "D" and "last recorded step was on 2024-06-01" in str(problem)


def test_the_last_step_is_the_latest_date_not_the_last_in_the_list() -> None:
    history = [*through(K.BRANCH_REVIEW), fact(K.NOTICE, day("2025-08-01"), until=day("2025-08-08"))]
    late = StepFact(kind=K.APPLICATION, on=day("2025-09-01"))  # out of order in the list
    problem = only([late, *history[1:]], fact(K.PRE_REVIEW, day("2025-08-20")))
    assert problem.rule == "D" and "2025-09-01" in str(problem)


def test_a_step_is_not_in_the_future() -> None:
    assert rule_ids([], fact(K.APPLICATION, TODAY)) == []
    problem = only([], fact(K.APPLICATION, TODAY + dt.timedelta(days=1)))
    assert problem.rule == "D" and "future" in str(problem)


def test_pipeline_problems_rechecks_every_step_in_order() -> None:
    history = schedule()
    late_talk = fact(K.TALK, day("2024-01-02"))  # D2: due by 2024-01-01
    history[1] = late_talk
    assert [p.rule for p in pipeline_problems(history, CANDIDATE, TODAY)] == ["D2"]
    swapped = schedule()
    swapped[2], swapped[3] = swapped[3], swapped[2]  # filed before determined
    found = pipeline_problems(swapped, CANDIDATE, TODAY)
    # Filed (step 4) before step 3; then step 3 after step 4 and on an earlier date.
    assert [p.rule for p in found] == ["D", "D", "D"]
    assert "Step 3 Determined as activist comes next" in str(found[0])
    assert "already recorded" in str(found[1]) and "last recorded step was on 2024-06-06" in str(found[2])
    # A schedule that runs past today: each step after today is in the future.
    ahead = pipeline_problems(schedule(day("2024-03-31")), CANDIDATE, TODAY)
    assert [str(p) for p in ahead] == ["The date is in the future."] * 5


# --- What comes next ---------------------------------------------------------------------------


N = None
NEXT = [
    (K.APPLICATION, {(K.TALK, "D2", N, day("2024-01-01"))}),
    (K.TALK, {(K.ACTIVIST, "D4", day("2024-06-01"), N)}),
    # The examination is due half a year after becoming an activist, whatever comes next.
    (K.ACTIVIST, {(K.EXAMINATION, "D6", N, day("2024-12-01")), (K.ACTIVIST_FILED, "D", N, N)}),
    (K.CONTACTS, {(K.EXAMINATION, "D6", N, day("2024-12-01"))}),
    (K.EXAMINATION, {(K.EXAMINATION, "D6", N, day("2025-05-01")), (K.DEVELOPMENT_OBJECT, "D7", day("2025-06-01"), N)}),
    (K.DEVELOPMENT_OBJECT, {(K.OBJECT_FILED, "D", N, N)}),
    (K.TRAINING, {(K.BRANCH_REVIEW, "D", N, N)}),
    (K.BRANCH_REVIEW, {(K.NOTICE, "D11", N, N), (K.PRE_REVIEW, "D", N, N)}),
    (K.APPLICATION_FORM, {(K.ADMISSION_VOTE, "D12", N, day("2025-09-16"))}),
    (K.ADMISSION_VOTE, {(K.ADMISSION_APPROVAL, "D17", N, day("2025-12-01")), (K.APPROVAL_TALK, "D", N, N)}),
    (K.APPROVAL_TALK, {(K.ADMISSION_APPROVAL, "D17", N, day("2025-12-01"))}),
    (
        K.ADMISSION_APPROVAL,
        {
            (K.OATH, "D23", N, day("2025-11-01")),
            (K.FULL_VOTE, "D19", day("2026-09-01"), N),
            (K.ADMISSION_FILED, "D", N, N),
        },
    ),
    (K.OATH, {(K.FULL_VOTE, "D19", day("2026-09-01"), N), (K.PROBATION_EXAMINATION, "D", N, N)}),
    (K.FULL_APPLICATION, {(K.FULL_VOTE, "D19", day("2026-09-01"), N), (K.NOTICE, "D11", N, N)}),
    (K.FULL_VOTE, {(K.FULL_APPROVAL, "D22", N, day("2026-12-01"))}),
    (K.FULL_APPROVAL, {(K.ARCHIVED, "D", N, N)}),
    (K.ARCHIVED, set()),
]


@pytest.mark.parametrize(("last", "expected"), NEXT, ids=[str(kind) for kind, _ in NEXT])
def test_next_due_after_each_step(last: str, expected: set[tuple[object, ...]]) -> None:
    assert dues(through(last)) == expected


def test_next_due_is_empty_before_the_application() -> None:
    assert next_due([], TODAY) == []
    assert pressing([]) is None


def test_D2_talk_due_a_month_after_an_application_at_the_end_of_january() -> None:
    history = [fact(K.APPLICATION, day("2026-01-31"))]
    assert next_due(history, TODAY) == [Due(K.TALK, "D2", due_on=day("2026-02-28"))]


def test_D6_examination_due_six_months_after_the_last_one() -> None:
    history = through(K.EXAMINATION)
    history.append(fact(K.EXAMINATION, day("2025-04-01")))
    assert (K.EXAMINATION, "D6", N, day("2025-10-01")) in dues(history)


def test_D7_development_object_ready_a_year_after_29_february() -> None:
    history = cultivated(day("2024-02-29"), [day("2024-08-29")])
    assert (K.DEVELOPMENT_OBJECT, "D7", day("2025-02-28"), N) in dues(history)


def test_D19_probation_end_after_an_admission_on_29_february() -> None:
    history = through(K.ADMISSION_APPROVAL, day("2022-05-29"))
    assert (K.FULL_VOTE, "D19", day("2025-02-28"), N) in dues(history)


def test_next_due_is_sorted_by_date() -> None:
    found = next_due(through(K.ADMISSION_APPROVAL), TODAY)
    assert [d.rule for d in found] == ["D23", "D19", "D"]
    found = next_due([*through(K.EXAMINATION), fact(K.EXAMINATION, day("2025-04-01"))], TODAY)
    assert [d.rule for d in found] == ["D7", "D6"]  # ready 2025-06-01, due 2025-10-01


def test_pressing_prefers_a_deadline_to_a_date_from_which_a_step_is_possible() -> None:
    # D7 (ready 2025-06-01) comes before the examination due on 2025-10-01, but the
    # deadline is what presses.
    history = [*through(K.EXAMINATION), fact(K.EXAMINATION, day("2025-04-01"))]
    assert pressing(next_due(history, TODAY)) == Due(
        K.EXAMINATION, "D6", due_on=day("2025-10-01"), note=rules._("examination of the activist")
    )
    assert pressing(next_due(through(K.ADMISSION_APPROVAL), TODAY)).rule == "D23"  # type: ignore[union-attr]


def test_pressing_without_deadlines_takes_the_earliest_ready_date_then_the_first() -> None:
    assert pressing(next_due(through(K.TALK), TODAY)) == Due(K.ACTIVIST, "D4", ready_on=day("2024-06-01"))
    assert pressing(next_due(through(K.OATH), TODAY)).rule == "D19"  # type: ignore[union-attr]
    early, late = Due(K.OATH, "X", ready_on=day("2026-01-02")), Due(K.TALK, "Y", ready_on=day("2026-01-01"))
    assert pressing([early, late]) is late
    first, second = Due(K.NOTICE, "D11"), Due(K.PRE_REVIEW, "D")
    assert pressing([first, second]) is first
    soon, later = Due(K.OATH, "A", due_on=day("2026-03-01")), Due(K.TALK, "B", due_on=day("2026-02-01"))
    assert pressing([soon, Due(K.NOTICE, "C", ready_on=day("2020-01-01")), later]) is later


# --- Stages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "current", "expected"),
    [
        (K.APPLICATION, Stage.APPLICANT, Stage.APPLICANT),
        (K.TALK, Stage.APPLICANT, Stage.APPLICANT),
        (K.ACTIVIST, Stage.APPLICANT, Stage.ACTIVIST),
        (K.EXAMINATION, Stage.ACTIVIST, Stage.ACTIVIST),
        (K.DEVELOPMENT_OBJECT, Stage.ACTIVIST, Stage.DEVELOPMENT_OBJECT),
        (K.TRAINING, Stage.DEVELOPMENT_OBJECT, Stage.DEVELOPMENT_OBJECT),
        (K.ADMISSION_VOTE, Stage.DEVELOPMENT_OBJECT, Stage.DEVELOPMENT_OBJECT),
        (K.APPROVAL_TALK, Stage.DEVELOPMENT_OBJECT, Stage.DEVELOPMENT_OBJECT),
        (K.ADMISSION_APPROVAL, Stage.DEVELOPMENT_OBJECT, Stage.PROBATIONARY),
        (K.OATH, Stage.PROBATIONARY, Stage.PROBATIONARY),
        (K.FULL_VOTE, Stage.PROBATIONARY, Stage.PROBATIONARY),
        (K.FULL_APPROVAL, Stage.PROBATIONARY, Stage.FULL),
        (K.ARCHIVED, Stage.FULL, Stage.FULL),
        (K.NOTICE, Stage.DEVELOPMENT_OBJECT, Stage.DEVELOPMENT_OBJECT),
        (K.NOTICE, Stage.PROBATIONARY, Stage.PROBATIONARY),
        (K.EXTENSION, Stage.PROBATIONARY, Stage.PROBATIONARY),
        (K.ENDED, Stage.PROBATIONARY, Stage.ENDED),
        (K.ENDED, Stage.APPLICANT, Stage.ENDED),
    ],
)
def test_stage_after(kind: str, current: str, expected: str) -> None:
    assert stage_after(kind, current) == expected


def test_stages_along_the_schedule() -> None:
    stage: str = Stage.APPLICANT
    seen: list[str] = []
    for step in schedule():
        stage = stage_after(step.kind, stage)
        if not seen or seen[-1] != stage:
            seen.append(stage)
    assert seen == [Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_OBJECT, Stage.PROBATIONARY, Stage.FULL]


# --- Working days and the end of probation ------------------------------------------------------


def test_working_days_count_monday_to_friday_both_ends_included() -> None:
    monday = day("2026-11-23")
    assert monday.weekday() == 0
    assert working_days(monday, monday) == 1
    assert working_days(monday, monday + dt.timedelta(days=4)) == 5
    assert working_days(monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)) == 0  # a weekend
    assert working_days(monday + dt.timedelta(days=4), monday + dt.timedelta(days=10)) == 5  # Friday to Thursday
    assert working_days(monday, monday + dt.timedelta(days=13)) == 10
    assert working_days(monday, monday - dt.timedelta(days=1)) == 0


def test_working_days_agree_with_counting_day_by_day() -> None:
    start = day("2026-11-16")
    for offset in range(7):
        first = start + dt.timedelta(days=offset)
        for length in range(-2, 40):
            last = first + dt.timedelta(days=length)
            counted = sum(1 for i in range(length + 1) if (first + dt.timedelta(days=i)).weekday() < 5)
            assert working_days(first, last) == counted, (first, last)


def test_probation_ends() -> None:
    assert probation_ends(History(through(K.FULL_APPLICATION)[:16])) is None  # before the vote
    assert probation_ends(History(through(K.ADMISSION_VOTE))) == day("2026-09-01")
    leap = through(K.ADMISSION_VOTE, day("2022-05-29"))
    assert probation_ends(History(leap)) == day("2025-02-28")
    extended = [*leap, fact(K.EXTENSION, day("2024-06-01"), months=6)]
    assert probation_ends(History(extended)) == day("2025-08-28")
    # An extension without months (refused by D20, if recorded anyway) does not move it.
    assert probation_ends(History([*leap, fact(K.EXTENSION, day("2024-06-01"), months=None)])) == day("2025-02-28")
    assert rules.full_member_from(History(extended)) == day("2025-08-28")


# --- Local figures ------------------------------------------------------------------------------


def test_a_local_activist_wait_changes_D4() -> None:
    override(rules.ACTIVIST_WAIT_MONTHS.key, 3)
    history = [fact(K.APPLICATION, day("2025-08-31")), fact(K.TALK, day("2025-09-10"))]
    assert rule_ids(history, fact(K.ACTIVIST, day("2025-11-30"))) == []
    problem = only(history, fact(K.ACTIVIST, day("2025-11-29")))
    assert problem.rule == "D4" and "earliest 3 months" in str(problem) and "on 2025-11-30" in str(problem)
    assert dues(history) == {(K.ACTIVIST, "D4", day("2025-11-30"), N)}


def test_D4_the_figure_in_force_on_the_application_decides() -> None:
    # From 1 March 2025 the county asks 9 months; an application of 15 January keeps 6.
    override(rules.ACTIVIST_WAIT_MONTHS.key, 9, dt.date(2025, 3, 1))
    before = [fact(K.APPLICATION, day("2025-01-15")), fact(K.TALK, day("2025-01-20"))]
    assert dues(before) == {(K.ACTIVIST, "D4", day("2025-07-15"), N)}
    # What next_due announces, step_problems accepts.
    assert rule_ids(before, fact(K.ACTIVIST, day("2025-07-15"))) == []
    assert rule_ids(before, fact(K.ACTIVIST, day("2025-07-14"))) == ["D4"]
    after = [fact(K.APPLICATION, day("2025-03-01")), fact(K.TALK, day("2025-03-05"))]
    assert dues(after) == {(K.ACTIVIST, "D4", day("2025-12-01"), N)}
    assert rule_ids(after, fact(K.ACTIVIST, day("2025-11-30"))) == ["D4"]
    assert rule_ids(after, fact(K.ACTIVIST, day("2025-12-01"))) == []


def test_a_local_notice_length_changes_D11() -> None:
    override(rules.NOTICE_WORKING_DAYS.key, 7)
    history = through(K.BRANCH_REVIEW)
    problem = only(history, fact(K.NOTICE, day("2025-08-04"), until=day("2025-08-08")))
    assert problem.rule == "D11" and "at least 7 working days; this one has 5" in str(problem)
    assert rule_ids(history, fact(K.NOTICE, day("2025-08-04"), until=day("2025-08-12"))) == []
    # The schedule's notice has 6 working days: no longer enough for the pre-review.
    assert "at least 7 working days" in str(only(upto(K.PRE_REVIEW), fact(K.PRE_REVIEW, day("2025-08-16"))))


def test_a_local_meeting_deadline_changes_D12() -> None:
    override(rules.MEETING_AFTER_PRE_REVIEW_MONTHS.key, 2)
    history = upto(K.ADMISSION_VOTE)  # pre-review on 2025-08-16
    assert rule_ids(history, fact(K.ADMISSION_VOTE, day("2025-10-16"))) == []
    problem = only(history, fact(K.ADMISSION_VOTE, day("2025-10-17")))
    assert problem.rule == "D12" and "within 2 month(s)" in str(problem)
    assert (K.ADMISSION_VOTE, "D12", N, day("2025-10-16")) in dues(history)


def test_a_local_oath_deadline_changes_D23() -> None:
    override(rules.OATH_MONTHS.key, 2, dt.date(2025, 1, 1))
    history = upto(K.OATH)  # approval on 2025-10-01
    assert rule_ids(history, fact(K.OATH, day("2025-12-01"))) == []
    assert rule_ids(history, fact(K.OATH, day("2025-12-02"))) == ["D23"]
    assert (K.OATH, "D23", N, day("2025-12-01")) in dues(through(K.ADMISSION_APPROVAL))


def test_an_override_from_a_later_date_does_not_apply_before_it() -> None:
    override(rules.OATH_MONTHS.key, 2, dt.date(2025, 10, 2))  # the day after the approval
    history = upto(K.OATH)
    assert rule_ids(history, fact(K.OATH, day("2025-11-02"))) == ["D23"]


def test_a_firm_figure_is_not_changed_by_an_override() -> None:
    # D17 and D2 are national figures; a local value stored for them is ignored.
    override(rules.APPROVAL_MONTHS.key, {"normal": 1, "special": 2})
    override(rules.TALK_MONTHS.key, 3)
    history = upto(K.ADMISSION_APPROVAL)  # vote on 2025-09-01
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, day("2025-12-01"))) == []
    assert rule_ids(history, fact(K.ADMISSION_APPROVAL, day("2025-12-02"))) == ["D17"]
    assert dues(through(K.APPLICATION)) == {(K.TALK, "D2", N, day("2024-01-01"))}
