"""Random step sequences against a small oracle: a second reading of rules.md D (order of
the 25 steps and the interval rules) in plain date arithmetic, independent of the
engine's helpers. Each proposed step is checked by both; the rule ids they report must
be the same, so the engine accepts exactly the steps the oracle accepts. Accepted steps
(and, now and then, steps with only interval or content problems, as an administrator's
override records them) join the history and the next step is proposed.

``value()`` reads local figures through the cache and, on a miss, the database: hence the
``db`` fixture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.dates import add_months, add_years, age_on
from dangjian.development.choices import StepKind as K
from dangjian.development.rules import CandidateFact, PersonFact, StepFact, pipeline_problems, step_problems
from dangjian.orgs.choices import OrgKind, Sector

TODAY = dt.date(2026, 1, 1)
DAY = dt.timedelta(days=1)
SECRETARY = PersonFact("张三", committee_member=True)
MEMBERS = (PersonFact("李四"), PersonFact("王五"), PersonFact("赵六"))
HOLDERS: dict[str, str] = {
    K.TALK: "branch",
    K.ACTIVIST: "branch_committee",
    K.ACTIVIST_FILED: "higher_committee",
    K.DEVELOPMENT_OBJECT: "branch_committee",
    K.OBJECT_FILED: "higher_committee",
    K.ADMISSION_VOTE: "general_meeting",
    K.FULL_VOTE: "general_meeting",
    K.ADMISSION_APPROVAL: "higher_committee",
    K.FULL_APPROVAL: "higher_committee",
    K.EXTENSION: "general_meeting",
}
# The number of each step from its code ("s07" is step 7), not from the engine.
NUMBERS: dict[str, int] = {kind: int(kind.value[1:]) for kind in K if kind.value.startswith("s")}
STAGES_I_III: list[str] = [kind for kind in K if 1 <= NUMBERS.get(kind, 0) <= 11]
STAGES_IV_V: list[str] = [*(kind for kind in K if 12 <= NUMBERS.get(kind, 0) <= 25), K.NOTICE, K.EXTENSION]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def new_step(kind: str, on: dt.date, **extra: object) -> StepFact:
    """A step with valid content: the right body, people, conclusion, vote and approver,
    its documents; ``extra`` sets what the property varies (counts, training, until...)."""
    fields: dict[str, object] = {"has_documents": True, "body": HOLDERS.get(kind, "")}
    if kind in (K.TALK, K.APPROVAL_TALK):
        fields["people"] = (SECRETARY,)
    if kind in (K.CONTACTS, K.INTRODUCERS):
        fields["people"] = MEMBERS[:2]
    if kind == K.POLITICAL_REVIEW:
        fields["conclusion"] = "政治审查合格"
    if kind == K.TRAINING:
        fields["training_days"] = Decimal(3)
    if kind in (K.ADMISSION_VOTE, K.FULL_VOTE):
        fields["vote_passed"] = True
    if kind in (K.ADMISSION_APPROVAL, K.FULL_APPROVAL):
        fields.update(approver_kind=OrgKind.GRASSROOTS_COMMITTEE, approver_sector=Sector.TOWNSHIP)
    fields.update(extra)
    return StepFact(kind=kind, on=on, **fields)  # type: ignore[arg-type]


def weekdays(start: dt.date, end: dt.date) -> int:
    count, current = 0, start
    while current <= end:
        count += current.isoweekday() <= 5
        current += DAY
    return count


@dataclass
class Oracle:
    """rules.md D read again: which rules recording ``step`` after ``steps`` breaks."""

    birth: dt.date
    leaving_on: dt.date | None = None
    steps: list[StepFact] = field(default_factory=list)

    def last(self, kind: str) -> StepFact | None:
        return next((s for s in reversed(self.steps) if s.kind == kind), None)

    @property
    def reached(self) -> int:
        return max((NUMBERS[s.kind] for s in self.steps if s.kind in NUMBERS), default=0)

    def probation_end(self) -> dt.date | None:
        vote = self.last(K.ADMISSION_VOTE)
        if vote is None:
            return None
        end = add_years(vote.on, 1)  # D19: one year from the branch general meeting
        extension = self.last(K.EXTENSION)
        if extension and extension.months:
            end = add_months(end, extension.months)  # D20
        return end

    def notice_before(self, step_number: int, on: dt.date) -> bool:
        """D11: a notice of 5 working days, after step ``step_number``, over before ``on``."""
        after = next((s for s in reversed(self.steps) if NUMBERS.get(s.kind) == step_number), None)
        return after is not None and any(
            s.kind == K.NOTICE and s.on >= after.on and s.until and s.until < on and weekdays(s.on, s.until) >= 5
            for s in self.steps
        )

    def problems(self, step: StepFact, today: dt.date) -> list[str]:
        kind, on, found = step.kind, step.on, []
        reached = self.reached
        # Order: each numbered step once, in turn (6 and 21 again while they last); a
        # notice after 12 or 22; an extension once, between approval and full vote.
        if on > today:
            found.append("D")
        if kind in NUMBERS:
            again = kind in (K.EXAMINATION, K.PROBATION_EXAMINATION) and reached == NUMBERS[kind]
            if not again and NUMBERS[kind] != reached + 1:
                found.append("D")
        elif kind == K.NOTICE and reached not in (12, 22):
            found.append("D11")
        elif kind == K.EXTENSION and (not 17 <= reached <= 22 or self.last(K.EXTENSION)):
            found.append("D20")
        if self.steps and on < max(s.on for s in self.steps):
            found.append("D")
        # Intervals.
        application, activist = self.last(K.APPLICATION), self.last(K.ACTIVIST)
        if kind == K.APPLICATION and age_on(self.birth, on) < 18:
            found.append("D1")
        if kind == K.TALK and application and on > add_months(application.on, 1):
            found.append("D2")
        if kind == K.ACTIVIST and application and on < add_months(application.on, 6):
            found.append("D4")
        if kind == K.DEVELOPMENT_OBJECT and activist and on < add_years(activist.on, 1):
            found.append("D7")
        if kind in (K.EXAMINATION, K.DEVELOPMENT_OBJECT) and activist:
            # D6: half a year at most since becoming an activist or the last examination
            # (each gap is checked when the step that closes it is recorded).
            last = max([activist.on, *(s.on for s in self.steps if s.kind == K.EXAMINATION)])
            if on > add_months(last, 6):
                found.append("D6")
        if kind == K.ADMISSION_VOTE:
            pre_review = self.last(K.PRE_REVIEW)
            if pre_review and on > add_months(pre_review.on, 1):
                found.append("D12")
            if self.leaving_on and self.leaving_on <= add_months(on, 3):
                found.append("D18")
        if kind == K.ADMISSION_APPROVAL and self.leaving_on and self.leaving_on <= add_months(on, 3):
            found.append("D18")
        vote = self.last(K.ADMISSION_VOTE)
        if kind == K.ADMISSION_APPROVAL and vote and on > add_months(vote.on, 6 if step.special_extension else 3):
            found.append("D17")
        approval = self.last(K.ADMISSION_APPROVAL)
        if kind == K.OATH and approval and on > add_months(approval.on, 1):
            found.append("D23")
        end = self.probation_end()
        if kind == K.FULL_VOTE and end and on < end:
            found.append("D19")
        full_vote = self.last(K.FULL_VOTE)
        if kind == K.FULL_APPROVAL and full_vote and on > add_months(full_vote.on, 3):
            found.append("D22")
        if kind == K.EXTENSION and not (step.months and 6 <= step.months <= 12):
            found.append("D20")
        admission = self.last(K.ADMISSION_VOTE)
        if kind == K.EXTENSION and 17 <= reached < 24 and admission and on < add_years(admission.on, 1):
            found.append("D20")  # decided when the year of probation ends
        # Content that the properties vary.
        if kind == K.CONTACTS:
            found += ["D"] * (not step.people) + ["D5"] * (not 1 <= len(step.people) <= 2)
        if kind == K.INTRODUCERS:
            found += ["D"] * (not step.people) + ["D8"] * (len(step.people) != 2)
        if kind == K.TRAINING and (step.training_days or 0) < 3 and (step.training_hours or 0) < 24:
            found.append("D10")
        if kind == K.NOTICE and (step.until is None or weekdays(on, step.until) < 5):
            found.append("D11")
        if kind == K.PRE_REVIEW and not self.notice_before(12, on):
            found.append("D11")
        if kind == K.FULL_VOTE and not self.notice_before(22, on):
            found.append("D11")
        # D24: application, cultivation records, review material, application form and
        # full-membership application (every step here carries its documents).
        archive = {K.APPLICATION, K.EXAMINATION, K.POLITICAL_REVIEW, K.APPLICATION_FORM, K.FULL_APPLICATION}
        if kind == K.ARCHIVED and not archive <= {s.kind for s in self.steps}:
            found.append("D24")
        return sorted(found)


def engine(oracle: Oracle, step: StepFact, today: dt.date = TODAY) -> list[str]:
    candidate = CandidateFact(birth_date=oracle.birth, leaving_on=oracle.leaving_on)
    return sorted(p.rule for p in step_problems(oracle.steps, step, candidate, today))


def propose(data: st.DataObject, oracle: Oracle, kinds: list[str], first: dt.date) -> StepFact:
    """Mostly the step that comes next, sometimes any; on a date next to one of its
    deadlines or some days after the last step; with content that may break D5, D8, D10,
    D11 or D20."""
    reached = oracle.reached
    following = [kind for kind in kinds if NUMBERS.get(kind) == reached + 1]
    if reached in (6, 21):
        following.append(next(kind for kind in kinds if NUMBERS.get(kind) == reached))
    if reached in (12, 22):
        following.append(K.NOTICE)
    if 17 <= reached <= 22 and K.EXTENSION in kinds:
        following.append(K.EXTENSION)
    kind = data.draw(st.sampled_from(following * 12 + kinds) if following else st.sampled_from(kinds), label="kind")
    latest = max((s.on for s in oracle.steps), default=first)
    soon = st.integers(0, 12).map(lambda days: latest + dt.timedelta(days=days))
    anchors = [first, latest - DAY, TODAY, TODAY + DAY, *deadlines(oracle, kind)]
    on = data.draw(
        st.one_of(
            soon, soon, st.sampled_from(anchors), st.integers(0, 200).map(lambda d: latest + dt.timedelta(days=d))
        ),
        label="on",
    )
    extra: dict[str, object] = {}
    if kind in (K.CONTACTS, K.INTRODUCERS):
        extra["people"] = MEMBERS[: data.draw(st.sampled_from([2, 2, 2, 0, 1, 3]), label="people")]
    if kind == K.TRAINING:
        extra["training_days"] = data.draw(st.sampled_from([None, Decimal(2), Decimal("2.5"), Decimal(3), Decimal(5)]))
        extra["training_hours"] = data.draw(st.sampled_from([None, Decimal(16), Decimal("23.5"), Decimal(24)]))
    if kind == K.NOTICE:
        # Any 7 days in a row hold 5 working days.
        short = st.none() | st.integers(-1, 14).map(lambda days: on + dt.timedelta(days=days))
        extra["until"] = data.draw(st.just(on + 6 * DAY) | short, label="until")
    if kind == K.ADMISSION_APPROVAL:
        extra["special_extension"] = data.draw(st.booleans(), label="special")
    if kind == K.EXTENSION:
        extra["months"] = data.draw(st.sampled_from([6, 6, 9, 12, None, 0, 5, 13]), label="months")
    return new_step(kind, on, **extra)


def deadlines(oracle: Oracle, kind: str) -> list[dt.date]:
    """Dates on either side of the deadlines (rules.md D figures) that recording ``kind``
    after the history meets."""
    found: list[dt.date | None] = []
    activist = oracle.last(K.ACTIVIST)

    def since(step_kind: str, months: int) -> None:
        step = oracle.last(step_kind)
        found.append(add_months(step.on, months) if step else None)

    if kind == K.TALK:
        since(K.APPLICATION, 1)  # D2
    if kind == K.ACTIVIST:
        since(K.APPLICATION, 6)  # D4
    if kind in (K.EXAMINATION, K.DEVELOPMENT_OBJECT) and activist:
        found.append(add_years(activist.on, 1))  # D7
        exams = [s.on for s in oracle.steps if s.kind == K.EXAMINATION]
        found.append(add_months(max([activist.on, *exams]), 6))  # D6
    if kind in (K.PRE_REVIEW, K.FULL_VOTE):
        notice = oracle.last(K.NOTICE)
        found.append(notice.until if notice else None)  # D11
    if kind == K.ADMISSION_VOTE:
        since(K.PRE_REVIEW, 1)  # D12
        if oracle.leaving_on:  # D18
            found += [oracle.leaving_on - dt.timedelta(days=days) for days in (93, 92, 91, 90, 89)]
    if kind == K.ADMISSION_APPROVAL:
        since(K.ADMISSION_VOTE, 3)  # D17
        since(K.ADMISSION_VOTE, 6)  # D17, special extension
    if kind == K.OATH:
        since(K.ADMISSION_APPROVAL, 1)  # D23
    if kind == K.EXTENSION:
        since(K.ADMISSION_VOTE, 12)  # D20: when probation ends
    if kind == K.FULL_VOTE:
        found.append(oracle.probation_end())  # D19, D20
    if kind == K.FULL_APPROVAL:
        since(K.FULL_VOTE, 3)  # D22
    return [near for day in found if day for near in (day - DAY, day, day + DAY)]


def run(data: st.DataObject, oracle: Oracle, kinds: list[str], first: dt.date, proposals: int) -> None:
    for _ in range(proposals):
        step = propose(data, oracle, kinds, first)
        expected = oracle.problems(step, TODAY)
        assert engine(oracle, step) == expected, (step, oracle.steps)
        overridden = expected and "D" not in expected and data.draw(st.integers(0, 9), label="override") == 0
        if not expected or overridden:
            oracle.steps.append(step)


# --- Stages I-III: steps 1-11 (order, D1, D2, D4, D6, D7, D5, D8, D10) ---------------------------

SPECIAL_DATES = [dt.date(2020, 2, 29), dt.date(2016, 2, 29), dt.date(2019, 8, 31), dt.date(2021, 1, 31)]


@SETTINGS
@given(data=st.data())
def test_stages_I_to_III_accept_exactly_the_valid_steps(db, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    applied = data.draw(
        st.dates(dt.date(2016, 1, 1), dt.date(2024, 12, 31)) | st.sampled_from(SPECIAL_DATES), label="applied"
    )
    eighteenth = add_years(applied, -18)
    birth = data.draw(
        st.sampled_from([eighteenth - DAY, eighteenth, eighteenth + DAY, dt.date(2000, 2, 29)])
        | st.dates(dt.date(1990, 1, 1), dt.date(2008, 12, 31)),
        label="birth",
    )
    oracle = Oracle(birth=birth)
    run(data, oracle, STAGES_I_III, applied, 40)


# --- Stages IV-V: steps 12-25, notices and extension (D11, D12, D17-D20, D22, D23) ------------------


def stages_i_to_iii(applied: dt.date) -> list[StepFact]:
    """Steps 1-11 kept in time: activist after 6 months, examined every 5, development
    object after a year."""
    activist = add_months(applied, 6)
    development_object = add_years(activist, 1)
    plan = [
        (K.APPLICATION, applied),
        (K.TALK, applied + 10 * DAY),
        (K.ACTIVIST, activist),
        (K.ACTIVIST_FILED, activist + 5 * DAY),
        (K.CONTACTS, activist + 5 * DAY),
        (K.EXAMINATION, add_months(activist, 5)),
        (K.EXAMINATION, add_months(activist, 10)),
        (K.DEVELOPMENT_OBJECT, development_object),
        (K.OBJECT_FILED, development_object + 5 * DAY),
        (K.INTRODUCERS, development_object + 5 * DAY),
        (K.POLITICAL_REVIEW, development_object + 20 * DAY),
        (K.TRAINING, development_object + 30 * DAY),
    ]
    return [new_step(kind, on) for kind, on in plan]


@SETTINGS
@given(data=st.data())
def test_stages_IV_and_V_accept_exactly_the_valid_steps(db, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    applied = data.draw(
        st.dates(dt.date(2018, 1, 1), dt.date(2023, 6, 30)) | st.sampled_from(SPECIAL_DATES), label="applied"
    )
    leaving_on = None
    if data.draw(st.integers(0, 3), label="leaves") == 0:
        leaving_on = applied + dt.timedelta(days=data.draw(st.integers(550, 1100), label="leaving after"))
    oracle = Oracle(birth=add_years(applied, -30), leaving_on=leaving_on)
    for step in stages_i_to_iii(applied):
        assert oracle.problems(step, TODAY) == []
        oracle.steps.append(step)
    candidate = CandidateFact(birth_date=oracle.birth, leaving_on=leaving_on)
    assert pipeline_problems(oracle.steps, candidate, TODAY) == []
    run(data, oracle, STAGES_IV_V, oracle.steps[-1].on, 60)


# --- The oracle itself -------------------------------------------------------------------------


def test_the_oracle_reads_the_rules_as_the_schedule_keeps_them(db) -> None:  # type: ignore[no-untyped-def]
    """The oracle accepts the valid schedule of development.testing and refuses a step
    a day late at each deadline: it is no rubber stamp."""
    from dangjian.development.testing import SCHEDULE

    applied = dt.date(2022, 5, 29)  # admission vote on 29 February 2024
    oracle = Oracle(birth=dt.date(2000, 1, 1))
    for kind, months, days in SCHEDULE:
        on = add_months(applied, months) + dt.timedelta(days=days)
        extra = {"until": on + 9 * DAY} if kind == K.NOTICE else {}
        step = new_step(kind, on, **extra)
        assert oracle.problems(step, TODAY) == [] == engine(oracle, step)
        oracle.steps.append(step)
    assert oracle.probation_end() == dt.date(2025, 2, 28)
    late = Oracle(birth=dt.date(2000, 1, 1), steps=[new_step(K.APPLICATION, dt.date(2026, 1, 31))])
    assert late.problems(new_step(K.TALK, dt.date(2026, 2, 28)), TODAY + 90 * DAY) == []
    assert late.problems(new_step(K.TALK, dt.date(2026, 3, 1)), TODAY + 90 * DAY) == ["D2"]
    assert late.problems(new_step(K.ACTIVIST_FILED, dt.date(2026, 3, 1)), TODAY) == ["D", "D"]


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (dt.date(2026, 1, 5), dt.date(2026, 1, 9), 5),  # Monday to Friday
        (dt.date(2026, 1, 9), dt.date(2026, 1, 15), 5),  # Friday to Thursday
        (dt.date(2026, 1, 10), dt.date(2026, 1, 11), 0),  # a weekend
        (dt.date(2026, 1, 9), dt.date(2026, 1, 8), 0),
    ],
)
def test_the_oracles_working_days(start: dt.date, end: dt.date, count: int) -> None:
    assert weekdays(start, end) == count
