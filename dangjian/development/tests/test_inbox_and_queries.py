"""What is due in member development, in the inbox (overdue and due-soon groups by scope,
counts agreeing with the board) and in the read models: a candidate's due state, counts
by stage, the plan's progress, and the committee that approves admissions (D16)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core import actions as core_actions
from dangjian.core import inbox
from dangjian.core.testing import Cast, make_member, make_org
from dangjian.development import actions, queries
from dangjian.development.choices import DueState, Stage, StepKind
from dangjian.development.inbox import development_items
from dangjian.development.models import Candidate, Plan
from dangjian.development.testing import committee_post, new_candidate, schedule_date, take_step, walk
from dangjian.orgs.choices import OrgKind, Sector

TODAY = dt.date(2026, 11, 23)
APPLIED = dt.date(2023, 12, 1)  # admitted (step 17) on 2025-10-01
APPLIED_2026 = dt.date(2024, 12, 1)  # admitted (step 17) on 2026-10-01


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture(autouse=True)
def committees(cast: Cast) -> None:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    committee_post(cast.members_b[0], cast.branch_b, dt.date(2020, 1, 1))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def groups_by_key(user: Any) -> dict[str, inbox.DueGroup]:
    return {g.key: g for g in inbox.collect(user, TODAY)}


def labels(group: inbox.DueGroup) -> list[str]:
    return [str(item.label) for item in group.items]


# --- The inbox -------------------------------------------------------------------------------


def test_an_overdue_talk_is_in_the_inbox_of_its_branch_only(cast: Cast) -> None:
    late = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    soon = new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 11, 10), actor=cast.secretary_a)
    # Waiting for the activist date (D4): neither overdue nor due soon.
    walk(
        new_candidate(cast.branch_a, "周敏", applied_on=dt.date(2026, 10, 1), actor=cast.secretary_a),
        cast.secretary_a,
        until=StepKind.TALK,
    )
    groups = groups_by_key(cast.secretary_a)
    overdue = groups["development.overdue"]
    assert overdue.level == inbox.Level.OVERDUE and overdue.count == 1
    assert labels(overdue) == ["陈晓"]
    item = overdue.items[0]
    assert (item.url, item.due_on) == (late.get_absolute_url(), dt.date(2026, 10, 1))
    assert str(item.detail) == "2 Talk with the applicant (D2)"
    assert overdue.url == reverse("development:board") + "?due=overdue"
    due = groups["development.due_soon"]
    assert due.level == inbox.Level.DUE and due.count == 1 and labels(due) == ["林青"]
    assert (due.items[0].url, due.items[0].due_on) == (soon.get_absolute_url(), dt.date(2026, 12, 10))

    # Branch B's secretary has nothing from branch A.
    assert not any(key.startswith("development.") for key in groups_by_key(cast.secretary_b))
    other = new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 8, 1), actor=cast.secretary_b)
    groups_b = groups_by_key(cast.secretary_b)
    assert labels(groups_b["development.overdue"]) == ["黄河"] and "development.due_soon" not in groups_b
    # Above both branches, both; the instructor of committee Y sees branch B's.
    county = groups_by_key(cast.county_admin)["development.overdue"]
    assert county.count == 2 and labels(county) == ["黄河", "陈晓"]  # the earliest deadline first
    assert labels(groups_by_key(cast.instructor)["development.overdue"]) == ["黄河"]
    assert groups_by_key(cast.committee_admin)["development.overdue"].count == 1
    # A member has no development items.
    assert list(development_items(cast.member_a, TODAY)) == []
    assert other.due_on == dt.date(2026, 9, 1)


def test_inbox_counts_match_the_board_and_show_a_sample(cast: Cast) -> None:
    for day in range(1, 8):
        new_candidate(cast.branch_a, f"申请人{day}", applied_on=dt.date(2026, 9, day), actor=cast.secretary_a)
    new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 11, 10), actor=cast.secretary_a)
    overdue = groups_by_key(cast.secretary_a)["development.overdue"]
    assert overdue.count == 7 and len(overdue.items) == inbox.SAMPLE
    assert labels(overdue) == [f"申请人{day}" for day in range(1, 6)]  # earliest deadline first

    secretary = login(cast.secretary_a)
    board = secretary.get(reverse("development:board")).content.decode()
    assert re.search(r'id="overdue-link">.*?<span class="badge text-bg-light">7</span>', board, re.S)
    drill = secretary.get(overdue.url).content.decode()
    table = drill[drill.index("<table") :]
    assert len(set(re.findall(r'href="/development/(\d+)/"', table))) == 7
    page = secretary.get(reverse("core:inbox")).content.decode()
    card = re.search(r'data-due-group="development.overdue".*?data-count>(\d+)<', page, re.S)
    assert card and card.group(1) == "7"
    assert 'data-due-group="development.due_soon"' in page


def test_inbox_queries_do_not_grow(cast: Cast) -> None:
    for day in range(1, 3):
        new_candidate(cast.branch_a, f"申请人{day}", applied_on=dt.date(2026, 9, day), actor=cast.secretary_a)
    list(development_items(cast.secretary_a, TODAY))
    with CaptureQueriesContext(connection) as two:
        list(development_items(cast.secretary_a, TODAY))
    for day in range(3, 12):
        new_candidate(cast.branch_a, f"申请人{day}", applied_on=dt.date(2026, 9, day), actor=cast.secretary_a)
    with CaptureQueriesContext(connection) as eleven:
        groups = list(development_items(cast.secretary_a, TODAY))
    assert groups[0].count == 11
    assert len(eleven) == len(two) <= 4


# --- Due state -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "next_kind", "due_on", "ready_on", "state"),
    [
        (Stage.APPLICANT, StepKind.TALK, dt.date(2026, 11, 22), None, DueState.OVERDUE),
        (Stage.APPLICANT, StepKind.TALK, TODAY, None, DueState.DUE_SOON),  # due today is not late yet
        (Stage.APPLICANT, StepKind.TALK, dt.date(2026, 12, 23), None, DueState.DUE_SOON),  # 30 days ahead
        (Stage.ACTIVIST, StepKind.EXAMINATION, dt.date(2026, 12, 24), None, DueState.WAITING),
        (Stage.APPLICANT, StepKind.ACTIVIST, None, dt.date(2026, 12, 20), DueState.DUE_SOON),  # possible soon
        (Stage.APPLICANT, StepKind.ACTIVIST, None, dt.date(2026, 10, 1), DueState.DUE_SOON),  # possible already
        (Stage.APPLICANT, StepKind.ACTIVIST, None, dt.date(2027, 4, 1), DueState.WAITING),
        (Stage.ACTIVIST, StepKind.ACTIVIST_FILED, None, None, DueState.WAITING),
        (Stage.FULL, StepKind.ARCHIVED, None, None, DueState.WAITING),
        (Stage.FULL, "", None, None, DueState.NONE),
        (Stage.ENDED, StepKind.TALK, dt.date(2026, 1, 1), None, DueState.NONE),  # left: nothing is due
    ],
)
def test_due_state(
    stage: str, next_kind: str, due_on: dt.date | None, ready_on: dt.date | None, state: str, db: Any
) -> None:
    candidate = Candidate(stage=stage, next_kind=next_kind, due_on=due_on, ready_on=ready_on)
    assert queries.due_state(candidate, TODAY) == state


def test_due_soon_follows_the_local_figure(cast: Cast) -> None:
    candidate = Candidate(stage=Stage.APPLICANT, next_kind=StepKind.TALK, due_on=dt.date(2027, 1, 10))
    assert queries.due_state(candidate, TODAY) == DueState.WAITING
    core_actions.set_figure(
        key="D.due_soon_days", value=60, effective_from=dt.date(2026, 1, 1), note="提前两个月提醒", actor=None
    )
    assert queries.due_state(candidate, TODAY) == DueState.DUE_SOON


def test_due_state_agrees_with_the_overdue_and_due_soon_lists(cast: Cast) -> None:
    a = cast.secretary_a
    new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=a)
    new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 11, 10), actor=a)
    walk(new_candidate(cast.branch_a, "周敏", applied_on=dt.date(2026, 7, 1), actor=a), a, until=StepKind.TALK)
    walk(new_candidate(cast.branch_a, "吴晗", applied_on=dt.date(2026, 3, 1), actor=a), a, until=StepKind.TALK)
    walk(new_candidate(cast.branch_a, "郑和", applied_on=dt.date(2025, 3, 1), actor=a), a, until=StepKind.ACTIVIST)
    ended = new_candidate(cast.branch_a, "许愿", applied_on=dt.date(2026, 8, 1), actor=a)
    take_step(ended, StepKind.ENDED, dt.date(2026, 8, 20), a, end_reason="withdrawn")
    everyone = Candidate.objects.all()
    states = {c.name: queries.due_state(c, TODAY) for c in everyone}
    assert states == {
        "陈晓": DueState.OVERDUE,  # talk due 2026-10-01 (D2)
        "林青": DueState.DUE_SOON,  # talk due 2026-12-10
        "周敏": DueState.WAITING,  # activist possible from 2027-01-01 (D4)
        "吴晗": DueState.DUE_SOON,  # activist possible since 2026-09-01 (D4)
        "郑和": DueState.OVERDUE,  # examination due 2026-03-01 (D6)
        "许愿": DueState.NONE,
    }
    overdue = set(queries.overdue(everyone, TODAY).values_list("name", flat=True))
    soon = set(queries.due_soon(everyone, TODAY).values_list("name", flat=True))
    assert overdue == {name for name, state in states.items() if state == DueState.OVERDUE}
    assert soon == {name for name, state in states.items() if state == DueState.DUE_SOON}
    assert overdue.isdisjoint(soon)


# --- Counts by stage -------------------------------------------------------------------------


def test_stage_counts_of_a_subtree(cast: Cast) -> None:
    a, b = cast.secretary_a, cast.secretary_b
    new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=a)
    walk(new_candidate(cast.branch_a, "周敏", applied_on=dt.date(2026, 3, 1), actor=a), a, until=StepKind.ACTIVIST)
    ended = new_candidate(cast.branch_a, "许愿", applied_on=dt.date(2026, 8, 1), actor=a)
    take_step(ended, StepKind.ENDED, dt.date(2026, 8, 20), a, end_reason="withdrawn")
    new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=b)
    zero = {stage.value: 0 for stage in Stage}
    assert queries.stage_counts(Candidate.objects.none()) == zero
    assert queries.stage_counts(Candidate.objects.all()) == zero | {"applicant": 2, "activist": 1, "ended": 1}
    subtree = Candidate.objects.filter(organization__path__startswith=cast.committee_x.path)
    assert queries.stage_counts(subtree) == zero | {"applicant": 1, "activist": 1, "ended": 1}
    assert queries.stage_counts(Candidate.objects.restrict(b)) == zero | {"applicant": 1}
    assert queries.stage_counts(Candidate.objects.restrict(cast.member_a)) == zero
    with CaptureQueriesContext(connection) as one:
        queries.stage_counts(Candidate.objects.restrict(cast.county_admin))
    assert len(one) == 1


# --- Plan progress ---------------------------------------------------------------------------


def test_plan_progress_counts_approvals_of_the_year_in_each_subtree(cast: Cast) -> None:
    a = cast.secretary_a
    branch_c = make_org("西关村党支部", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x, code="BC")
    walk(new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED_2026, actor=a), a, until=StepKind.ADMISSION_APPROVAL)
    walk(new_candidate(cast.branch_a, "林青", applied_on=APPLIED, actor=a), a, until=StepKind.ADMISSION_APPROVAL)
    plan = actions.save_plan(
        Plan(organization=cast.committee_x, year=2026), {cast.branch_a: 2, branch_c: 1}, actor=cast.committee_admin
    )
    rows = queries.plan_progress(plan)
    assert [(r["organization"], r["planned"], r["done"], r["share"]) for r in rows] == [
        (cast.branch_a, 2, 1, 50),
        (branch_c, 1, 0, 0),
    ]
    last_year = actions.save_plan(
        Plan(organization=cast.committee_x, year=2025), {cast.branch_a: 1}, actor=cast.committee_admin
    )
    assert [(r["done"], r["share"]) for r in queries.plan_progress(last_year)] == [(1, 100)]

    # The county's plan gives committee X a quota: its branches' approvals are summed.
    county_plan = actions.save_plan(
        Plan(organization=cast.county, year=2026),
        {cast.committee_x: 4, cast.committee_y: 1},
        actor=cast.county_admin,
    )
    assert [(r["organization"], r["done"]) for r in queries.plan_progress(county_plan)] == [
        (cast.committee_x, 1),
        (cast.committee_y, 0),
    ]
    with CaptureQueriesContext(connection) as counted:
        queries.plan_progress(county_plan)
    assert len(counted) == 2


def test_a_plan_is_made_by_a_committee_for_organizations_under_it(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="made by a party committee"):
        actions.save_plan(Plan(organization=cast.branch_a, year=2026), {}, actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="is not under"):
        actions.save_plan(Plan(organization=cast.committee_x, year=2026), {cast.branch_b: 1}, actor=cast.county_admin)
    assert not Plan.objects.exists()


# --- The approving committee (D16) -----------------------------------------------------------


def test_approving_committee_skips_village_committees_and_general_branches(cast: Cast) -> None:
    village = make_org("东关村党委", OrgKind.GRASSROOTS_COMMITTEE, Sector.VILLAGE, cast.committee_x)
    general = make_org("东关村第一党总支", OrgKind.GENERAL_BRANCH, Sector.VILLAGE, village)
    deep = make_org("东关村第一党支部", OrgKind.BRANCH, Sector.VILLAGE, general)
    community = make_org("城南社区党委", OrgKind.GRASSROOTS_COMMITTEE, Sector.COMMUNITY, cast.county)
    community_branch = make_org("城南社区第一党支部", OrgKind.BRANCH, Sector.COMMUNITY, community)
    works = make_org("纺织公司党总支", OrgKind.GENERAL_BRANCH, Sector.NON_PUBLIC_ENTERPRISE, cast.committee_y)
    works_branch = make_org("纺织公司车间党支部", OrgKind.BRANCH, Sector.NON_PUBLIC_ENTERPRISE, works)
    assert queries.approving_committee(cast.branch_a) == cast.committee_x
    assert queries.approving_committee(cast.branch_b) == cast.committee_y
    # A village committee (under a township committee) does not approve: the township does.
    assert queries.approving_committee(deep) == cast.committee_x
    assert queries.approving_committee(general) == cast.committee_x
    # A community committee directly under the county: the county committee approves.
    assert queries.approving_committee(community_branch) == cast.county
    # A general branch never approves; the committee above it does.
    assert queries.approving_committee(works_branch) == cast.committee_y
    # A committee's own admissions go to the committee above it; nothing is above the top.
    assert queries.approving_committee(cast.committee_x) == cast.county
    assert queries.approving_committee(cast.county) is None


def test_approval_in_a_village_branch_goes_to_the_township(cast: Cast) -> None:
    village = make_org("东关村党委", OrgKind.GRASSROOTS_COMMITTEE, Sector.VILLAGE, cast.committee_x)
    branch = make_org("东关村第一党支部", OrgKind.BRANCH, Sector.VILLAGE, village)
    people = [make_member(branch, name) for name in ("甲一", "乙二", "丙三", "丁四")]
    committee_post(people[0], branch, dt.date(2020, 1, 1))
    candidate = new_candidate(branch, "陈晓", applied_on=APPLIED, actor=cast.committee_admin)
    walk(candidate, cast.committee_admin, until=StepKind.APPROVAL_TALK)
    on = schedule_date(APPLIED, 18)
    for approver in (village, cast.branch_a):
        with pytest.raises(actions.RuleViolation) as exc:
            take_step(candidate, StepKind.ADMISSION_APPROVAL, on, cast.committee_admin, decided_by=approver)
        assert [p.rule for p in exc.value.problems] == ["D16"]
    step = take_step(candidate, StepKind.ADMISSION_APPROVAL, on, cast.committee_admin)
    assert step.decided_by == cast.committee_x
    candidate.refresh_from_db()
    assert candidate.stage == Stage.PROBATIONARY and candidate.member is not None
