"""The democratic evaluation API (/api/evaluation-rounds/, /api/evaluation-follow-ups/),
read only: scoped like the pages (secretary B never sees branch A, the county sees both,
a member sees only their own row and follow-up, without what concerns other members),
no self-evaluation text, writes refused (405 in scope, 404 out of it), queries that do not
grow with rows, and the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dangjian.accounts.roles import Role
from dangjian.core.testing import Cast, api_for, ids, make_member, make_user, openapi_schema
from dangjian.evaluation import actions, testing
from dangjian.evaluation.choices import FollowUpState, Grade, Step
from dangjian.evaluation.models import FollowUp, Round

M = dt.date
TODAY = M(2026, 11, 23)
OPEN = M(2026, 11, 2)
E, Q, B, U = (g.value for g in Grade)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai


def decided_a(cast: Cast) -> Round:
    """Branch A's 2026 round, decided: 王五 basically qualified and 赵六 unqualified (both
    followed up), 李四 excellent against the rating with a reason, 吴十 away (not
    evaluated), 张三 (member_a) qualified."""
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a, excused={a[4].pk: "出国学习"})
    testing.rate(round_, 5, {a[2].pk: {B: 3, Q: 2}, a[3].pk: {U: 3, Q: 2}}, cast.secretary_a, M(2026, 11, 15))
    event = testing.meeting(cast.branch_a, M(2026, 11, 20))
    return testing.decide_as_suggested(
        Round.objects.get(pk=round_.pk), event, cast.secretary_a, overrides={a[1].pk: (E, "带头完成急难任务")}
    )


def rating_b(cast: Cast, opened_on: dt.date = OPEN) -> Round:
    return testing.to_rating(cast.branch_b, opened_on, cast.secretary_b)


# --- rounds ----------------------------------------------------------------------------


def test_rounds_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    a_round = decided_a(cast)
    b_round = rating_b(cast)
    assert ids(api_for(cast.secretary_a).get("/api/evaluation-rounds/")) == {a_round.pk}
    assert ids(api_for(cast.secretary_b).get("/api/evaluation-rounds/")) == {b_round.pk}
    assert ids(api_for(cast.committee_admin).get("/api/evaluation-rounds/")) == {a_round.pk}
    both = {a_round.pk, b_round.pk}
    for user in (cast.county_admin, cast.platform_admin, cast.inspector):
        assert ids(api_for(user).get("/api/evaluation-rounds/")) == both, user
    assert ids(api_for(cast.member_a).get("/api/evaluation-rounds/")) == {a_round.pk}  # evaluated in it
    assert ids(api_for(cast.instructor).get("/api/evaluation-rounds/")) == set()  # no evaluation area
    assert APIClient().get("/api/evaluation-rounds/").status_code == 401
    county = api_for(cast.county_admin)
    assert ids(county.get(f"/api/evaluation-rounds/?organization={cast.committee_y.pk}")) == {b_round.pk}
    assert ids(county.get("/api/evaluation-rounds/?year=2025")) == set()
    assert ids(county.get("/api/evaluation-rounds/?year=2026&step=decided")) == {a_round.pk}
    assert ids(api_for(cast.secretary_b).get(f"/api/evaluation-rounds/?organization={cast.branch_a.pk}")) == set()
    for query in ("year=bad", "year=1800", "organization=x", "step=bad"):
        assert county.get(f"/api/evaluation-rounds/?{query}").status_code == 400, query
    rows = county.get("/api/evaluation-rounds/").json()["results"]
    assert [row["id"] for row in rows] == [a_round.pk, b_round.pk]  # by the tree
    assert rows[0] == {
        "id": a_round.pk,
        "organization": cast.branch_a.pk,
        "organization_name": "东关村党支部",
        "year": 2026,
        "opened_on": "2026-11-02",
        "step": "decided",
        "grades": [E, Q, B, U],
        "self_closed_on": "2026-11-09",
        "mutual_on": "2026-11-12",
        "mutual_summary": "党员之间开展批评与自我批评",
        "ballots": 5,
        "rated_on": "2026-11-15",
        "meeting": a_round.meeting_id,
        "decided_on": "2026-11-20",
    }
    assert "evaluations" not in rows[0]
    # The summary of the mutual evaluation is the branch's: not on a member's pages.
    (mine,) = api_for(cast.member_a).get("/api/evaluation-rounds/").json()["results"]
    assert mine == {**rows[0], "mutual_summary": None}


def test_a_round_comes_with_its_evaluations(cast: Cast) -> None:
    a = cast.members_a
    round_ = decided_a(cast)
    body = api_for(cast.secretary_a).get(f"/api/evaluation-rounds/{round_.pk}/").json()
    assert body["step"] == Step.DECIDED and body["mutual_summary"] == "党员之间开展批评与自我批评"
    rows = {row["member_name"]: row for row in body["evaluations"]}
    assert [row["member_name"] for row in body["evaluations"]] == ["李四", "王五", "吴十", "张三", "赵六"]
    follow_ups = {f.evaluation.member_id: f.pk for f in FollowUp.objects.select_related("evaluation")}
    assert rows["赵六"] == {
        "id": round_.evaluations.get(member=a[3]).pk,
        "member": a[3].pk,
        "member_name": "赵六",
        "status": "full",
        "handed_in": True,
        "self_on": "2026-11-02",
        "self_by_member": False,
        "excused_reason": "",
        "tallies": {E: 0, Q: 2, B: 0, U: 3},
        "suggested": U,
        "grade": U,
        "grade_reason": "",
        "follow_up": follow_ups[a[3].pk],
    }
    assert (rows["李四"]["suggested"], rows["李四"]["grade"], rows["李四"]["grade_reason"]) == (
        Q,
        E,
        "带头完成急难任务",
    )
    assert rows["李四"]["follow_up"] is None and rows["王五"]["follow_up"] == follow_ups[a[2].pk]
    away = rows["吴十"]
    assert (away["status"], away["handed_in"], away["excused_reason"]) == ("probationary", False, "出国学习")
    assert (away["tallies"], away["suggested"], away["grade"]) == (None, "", "")
    # The self-evaluations themselves are not given, as on the round page.
    assert "self_text" not in rows["张三"] and "的自我评价" not in str(body)
    # Before the rating there are no tallies.
    b_round = rating_b(cast)
    rating = api_for(cast.secretary_b).get(f"/api/evaluation-rounds/{b_round.pk}/").json()
    assert {row["tallies"] for row in rating["evaluations"]} == {None}
    assert {row["member_name"] for row in rating["evaluations"]} == {"钱七", "孙八", "周九"}
    # The county and the inspector see both rosters; no one sees what is out of scope.
    for user in (cast.county_admin, cast.inspector):
        assert len(api_for(user).get(f"/api/evaluation-rounds/{round_.pk}/").json()["evaluations"]) == 5
        assert len(api_for(user).get(f"/api/evaluation-rounds/{b_round.pk}/").json()["evaluations"]) == 3
    for user in (cast.secretary_b, cast.instructor):
        assert api_for(user).get(f"/api/evaluation-rounds/{round_.pk}/").status_code == 404, user
    for user in (cast.secretary_a, cast.committee_admin, cast.member_a):
        assert api_for(user).get(f"/api/evaluation-rounds/{b_round.pk}/").status_code == 404, user
    assert api_for(cast.county_admin).get("/api/evaluation-rounds/999999/").status_code == 404
    assert api_for(cast.county_admin).get("/api/evaluation-rounds/x/").status_code == 404


def test_a_member_sees_only_their_own_row(cast: Cast) -> None:
    a = cast.members_a
    round_ = decided_a(cast)
    response = api_for(cast.member_a).get(f"/api/evaluation-rounds/{round_.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [row["member"] for row in body["evaluations"]] == [a[0].pk]
    own = body["evaluations"][0]
    assert (own["member_name"], own["tallies"], own["suggested"], own["grade"]) == (
        "张三",
        {E: 0, Q: 5, B: 0, U: 0},
        Q,
        Q,
    )
    assert body["mutual_summary"] is None
    text = response.content.decode()
    for name in ("李四", "王五", "吴十", "赵六", "带头完成急难任务", "出国学习"):
        assert name not in text, name
    # A member of branch A not evaluated in a round (joined later) does not see it at all.
    newcomer = make_member(cast.branch_a, "新来者")
    newcomer_user = make_user("newcomer", Role.MEMBER, member=newcomer)
    assert ids(api_for(newcomer_user).get("/api/evaluation-rounds/")) == set()
    assert api_for(newcomer_user).get(f"/api/evaluation-rounds/{round_.pk}/").status_code == 404


# --- follow-ups ------------------------------------------------------------------------


def test_follow_ups_are_seen_in_scope_and_filtered(cast: Cast) -> None:
    a = cast.members_a
    decided_a(cast)
    basic = FollowUp.objects.get(evaluation__member=a[2])
    unqualified = FollowUp.objects.get(evaluation__member=a[3])
    actions.plan_follow_up(basic, helper=a[1], plan="每月谈心一次", deadline=M(2027, 5, 20), actor=cast.secretary_a)
    actions.move_follow_up(
        basic,
        "correct",
        on=TODAY,
        text="已改正",
        evidence=SimpleUploadedFile("e.pdf", b"%PDF-1.4", "application/pdf"),
        actor=cast.secretary_a,
    )
    # Branch B decided last year with its own unqualified member.
    b = cast.members_b
    last = testing.to_rating(cast.branch_b, M(2025, 11, 3), cast.secretary_b)
    testing.rate(last, 3, {b[0].pk: {U: 2, Q: 1}}, cast.secretary_b, M(2025, 11, 18))
    testing.decide_as_suggested(
        Round.objects.get(pk=last.pk), testing.meeting(cast.branch_b, M(2025, 11, 23)), cast.secretary_b
    )
    b_follow_up = FollowUp.objects.get(evaluation__member=b[0])
    everything = {basic.pk, unqualified.pk, b_follow_up.pk}
    assert ids(api_for(cast.secretary_a).get("/api/evaluation-follow-ups/")) == {basic.pk, unqualified.pk}
    assert ids(api_for(cast.secretary_b).get("/api/evaluation-follow-ups/")) == {b_follow_up.pk}
    for user in (cast.county_admin, cast.inspector):
        assert ids(api_for(user).get("/api/evaluation-follow-ups/")) == everything, user
    assert ids(api_for(cast.instructor).get("/api/evaluation-follow-ups/")) == set()
    assert ids(api_for(cast.member_a).get("/api/evaluation-follow-ups/")) == set()  # graded qualified
    county = api_for(cast.county_admin)
    assert ids(county.get("/api/evaluation-follow-ups/?year=2025")) == {b_follow_up.pk}
    assert ids(county.get(f"/api/evaluation-follow-ups/?organization={cast.committee_x.pk}")) == {
        basic.pk,
        unqualified.pk,
    }
    assert ids(county.get("/api/evaluation-follow-ups/?open=true")) == {unqualified.pk, b_follow_up.pk}
    assert ids(county.get("/api/evaluation-follow-ups/?open=false")) == {basic.pk}
    assert ids(county.get("/api/evaluation-follow-ups/?state=corrected")) == {basic.pk}
    for query in ("year=bad", "organization=x", "state=bad"):
        assert county.get(f"/api/evaluation-follow-ups/?{query}").status_code == 400, query
    body = api_for(cast.secretary_a).get(f"/api/evaluation-follow-ups/{basic.pk}/").json()
    assert body.pop("evidence_url") == f"http://testserver/evaluation/evidence/{basic.pk}/"
    assert body == {
        "id": basic.pk,
        "evaluation": basic.evaluation_id,
        "round": basic.evaluation.round_id,
        "year": 2026,
        "organization": cast.branch_a.pk,
        "organization_name": "东关村党支部",
        "member": a[2].pk,
        "member_name": "王五",
        "grade": B,
        "starts_on": "2026-11-20",
        "deadline": "2027-05-20",
        "overdue": False,
        "helper": a[1].pk,
        "helper_name": "李四",
        "plan": "每月谈心一次",
        "state": FollowUpState.CORRECTED,
        "persuaded_on": None,
        "proposed_on": None,
        "filed_on": None,
        "vote": None,
        "closed_on": "2026-11-23",
        "outcome": "已改正",
        "rejoin_after": None,
    }
    page = Client()
    page.force_login(cast.secretary_a)
    assert page.get(f"/evaluation/evidence/{basic.pk}/").status_code == 200
    # Last year's follow-up of branch B is past its time limit.
    assert api_for(cast.secretary_b).get(f"/api/evaluation-follow-ups/{b_follow_up.pk}/").json()["overdue"] is True
    for user in (cast.secretary_b, cast.instructor, cast.member_a):
        assert api_for(user).get(f"/api/evaluation-follow-ups/{basic.pk}/").status_code == 404, user
    assert api_for(cast.secretary_a).get(f"/api/evaluation-follow-ups/{b_follow_up.pk}/").status_code == 404


def test_a_member_sees_their_follow_up_without_the_helper_or_the_vote(cast: Cast) -> None:
    a = cast.members_a
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a)
    testing.rate(round_, 5, {a[0].pk: {B: 3, Q: 2}}, cast.secretary_a, M(2026, 11, 15))
    testing.decide_as_suggested(
        Round.objects.get(pk=round_.pk), testing.meeting(cast.branch_a, M(2026, 11, 20)), cast.secretary_a
    )
    follow_up = FollowUp.objects.get()
    actions.plan_follow_up(follow_up, helper=a[1], plan="每月谈心一次", deadline=M(2027, 5, 20), actor=cast.secretary_a)
    member = api_for(cast.member_a)
    assert ids(member.get("/api/evaluation-follow-ups/")) == {follow_up.pk}
    response = member.get(f"/api/evaluation-follow-ups/{follow_up.pk}/")
    body = response.json()
    assert (body["member_name"], body["grade"], body["plan"], body["deadline"]) == (
        "张三",
        B,
        "每月谈心一次",
        "2027-05-20",
    )
    assert (body["helper"], body["helper_name"], body["vote"]) == (None, None, None)
    assert "李四" not in response.content.decode()
    listed = member.get("/api/evaluation-follow-ups/").json()["results"]
    assert listed == [body]
    secretary = api_for(cast.secretary_a).get(f"/api/evaluation-follow-ups/{follow_up.pk}/").json()
    assert (secretary["helper"], secretary["helper_name"]) == (a[1].pk, "李四")


# --- writes ----------------------------------------------------------------------------


def test_writes_are_refused(cast: Cast) -> None:
    round_ = decided_a(cast)
    follow_up = FollowUp.objects.first()
    assert follow_up is not None
    for base, obj in (("/api/evaluation-rounds/", round_), ("/api/evaluation-follow-ups/", follow_up)):
        for user in (cast.secretary_a, cast.county_admin, cast.member_a, cast.instructor):
            assert api_for(user).post(base, {}, format="json").status_code == 405, (base, user)
        url = f"{base}{obj.pk}/"
        for user in (cast.secretary_a, cast.county_admin):
            client = api_for(user)
            for method in (client.put, client.patch, client.delete, client.post):
                assert method(url, {}, format="json").status_code == 405, (url, user, method)
        for user in (cast.secretary_b, cast.instructor):
            client = api_for(user)
            for method in (client.put, client.patch, client.delete, client.post):
                assert method(url, {}, format="json").status_code == 404, (url, user, method)
        assert APIClient().delete(url).status_code == 401
    member = api_for(cast.member_a)
    assert member.patch(f"/api/evaluation-rounds/{round_.pk}/", {"step": "self"}, format="json").status_code == 405
    assert Round.objects.get(pk=round_.pk).step == Step.DECIDED


# --- query counts and schema ----------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(cast: Cast) -> None:
    """The same number of queries with one decided round or two, with a roster of 5 or 12."""
    a_round = decided_a(cast)
    county = api_for(cast.county_admin)
    urls = ["/api/evaluation-rounds/", "/api/evaluation-follow-ups/"]
    before = {url: _queries(county, url) for url in urls}
    small = _queries(county, f"/api/evaluation-rounds/{a_round.pk}/")
    for i in range(9):
        make_member(cast.branch_b, f"新党员{i}")
    b = cast.members_b
    b_round = rating_b(cast)
    testing.rate(b_round, 12, {b[0].pk: {U: 8, Q: 4}, b[1].pk: {B: 7, Q: 5}}, cast.secretary_b, M(2026, 11, 15))
    testing.decide_as_suggested(
        Round.objects.get(pk=b_round.pk), testing.meeting(cast.branch_b, M(2026, 11, 20)), cast.secretary_b
    )
    assert FollowUp.objects.count() == 4 and b_round.evaluations.count() == 12
    assert {url: _queries(county, url) for url in urls} == before
    assert _queries(county, f"/api/evaluation-rounds/{b_round.pk}/") == small


def test_schema_describes_evaluation(db: Any) -> None:
    """What ``manage.py spectacular --fail-on-warn --validate`` checks, and the paths."""
    schema, warnings = openapi_schema()
    assert not warnings, warnings
    paths = schema["paths"]
    for path in (
        "/api/evaluation-rounds/",
        "/api/evaluation-rounds/{id}/",
        "/api/evaluation-follow-ups/",
        "/api/evaluation-follow-ups/{id}/",
    ):
        assert set(paths[path]) == {"get"}, path
    assert {p["name"] for p in paths["/api/evaluation-rounds/"]["get"]["parameters"]} >= {
        "year",
        "organization",
        "step",
    }
    assert {p["name"] for p in paths["/api/evaluation-follow-ups/"]["get"]["parameters"]} >= {
        "year",
        "organization",
        "state",
        "open",
    }
    components = schema["components"]["schemas"]
    assert "evaluations" in components["EvaluationRoundDetail"]["properties"]
    assert "self_text" not in components["MemberEvaluation"]["properties"]
