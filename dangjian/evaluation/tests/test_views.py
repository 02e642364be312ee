"""Pages of the democratic evaluation: the branch's secretary runs a round from the pages,
bad input comes back (400) with what was typed, a member on a phone sees and hands in only
their own, secretary B never sees branch A, the pages' queries do not grow with members, the
results export, and the due items."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.inbox import collect
from dangjian.core.testing import Cast, make_member
from dangjian.evaluation import actions, testing
from dangjian.evaluation.choices import FollowUpState, Grade, Step
from dangjian.evaluation.models import Evaluation, FollowUp, Round
from dangjian.orglife.choices import EventKind

M = dt.date
TODAY = M(2026, 11, 23)
OPEN = M(2026, 11, 2)
E, Q, B, U = (g.value for g in Grade)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def at_decision(cast: Cast, org: Any = None, actor: Any = None, tallies: Any = None) -> Round:
    org = org or cast.branch_a
    actor = actor or cast.secretary_a
    round_ = testing.to_rating(org, OPEN, actor)
    testing.rate(round_, 5, tallies or {}, actor, M(2026, 11, 15))
    return Round.objects.get(pk=round_.pk)


def decided(cast: Cast) -> Round:
    a = cast.members_a
    round_ = at_decision(cast, tallies={a[2].pk: {B: 3, Q: 2}, a[3].pk: {U: 3, Q: 2}})
    event = testing.meeting(cast.branch_a, M(2026, 11, 20))
    return testing.decide_as_suggested(round_, event, cast.secretary_a)


# --- The secretary runs a round from the pages --------------------------------------------------


def test_the_secretary_opens_a_round_from_the_page(cast: Cast) -> None:
    client = login(cast.secretary_a)
    page = client.get(reverse("evaluation:rounds"))
    assert page.status_code == 200 and 'id="open-round"' in page.content.decode()
    url = f"{reverse('evaluation:open')}?org={cast.branch_a.pk}"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"opened_on": "2026-12-24"})
    assert bad.status_code == 400
    assert 'value="2026-12-24"' in bad.content.decode() and "The date is in the future." in bad.content.decode()
    assert client.post(url, {"opened_on": "not a date"}).status_code == 400
    done = client.post(url, {"opened_on": "2026-11-02"})
    round_ = Round.objects.get()
    assert done.status_code == 302 and done["Location"] == round_.get_absolute_url()
    page = client.get(round_.get_absolute_url()).content.decode()
    assert "张三" in page and "吴十" in page and 'id="close-self"' in page
    # The branch of another secretary, a committee, anyone else: no form.
    assert client.get(f"{reverse('evaluation:open')}?org={cast.branch_b.pk}").status_code == 404
    assert login(cast.inspector).get(url).status_code == 403
    assert login(cast.member_a).get(url).status_code == 403


def test_each_step_from_the_round_page_with_bad_input_shown_again(cast: Cast) -> None:
    a = cast.members_a
    client = login(cast.secretary_a)
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    url = round_.get_absolute_url()
    refused = client.post(url, {"what": "close_self", "on": "2026-11-10"})
    assert refused.status_code == 400 and "Self-evaluation missing for" in refused.content.decode()
    # Paper forms and an excused member from the self-evaluation page.
    for member in a[:4]:
        evaluation = round_.evaluations.get(member=member)
        page = client.get(reverse("evaluation:self", args=[evaluation.pk]))
        assert page.status_code == 200 and 'name="excused_reason"' in page.content.decode()
        response = client.post(
            reverse("evaluation:self", args=[evaluation.pk]), {"text": "纸质自评", "on": "2026-11-05"}
        )
        assert response.status_code == 302
    last = round_.evaluations.get(member=a[4])
    empty = client.post(reverse("evaluation:self", args=[last.pk]), {"text": "", "on": "2026-11-05"})
    assert empty.status_code == 400 and "Write the self-evaluation." in empty.content.decode()
    client.post(reverse("evaluation:self", args=[last.pk]), {"text": "", "on": "2026-11-05", "excused_reason": "病重"})
    assert Evaluation.objects.get(pk=last.pk).excused_reason == "病重"
    assert client.post(url, {"what": "close_self", "on": "2026-11-10"}).status_code == 302
    bad = client.post(url, {"what": "mutual", "held_on": "2026-11-09", "summary": "互评情况"})
    assert bad.status_code == 400
    assert "互评情况" in bad.content.decode() and "closed on 2026-11-10" in bad.content.decode()
    assert client.post(url, {"what": "mutual", "held_on": "2026-11-12", "summary": "互评情况"}).status_code == 302
    assert client.post(url, {"what": "nonsense"}).status_code == 404
    round_.refresh_from_db()
    assert round_.step == Step.RATING
    assert 'id="enter-tallies"' in client.get(url).content.decode()


def test_the_tally_sheet_is_all_or_nothing_and_shows_the_row_errors(cast: Cast) -> None:
    client = login(cast.secretary_a)
    round_ = testing.to_rating(cast.branch_a, OPEN, cast.secretary_a)
    url = reverse("evaluation:tallies", args=[round_.pk])
    page = client.get(url)
    assert page.status_code == 200
    rows = list(round_.evaluations.order_by("pk"))
    data = {"rated_on": "2026-11-15", "ballots": "5"}
    for e in rows:
        data[f"qualified_{e.pk}"] = "5"
    data[f"excellent_{rows[1].pk}"] = "4"  # 9 ratings of 5 ballots
    data[f"unqualified_{rows[2].pk}"] = "1"  # 6 ratings
    refused = client.post(url, data)
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "9 ratings but 5 ballots were cast" in body and "6 ratings but 5" in body and 'value="4"' in body
    assert body.count("data-row-error") == 2 and body.count('class="table-danger"') == 2
    assert round_.evaluations.filter(rated_qualified=5).count() == 0
    data[f"unqualified_{rows[2].pk}"] = "-1"
    negative = client.post(url, data)
    assert negative.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in negative.content.decode()
    data[f"unqualified_{rows[2].pk}"] = ""  # blank counts as 0
    data[f"qualified_{rows[1].pk}"] = "1"
    done = client.post(url, data)
    assert done.status_code == 302
    assert Evaluation.objects.get(pk=rows[1].pk).suggested == E
    assert Round.objects.get(pk=round_.pk).step == Step.DECISION


def test_the_decision_sheet(cast: Cast) -> None:
    a = cast.members_a
    client = login(cast.secretary_a)
    round_ = at_decision(cast, tallies={a[2].pk: {B: 3, Q: 2}})
    url = reverse("evaluation:decide", args=[round_.pk])
    event = testing.meeting(cast.branch_a, M(2026, 11, 20), EventKind.GENERAL_MEETING)
    testing.meeting(cast.branch_a, M(2026, 11, 14))  # before the rating: not offered
    page = client.get(url).content.decode()
    assert page.count("<option value=") == 1 + 1 + 5 * 5  # empty, the meeting, 5 members × (empty + 4 grades)
    data: dict[str, str] = {"meeting": str(event.pk)}
    for e in round_.evaluations.all():
        data[f"grade_{e.pk}"], data[f"reason_{e.pk}"] = e.suggested, ""
    lifted = round_.evaluations.get(member=a[2])
    data[f"grade_{lifted.pk}"] = Q
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "give the reason for “Qualified”" in refused.content.decode()
    assert f'name="grade_{lifted.pk}"' in refused.content.decode()
    data[f"reason_{lifted.pk}"] = "已当场表态改正"
    assert client.post(url, data).status_code == 302
    round_.refresh_from_db()
    assert round_.step == Step.DECIDED and not FollowUp.objects.exists()
    # The round page shows the counts and the meeting.
    page = client.get(round_.get_absolute_url()).content.decode()
    assert 'data-count="qualified"' in page and event.get_absolute_url() in page


def test_follow_up_pages(cast: Cast) -> None:
    a = cast.members_a
    decided(cast)
    client = login(cast.secretary_a)
    unqualified = FollowUp.objects.get(grade=U)
    url = unqualified.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'id="plan"' in page and 'id="move-correct"' in page and 'id="move-persuade"' in page
    too_long = client.post(url, {"helper": a[0].pk, "deadline": "2028-01-01", "plan": "每周谈心"})
    assert too_long.status_code == 400 and "at most one year" in too_long.content.decode()
    assert "每周谈心" in too_long.content.decode()
    assert client.post(url, {"helper": a[0].pk, "deadline": "2026-12-20", "plan": "每周谈心"}).status_code == 302
    # The removal form: refused without a passed vote, what was typed kept.
    FollowUp.objects.filter(pk=unqualified.pk).update(state=FollowUpState.PERSUADING, persuaded_on=M(2026, 11, 21))
    move = reverse("evaluation:follow_up_move", args=[unqualified.pk, "remove"])
    form = client.get(move)
    assert form.status_code == 200 and 'name="vote"' in form.content.decode()
    failed = testing.disposal_vote(cast.branch_a, a[3], M(2026, 11, 22), votes_for=1)
    data = {
        "on": "2026-11-22",
        "text": "劝而不退",
        "proposed_on": "2026-11-21",
        "filed_on": "2026-11-21",
        "vote": failed.pk,
    }
    refused = client.post(move, data)
    assert refused.status_code == 400 and "did not carry" in refused.content.decode()
    assert "劝而不退" in refused.content.decode()
    assert FollowUp.objects.get(pk=unqualified.pk).state == FollowUpState.PERSUADING
    assert client.get(reverse("evaluation:follow_up_move", args=[unqualified.pk, "fly"])).status_code == 404
    # Correct with evidence on the basically qualified member's follow-up.
    basic = FollowUp.objects.get(grade=B)
    from django.core.files.uploadedfile import SimpleUploadedFile

    done = client.post(
        reverse("evaluation:follow_up_move", args=[basic.pk, "correct"]),
        {"on": "2026-11-23", "text": "已改正", "evidence": SimpleUploadedFile("e.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert done.status_code == 302
    assert client.get(reverse("evaluation:evidence", args=[basic.pk])).status_code == 200


def test_results_export(cast: Cast) -> None:
    from openpyxl import load_workbook

    decided(cast)
    response = login(cast.county_admin).get(f"{reverse('evaluation:export')}?org={cast.county.pk}&year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Branch", "Member", "Party status", "Step")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"张三", "李四", "王五", "赵六", "吴十"}
    assert by_name["赵六"][11:14] == ("Unqualified", "Unqualified", None)
    assert by_name["赵六"][15] == "Correcting within the time limit"
    assert login(cast.member_a).get(reverse("evaluation:export")).status_code == 403


# --- Scope --------------------------------------------------------------------------------------------


def test_secretary_b_never_sees_branch_a(cast: Cast) -> None:
    round_ = decided(cast)
    evaluation = round_.evaluations.first()
    assert evaluation is not None
    follow_up = FollowUp.objects.first()
    assert follow_up is not None
    client = login(cast.secretary_b)
    for url in (
        round_.get_absolute_url(),
        reverse("evaluation:tallies", args=[round_.pk]),
        reverse("evaluation:decide", args=[round_.pk]),
        evaluation.get_absolute_url(),
        reverse("evaluation:self", args=[evaluation.pk]),
        follow_up.get_absolute_url(),
        reverse("evaluation:follow_up_move", args=[follow_up.pk, "correct"]),
        f"{reverse('evaluation:rounds')}?org={cast.branch_a.pk}",
        f"{reverse('evaluation:export')}?org={cast.branch_a.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("evaluation:rounds"), reverse("evaluation:export"), reverse("core:inbox")):
        body = client.get(url).content
        for name in ("张三", "赵六", "东关村党支部"):
            assert name.encode() not in body, url
    assert not Round.objects.restrict(cast.secretary_b).exists()
    assert not Evaluation.objects.restrict(cast.secretary_b).exists()


def test_a_member_on_a_phone_sees_and_hands_in_only_their_own(cast: Cast) -> None:
    a = cast.members_a
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    own = round_.evaluations.get(member=a[0])
    other = round_.evaluations.get(member=a[1])
    client = login(cast.member_a)
    page = client.get(reverse("evaluation:rounds")).content.decode()
    assert "Hand in my self-evaluation" in page and reverse("evaluation:self", args=[own.pk]) in page
    assert "李四" not in page
    # To do tells the member too.
    assert "evaluation.self" in {g.key for g in collect(cast.member_a, TODAY)}
    form = client.get(reverse("evaluation:self", args=[own.pk])).content.decode()
    assert 'name="excused_reason"' not in form and 'name="on"' not in form
    for url in (
        reverse("evaluation:self", args=[other.pk]),
        other.get_absolute_url(),
        reverse("evaluation:tallies", args=[round_.pk]),
        reverse("evaluation:decide", args=[round_.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("evaluation:self", args=[other.pk]), {"text": "代写"}).status_code == 404
    done = client.post(reverse("evaluation:self", args=[own.pk]), {"text": "一年来认真学习"})
    assert done.status_code == 302 and done["Location"] == own.get_absolute_url()
    assert Evaluation.objects.get(pk=own.pk).self_by_member
    assert "evaluation.self" not in {g.key for g in collect(cast.member_a, TODAY)}
    # The round page leads to their own record.
    response = client.get(round_.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == own.get_absolute_url()


def test_a_member_sees_their_grade_and_follow_up_without_the_helpers_name(cast: Cast) -> None:
    a = cast.members_a
    round_ = at_decision(cast, tallies={a[0].pk: {B: 3, Q: 2}})
    testing.decide_as_suggested(round_, testing.meeting(cast.branch_a, M(2026, 11, 20)), cast.secretary_a)
    follow_up = FollowUp.objects.get()
    actions.plan_follow_up(follow_up, helper=a[1], plan="每月谈心一次", deadline=M(2027, 5, 20), actor=cast.secretary_a)
    client = login(cast.member_a)
    mine = client.get(reverse("evaluation:rounds")).content.decode()
    assert 'data-grade="basically_qualified"' in mine
    entry = client.get(round_.evaluations.get(member=a[0]).get_absolute_url()).content.decode()
    assert "Basically qualified" in entry and "每月谈心一次" in entry and "2027-05-20" in entry
    follow_page = client.get(follow_up.get_absolute_url())
    assert follow_page.status_code == 200
    for body in (entry, follow_page.content.decode()):
        assert "李四" not in body and "王五" not in body
    assert client.get(reverse("evaluation:follow_up_move", args=[follow_up.pk, "correct"])).status_code == 404


def test_the_inspector_reads_only(cast: Cast) -> None:
    round_ = decided(cast)
    client = login(cast.inspector)
    assert client.get(f"{reverse('evaluation:rounds')}?org={cast.county.pk}").status_code == 200
    page = client.get(round_.get_absolute_url()).content.decode()
    assert "赵六" in page and 'id="next"' not in page
    assert client.get(reverse("evaluation:tallies", args=[round_.pk])).status_code == 404
    follow_up = FollowUp.objects.first()
    assert follow_up is not None
    assert 'id="plan"' not in client.get(follow_up.get_absolute_url()).content.decode()


# --- Queries ---------------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: session, content types, figures
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_do_not_grow_queries_with_members(cast: Cast) -> None:
    """Branch A (5 members) and branch B (3 + 9 members) at the same step: the same number
    of queries on each page; the subtree's results the same with one or two rounds."""
    for i in range(9):
        make_member(cast.branch_b, f"新党员{i}")
    client = login(cast.county_admin)
    results = f"{reverse('evaluation:rounds')}?org={cast.county.pk}"
    small = at_decision(cast)
    one_round = _queries(client, results)
    big = at_decision(cast, cast.branch_b, cast.secretary_b)
    assert big.evaluations.count() == 12
    assert _queries(client, results) == one_round
    for name in ("evaluation:round", "evaluation:tallies", "evaluation:decide"):
        assert _queries(client, reverse(name, args=[small.pk])) == _queries(client, reverse(name, args=[big.pk])), name
    for r in (small, big):
        testing.decide_as_suggested(r, testing.meeting(r.organization, M(2026, 11, 20)), None)
    assert _queries(client, small.get_absolute_url()) == _queries(client, big.get_absolute_url())


# --- Due items ---------------------------------------------------------------------------------------------


def test_due_items(cast: Cast, time_machine: Any) -> None:
    assert not [g for g in collect(cast.secretary_a, TODAY) if g.key.startswith("evaluation.")]
    round_ = actions.open_round(cast.branch_a, opened_on=OPEN, actor=cast.secretary_a)
    groups = {g.key: g for g in collect(cast.secretary_a, TODAY)}
    assert groups["evaluation.open"].count == 1 and groups["evaluation.open"].items[0].due_on == M(2026, 12, 31)
    assert "evaluation.open" not in {g.key for g in collect(cast.secretary_b, TODAY)}
    assert "evaluation.open" in {g.key for g in collect(cast.county_admin, TODAY)}
    # Not decided by the end of the year: overdue.
    next_year = M(2027, 1, 5)
    groups = {g.key: g for g in collect(cast.secretary_a, next_year)}
    assert groups["evaluation.late"].count == 1 and "evaluation.open" not in groups
    assert groups["evaluation.late"].items[0].url == round_.get_absolute_url()
    # A follow-up past its time limit.
    Round.objects.filter(pk=round_.pk).delete()
    decided(cast)
    later = M(2027, 6, 1)
    groups = {g.key: g for g in collect(cast.secretary_a, later)}
    assert groups["evaluation.follow_ups"].count == 2
    assert {str(i.label) for i in groups["evaluation.follow_ups"].items} == {
        "王五 · Basically qualified",
        "赵六 · Unqualified",
    }
    assert "evaluation.follow_ups" not in {g.key for g in collect(cast.secretary_b, later)}


def test_the_provider_counts_everything_in_one_query(cast: Cast, django_assert_num_queries: Any) -> None:
    from dangjian.evaluation.inbox import evaluation_items

    for user in (cast.county_admin, cast.secretary_a, cast.member_a, cast.inspector):
        with django_assert_num_queries(1):
            list(evaluation_items(user, TODAY))
