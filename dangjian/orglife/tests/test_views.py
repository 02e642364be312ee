"""Pages of organizational life: recording each kind of event through its form,
attendance, votes, attachments, sign-in, compliance with its drill-down, drifting
members, signals, calendar and planning, requirement overrides and the partials."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, make_user
from dangjian.members import actions as member_actions
from dangjian.orglife import actions, compliance, rules
from dangjian.orglife.choices import AttendanceStatus, EventKind, EventState, LecturerKind
from dangjian.orglife.models import Attendance, Event, EventAttachment, RequirementOverride, Vote
from dangjian.orgs import actions as org_actions
from dangjian.orgs.models import Organization, PartyGroup

TODAY = dt.date(2026, 11, 23)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False)
    return TODAY


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def secretary(cast: Cast) -> Client:
    return login(cast.secretary_a)


_topics = itertools.count(1)


def record(
    org: Organization,
    kind: str,
    day: dt.date,
    *,
    state: str = EventState.HELD,
    attendance: dict[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> Event:
    """An event recorded through the action (held events get everyone due as present,
    except those named in ``attendance``)."""
    fields.setdefault("topic", f"议题{next(_topics)}")
    fields.setdefault("minutes", "<div>会议记录</div>")
    event = Event(organization=org, kind=kind, state=state, held_on=day, **fields)
    return actions.create_event(event, actor=None, attendance=attendance)


def event_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "state": "held",
        "held_on": "2026-11-20",
        "starts_at": "",
        "ends_at": "",
        "place": "党员活动室",
        "host": "",
        "topic": "学习党章第三章",
        "agenda": "",
        "minutes": "<div>大家发言踊跃</div>",
        "resolutions": "",
        "guests": "",
        "guest_count": "0",
    }
    data.update(overrides)
    return data


def add_url(kind: str, org: Organization) -> str:
    return reverse("orglife:add", args=[kind]) + f"?org={org.pk}"


def errors_of(body: str) -> str:
    """The text of the form's error messages (field and top)."""
    return " ".join(
        re.findall(r'class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>(.*?)</div>', body, re.S)
    )


# --- Recording events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        EventKind.GENERAL_MEETING,
        EventKind.COMMITTEE_MEETING,
        EventKind.THEME_DAY,
        EventKind.LIFE_MEETING,
        EventKind.DEMOCRATIC_LIFE_MEETING,
        EventKind.DEMOCRATIC_EVALUATION,
    ],
)
def test_record_held_event_of_each_kind_goes_to_attendance(cast: Cast, secretary: Client, kind: str) -> None:
    response = secretary.post(add_url(kind, cast.branch_a), event_data())
    assert response.status_code == 302, errors_of(response.content.decode())
    event = Event.objects.get(topic="学习党章第三章")
    assert (event.kind, event.state, event.organization) == (kind, EventState.HELD, cast.branch_a)
    assert event.recorded_on == TODAY and event.held_on == dt.date(2026, 11, 20)
    assert response["Location"] == reverse("orglife:attendance", args=[event.pk])
    assert AuditEntry.objects.for_object(event).filter(action="create").exists()
    if kind in (EventKind.GENERAL_MEETING, EventKind.THEME_DAY):
        # Everyone due on the day is recorded present until corrected.
        assert (event.expected_count, event.present_count) == (5, 5)
    assert secretary.get(response["Location"]).status_code == 200


def test_record_group_meeting_and_party_lesson(cast: Cast, secretary: Client) -> None:
    group = org_actions.add_party_group(PartyGroup(organization=cast.branch_a, name="第一党小组"), actor=None)
    member_actions.update_member(
        _with(cast.members_a[0], party_group=group), actor=None, before=audit.snapshot(cast.members_a[0])
    )
    response = secretary.post(add_url(EventKind.GROUP_MEETING, cast.branch_a), event_data(party_group=group.pk))
    assert response.status_code == 302, errors_of(response.content.decode())
    meeting = Event.objects.get(kind=EventKind.GROUP_MEETING)
    assert meeting.party_group == group and meeting.expected_count == 1  # only the group's members are due

    lecturer = cast.members_a[1]
    response = secretary.post(
        add_url(EventKind.PARTY_LESSON, cast.branch_a),
        event_data(topic="党课：初心使命", lecturer_kind=LecturerKind.SECRETARY, lecturer=lecturer.pk),
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    lesson = Event.objects.get(kind=EventKind.PARTY_LESSON)
    assert (lesson.lecturer_kind, lesson.lecturer) == (LecturerKind.SECRETARY, lecturer)


def _with(obj: Any, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def test_record_heart_talk_with_participants(cast: Cast, secretary: Client) -> None:
    url = add_url(EventKind.HEART_TALK, cast.branch_a)
    form = secretary.get(url).content.decode()
    assert all(f'name="participants" value="{m.pk}"' in form for m in cast.members_a)
    one = [str(cast.members_a[1].pk)]
    response = secretary.post(url, event_data(topic="谈心谈话", participants=one))
    body = response.content.decode()
    assert response.status_code == 400
    assert "A heart-to-heart talk is between at least two members (L9)." in body
    assert f'value="{one[0]}" id="p{one[0]}" checked' in body  # what was ticked stays ticked
    assert not Event.objects.filter(topic="谈心谈话").exists()

    two = [str(cast.members_a[1].pk), str(cast.members_a[2].pk)]
    response = secretary.post(url, event_data(topic="谈心谈话", participants=two))
    assert response.status_code == 302, errors_of(response.content.decode())
    talk = Event.objects.get(topic="谈心谈话")
    assert response["Location"] == talk.get_absolute_url()  # a talk has no attendance list to fill
    assert sorted(talk.attendances.values_list("member_id", flat=True)) == sorted(int(pk) for pk in two)


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        (EventKind.THEME_DAY, {"topic": ""}, "topic", "This field is required."),
        (
            EventKind.PARTY_LESSON,
            {"lecturer_kind": ""},
            "lecturer_kind",
            "Say who gave the lesson (L5).",
        ),
        (
            EventKind.PARTY_LESSON,
            {"lecturer_kind": LecturerKind.MEMBER, "lecturer": ""},
            "lecturer",
            "Choose the member who gave the lesson.",
        ),
        (EventKind.GROUP_MEETING, {"party_group": ""}, "party_group", "Choose the party group that met."),
        (
            EventKind.GENERAL_MEETING,
            {"held_on": "2026-11-30"},
            "held_on",
            "An event in the future cannot be recorded as held; plan it instead.",
        ),
    ],
)
def test_bad_event_input_reshows_form_with_specific_error(
    cast: Cast, secretary: Client, kind: str, data: dict[str, str], field: str, message: str
) -> None:
    posted = event_data(place="村委会二楼会议室", agenda="一、学习\n二、讨论", **data)
    response = secretary.post(add_url(kind, cast.branch_a), posted)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    # The message is shown next to its field.
    assert re.search(rf'name="{field}".*?{re.escape(message)}', body, re.S), errors_of(body)
    assert "村委会二楼会议室" in body and "一、学习" in body  # nothing typed is lost
    assert not Event.objects.exists()


def test_planned_event_in_the_future_is_fine(cast: Cast, secretary: Client) -> None:
    response = secretary.post(
        add_url(EventKind.THEME_DAY, cast.branch_a), event_data(state="planned", held_on="2026-12-05")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.state == EventState.PLANNED and event.recorded_on is None
    assert response["Location"] == event.get_absolute_url()


def test_create_is_scoped(cast: Cast) -> None:
    other = login(cast.secretary_b)
    assert other.get(add_url(EventKind.THEME_DAY, cast.branch_a)).status_code == 404
    assert other.post(add_url(EventKind.THEME_DAY, cast.branch_a), event_data()).status_code == 404
    member = login(cast.member_a)
    assert member.get(add_url(EventKind.THEME_DAY, cast.branch_a)).status_code == 403
    assert member.post(add_url(EventKind.THEME_DAY, cast.branch_a), event_data()).status_code == 403
    assert login(cast.inspector).post(add_url(EventKind.THEME_DAY, cast.branch_a), event_data()).status_code == 403
    assert not Event.objects.exists()
    assert other.get(reverse("orglife:add", args=["banquet"]) + f"?org={cast.branch_b.pk}").status_code == 404


def test_create_without_org_offers_a_chooser(cast: Cast, secretary: Client) -> None:
    body = secretary.get(reverse("orglife:add", args=[EventKind.THEME_DAY])).content.decode()
    assert "东关村党支部" in body and "纺织公司党支部" not in body


# --- Attendance, votes, edit, cancel ----------------------------------------------------------


def test_attendance_page_records_statuses_with_reasons(cast: Cast, secretary: Client) -> None:
    _zhang, li, wang, zhao, _wu = cast.members_a
    event = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 20))
    url = reverse("orglife:attendance", args=[event.pk])
    page = secretary.get(url).content.decode()
    assert all(f'data-member="{m.pk}"' in page for m in cast.members_a)
    assert not any(f'data-member="{m.pk}"' in page for m in cast.members_b)

    def post(**statuses: tuple[Any, str, str]) -> Any:
        data = {}
        for member, status, reason in statuses.values():
            data[f"att_{member.pk}"] = status
            data[f"why_{member.pk}"] = reason
        return secretary.post(url, data)

    everyone = {f"m{i}": (m, "present", "") for i, m in enumerate(cast.members_a)}
    response = post(**{**everyone, "m2": (wang, "excused", "")})
    assert response.status_code == 400
    assert "Give the reason for 王五&#x27;s absence." in response.content.decode()
    event.refresh_from_db()
    assert set(event.attendances.values_list("status", flat=True)) == {"present"}

    response = post(**{**everyone, "m3": (zhao, "exempt", "")})
    assert response.status_code == 400 and "Give the reason for 赵六&#x27;s absence." in response.content.decode()

    response = post(
        **{
            **everyone,
            "m1": (li, "absent", ""),
            "m2": (wang, "excused", "外出务工"),
            "m3": (zhao, "exempt", "长期卧床，经党委批准"),
        }
    )
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    event.refresh_from_db()
    # D15: the exempt member is not counted among those due.
    assert (event.expected_count, event.present_count, event.excused_count, event.absent_count) == (4, 2, 1, 1)
    assert Attendance.objects.get(event=event, member=wang).reason == "外出务工"
    detail = secretary.get(event.get_absolute_url()).content.decode()
    assert "Present <b>2</b>" in detail and "Absent <b>1</b>" in detail and "Due <b>4</b>" in detail
    assert "外出务工" in detail


def test_attendance_of_a_planned_event_is_refused(cast: Cast, secretary: Client) -> None:
    event = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 1), state=EventState.PLANNED)
    assert secretary.get(reverse("orglife:attendance", args=[event.pk])).status_code == 403
    other = record(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, 11, 1))
    assert secretary.get(reverse("orglife:attendance", args=[other.pk])).status_code == 404


def vote_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "subject": "other",
        "title": "关于村集体经济项目的决议",
        "member": "",
        "votes_for": "3",
        "votes_against": "1",
        "abstentions": "0",
        "written_for": "0",
        "written_against": "0",
        "secret_ballot": "on",
    }
    data.update(overrides)
    return data


def test_vote_form_shows_carried_or_not_with_the_reason(cast: Cast, secretary: Client) -> None:
    event = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 20))
    url = reverse("orglife:vote_add", args=[event.pk])
    # 4 full members due and present (the probationary member has no vote): 2 for is not more than half.
    response = secretary.post(url, vote_data(title="未通过的决议", votes_for="2", votes_against="2"))
    assert response.status_code == 302
    weak = Vote.objects.get(title="未通过的决议")
    assert (weak.voting_due, weak.voting_present, weak.quorate, weak.passed) == (4, 4, True, False)
    response = secretary.post(url, vote_data(title="通过的决议"))
    assert response.status_code == 302
    assert Vote.objects.get(title="通过的决议").passed
    detail = secretary.get(event.get_absolute_url()).content.decode()
    votes = detail.split('id="votes"', 1)[1].split("</div></div>", 1)[0]
    blocks = votes.split('class="border rounded p-2 mb-2"')[1:]
    weak_block = next(b for b in blocks if "未通过的决议" in b)
    good_block = next(b for b in blocks if "通过的决议" in b and "未通过" not in b)
    assert "Not carried</span>" in weak_block
    assert "needs more than ½ of the 4 voting members due to attend; 2 voted for" in weak_block
    assert "(D14)" in weak_block
    assert "Carried</span>" in good_block and "text-danger" not in good_block


def test_vote_only_at_a_held_general_meeting(cast: Cast, secretary: Client) -> None:
    event = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 20))
    response = secretary.post(reverse("orglife:vote_add", args=[event.pk]), vote_data())
    assert response.status_code == 400
    assert "Votes are taken at a held branch general membership meeting (L2)." in response.content.decode()
    assert not Vote.objects.exists()


def test_edit_planned_event_to_held_sets_recorded_on(cast: Cast, secretary: Client) -> None:
    event = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 20), state=EventState.PLANNED, topic="计划")
    assert event.recorded_on is None
    url = reverse("orglife:edit", args=[event.pk])
    form = secretary.get(url).content.decode()
    assert 'value="计划"' in form
    response = secretary.post(url, event_data(topic="主题党日：清洁家园"))
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    event.refresh_from_db()
    assert (event.state, event.recorded_on, event.topic) == (EventState.HELD, TODAY, "主题党日：清洁家园")
    assert event.expected_count == 5  # the members due are on the list now
    assert AuditEntry.objects.for_object(event).filter(action="update").exists()
    # A held event cannot go back to planned.
    response = secretary.post(url, event_data(state="planned"))
    assert response.status_code == 400 and "A held event stays held" in response.content.decode()


def test_cancel_planned_event_with_reason_but_not_a_held_one(cast: Cast, secretary: Client) -> None:
    planned = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 3), state=EventState.PLANNED)
    url = reverse("orglife:cancel", args=[planned.pk])
    assert secretary.post(url, {"reason": ""}).status_code == 400
    response = secretary.post(url, {"reason": "暴雪，改期"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.state, planned.cancel_reason) == (EventState.CANCELLED, "暴雪，改期")
    assert "暴雪，改期" in secretary.get(planned.get_absolute_url()).content.decode()
    assert secretary.get(reverse("orglife:edit", args=[planned.pk])).status_code == 403

    held = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 3))
    response = secretary.post(reverse("orglife:cancel", args=[held.pk]), {"reason": "搞错了"})
    assert response.status_code == 400
    assert "Only a planned event can be cancelled." in response.content.decode()
    held.refresh_from_db()
    assert held.state == EventState.HELD


# --- Attachments --------------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_attachment_upload_download_scope_and_removal(
    cast: Cast, secretary: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 20))
    url = reverse("orglife:attachment_add", args=[event.pk])
    bad = secretary.post(
        url, {"kind": "document", "file": SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), "description": "程序"}
    )
    assert bad.status_code == 400
    assert "Attach a photo, a PDF or an office document" in bad.content.decode()
    assert not EventAttachment.objects.exists()

    response = secretary.post(
        url,
        {
            "kind": "photo",
            "file": SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
            "description": "合影",
        },
    )
    assert response.status_code == 302
    attachment = EventAttachment.objects.get()
    assert attachment.file.name.startswith("orglife/2026/11/")
    detail = secretary.get(event.get_absolute_url()).content.decode()
    download = reverse("orglife:attachment", args=[attachment.pk])
    assert download in detail and "合影" in detail

    response = secretary.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert login(cast.secretary_b).get(download).status_code == 404
    assert Client().get(download).status_code == 302  # to the login page

    name = attachment.file.name
    storage = attachment.file.storage
    assert login(cast.secretary_b).post(reverse("orglife:attachment_remove", args=[attachment.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("orglife:attachment_remove", args=[attachment.pk]))
    assert response.status_code == 302
    assert not EventAttachment.objects.exists() and not storage.exists(name)
    assert secretary.get(download).status_code == 404
    assert AuditEntry.objects.filter(action="delete", content_type__model="eventattachment").exists()


# --- Sign-in ---------------------------------------------------------------------------------


def test_sign_in_with_code_inside_the_window_once(cast: Cast, secretary: Client, time_machine: Any) -> None:
    event = record(
        cast.branch_a,
        EventKind.GENERAL_MEETING,
        TODAY,
        state=EventState.PLANNED,
        starts_at=dt.time(19, 0),
        ends_at=dt.time(21, 0),
    )
    response = secretary.post(reverse("orglife:open_sign_in", args=[event.pk]))
    assert response.status_code == 302
    event.refresh_from_db()
    code = event.sign_in_code
    assert re.fullmatch(r"\d{6}", code)
    detail = secretary.get(event.get_absolute_url()).content.decode()
    assert f"data-sign-in-code>{code}<" in detail
    qr = secretary.get(reverse("orglife:qr", args=[event.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert login(cast.secretary_b).get(reverse("orglife:qr", args=[event.pk])).status_code == 404

    member = login(cast.member_a)
    url = reverse("orglife:sign_in")
    # 10:00: the window is 18:30-21:30 (30 minutes either side).
    response = member.post(url, {"code": code})
    assert response.status_code == 400
    assert "Sign-in for this event is open from 18:30 to 21:30." in response.content.decode()

    time_machine.move_to(dt.datetime(2026, 11, 23, 19, 10, tzinfo=SHANGHAI), tick=False)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = member.post(url, {"code": wrong})
    assert response.status_code == 400
    assert "No event today has this sign-in code. Check the six digits with the host." in response.content.decode()
    response = member.post(url, {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("orglife:mine")
    row = Attendance.objects.get(event=event, member=cast.members_a[0])
    assert row.status == AttendanceStatus.PRESENT and row.signed_in_at is not None
    response = member.post(url, {"code": code})
    assert response.status_code == 400 and "You signed in at 19:10 already." in response.content.decode()

    # Somebody of branch B is not due at branch A's meeting.
    other = make_user("member_b", Role.MEMBER, member=cast.members_b[0])
    response = login(other).post(url, {"code": code})
    assert (
        response.status_code == 400 and "You are not among the members due at this event." in response.content.decode()
    )

    # Recording the meeting keeps the sign-in; the others are absent until corrected.
    time_machine.move_to(dt.datetime(2026, 11, 23, 21, 30, tzinfo=SHANGHAI), tick=False)
    response = secretary.post(
        reverse("orglife:edit", args=[event.pk]),
        event_data(held_on="2026-11-23", starts_at="19:00", ends_at="21:00", topic="党员大会"),
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    event.refresh_from_db()
    assert (event.present_count, event.absent_count) == (1, 4)

    time_machine.move_to(dt.datetime(2026, 11, 23, 21, 31, tzinfo=SHANGHAI), tick=False)
    assert member.post(url, {"code": code}).status_code == 400


def test_sign_in_needs_a_member_record(cast: Cast, secretary: Client) -> None:
    assert secretary.post(reverse("orglife:sign_in"), {"code": "123456"}).status_code == 403
    assert secretary.get(reverse("orglife:sign_in")).status_code == 403
    assert login(cast.member_a).get(reverse("orglife:sign_in") + "?code=123456").status_code == 200


# --- Compliance ---------------------------------------------------------------------------------


def cells_of(body: str, org: Organization) -> list[str]:
    """The figures of the requirement cells in ``org``'s row of the compliance table."""
    row = body.split(f'<tr data-org="{org.pk}">', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="text-center small[^"]*">(.*?)</td>', row, re.S)
    return [m.group(1) if (m := re.search(r">(\d+ / \d+)</a>", cell)) else "" for cell in cells]


@pytest.fixture
def history(cast: Cast) -> list[Event]:
    """Branch A held its theme days in Jan-Sep and one party lesson by the secretary;
    branch B held two theme days; plus events that must not count."""
    events = [record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, month, 10)) for month in range(1, 10)]
    events.append(
        record(
            cast.branch_a,
            EventKind.PARTY_LESSON,
            dt.date(2026, 5, 12),
            lecturer_kind=LecturerKind.SECRETARY,
            lecturer_name="书记",
        )
    )
    events += [record(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, m, 10)) for m in (3, 4)]
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2025, 12, 10))  # last year
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 10), state=EventState.PLANNED)
    return events


def test_compliance_page_matches_the_engine(cast: Cast, history: list[Event]) -> None:
    client = login(cast.county_admin)
    body = client.get(reverse("orglife:compliance") + f"?org={cast.county.pk}&period=2026").content.decode()
    rows = compliance.rollup(cast.county, rules.parse_span("2026"), today=TODAY, group="child", by_requirement=True)
    for child in (cast.committee_x, cast.committee_y):
        expected = [
            f"{t.on_time} / {t.required}" if (t := rows.get((child.path, req.key))) else ""
            for req in rules.REQUIREMENTS
        ]
        assert cells_of(body, child) == expected
    theme = rows[(cast.committee_x.path, "theme_day")]
    assert (theme.required, theme.held) == (12, 9)  # the engine itself agrees with the story
    grand = compliance.total(cast.county, rules.parse_span("2026"), today=TODAY)
    assert f"required {grand.required}, on time {grand.on_time}, late {grand.late}, missing {grand.missing}" in body
    assert reverse("orglife:compliance-xlsx") in body


@pytest.mark.parametrize("period", ["2026-13", "abc", "2026-Q5", "9999-12"])
def test_compliance_with_malformed_period_says_so(cast: Cast, secretary: Client, period: str) -> None:
    response = secretary.get(reverse("orglife:compliance") + f"?period={period}")
    assert response.status_code == 200
    assert "is not a period: give a year (2026), a quarter (2026-Q3) or a month (2026-07)." in response.content.decode()
    response = secretary.get(reverse("orglife:org_compliance", args=[cast.branch_a.pk]) + f"?period={period}")
    assert response.status_code == 200 and "is not a period" in response.content.decode()


def test_compliance_drill_down_lists_exactly_the_events_counted(cast: Cast, history: list[Event]) -> None:
    client = login(cast.county_admin)
    body = client.get(reverse("orglife:compliance") + f"?org={cast.committee_x.pk}&period=2026").content.decode()
    links = dict(
        (m.group(2), m.group(1).replace("&amp;", "&"))
        for m in re.finditer(r'href="(/life/\?org=' + str(cast.branch_a.pk) + r'&amp;requirement=(\w+)[^"]*)"', body)
    )
    assert set(links) >= {"theme_day", "party_lesson", "secretary_lesson", "general_meeting"}
    counted = {e.pk for e in history if e.organization == cast.branch_a}
    for key, kind in (("theme_day", EventKind.THEME_DAY), ("secretary_lesson", EventKind.PARTY_LESSON)):
        listing = client.get(links[key]).content.decode()
        shown = {int(pk) for pk in re.findall(r'href="/life/(\d+)/"', listing)}
        assert shown == {e.pk for e in history if e.pk in counted and e.kind == kind}
        cell = compliance.rollup(
            cast.branch_a, rules.parse_span("2026"), today=TODAY, only_org=True, by_requirement=True
        )[key]
        assert len(shown) == cell.held
    listing = client.get(links["general_meeting"]).content.decode()
    assert not re.findall(r'href="/life/(\d+)/"', listing)
    # The subtree row links with ``within``.
    county = client.get(reverse("orglife:compliance") + f"?org={cast.county.pk}&period=2026").content.decode()
    within = re.search(
        r'href="(/life/\?within=' + str(cast.committee_x.pk) + r'&amp;requirement=theme_day[^"]*)"', county
    )
    assert within
    listing = client.get(within.group(1).replace("&amp;", "&")).content.decode()
    assert {int(pk) for pk in re.findall(r'href="/life/(\d+)/"', listing)} == {
        e.pk for e in history if e.organization == cast.branch_a and e.kind == EventKind.THEME_DAY
    }


def test_org_compliance_grid(cast: Cast, secretary: Client, history: list[Event]) -> None:
    body = secretary.get(reverse("orglife:org_compliance", args=[cast.branch_a.pk]) + "?period=2026").content.decode()
    assert body.count('data-span="2026-') >= 12 + 4
    march = body.split('data-span="2026-03"', 1)[1].split("</a>", 1)[0]
    assert "1 / 1" in march
    october = body.split('data-span="2026-10"', 1)[1].split("</a>", 1)[0]
    assert "0 / 1" in october and "missing" in october
    december = body.split('data-span="2026-12"', 1)[1].split("</a>", 1)[0]
    assert "pending" in december
    assert login(cast.secretary_b).get(reverse("orglife:org_compliance", args=[cast.branch_a.pk])).status_code == 404
    assert reverse("orglife:compliance-xlsx") == "/life/reports/compliance.xlsx"


# --- Drifting members, signals, calendar, planning ---------------------------------------------


def test_drifting_page_lists_absent_and_lost_members(cast: Cast, secretary: Client) -> None:
    li, wang = cast.members_a[1], cast.members_a[2]
    for month in range(4, 12):  # April to November: 李四 absent every time
        record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, month, 2), attendance={li.pk: ("absent", "")})
    before = audit.snapshot(wang)
    wang.lost_contact_since = dt.date(2026, 4, 20)
    member_actions.update_member(wang, actor=None, before=before)
    body = secretary.get(reverse("orglife:drifting")).content.decode()
    assert "李四" in body and "No organizational life for 6 months (S1)" in body
    assert "王五" in body and "Lost contact for 6 months (S2)" in body
    assert "张三" not in body and "赵六" not in body
    export = secretary.get(reverse("orglife:drifting") + "?_export=csv")
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert "李四" in text and "王五" in text and "张三" not in text
    assert "钱七" not in login(cast.secretary_b).get(reverse("orglife:drifting")).content.decode()
    assert "李四" not in login(cast.secretary_b).get(reverse("orglife:drifting")).content.decode()


def test_signals_page_lists_event_with_empty_minutes(cast: Cast, secretary: Client) -> None:
    empty = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 2), minutes="", topic="没有记录的主题党日")
    fine = record(
        cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 10), minutes="<p>认真学习</p>", topic="好的党日"
    )
    # Recorded 52 days after it was held (more than 30): flagged although it has minutes.
    late = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 10, 2), minutes="<p>补记</p>", topic="补记的党日")
    body = secretary.get(reverse("orglife:signals")).content.decode()
    assert empty.topic in body and "No minutes" in body
    assert fine.topic not in body
    assert late.topic in body and "Recorded long after it was held" in body
    detail = secretary.get(empty.get_absolute_url()).content.decode()
    assert 'data-signal="no_minutes"' in detail


def test_calendar_shows_planned_and_held_events_of_the_month(cast: Cast, secretary: Client) -> None:
    held = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 10))
    planned = record(cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 27), state=EventState.PLANNED)
    cancelled = record(cast.branch_a, EventKind.PARTY_LESSON, dt.date(2026, 11, 28), state=EventState.PLANNED)
    actions.cancel_event(cancelled, reason="改期", actor=None)
    december = record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 12, 1), state=EventState.PLANNED)
    other = record(cast.branch_b, EventKind.THEME_DAY, dt.date(2026, 11, 12))
    body = secretary.get(reverse("orglife:calendar") + f"?org={cast.branch_a.pk}").content.decode()
    links = set(re.findall(r'href="/life/(\d+)/"', body))
    assert {str(held.pk), str(planned.pk)} <= links
    assert str(cancelled.pk) not in links and str(other.pk) not in links
    assert str(december.pk) not in links  # the grid's days of December stay empty
    body = secretary.get(reverse("orglife:calendar") + f"?org={cast.branch_a.pk}&month=2026-12").content.decode()
    assert str(december.pk) in set(re.findall(r'href="/life/(\d+)/"', body))


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-00", "x"])
def test_calendar_with_odd_month_falls_back(cast: Cast, secretary: Client, month: str) -> None:
    response = secretary.get(reverse("orglife:calendar") + f"?month={month}")
    assert response.status_code == 200


def test_plan_form_plans_the_next_quarter_once(cast: Cast, secretary: Client) -> None:
    form = secretary.get(reverse("orglife:plan") + f"?org={cast.branch_a.pk}").content.decode()
    assert 'value="2027-Q1"' in form
    data = {"organization": cast.branch_a.pk, "quarter": "2027-Q1", "day_of_month": "5"}
    response = secretary.post(reverse("orglife:plan"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("orglife:calendar") + f"?org={cast.branch_a.pk}&month=2027-01"
    planned = Event.objects.filter(organization=cast.branch_a, state=EventState.PLANNED)
    # L1 and L5 once in the quarter, L6 once a month.
    assert sorted(planned.values_list("kind", "held_on")) == sorted(
        [
            (EventKind.GENERAL_MEETING, dt.date(2027, 1, 5)),
            (EventKind.PARTY_LESSON, dt.date(2027, 1, 5)),
            (EventKind.THEME_DAY, dt.date(2027, 1, 5)),
            (EventKind.THEME_DAY, dt.date(2027, 2, 5)),
            (EventKind.THEME_DAY, dt.date(2027, 3, 5)),
        ]
    )
    response = secretary.post(reverse("orglife:plan"), data, follow=True)
    assert "Nothing to plan: every required meeting is planned or held." in response.content.decode()
    assert planned.count() == 5
    bad = secretary.post(reverse("orglife:plan"), {**data, "quarter": "2027-04"})
    assert bad.status_code == 400 and "Give a quarter as YYYY-Qn" in bad.content.decode()
    out = secretary.post(reverse("orglife:plan"), {**data, "organization": cast.branch_b.pk})
    assert out.status_code == 400 and not Event.objects.filter(organization=cast.branch_b).exists()


# --- Requirements ---------------------------------------------------------------------------------


def override_data(**overrides: Any) -> dict[str, Any]:
    data = {"key": "theme_day", "count": "2", "valid_from": "2026-01-01", "valid_to": "", "note": "试点村"}
    data.update(overrides)
    return data


def test_requirement_overrides_by_org_admin_and_platform_admin(cast: Cast) -> None:
    county = login(cast.county_admin)
    url = reverse("orglife:requirements")
    year = rules.parse_span("2026")

    def theme_required() -> int:
        return compliance.rollup(cast.branch_a, year, today=TODAY, only_org=True, by_requirement=True)[
            "theme_day"
        ].required

    assert theme_required() == 12
    page = county.get(url).content.decode()
    assert 'name="organization"' in page and 'name="sector"' not in page
    response = county.post(url, override_data(organization=cast.branch_a.pk))
    assert response.status_code == 302
    override = RequirementOverride.objects.get()
    assert (override.organization, override.count, override.set_by) == (cast.branch_a, 2, cast.county_admin)
    assert theme_required() == 24
    assert AuditEntry.objects.for_object(override).filter(action="create").exists()

    clash = county.post(url, override_data(organization=cast.branch_a.pk, valid_from="2026-06-01", count="3"))
    assert clash.status_code == 400
    assert "Another override of this requirement covers part of this period." in clash.content.decode()
    assert RequirementOverride.objects.count() == 1

    # No sector override for an organization administrator: the field is not there.
    sector = county.post(url, override_data(sector="village", key="party_lesson"))
    assert sector.status_code == 400 and not RequirementOverride.objects.filter(sector="village").exists()
    # A branch secretary records events but does not set their own requirements.
    secretary = login(cast.secretary_a)
    assert 'name="count"' not in secretary.get(url).content.decode()
    assert (
        secretary.post(
            url, override_data(organization=cast.branch_a.pk, count="0", valid_from="2027-01-01")
        ).status_code
        == 403
    )
    assert RequirementOverride.objects.count() == 1

    admin = login(cast.platform_admin)
    assert 'name="sector"' in admin.get(url).content.decode()
    response = admin.post(url, override_data(sector="village", key="party_lesson", count="0", note="农忙"))
    assert response.status_code == 302
    sector_override = RequirementOverride.objects.get(sector="village")
    assert AuditEntry.objects.for_object(sector_override).exists()
    assert "农忙" in county.get(url).content.decode()  # every sector override is listed
    remove = reverse("orglife:override_remove", args=[sector_override.pk])
    assert county.post(remove).status_code == 404

    assert county.post(reverse("orglife:override_remove", args=[override.pk])).status_code == 302
    assert not RequirementOverride.objects.filter(pk=override.pk).exists()
    assert theme_required() == 12
    assert AuditEntry.objects.filter(action="delete", content_type__model="requirementoverride").count() == 1
    assert admin.post(remove).status_code == 302
    assert not RequirementOverride.objects.exists()


# --- Tree, dashboard, member pages -----------------------------------------------------------------


def test_tree_placeholders_and_status_partial(cast: Cast, history: list[Event]) -> None:
    county = login(cast.county_admin)
    tree = county.get(reverse("orgs:tree")).content.decode()
    assert f'id="dj-status-{cast.county.pk}"' in tree
    assert reverse("orglife:tree_status", args=[cast.county.pk]) in tree
    partial = county.get(reverse("orglife:tree_status", args=[cast.county.pk])).content.decode()
    statuses = compliance.statuses([cast.committee_x, cast.committee_y], compliance.current_window(TODAY), today=TODAY)
    for child in (cast.committee_x, cast.committee_y):
        span = partial.split(f'id="dj-status-{child.pk}"', 1)[1].split("</span></a></span>", 1)[0]
        assert f'data-status="{statuses[child.pk].status(TODAY).value}"' in span
    assert f'id="dj-status-{cast.county.pk}"' not in partial
    roots = county.get(reverse("orglife:tree_status", args=[0])).content.decode()
    assert f'id="dj-status-{cast.county.pk}"' in roots and "data-status=" in roots
    assert login(cast.secretary_b).get(reverse("orglife:tree_status", args=[cast.committee_x.pk])).status_code == 404
    assert Client().get(reverse("orglife:tree_status", args=[0])).status_code == 401


def test_dashboard_partial(cast: Cast, history: list[Event]) -> None:
    body = login(cast.county_admin).get(reverse("orglife:dashboard_card")).content.decode()
    assert "测试县委" in body and "2026-Q4" in body and "data-status=" in body
    assert "测试县委" not in login(cast.member_a).get(reverse("orglife:dashboard_card")).content.decode()


def test_member_page_shows_attendance_rate(cast: Cast, secretary: Client) -> None:
    zhang = cast.members_a[0]
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 9, 10))
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 10, 10), attendance={zhang.pk: ("absent", "")})
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 10), attendance={zhang.pk: ("excused", "出差")})
    body = secretary.get(reverse("members:detail", args=[zhang.pk])).content.decode()
    card = body.split("data-attendance-summary", 1)[1].split("</dl>", 1)[0]
    assert "33%" in card and "present 1 of 3; excused 1, absent 1" in card
    assert "2026-09-10" in card or "09/10/2026" in card or "Sept. 10, 2026" in card


def test_my_events_lists_own_branch_only(cast: Cast) -> None:
    mine = record(
        cast.branch_a, EventKind.GENERAL_MEETING, dt.date(2026, 11, 30), state=EventState.PLANNED, topic="A支部党员大会"
    )
    record(
        cast.branch_b, EventKind.GENERAL_MEETING, dt.date(2026, 11, 30), state=EventState.PLANNED, topic="B支部党员大会"
    )
    record(cast.branch_a, EventKind.THEME_DAY, dt.date(2026, 11, 2), topic="已经开过的党日")
    body = login(cast.member_a).get(reverse("orglife:mine")).content.decode()
    upcoming = body.split("Coming up", 1)[1].split("</ul>", 1)[0]
    assert mine.topic in upcoming and "B支部党员大会" not in body and "已经开过的党日" not in upcoming
    assert "data-my-rate" in body
    # Members see their own branch's event, not another's.
    member = login(cast.member_a)
    assert member.get(mine.get_absolute_url()).status_code == 200
    other = Event.objects.get(topic="B支部党员大会")
    assert member.get(other.get_absolute_url()).status_code == 404
