"""The reports: the compliance workbook of a subtree and the printed meeting record, as
library functions and through their download views (scope, bad input, query budget)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dangjian.core.testing import Cast, make_member, make_org
from dangjian.orglife import actions, rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, LecturerKind, Status, VoteSubject
from dangjian.orglife.models import Event, Vote
from dangjian.orglife.reports import compliance_workbook, meeting_record_pdf, record_context
from dangjian.orgs.choices import OrgKind, Sector

SHANGHAI = ZoneInfo("Asia/Shanghai")
Q1 = rules.parse_span("2026-Q1")
AFTER_Q1 = dt.date(2026, 4, 15)
TOPIC = "学习贯彻党的二十届四中全会精神"


def _held(org: Any, kind: str, on: dt.date, *, actor: Any, recorded: dt.date | None = None, **fields: Any) -> Event:
    """A held event, recorded on ``recorded`` (the day it was held by default)."""
    with time_machine.travel(dt.datetime.combine(recorded or on, dt.time(20, 0), SHANGHAI), tick=False):
        attendance = fields.pop("attendance", None)
        event = Event(
            organization=org,
            kind=kind,
            state=EventState.HELD,
            held_on=on,
            topic=fields.pop("topic", f"{kind} {on}"),
            **fields,
        )
        return actions.create_event(event, actor=actor, attendance=attendance)


@pytest.fixture
def meeting(cast: Cast) -> Event:
    """Branch A's Q1: a general meeting with a vote and three theme days (one recorded
    late), no party lesson. Branch B's Q1: everything on time."""
    zhang, li, _wang, _zhao, wu = cast.members_a
    a, b = cast.secretary_a, cast.secretary_b
    gm = _held(
        cast.branch_a,
        EventKind.GENERAL_MEETING,
        dt.date(2026, 3, 20),
        actor=a,
        topic=TOPIC,
        place="村委会会议室",
        host=zhang,
        agenda="一、传达学习全会精神\n二、讨论年度学习计划",
        minutes="<p>会议由<strong>张三</strong>主持。</p><ul><li>传达全会精神</li><li>讨论学习计划</li></ul>",
        resolutions="通过年度学习计划。",
        guests="陈老师（驻村第一书记助理）",
        guest_count=1,
        attendance={li.pk: (AttendanceStatus.EXCUSED, "外出务工"), wu.pk: (AttendanceStatus.ABSENT, "")},
    )
    with time_machine.travel(dt.datetime(2026, 3, 20, 20, 30, tzinfo=SHANGHAI), tick=False):
        actions.record_vote(
            Vote(event=gm, subject=VoteSubject.OTHER, title="通过年度学习计划", votes_for=3, secret_ballot=False),
            actor=a,
        )
    for day, recorded in [
        (dt.date(2026, 1, 15), None),
        (dt.date(2026, 2, 12), None),
        (dt.date(2026, 3, 25), dt.date(2026, 4, 8)),
    ]:
        _held(cast.branch_a, EventKind.THEME_DAY, day, actor=a, recorded=recorded)
    _held(cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, 1, 20), actor=b)
    _held(
        cast.branch_b,
        EventKind.PARTY_LESSON,
        dt.date(2026, 2, 20),
        actor=b,
        lecturer_kind=LecturerKind.SECRETARY,
        lecturer=cast.members_b[0],
    )
    for month in (1, 2, 3):
        _held(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, month, 10), actor=b)
    # Set directly: the audit trail cannot store a time of day yet (core.audit.field_value
    # turns dates into text but not times), so create_event with times fails.
    Event.objects.filter(pk=gm.pk).update(starts_at=dt.time(14, 30), ends_at=dt.time(16, 0))
    gm.refresh_from_db()
    return gm


# --- Workbook -------------------------------------------------------------------------------


def _sheet(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _table(sheet: Any) -> tuple[dict[str, int], dict[str, int], dict[str, list[Any]]]:
    """Requirement group → first column, total header → column, row label → values."""
    groups = {cell.value: cell.column for cell in sheet[5] if cell.value}
    heads = {cell.value: cell.column for cell in sheet[6] if cell.value}
    rows = {}
    for row in sheet.iter_rows(min_row=7, values_only=True):
        if not row[0]:
            break
        rows[row[0]] = list(row)
    return groups, heads, rows


def test_children_rows_roll_up_each_child_subtree(cast: Cast, meeting: Event) -> None:
    sheet = _sheet(compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows="children"))
    assert "测试县委" in sheet["A1"].value and "2026-Q1" in sheet["A1"].value
    assert "2026-04-15" in sheet["A2"].value
    groups, heads, rows = _table(sheet)
    # A quarter shows the monthly and quarterly requirements, not the yearly ones.
    assert list(groups) == [
        "Organization",
        "Kind",
        "General meeting (L1)",
        "Committee meeting (L3)",
        "Party group meetings (L4)",
        "Party lesson (L5)",
        "Theme party day (L6)",
        "All requirements",
    ]
    assert list(rows) == ["测试县委 (own events)", "城关镇党委", "非公党委", "Total"]
    col = {name: heads[name] - 1 for name in ("Required", "On time", "Late", "Missing", "Pending", "Status")}
    col["rate"] = heads["Completion rate"] - 1
    gm, lesson, theme = (groups[g] - 1 for g in ("General meeting (L1)", "Party lesson (L5)", "Theme party day (L6)"))

    x = rows["城关镇党委"]
    assert (x[gm], x[gm + 1], x[lesson], x[lesson + 1], x[theme], x[theme + 1]) == (1, 1, 0, 1, 3, 3)
    assert [x[col[k]] for k in ("Required", "On time", "Late", "Missing", "Pending")] == [5, 3, 1, 1, 0]
    assert x[col["rate"]] == pytest.approx(0.6) and x[col["Status"]] == "Behind"
    y = rows["非公党委"]
    assert [y[col[k]] for k in ("Required", "On time", "Late", "Missing", "Pending")] == [5, 5, 0, 0, 0]
    assert y[col["rate"]] == 1 and y[col["Status"]] == "On track"
    own = rows["测试县委 (own events)"]
    assert own[col["Required"]] == 0 and own[col["rate"]] is None and own[col["Status"]] == "Nothing due yet"
    assert own[gm] is None  # not required of a county committee: blank, not 0
    total = rows["Total"]
    assert [total[col[k]] for k in ("Required", "On time", "Late", "Missing")] == [10, 8, 1, 1]
    assert total[col["rate"]] == pytest.approx(0.8)
    # The rate is a percentage cell; the status cell is coloured.
    rate_cell = sheet.cell(row=8, column=heads["Completion rate"])
    assert rate_cell.number_format == "0%"
    assert sheet.cell(row=8, column=heads["Status"]).fill.fgColor.rgb.endswith("FFEB9C")
    assert any("Pending:" in (c.value or "") for c in sheet["A"])  # the legend


def test_all_rows_show_each_organization_with_its_own_events(cast: Cast, meeting: Event) -> None:
    sheet = _sheet(compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows="all"))
    _groups, heads, rows = _table(sheet)
    assert list(rows) == ["测试县委", "城关镇党委", "东关村党支部", "非公党委", "纺织公司党支部", "Total"]
    required, missing = heads["Required"] - 1, heads["Missing"] - 1
    assert rows["城关镇党委"][required] == 0 and rows["东关村党支部"][required] == 5
    assert rows["东关村党支部"][missing] == 1 and rows["Total"][required] == 10
    indents = [sheet.cell(row=r, column=1).alignment.indent for r in range(7, 12)]
    assert indents == [0, 1, 2, 1, 2]


def test_running_period_counts_pending_not_missing(cast: Cast, meeting: Event) -> None:
    sheet = _sheet(compliance_workbook(cast.branch_a, rules.parse_span("2026-Q2"), today=dt.date(2026, 5, 10)))
    _groups, heads, rows = _table(sheet)
    row = rows["东关村党支部 (own events)"]
    # Q2 so far: the April theme day is missing; May, June, the meeting and the lesson pending.
    assert row[heads["Missing"] - 1] == 1 and row[heads["Pending"] - 1] == 4
    assert row[heads["Status"] - 1] == "Failing"


def test_headers_follow_the_active_language(cast: Cast) -> None:
    with translation.override("zh-hans"):
        sheet = _sheet(compliance_workbook(cast.county, Q1, today=AFTER_Q1))
    with translation.override("zh-hans"):
        expected = str(rules.REQUIREMENTS[0].label)
        status = str(Status.NONE.label)
    assert sheet.cell(row=5, column=3).value.startswith(expected)
    assert sheet.cell(row=7, column=19).value == status


def test_workbook_queries_do_not_grow_with_the_subtree(
    cast: Cast, meeting: Event, django_assert_max_num_queries: Any
) -> None:
    compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows="all")  # warm the figure cache
    with django_assert_max_num_queries(3) as baseline:
        compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows="all")
    for i in range(6):
        branch = make_org(f"新支部{i}", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
        make_member(branch, f"党员{i}")
        _held(branch, EventKind.THEME_DAY, dt.date(2026, 2, 1), actor=None)
    for layout in ("all", "children"):
        with django_assert_max_num_queries(len(baseline.captured_queries)):
            content = compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows=layout)
    assert "新支部5" in _table(_sheet(compliance_workbook(cast.county, Q1, today=AFTER_Q1, rows="all")))[2]
    assert content


# --- Meeting record -------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_record_pdf_renders_chinese_names_and_the_vote(cast: Cast, meeting: Event) -> None:
    content = meeting_record_pdf(meeting, viewer=cast.secretary_a)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    if text is None:
        pytest.skip("pdftotext is not installed")
    flat = text.replace("\n", "")
    for expected in (
        TOPIC,
        "东关村党支部",
        "张三",
        "王五",
        "赵六",
        "外出务工",
        "吴十",
        "村委会会议室",
        "通过年度学习计划",
    ):
        assert expected in flat, expected
    assert "Meeting record" in text and "Carried" in text and "Page 1 of " in text
    assert "Recorder (signature)" in text and "Host (signature)" in text


def test_record_pdf_in_chinese(cast: Cast, meeting: Event) -> None:
    with translation.override("zh-hans"):
        context = record_context(meeting, viewer=cast.county_admin)
        content = meeting_record_pdf(meeting, viewer=cast.county_admin)
    assert context["language"] == "zh-hans" and content.startswith(b"%PDF")
    text = _pdf_text(content)
    if text is not None:
        assert TOPIC in text.replace("\n", "") and "2026年3月20日" in text


def test_record_lists_attendance_and_hides_names_from_members(cast: Cast, meeting: Event) -> None:
    context = record_context(meeting, viewer=cast.secretary_a)
    lists = {label: (names, count) for label, names, count in context["attendance_lists"]}
    assert lists["Present"] == ("王五, 张三, 赵六", 3)  # in pinyin order
    assert lists["Excused"] == ("李四 (外出务工)", 1) and lists["Absent"] == ("吴十", 1)
    assert (meeting.expected_count, meeting.present_count) == (5, 3)
    vote = context["votes"][0]
    assert (vote.voting_due, vote.voting_present, vote.votes_for, vote.quorate, vote.passed) == (4, 3, 3, True, True)
    assert context["show_names"] and not record_context(meeting, viewer=cast.member_a)["show_names"]


def test_party_lesson_record_names_the_lecturer(cast: Cast, meeting: Event) -> None:
    lesson = Event.objects.get(organization=cast.branch_b, kind=EventKind.PARTY_LESSON)
    assert record_context(lesson, viewer=cast.secretary_b)["lecturer"] == "钱七 (Secretary)"


# --- Views ----------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_compliance_download_defaults_to_scope_root_and_this_year(cast: Cast, meeting: Event) -> None:
    response = _client(cast.secretary_a).get(reverse("orglife:compliance-xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;") and "BA" in response["Content-Disposition"]
    sheet = _sheet(response.content)
    assert "东关村党支部" in sheet["A1"].value and str(dt.date.today().year) in sheet["A1"].value

    url = reverse("orglife:compliance-xlsx") + f"?org={cast.county.pk}&period=2026-Q1&rows=all"
    rows = _table(_sheet(_client(cast.county_admin).get(url).content))[2]
    assert "纺织公司党支部" in rows


@pytest.mark.parametrize("query", ["period=2026-13", "period=abc", "period=2026-Q5", "period=0000", "rows=tree"])
def test_compliance_download_rejects_bad_input_with_400(cast: Cast, query: str) -> None:
    response = _client(cast.county_admin).get(reverse("orglife:compliance-xlsx") + "?" + query)
    assert response.status_code == 400
    assert "is not a" in response.content.decode()


def test_reports_are_scoped(cast: Cast, meeting: Event) -> None:
    xlsx, pdf = reverse("orglife:compliance-xlsx"), reverse("orglife:record-pdf", args=[meeting.pk])
    other = _client(cast.secretary_b)
    assert other.get(pdf).status_code == 404
    assert other.get(f"{xlsx}?org={cast.branch_a.pk}").status_code == 404
    assert other.get(f"{xlsx}?org=not-a-number").status_code == 404
    member = _client(cast.member_a)
    assert member.get(pdf).status_code in (403, 404)
    assert member.get(xlsx).status_code in (403, 404)
    anonymous = Client()
    assert anonymous.get(pdf).status_code == 302 and anonymous.get(xlsx).status_code == 302


def test_record_pdf_download_is_inline(cast: Cast, meeting: Event) -> None:
    response = _client(cast.county_admin).get(reverse("orglife:record-pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF")
