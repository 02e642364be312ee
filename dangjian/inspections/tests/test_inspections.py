"""Supervision and inspection (issue 6, item 5): a plan for a subtree with a checklist drawn
from the rules and editable, findings against it linked to automatic signals, each turned
into a rectification with owner and deadline and tracked to a verified closure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core import alerts
from dangjian.core.audit import AuditEntry
from dangjian.core.inbox import collect
from dangjian.core.models import FigureOverride
from dangjian.core.rulesets import forget_overrides
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast
from dangjian.inspections import actions, queries, rules
from dangjian.inspections.choices import Coverage, RectificationMove, RectificationState
from dangjian.inspections.inbox import rectifications
from dangjian.inspections.models import Plan, Rectification
from dangjian.inspections.rules import Side

M = dt.date
TODAY = M(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def plan(cast: Cast, covering: str = Coverage.BRANCHES, actor: Any = None) -> Plan:
    return actions.create_plan(
        cast.county,
        target=cast.county,
        title="2026年基层党建督查",
        year=2026,
        starts_on=M(2026, 11, 1),
        ends_on=M(2026, 12, 15),
        inspectors="县委组织部督查组",
        covering=covering,
        actor=actor or cast.inspector,
    )


def visit_of(p: Plan, org: Any) -> Any:
    return p.visits.get(organization=org)


# --- the state machine ---------------------------------------------------------------


@pytest.mark.parametrize("state", list(RectificationState))
@pytest.mark.parametrize("move", [m for m in RectificationMove if m != RectificationMove.ASSIGN])
def test_every_move_from_every_state(cast: Cast, state: str, move: RectificationMove) -> None:
    """Every allowed move leads where the table says, with a step in the history; every
    other move is refused and changes nothing. Each move is made by its side: the branch
    (owner) or the county's inspector."""
    p = plan(cast)
    finding = actions.record_finding(
        visit_of(p, cast.branch_a), text="L1 会议缺记录", found_on=M(2026, 11, 10), actor=cast.inspector
    )
    rectification = finding.rectification
    Rectification.objects.filter(pk=rectification.pk).update(state=state)
    side = rules.TRANSITIONS[move].side
    actor = cast.inspector if side == Side.INSPECTOR else cast.secretary_a
    steps = rectification.events.count()
    if rules.allowed(state, move, side):
        actions.make_move(rectification, move, actor=actor, text="整改说明")
        rectification.refresh_from_db()
        assert rectification.state == rules.after(state, move)
        assert rectification.events.count() == steps + 1
        assert rectification.events.order_by("-id").first().move == move
    else:
        with pytest.raises(ValidationError, match="not possible"):
            actions.make_move(rectification, move, actor=actor, text="整改说明")
        rectification.refresh_from_db()
        assert rectification.state == state
        assert rectification.events.count() == steps


def test_the_table_gives_each_move_one_side() -> None:
    assert rules.moves_for(RectificationState.OPEN, Side.OWNER) == [
        RectificationMove.PROGRESS,
        RectificationMove.REPORT,
    ]
    assert rules.moves_for(RectificationState.REPORTED, Side.INSPECTOR) == [
        RectificationMove.RETURN,
        RectificationMove.VERIFY,
    ]
    assert rules.moves_for(RectificationState.VERIFIED, Side.OWNER) == []
    assert rules.moves_for(RectificationState.VERIFIED, Side.INSPECTOR) == []


def test_the_owner_cannot_verify_nor_the_reporter(cast: Cast) -> None:
    p = plan(cast)
    r = actions.record_finding(
        visit_of(p, cast.branch_a), text="缺少谈心谈话记录", found_on=M(2026, 11, 10), actor=cast.inspector
    ).rectification
    actions.make_move(r, RectificationMove.REPORT, actor=cast.secretary_a, text="已补谈")
    with pytest.raises(OutOfScope):  # the branch does not cover the county's side
        actions.make_move(r, RectificationMove.VERIFY, actor=cast.secretary_a, text="x")
    with pytest.raises(OutOfScope):  # another branch's secretary is neither side
        actions.make_move(r, RectificationMove.VERIFY, actor=cast.secretary_b, text="x")
    # Someone covering both sides (the county) may report for the branch, but then
    # someone else verifies.
    actions.make_move(r, RectificationMove.RETURN, actor=cast.inspector, text="不完整")
    actions.make_move(r, RectificationMove.REPORT, actor=cast.county_admin, text="代为报告")
    with pytest.raises(ValidationError, match="someone other than"):
        actions.make_move(r, RectificationMove.VERIFY, actor=cast.county_admin, text="x")
    actions.make_move(r, RectificationMove.VERIFY, actor=cast.inspector, text="核实")


# --- plans, checklist, findings -------------------------------------------------------


def test_plan_visits_the_chosen_organizations_with_the_rules_checklist(cast: Cast) -> None:
    p = plan(cast, Coverage.BRANCHES)
    assert set(p.visits.values_list("organization", flat=True)) == {cast.branch_a.pk, cast.branch_b.pk}
    assert [(c.rule, c.text) for c in p.checks.all()] == [(c.rule, str(c.text)) for c in rules.CHECKLIST]
    children = plan(cast, Coverage.CHILDREN)
    assert set(children.visits.values_list("organization", flat=True)) == {cast.committee_x.pk, cast.committee_y.pk}
    assert list(plan(cast, Coverage.ROOT).visits.values_list("organization", flat=True)) == [cast.county.pk]
    assert AuditEntry.objects.filter(object_repr=p.title).exists()


def test_checklist_is_editable_and_copied_to_the_next_plan(cast: Cast) -> None:
    p = plan(cast)
    first = p.checks.first()
    actions.change_check(first, rule="l1", text="每季度召开支部党员大会", actor=cast.inspector)
    added = actions.add_check(p, rule="", text="党建阵地建设", actor=cast.inspector)
    last = p.checks.get(rule="E1")
    actions.remove_check(last, actor=cast.inspector)
    first.refresh_from_db()
    assert (first.rule, first.text) == ("L1", "每季度召开支部党员大会")
    assert list(p.checks.all())[-1] == added
    assert not p.checks.filter(rule="E1").exists()
    # A check with a finding stays.
    actions.record_finding(visit_of(p, cast.branch_a), text="x", check=first, found_on=TODAY, actor=cast.inspector)
    with pytest.raises(ValidationError, match="stays"):
        actions.remove_check(first, actor=cast.inspector)
    copy = actions.create_plan(
        cast.county,
        target=cast.committee_x,
        title="复查",
        year=2026,
        starts_on=TODAY,
        ends_on=TODAY,
        checklist_from=p,
        actor=cast.inspector,
    )
    assert [(c.rule, c.text) for c in copy.checks.all()] == [(c.rule, c.text) for c in p.checks.all()]


def test_plan_stays_inside_the_inspecting_organizations_subtree(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="or an organization under it"):
        actions.create_plan(
            cast.committee_x,
            target=cast.committee_y,
            title="x",
            year=2026,
            starts_on=TODAY,
            ends_on=TODAY,
            actor=cast.committee_admin,
        )
    with pytest.raises(OutOfScope):
        actions.create_plan(
            cast.county,
            target=cast.county,
            title="x",
            year=2026,
            starts_on=TODAY,
            ends_on=TODAY,
            actor=cast.secretary_a,
        )
    with pytest.raises(ValidationError, match="ends after it starts"):
        actions.create_plan(
            cast.county,
            target=cast.county,
            title="x",
            year=2026,
            starts_on=TODAY,
            ends_on=M(2026, 1, 1),
            actor=cast.inspector,
        )
    p = plan(cast, Coverage.ROOT)
    with pytest.raises(ValidationError, match="already in the plan"):
        actions.add_visit(p, organization=cast.county, actor=cast.inspector)
    assert actions.add_visit(p, organization=cast.branch_b, actor=cast.inspector).organization == cast.branch_b


def test_finding_becomes_a_rectification_with_the_default_deadline(cast: Cast) -> None:
    p = plan(cast)
    visit = visit_of(p, cast.branch_a)
    finding = actions.record_finding(
        visit,
        text="三会一课记录不全",
        check=p.checks.get(rule="L1"),
        signal="orglife.missing.general_meeting",
        signal_text="2 of 4 missing",
        found_on=M(2026, 11, 10),
        actor=cast.inspector,
    )
    r = finding.rectification
    assert (r.owner, r.task, r.state) == (cast.branch_a, "三会一课记录不全", RectificationState.OPEN)
    assert r.deadline == M(2026, 11, 10) + dt.timedelta(days=30)  # INSP.rectification_days
    assert list(r.events.values_list("move", flat=True)) == [RectificationMove.ASSIGN]
    no_rect = actions.record_finding(visit, text="当场整改", rectify=False, found_on=TODAY, actor=cast.inspector)
    assert not Rectification.objects.filter(finding=no_rect).exists()
    with pytest.raises(ValidationError, match="or an organization under it"):
        actions.record_finding(visit, text="x", owner=cast.branch_b, found_on=TODAY, actor=cast.inspector)
    other = plan(cast)
    with pytest.raises(ValidationError, match="this plan's checklist"):
        actions.record_finding(visit, text="x", check=other.checks.first(), found_on=TODAY, actor=cast.inspector)
    with pytest.raises(ValidationError, match="on or after the day"):
        actions.record_finding(visit, text="x", deadline=M(2026, 11, 1), found_on=TODAY, actor=cast.inspector)
    with pytest.raises(OutOfScope):
        actions.record_finding(visit, text="x", found_on=TODAY, actor=cast.secretary_a)


def test_local_default_period_is_configurable(cast: Cast) -> None:
    FigureOverride.objects.create(
        key="INSP.rectification_days", effective_from=M(2026, 1, 1), value=60, note="县委组织部通知"
    )
    forget_overrides()
    p = plan(cast)
    r = actions.record_finding(visit_of(p, cast.branch_a), text="x", found_on=TODAY, actor=cast.inspector).rectification
    assert r.deadline == TODAY + dt.timedelta(days=60)


def test_verified_closure_with_return_and_closure_rates(cast: Cast) -> None:
    p = plan(cast)
    a = actions.record_finding(
        visit_of(p, cast.branch_a), text="A", found_on=M(2026, 11, 1), deadline=M(2026, 11, 10), actor=cast.inspector
    ).rectification
    b = actions.record_finding(
        visit_of(p, cast.branch_b), text="B", found_on=M(2026, 11, 2), actor=cast.inspector
    ).rectification
    evidence = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    actions.make_move(a, RectificationMove.REPORT, actor=cast.secretary_a, text="已补开", evidence=evidence)
    actions.make_move(a, RectificationMove.RETURN, actor=cast.inspector, text="缺少会议记录")
    actions.make_move(a, RectificationMove.REPORT, actor=cast.secretary_a, text="补交记录")
    actions.make_move(a, RectificationMove.VERIFY, actor=cast.inspector, text="已核实")
    a.refresh_from_db()
    assert (a.state, a.verified_on) == (RectificationState.VERIFIED, TODAY)
    assert [e.move for e in a.events.all()] == ["assign", "report", "return", "report", "verify"]
    rows = {
        row["organization"]: row
        for row in queries.closure_by_child(Rectification.objects.all(), cast.county, 2026, TODAY)
    }
    assert (rows[cast.committee_x]["total"], rows[cast.committee_x]["verified"], rows[cast.committee_x]["rate"]) == (
        1,
        1,
        1.0,
    )
    assert (rows[cast.committee_y]["total"], rows[cast.committee_y]["verified"]) == (1, 0)
    assert rows[cast.committee_y]["rate"] == 0.0
    assert rows[cast.county]["total"] == 0
    assert b.deadline > TODAY
    with pytest.raises(ValidationError, match="on or after the previous one"):
        actions.make_move(b, RectificationMove.REPORT, actor=cast.secretary_b, on=M(2026, 11, 1), text="x")
    with pytest.raises(ValidationError, match="Say what was done"):
        actions.make_move(b, RectificationMove.REPORT, actor=cast.secretary_b, text=" ")


def test_inbox_shows_overdue_to_the_owner_and_reported_to_the_inspector(cast: Cast) -> None:
    p = plan(cast)
    r = actions.record_finding(
        visit_of(p, cast.branch_a), text="A", found_on=M(2026, 11, 1), deadline=M(2026, 11, 10), actor=cast.inspector
    ).rectification
    keys = {g.key for g in collect(cast.secretary_a, TODAY)}
    assert "inspections.overdue" in keys
    assert "inspections.overdue" not in {g.key for g in collect(cast.secretary_b, TODAY)}
    actions.make_move(r, RectificationMove.REPORT, actor=cast.secretary_a, text="已整改")
    assert "inspections.to_verify" in {g.key for g in collect(cast.inspector, TODAY)}
    assert "inspections.to_verify" not in {g.key for g in collect(cast.secretary_a, TODAY)}
    actions.make_move(r, RectificationMove.RETURN, actor=cast.inspector, text="未到位")
    # Returned but already past the deadline: it counts once, as overdue.
    groups = {g.key: g.count for g in collect(cast.secretary_a, TODAY)}
    assert groups.get("inspections.overdue") == 1 and "inspections.returned" not in groups


def test_inbox_counts_the_groups_in_one_query_and_samples_each_by_deadline(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    visit = visit_of(plan(cast), cast.branch_a)
    late, later, returned, reported = (
        actions.record_finding(
            visit, text=f"问题{i}", found_on=M(2026, 11, 1), deadline=deadline, actor=cast.inspector
        ).rectification
        for i, deadline in enumerate((M(2026, 11, 20), M(2026, 11, 10), M(2026, 12, 31), M(2026, 12, 15)))
    )
    for r in (returned, reported):
        actions.make_move(r, RectificationMove.REPORT, actor=cast.secretary_a, text="已整改")
    actions.make_move(returned, RectificationMove.RETURN, actor=cast.inspector, text="未到位")
    list(rectifications(cast.inspector, TODAY))  # the figures in force are read once and cached
    # One query counts the three groups, then one reads each group's sample.
    with django_assert_num_queries(4):
        groups = {g.key: g for g in rectifications(cast.inspector, TODAY)}
        samples = {key: [(i.label, i.url, i.due_on) for i in g.items] for key, g in groups.items()}
    assert {key: (g.count, g.level) for key, g in groups.items()} == {
        "inspections.overdue": (2, "overdue"),
        "inspections.returned": (1, "flagged"),
        "inspections.to_verify": (1, "due"),
    }
    assert samples == {
        "inspections.overdue": [
            ("东关村党支部: 问题1", later.get_absolute_url(), M(2026, 11, 10)),
            ("东关村党支部: 问题0", late.get_absolute_url(), M(2026, 11, 20)),
        ],
        "inspections.returned": [("东关村党支部: 问题2", returned.get_absolute_url(), M(2026, 12, 31))],
        "inspections.to_verify": [("东关村党支部: 问题3", reported.get_absolute_url(), M(2026, 12, 15))],
    }
    # The branch sees what it has to redo, not what the county has to verify.
    assert [g.key for g in rectifications(cast.secretary_a, TODAY)] == ["inspections.overdue", "inspections.returned"]


# --- automatic signals ------------------------------------------------------------------


def test_signals_come_from_the_other_areas(cast: Cast) -> None:
    """The branch of the cast has held no meeting this year and its secretary is set up
    by the cast; the signals say what the records show, each with its rule."""
    signals = alerts.for_organization(cast.branch_a, TODAY)
    codes = {s.code for s in signals}
    assert any(code.startswith("orglife.missing.") for code in codes)
    assert all(s.rule.startswith("L") for s in signals if s.code.startswith("orglife."))
    assert signals == sorted(signals, key=lambda s: (s.rule, s.code))


def test_record_a_signal_as_a_finding_through_the_page(cast: Cast) -> None:
    p = plan(cast)
    visit = visit_of(p, cast.branch_a)
    signal = alerts.for_organization(cast.branch_a, TODAY)[0]
    client = login(cast.inspector)
    page = client.get(f"{visit.get_absolute_url()}?signal={signal.code}")
    assert page.status_code == 200
    form = page.context["finding_form"]
    assert form.initial["signal"] == signal.code
    response = client.post(
        visit.get_absolute_url(),
        {
            "what": "finding",
            "check": form.initial["check"].pk if form.initial.get("check") else "",
            "text": form.initial["text"],
            "found_on": "2026-11-20",
            "signal": signal.code,
            "signal_text": form.initial["signal_text"],
            "rectify": "on",
            "owner": cast.branch_a.pk,
            "post": "secretary",
            "deadline": "2026-12-20",
        },
    )
    assert response.status_code == 302
    finding = visit.findings.get()
    assert finding.signal == signal.code
    assert finding.rectification.deadline == M(2026, 12, 20)
    page = client.get(visit.get_absolute_url())
    assert dict((s.code, recorded) for s, recorded in page.context["signals"])[signal.code] is True


# --- pages and scope --------------------------------------------------------------------


def test_pages_for_each_side(cast: Cast) -> None:
    p = plan(cast)
    visit = visit_of(p, cast.branch_a)
    r = actions.record_finding(visit, text="党员档案不全", found_on=TODAY, actor=cast.inspector).rectification
    inspector = login(cast.inspector)
    assert inspector.get(reverse("inspections:plans") + f"?org={cast.county.pk}").status_code == 200
    assert inspector.get(p.get_absolute_url()).status_code == 200
    assert inspector.get(reverse("inspections:plan_add") + f"?org={cast.county.pk}").status_code == 200
    # The branch sees its own inspection and rectification, not the plan or the other branch.
    secretary = login(cast.secretary_a)
    assert secretary.get(visit.get_absolute_url()).status_code == 200
    assert secretary.get(visit.get_absolute_url()).context["inspecting"] is False
    assert secretary.get(p.get_absolute_url()).status_code == 404
    assert secretary.get(visit_of(p, cast.branch_b).get_absolute_url()).status_code == 404
    page = secretary.get(r.get_absolute_url())
    assert [m for m, _label, _form in page.context["moves"]] == ["progress", "report"]
    response = secretary.post(
        reverse("inspections:move", args=[r.pk, "report"]), {"on": "2026-11-23", "text": "已补齐档案"}
    )
    assert response.status_code == 302
    assert login(cast.secretary_b).get(r.get_absolute_url()).status_code == 404
    response = inspector.post(reverse("inspections:move", args=[r.pk, "verify"]), {"on": "2026-11-23", "text": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = inspector.post(
        reverse("inspections:move", args=[r.pk, "verify"]), {"on": "2026-11-23", "text": "已核实"}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == RectificationState.VERIFIED
    # Members have no inspection pages.
    assert login(cast.member_a).get(reverse("inspections:plans")).status_code == 403


def test_plan_page_edits_checklist_and_bad_input_is_re_shown(cast: Cast) -> None:
    p = plan(cast)
    client = login(cast.inspector)
    response = client.post(p.get_absolute_url(), {"what": "add", "rule": "O9", "text": ""})
    assert response.status_code == 400
    response = client.post(p.get_absolute_url(), {"what": "add", "rule": "o9", "text": "换届前请示"})
    assert response.status_code == 302
    assert p.checks.filter(rule="O9", text="换届前请示").exists()
    check = p.checks.get(rule="O9")
    assert client.post(p.get_absolute_url(), {"what": "remove", "check": check.pk}).status_code == 302
    assert not p.checks.filter(pk=check.pk).exists()
    response = client.post(p.get_absolute_url(), {"what": "visit", "organization": cast.committee_x.pk})
    assert response.status_code == 302
    assert p.visits.filter(organization=cast.committee_x).exists()
    # Another organization's secretary cannot edit (out of scope: 404).
    assert login(cast.secretary_a).post(p.get_absolute_url(), {"what": "add", "text": "x"}).status_code == 404


def test_create_plan_form_and_export(cast: Cast) -> None:
    client = login(cast.inspector)
    response = client.post(
        reverse("inspections:plan_add") + f"?org={cast.county.pk}",
        {
            "title": "年底督查",
            "year": "2026",
            "target": cast.committee_x.pk,
            "covering": "children",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
        },
    )
    assert response.status_code == 400 and "年底督查" in response.content.decode()
    response = client.post(
        reverse("inspections:plan_add") + f"?org={cast.county.pk}",
        {
            "title": "年底督查",
            "year": "2026",
            "target": cast.committee_x.pk,
            "covering": "children",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-01",
        },
    )
    assert response.status_code == 302
    created = Plan.objects.get(title="年底督查")
    assert list(created.visits.values_list("organization", flat=True)) == [cast.branch_a.pk]
    actions.record_finding(created.visits.get(), text="发现问题", found_on=TODAY, actor=cast.inspector)
    export = client.get(reverse("inspections:export") + f"?org={cast.county.pk}&year=2026")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.cell(row=2, column=5).value == "发现问题"
    # The other branch's secretary exports nothing of branch A.
    other = login(cast.secretary_b).get(reverse("inspections:export") + "?year=2026")
    assert load_workbook(BytesIO(other.content)).active.max_row == 1
