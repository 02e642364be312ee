"""Pages of member development as a user meets them: the pipeline board (counts by stage
for a subtree in scope, due filters, exports, the plan drill-down, a fixed number of
queries), registering an applicant, the candidate's file, recording steps (blocked by the
rules, overridden by an administrator, votes at a branch general meeting), documents,
taking back a step, the yearly plans and the link from the member record."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.core.testing import Cast, make_id_number, make_member, make_org
from dangjian.development.choices import Stage, StepKind
from dangjian.development.models import Candidate, Plan, Quota, Step, StepDocument
from dangjian.development.testing import committee_post, general_meeting, new_candidate, schedule_date, walk
from dangjian.members.choices import Gender, PartyPost, Status
from dangjian.orglife.models import Vote
from dangjian.orgs.choices import OrgKind, Sector

TODAY = dt.date(2026, 11, 23)
# Applied so that the whole SCHEDULE (34 months and 5 days) lies before TODAY; admission
# (step 17, 22 months later) falls on 2025-10-01.
APPLIED = dt.date(2023, 12, 1)
# Applied so that admission (step 17) falls in TODAY's year: 2026-10-01.
APPLIED_2026 = dt.date(2024, 12, 1)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture(autouse=True)
def committees(cast: Cast) -> None:
    """Both branches have a secretary, who holds the talks (D2). With fewer than 7 full
    members they have no committee (O3), so their general meeting decides (D3)."""
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    committee_post(cast.members_b[0], cast.branch_b, dt.date(2020, 1, 1))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def errors_of(body: str) -> str:
    """The text of the form's error messages (field and top) and rule problems."""
    return " ".join(
        re.findall(
            r'class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>(.*?)</div>\s*(?:</div>|<)', body, re.S
        )
    )


def stage_cards(body: str) -> dict[str, int]:
    """The board's count per stage, read from its stage cards."""
    found = re.findall(r'data-stage="(\w+)">.*?<div class="fs-4 fw-semibold">(\d+)</div>', body, re.S)
    return {stage: int(count) for stage, count in found}


def listed(body: str) -> set[int]:
    """Candidates linked from the board's table."""
    table = body[body.index("<table") :]
    return {int(pk) for pk in re.findall(r'href="/development/(\d+)/"', table)}


def csv_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def rule_ids(body: str) -> list[str]:
    return re.findall(r'<li data-rule="([^"]+)">', body)


# --- The board ------------------------------------------------------------------------------


@pytest.fixture
def board(cast: Cast) -> dict[str, Candidate]:
    """Branch A: an applicant whose talk is overdue (D2), one whose talk is due soon, an
    activist waiting for the next examination. Branch B: an applicant, talk overdue."""
    a, b = cast.secretary_a, cast.secretary_b
    late = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=a)
    soon = new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 11, 10), actor=a)
    activist = walk(
        new_candidate(cast.branch_a, "周敏", applied_on=dt.date(2026, 3, 1), actor=a), a, until=StepKind.ACTIVIST
    )
    other = new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=b)
    return {"late": late, "soon": soon, "activist": activist, "other": other}


def test_board_counts_stages_of_the_subtree_in_scope(cast: Cast, board: dict[str, Candidate]) -> None:
    url = reverse("development:board")
    county = login(cast.county_admin)
    body = county.get(url).content.decode()
    assert stage_cards(body) == {
        "applicant": 3,
        "activist": 1,
        "development_object": 0,
        "probationary": 0,
        "full": 0,
        "ended": 0,
    }
    assert listed(body) == {c.pk for c in board.values()}

    body = county.get(f"{url}?within={cast.committee_x.pk}").content.decode()
    assert (stage_cards(body)["applicant"], stage_cards(body)["activist"]) == (2, 1)
    assert listed(body) == {board["late"].pk, board["soon"].pk, board["activist"].pk}
    body = county.get(f"{url}?within={cast.committee_y.pk}").content.decode()
    assert (stage_cards(body)["applicant"], stage_cards(body)["activist"]) == (1, 0)
    assert listed(body) == {board["other"].pk}
    # ``?org=`` on the board is the organization's subtree too, for the list as for the counts.
    body = county.get(f"{url}?org={cast.committee_x.pk}").content.decode()
    assert (stage_cards(body)["applicant"], stage_cards(body)["activist"]) == (2, 1)
    assert listed(body) == {board["late"].pk, board["soon"].pk, board["activist"].pk}

    # A secretary sees their own branch only, and cannot look into another subtree.
    secretary_b = login(cast.secretary_b)
    body = secretary_b.get(url).content.decode()
    assert (stage_cards(body)["applicant"], stage_cards(body)["activist"]) == (1, 0)
    assert listed(body) == {board["other"].pk}
    assert "陈晓" not in body and "周敏" not in body
    assert secretary_b.get(f"{url}?within={cast.branch_a.pk}").status_code == 404
    assert secretary_b.get(f"{url}?org={cast.committee_x.pk}").status_code == 404

    # The stage card filters the table.
    body = login(cast.secretary_a).get(f"{url}?stage=activist").content.decode()
    assert listed(body) == {board["activist"].pk}
    assert stage_cards(body)["applicant"] == 2  # the counts stay those of the subtree

    # A member sees no candidate and no count.
    body = login(cast.member_a).get(url).content.decode()
    assert listed(body) == set() and set(stage_cards(body).values()) == {0}
    assert "陈晓" not in body and "Register an applicant" not in body


def test_board_due_filters(cast: Cast, board: dict[str, Candidate]) -> None:
    url = reverse("development:board")
    secretary = login(cast.secretary_a)
    body = secretary.get(url).content.decode()
    assert re.search(r'id="overdue-link">.*?<span class="badge text-bg-light">1</span>', body, re.S)
    assert listed(secretary.get(f"{url}?due=overdue").content.decode()) == {board["late"].pk}
    assert listed(secretary.get(f"{url}?due=due_soon").content.decode()) == {board["soon"].pk}
    # The overdue row shows its badge with the rule; the waiting activist shows none.
    body = secretary.get(url).content.decode()
    row_late = re.search(rf'href="/development/{board["late"].pk}/".*?</tr>', body, re.S)
    assert row_late and "Overdue (D2)" in row_late.group(0)
    row_activist = re.search(rf'href="/development/{board["activist"].pk}/".*?</tr>', body, re.S)
    assert row_activist and "badge" not in row_activist.group(0)
    # County level: both branches' overdue applicants.
    county = login(cast.county_admin)
    assert listed(county.get(f"{url}?due=overdue").content.decode()) == {board["late"].pk, board["other"].pk}
    assert listed(county.get(f"{url}?due=overdue&within={cast.committee_y.pk}").content.decode()) == {board["other"].pk}


def test_board_exports_only_rows_in_scope(cast: Cast, board: dict[str, Candidate]) -> None:
    url = reverse("development:board")
    names = csv_names(login(cast.secretary_a).get(f"{url}?_export=csv"))
    assert sorted(names) == sorted(["陈晓", "林青", "周敏"])
    assert csv_names(login(cast.secretary_a).get(f"{url}?due=overdue&_export=csv")) == ["陈晓"]
    assert csv_names(login(cast.secretary_b).get(f"{url}?_export=csv")) == ["黄河"]
    # A subtree out of scope is not exported.
    assert login(cast.secretary_b).get(f"{url}?within={cast.branch_a.pk}&_export=csv").status_code == 404

    response = login(cast.county_admin).get(f"{url}?within={cast.committee_y.pk}&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["黄河"]
    assert rows[1][1] == "纺织公司党支部" and rows[1][2] == "Applicant"
    assert "Overdue" in rows[1]  # the due column exports its label
    # Roles without the export right get nothing.
    assert login(cast.member_a).get(f"{url}?_export=csv").status_code == 403


def test_board_query_count_does_not_grow_with_candidates(cast: Cast) -> None:
    url = reverse("development:board")
    secretary = login(cast.secretary_a)
    for i in range(2):
        new_candidate(cast.branch_a, f"申请人{i}", applied_on=dt.date(2026, 9 + i, 1), actor=cast.secretary_a)
    assert secretary.get(url).status_code == 200  # warm caches (session, figures)
    with CaptureQueriesContext(connection) as two:
        assert len(listed(secretary.get(url).content.decode())) == 2
    with CaptureQueriesContext(connection) as two_exported:
        assert len(csv_names(secretary.get(f"{url}?_export=csv"))) == 2
    for i in range(2, 10):
        new_candidate(cast.branch_a, f"申请人{i}", applied_on=dt.date(2026, 9, 1 + i), actor=cast.secretary_a)
    with CaptureQueriesContext(connection) as ten:
        assert len(listed(secretary.get(url).content.decode())) == 10
    assert len(ten) == len(two), [q["sql"] for q in ten.captured_queries]
    with CaptureQueriesContext(connection) as ten_exported:
        assert len(csv_names(secretary.get(f"{url}?_export=csv"))) == 10
    assert len(ten_exported) == len(two_exported), [q["sql"] for q in ten_exported.captured_queries]


# --- Registering an applicant ----------------------------------------------------------------


def applicant_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": cast.branch_a.pk,
        "name": "林小红",
        "id_number": make_id_number(dt.date(2001, 3, 4), Gender.FEMALE),
        "gender": "",
        "birth_date": "",
        "ethnicity": "01",
        "education": "",
        "occupation": "",
        "workplace": "东关村小学",
        "phone": "13912345678",
        "leaving_on": "",
        "note": "",
        "applied_on": "2026-11-20",
    }
    data.update(overrides)
    return data


def test_register_an_applicant_with_the_scanned_letter(cast: Cast) -> None:
    secretary = login(cast.secretary_a)
    form = secretary.get(reverse("development:add")).content.decode()
    assert "东关村党支部" in form and "纺织公司党支部" not in form
    data = applicant_data(cast, application_scan=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter"))
    response = secretary.post(reverse("development:add"), data)
    assert response.status_code == 302, errors_of(response.content.decode())
    candidate = Candidate.objects.get()
    assert response["Location"] == candidate.get_absolute_url()
    assert (candidate.name, candidate.organization, candidate.stage) == ("林小红", cast.branch_a, Stage.APPLICANT)
    assert candidate.birth_date == dt.date(2001, 3, 4) and candidate.gender == Gender.FEMALE  # from the ID number
    step = candidate.steps.get()
    assert (step.kind, step.on) == (StepKind.APPLICATION, dt.date(2026, 11, 20))
    assert step.documents.get().file.read() == b"%PDF-1.4 letter"
    # The talk is due within a month (D2).
    assert (candidate.next_kind, candidate.due_on, candidate.due_rule) == (StepKind.TALK, dt.date(2026, 12, 20), "D2")
    assert AuditEntry.objects.for_object(candidate).filter(action="create").exists()


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("bad_id", "id_number", "should be"),
        ("under_18", None, "the minimum age is 18 full years (D1)"),
        ("member", "id_number", "This person is already a party member."),
    ],
)
def test_bad_applicant_reshows_the_form_with_a_specific_error(
    cast: Cast, case: str, field: str | None, message: str
) -> None:
    if case == "bad_id":
        good = make_id_number(dt.date(2001, 3, 4), Gender.FEMALE)
        id_number = good[:17] + ("0" if good[17] != "0" else "1")
    elif case == "under_18":
        id_number = make_id_number(dt.date(2010, 6, 1), Gender.FEMALE)
    else:
        id_number = cast.members_a[1].id_number
    response = login(cast.secretary_a).post(
        reverse("development:add"), applicant_data(cast, id_number=id_number, name="林小红", note="邻居推荐")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body, errors_of(body)
    if field:
        assert re.search(rf'name="{field}".*?{re.escape(message)}', body, re.S), errors_of(body)
    else:
        assert re.search(rf"alert alert-danger.*?{re.escape(message)}", body, re.S)
    # What was typed is kept.
    assert 'value="林小红"' in body and "邻居推荐" in body and 'value="东关村小学"' in body
    assert f'value="{id_number}"' in body
    assert not Candidate.objects.exists() and not Step.objects.exists()


def test_an_applicant_already_in_the_procedure_is_refused(cast: Cast) -> None:
    existing = new_candidate(cast.branch_a, "林小红", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    response = login(cast.secretary_a).post(
        reverse("development:add"), applicant_data(cast, id_number=existing.id_number, note="再次申请")
    )
    assert response.status_code == 400
    assert "A candidate with this ID number is already in the procedure." in response.content.decode()
    assert "再次申请" in response.content.decode()
    assert Candidate.objects.count() == 1 and Step.objects.count() == 1


def test_registration_is_scoped(cast: Cast) -> None:
    response = login(cast.secretary_b).post(reverse("development:add"), applicant_data(cast))
    assert response.status_code == 400  # branch A is not a choice for secretary B
    assert not Candidate.objects.exists()
    assert login(cast.member_a).get(reverse("development:add")).status_code == 403
    assert login(cast.inspector).post(reverse("development:add"), applicant_data(cast)).status_code == 403
    assert not Candidate.objects.exists()


# --- The candidate's file ---------------------------------------------------------------------


def test_detail_shows_timeline_next_steps_and_dues(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ACTIVIST)
    body = login(cast.secretary_a).get(candidate.get_absolute_url()).content.decode()
    timeline = body[body.index('id="timeline"') : body.index("</ol>")]
    assert re.findall(r'data-kind="(\w+)"', timeline) == ["s01", "s02", "s03"]
    assert "2026-03-01" in timeline and "2026-03-11" in timeline and "2026-09-01" in timeline
    assert "张三" in timeline  # held the talk (D2)
    assert "Recommended by party members" in timeline
    next_steps = body[body.index('id="next-steps"') :]
    next_steps = next_steps[: next_steps.index("</div>")]
    assert re.findall(r'data-kind="(\w+)"', next_steps) == ["s04", "ended"]
    dues = body[body.index('id="dues"') : body.index("</ul>", body.index('id="dues"'))]
    # The next examination of the activist (D6), six months after becoming one.
    assert re.search(r"examination of the activist.*?due by 2027-03-01.*?D6", dues, re.S), dues
    assert '<span class="badge text-bg-danger" id="stage">Activist</span>' in body
    assert "**************" in body  # the ID number is masked on the page
    assert candidate.id_number not in body


def test_detail_is_scoped(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    url = candidate.get_absolute_url()
    for user in (cast.secretary_a, cast.committee_admin, cast.county_admin, cast.inspector, cast.platform_admin):
        assert login(user).get(url).status_code == 200, user
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert login(user).get(url).status_code == 404, user
    # Read-only roles see no buttons to record steps.
    body = login(cast.inspector).get(url).content.decode()
    assert 'id="next-steps"' not in body
    assert Client().get(url).status_code == 302


def test_overdue_due_shows_in_red(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    body = login(cast.secretary_a).get(candidate.get_absolute_url()).content.decode()
    assert re.search(r'<span class="text-danger fw-semibold">due by 2026-10-01</span>', body)


# --- Recording steps -------------------------------------------------------------------------


@pytest.fixture
def applicant(cast: Cast) -> Candidate:
    """Applied on 2026-03-01, the talk held on 2026-03-11: activist possible from
    2026-09-01 (D4)."""
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    return walk(candidate, cast.secretary_a, until=StepKind.TALK)


def step_url(candidate: Candidate, kind: str) -> str:
    return reverse("development:step_add", args=[candidate.pk, kind])


def activist_data(on: str, **extra: Any) -> dict[str, Any]:
    return {"on": on, "body": "general_meeting", "recommendation": "members", "notes": "", **extra}


def test_record_the_talk_and_the_activist(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    secretary = login(cast.secretary_a)
    form = secretary.get(step_url(candidate, StepKind.TALK)).content.decode()
    assert "张三" in form and "钱七" not in form  # people of the branch and the committees above
    assert 'name="override_reason"' not in form
    response = secretary.post(
        step_url(candidate, StepKind.TALK),
        {"on": "2026-03-11", "body": "branch", "people": [cast.members_a[0].pk], "other_people": "", "notes": ""},
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    assert response["Location"] == candidate.get_absolute_url()
    talk = candidate.steps.get(kind=StepKind.TALK)
    assert list(talk.people.all()) == [cast.members_a[0]]
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.reached, candidate.next_kind) == (Stage.APPLICANT, 2, StepKind.ACTIVIST)

    response = secretary.post(step_url(candidate, StepKind.ACTIVIST), activist_data("2026-09-01"))
    assert response.status_code == 302, errors_of(response.content.decode())
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ACTIVIST
    assert "Step recorded." in secretary.get(response["Location"]).content.decode()


def test_a_talk_by_someone_not_on_the_committee_is_blocked(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    response = login(cast.secretary_a).post(
        step_url(candidate, StepKind.TALK),
        {"on": "2026-03-11", "body": "branch", "people": [cast.members_a[2].pk]},
    )
    assert response.status_code == 400
    assert rule_ids(response.content.decode()) == ["D2"]
    assert not candidate.steps.filter(kind=StepKind.TALK).exists()


def test_a_step_too_early_is_refused_with_the_rule(cast: Cast, applicant: Candidate) -> None:
    response = login(cast.secretary_a).post(step_url(applicant, StepKind.ACTIVIST), activist_data("2026-05-01"))
    body = response.content.decode()
    assert response.status_code == 400
    assert rule_ids(body) == ["D4"]
    assert "at the earliest 6 months after applying, on 2026-09-01 (D4)" in body
    assert 'value="2026-05-01"' in body  # the typed date is kept
    assert not applicant.steps.filter(kind=StepKind.ACTIVIST).exists()
    applicant.refresh_from_db()
    assert applicant.stage == Stage.APPLICANT


def test_a_secretary_cannot_override(cast: Cast, applicant: Candidate) -> None:
    secretary = login(cast.secretary_a)
    assert 'name="override_reason"' not in secretary.get(step_url(applicant, StepKind.ACTIVIST)).content.decode()
    # A forged submission with a reason is still refused, and says who can record it.
    response = secretary.post(
        step_url(applicant, StepKind.ACTIVIST), activist_data("2026-05-01", override_reason="书记认为可以")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert rule_ids(body) == ["D4"]
    assert "ask an administrator of the higher organization to record it with a written reason" in body
    assert 'name="override_reason"' not in body
    assert not applicant.steps.filter(kind=StepKind.ACTIVIST).exists()
    assert not Step.objects.exclude(overridden_problems=[]).exists()


def test_an_administrator_overrides_with_a_reason(cast: Cast, applicant: Candidate) -> None:
    admin = login(cast.committee_admin)
    url = step_url(applicant, StepKind.ACTIVIST)
    assert 'name="override_reason"' in admin.get(url).content.decode()
    # Without a reason the administrator is told the rule and how to override.
    response = admin.post(url, activist_data("2026-05-01"))
    assert response.status_code == 400
    assert rule_ids(response.content.decode()) == ["D4"]
    assert "As an administrator you may record it anyway" in response.content.decode()
    assert not applicant.steps.filter(kind=StepKind.ACTIVIST).exists()

    response = admin.post(url, activist_data("2026-05-01", override_reason="县委组织部批准提前确定"))
    assert response.status_code == 302, errors_of(response.content.decode())
    step = applicant.steps.get(kind=StepKind.ACTIVIST)
    assert [p["rule"] for p in step.overridden_problems] == ["D4"]
    assert (step.override_reason, step.overridden_by) == ("县委组织部批准提前确定", cast.committee_admin)
    applicant.refresh_from_db()
    assert applicant.stage == Stage.ACTIVIST

    detail = admin.get(response["Location"]).content.decode()
    assert "Step recorded against the rules; the override is reported." in detail
    override = re.search(rf'<li class="([^"]*)" id="step-{step.pk}".*?</li>', detail, re.S)
    assert override and "data-override" in override.group(0)
    assert "县委组织部批准提前确定" in override.group(0) and "(D4)" in override.group(0)
    assert "list-group-item-warning" in override.group(1)
    # Other steps carry no override mark.
    talk = applicant.steps.get(kind=StepKind.TALK)
    talk_item = re.search(rf'<li class="([^"]*)" id="step-{talk.pk}".*?</li>', detail, re.S)
    assert talk_item and "data-override" not in talk_item.group(0)
    assert "list-group-item-warning" not in talk_item.group(1)

    # The overrides report lists it for those in scope only.
    report = reverse("development:overrides")
    for user in (cast.committee_admin, cast.county_admin, cast.secretary_a, cast.inspector):
        body = login(user).get(report).content.decode()
        assert "陈晓" in body and "县委组织部批准提前确定" in body and "(D4)" in body, user
    body = login(cast.secretary_b).get(report).content.decode()
    assert "陈晓" not in body and "县委组织部批准提前确定" not in body
    names = csv_names(login(cast.county_admin).get(f"{report}?_export=csv"))
    assert len(names) == 1


def test_an_administrator_out_of_scope_cannot_record(cast: Cast, applicant: Candidate) -> None:
    url = step_url(applicant, StepKind.ACTIVIST)
    for user in (cast.secretary_b, cast.member_a, cast.inspector, cast.instructor):
        assert login(user).get(url).status_code == 404, user
        assert login(user).post(url, activist_data("2026-09-01")).status_code == 404, user
    assert not applicant.steps.filter(kind=StepKind.ACTIVIST).exists()


@pytest.mark.parametrize("kind", [StepKind.CONTACTS, StepKind.APPLICATION, StepKind.TALK, StepKind.NOTICE, "bogus"])
def test_a_step_not_allowed_next_is_not_found(cast: Cast, applicant: Candidate, kind: str) -> None:
    secretary = login(cast.secretary_a)
    assert secretary.get(step_url(applicant, kind)).status_code == 404
    assert secretary.post(step_url(applicant, kind), {"on": "2026-09-01"}).status_code == 404
    assert applicant.steps.count() == 2


def vote_data(event: Any, votes_for: int, votes_against: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "event": event.pk,
        "body": "general_meeting",
        "votes_for": votes_for,
        "votes_against": votes_against,
        "abstentions": 0,
        "written_for": 0,
        "written_against": 0,
        "notes": "",
        **extra,
    }


def test_admission_vote_at_a_general_meeting(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.APPLICATION_FORM)
    meeting = general_meeting(cast.branch_a, schedule_date(APPLIED, 16), cast.secretary_a)
    voters = meeting.attendances.filter(voting=True).count()
    assert voters == 4  # the probationary member (吴十) has no vote (D25) and joined later anyway
    secretary = login(cast.secretary_a)
    url = step_url(candidate, StepKind.ADMISSION_VOTE)
    form = secretary.get(url).content.decode()
    assert f'value="{meeting.pk}"' in form and "发展党员" in form
    assert reverse("orglife:add", args=["general_meeting"]) in form

    # 2 of 4 voting members due is not more than half (D14): blocked, nothing kept.
    response = secretary.post(url, vote_data(meeting, 2, 2))
    assert response.status_code == 400
    assert set(rule_ids(response.content.decode())) == {"D14"}
    assert not Vote.objects.exists()
    assert not candidate.steps.filter(kind=StepKind.ADMISSION_VOTE).exists()

    response = secretary.post(url, vote_data(meeting, 3, 1))
    assert response.status_code == 302, errors_of(response.content.decode())
    step = candidate.steps.get(kind=StepKind.ADMISSION_VOTE)
    assert step.on == meeting.held_on and step.event == meeting
    assert step.vote is not None and step.vote.passed and step.vote.votes_for == 3
    candidate.refresh_from_db()
    # Approval is due within 3 months of the vote (D17).
    assert (candidate.stage, candidate.next_kind, candidate.due_rule) == (
        Stage.DEVELOPMENT_OBJECT,
        StepKind.ADMISSION_APPROVAL,
        "D17",
    )
    assert candidate.due_on == dt.date(2025, 12, 1)
    detail = secretary.get(candidate.get_absolute_url()).content.decode()
    assert "3 for, 4 of 4 voting members present" in detail and "Carried" in detail


def test_a_vote_needs_a_meeting_of_the_branch(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.APPLICATION_FORM)
    other = general_meeting(cast.branch_b, schedule_date(APPLIED, 16), cast.secretary_b)
    response = login(cast.secretary_a).post(step_url(candidate, StepKind.ADMISSION_VOTE), vote_data(other, 4))
    assert response.status_code == 400
    assert re.search(r'name="event".*?Select a valid choice', response.content.decode(), re.S)
    response = login(cast.secretary_a).post(
        step_url(candidate, StepKind.ADMISSION_VOTE), {"body": "general_meeting", "votes_for": 4}
    )
    assert response.status_code == 400
    assert not Vote.objects.exists() and not candidate.steps.filter(kind=StepKind.ADMISSION_VOTE).exists()


def test_full_membership_vote_then_approval(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=24)  # the public notice after step 22
    meeting = general_meeting(cast.branch_a, schedule_date(APPLIED, 25), cast.secretary_a)
    secretary = login(cast.secretary_a)
    # Not carried: blocked (D21, the quorum and pass rule of D13/D14 for full membership).
    response = secretary.post(step_url(candidate, StepKind.FULL_VOTE), vote_data(meeting, 1, 3))
    assert response.status_code == 400 and set(rule_ids(response.content.decode())) == {"D21"}
    assert not candidate.steps.filter(kind=StepKind.FULL_VOTE).exists()
    response = secretary.post(step_url(candidate, StepKind.FULL_VOTE), vote_data(meeting, 4))
    assert response.status_code == 302, errors_of(response.content.decode())
    vote = candidate.steps.get(kind=StepKind.FULL_VOTE).vote
    assert vote is not None and vote.member == candidate.member and vote.passed

    form = secretary.get(step_url(candidate, StepKind.FULL_APPROVAL)).content.decode()
    assert re.search(rf'<option value="{cast.committee_x.pk}" selected>', form)  # D16: the township committee
    response = secretary.post(
        step_url(candidate, StepKind.FULL_APPROVAL),
        {"on": schedule_date(APPLIED, 26).isoformat(), "body": "higher_committee", "decided_by": cast.committee_x.pk},
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    candidate.refresh_from_db()
    assert candidate.stage == Stage.FULL
    assert candidate.member is not None and candidate.member.status == Status.FULL


def test_a_talk_held_by_the_township_committee(cast: Cast) -> None:
    """A branch member on the committee above holds the talk (D2); the form offers them."""
    office = make_org("镇机关党支部", OrgKind.BRANCH, Sector.GOVERNMENT_ORGAN, cast.committee_x)
    deputy = make_member(office, "钟书记")
    committee_post(deputy, cast.committee_x, dt.date(2020, 1, 1), PartyPost.DEPUTY_SECRETARY)
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2026, 3, 1), actor=cast.secretary_a)
    secretary = login(cast.secretary_a)
    assert "钟书记" in secretary.get(step_url(candidate, StepKind.TALK)).content.decode()
    response = secretary.post(
        step_url(candidate, StepKind.TALK), {"on": "2026-03-11", "body": "branch", "people": [deputy.pk]}
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    assert list(candidate.steps.get(kind=StepKind.TALK).people.all()) == [deputy]


def test_public_notice_before_the_pre_review(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.BRANCH_REVIEW)
    secretary = login(cast.secretary_a)
    detail = secretary.get(candidate.get_absolute_url()).content.decode()
    assert re.findall(r'data-kind="(\w+)"', detail[detail.index('id="next-steps"') :])[:3] == ["s13", "notice", "ended"]
    start = schedule_date(APPLIED, 13)  # 2025-08-02, a Saturday
    url = step_url(candidate, StepKind.NOTICE)
    form = secretary.get(url).content.decode()
    assert "Notice from" in form and 'name="until"' in form
    short = {"on": start.isoformat(), "until": (start + dt.timedelta(days=4)).isoformat()}
    response = secretary.post(url, short)
    assert response.status_code == 400
    assert rule_ids(response.content.decode()) == ["D11"]
    assert "at least 5 working days; this one has 3 (D11)" in response.content.decode()
    assert not candidate.steps.filter(kind=StepKind.NOTICE).exists()
    missing = secretary.post(url, {"on": start.isoformat()})
    assert missing.status_code == 400 and re.search(
        r'name="until".*?This field is required', missing.content.decode(), re.S
    )
    response = secretary.post(url, {"on": start.isoformat(), "until": (start + dt.timedelta(days=9)).isoformat()})
    assert response.status_code == 302, errors_of(response.content.decode())
    notice = candidate.steps.get(kind=StepKind.NOTICE)
    assert notice.until == dt.date(2025, 8, 11)
    # The pre-review needs the notice to have ended (D11).
    response = secretary.post(
        step_url(candidate, StepKind.PRE_REVIEW), {"on": "2025-08-11", "body": "higher_committee"}
    )
    assert response.status_code == 400 and rule_ids(response.content.decode()) == ["D11"]
    response = secretary.post(
        step_url(candidate, StepKind.PRE_REVIEW), {"on": "2025-08-12", "body": "higher_committee"}
    )
    assert response.status_code == 302, errors_of(response.content.decode())


def test_probation_extended_once(cast: Cast) -> None:
    # Admitted on 2025-07-01 (vote), so probation ends on 2026-07-01, before today.
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=dt.date(2023, 10, 1), actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)
    secretary = login(cast.secretary_a)
    assert "Probation ends: 2026-07-01 (D19)" in secretary.get(candidate.get_absolute_url()).content.decode()
    url = step_url(candidate, StepKind.EXTENSION)
    data = {"on": "2026-07-03", "body": "general_meeting", "months": 3}
    response = secretary.post(url, data)
    assert response.status_code == 400 and rule_ids(response.content.decode()) == ["D20"]
    # Decided when probation ends, not before (D20).
    response = secretary.post(url, {**data, "on": "2026-06-30", "months": 6})
    assert response.status_code == 400 and rule_ids(response.content.decode()) == ["D20"]
    response = secretary.post(url, {**data, "months": 6})
    assert response.status_code == 302, errors_of(response.content.decode())
    detail = secretary.get(candidate.get_absolute_url()).content.decode()
    assert "Probation ends: 2027-01-01 (D19)" in detail and "Extended by 6 months" in detail
    assert secretary.get(url).status_code == 404  # once only (D20)


def test_leaving_during_probation_cancels_the_membership(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED_2026, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)
    secretary = login(cast.secretary_a)
    url = step_url(candidate, StepKind.ENDED)
    missing = secretary.post(url, {"on": "2026-11-20", "body": "general_meeting", "notes": "本人申请"})
    assert missing.status_code == 400 and not candidate.steps.filter(kind=StepKind.ENDED).exists()
    # A probationary member who moves is transferred, not cancelled; the general meeting
    # decides a cancellation (D20).
    moved = secretary.post(url, {"on": "2026-11-20", "body": "general_meeting", "end_reason": "left_unit"})
    assert moved.status_code == 400 and rule_ids(moved.content.decode()) == ["D20"]
    by_committee = secretary.post(
        url, {"on": "2026-11-20", "body": "branch_committee", "end_reason": "probation_cancelled"}
    )
    assert by_committee.status_code == 400 and rule_ids(by_committee.content.decode()) == ["D20"]
    assert not candidate.steps.filter(kind=StepKind.ENDED).exists()
    response = secretary.post(
        url, {"on": "2026-11-20", "body": "general_meeting", "end_reason": "probation_cancelled", "notes": "考察不合格"}
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.next_kind, candidate.due_on) == (Stage.ENDED, "", None)
    assert candidate.member is not None
    candidate.member.refresh_from_db()
    assert candidate.member.status != Status.PROBATIONARY
    detail = secretary.get(candidate.get_absolute_url()).content.decode()
    assert 'id="next-steps"' not in detail and "Left the procedure" in detail
    assert secretary.get(step_url(candidate, StepKind.OATH)).status_code == 404
    # Taking back the cancellation is refused: it changed the member registry.
    response = login(cast.committee_admin).post(reverse("development:undo", args=[candidate.pk]))
    assert response.status_code == 400 and candidate.steps.filter(kind=StepKind.ENDED).exists()


# --- Documents -------------------------------------------------------------------------------


def test_documents_upload_download_scope_and_removal(
    cast: Cast, applicant: Candidate, django_capture_on_commit_callbacks: Any
) -> None:
    talk = applicant.steps.get(kind=StepKind.TALK)
    secretary = login(cast.secretary_a)
    url = reverse("development:document_add", args=[talk.pk])
    assert login(cast.secretary_b).post(url, {"file": SimpleUploadedFile("x.pdf", b"x")}).status_code == 404
    assert login(cast.inspector).get(url).status_code == 404
    missing = secretary.post(url, {"description": "谈话记录"})
    assert missing.status_code == 400 and 'value="谈话记录"' in missing.content.decode()
    assert not talk.documents.exists()

    response = secretary.post(
        url, {"file": SimpleUploadedFile("talk.pdf", b"%PDF-1.4 talk record"), "description": "谈话记录"}
    )
    assert response.status_code == 302
    assert response["Location"] == applicant.get_absolute_url() + f"#step-{talk.pk}"
    document = talk.documents.get()
    assert document.file.name.startswith("development/2026/03/")
    download = reverse("development:document", args=[document.pk])
    detail = secretary.get(applicant.get_absolute_url()).content.decode()
    assert download in detail and "谈话记录" in detail

    response = secretary.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 talk record"
    assert login(cast.county_admin).get(download).status_code == 200
    for user in (cast.secretary_b, cast.member_a, cast.instructor):
        assert login(user).get(download).status_code == 404, user
    assert Client().get(download).status_code == 302  # to the login page

    remove = reverse("development:document_remove", args=[document.pk])
    assert login(cast.secretary_b).post(remove).status_code == 404
    assert login(cast.inspector).post(remove).status_code == 404
    name, storage = document.file.name, document.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(remove)
    assert response.status_code == 302
    assert not StepDocument.objects.filter(pk=document.pk).exists() and not storage.exists(name)
    assert secretary.get(download).status_code == 404
    assert AuditEntry.objects.filter(action="delete", content_type__model="stepdocument").exists()


def test_the_archive_needs_its_documents(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.FULL_APPROVAL)
    review = candidate.steps.get(kind=StepKind.POLITICAL_REVIEW)
    secretary = login(cast.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("development:document_remove", args=[review.documents.get().pk]))
    assert response.status_code == 302
    archive = {"on": schedule_date(APPLIED, 27).isoformat(), "notes": ""}
    response = secretary.post(step_url(candidate, StepKind.ARCHIVED), archive)
    assert response.status_code == 400
    assert rule_ids(response.content.decode()) == ["D24"]
    assert "The archive lacks: political review material (D24)." in response.content.decode()
    assert not candidate.steps.filter(kind=StepKind.ARCHIVED).exists()
    # The missing material is added to the review step again.
    response = secretary.post(
        reverse("development:document_add", args=[review.pk]),
        {"file": SimpleUploadedFile("review.pdf", b"%PDF-1.4 review"), "description": "政审材料"},
    )
    assert response.status_code == 302
    response = secretary.post(
        step_url(candidate, StepKind.ARCHIVED),
        {**archive, "document": SimpleUploadedFile("index.pdf", b"%PDF-1.4 index")},
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    archived = candidate.steps.get(kind=StepKind.ARCHIVED)
    assert archived.documents.get().file.read() == b"%PDF-1.4 index"  # uploaded with the step
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.reached, candidate.next_kind) == (Stage.FULL, 25, "")
    body = secretary.get(candidate.get_absolute_url()).content.decode()
    assert 'id="next-steps"' not in body and "Nothing is due." in body


def test_edit_personal_data_until_admission(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    secretary = login(cast.secretary_a)
    url = reverse("development:edit", args=[candidate.pk])
    form = secretary.get(url).content.decode()
    assert f'value="{candidate.id_number}"' in form and 'name="organization"' not in form
    data = applicant_data(cast, name="陈晓", id_number=candidate.id_number, workplace="县第一中学")
    response = secretary.post(url, data)
    assert response.status_code == 302, errors_of(response.content.decode())
    candidate.refresh_from_db()
    assert candidate.workplace == "县第一中学"
    assert login(cast.secretary_b).post(url, data).status_code == 404
    assert login(cast.inspector).get(url).status_code == 404
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)
    response = secretary.post(url, {**data, "workplace": "县第二中学"})
    assert response.status_code == 400
    assert "edit the member record instead" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.workplace == "县第一中学"


# --- Taking back a step ----------------------------------------------------------------------


def test_only_an_administrator_takes_back_a_step(cast: Cast, applicant: Candidate) -> None:
    url = reverse("development:undo", args=[applicant.pk])
    secretary = login(cast.secretary_a)
    assert "Take back the latest step" not in secretary.get(applicant.get_absolute_url()).content.decode()
    assert secretary.get(url).status_code == 404
    assert secretary.post(url).status_code == 404
    assert login(cast.secretary_b).post(url).status_code == 404
    assert applicant.steps.count() == 2

    admin = login(cast.committee_admin)
    assert "Take back the latest step" in admin.get(applicant.get_absolute_url()).content.decode()
    response = admin.post(url)
    assert response.status_code == 302
    assert list(applicant.steps.values_list("kind", flat=True)) == [StepKind.APPLICATION]
    applicant.refresh_from_db()
    assert (applicant.reached, applicant.next_kind) == (1, StepKind.TALK)
    # Step 1 stays: there is nothing more to take back.
    response = admin.post(url)
    assert response.status_code == 400
    assert "There is no step to take back." in response.content.decode()
    assert applicant.steps.count() == 1


def test_taking_back_a_vote_removes_it(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_VOTE)
    assert Vote.objects.count() == 1
    assert login(cast.committee_admin).post(reverse("development:undo", args=[candidate.pk])).status_code == 302
    assert not Vote.objects.exists()
    candidate.refresh_from_db()
    assert candidate.reached == 14


@pytest.mark.parametrize("until", [StepKind.ADMISSION_APPROVAL, StepKind.FULL_APPROVAL])
def test_approvals_cannot_be_taken_back(cast: Cast, until: str) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=until)
    response = login(cast.committee_admin).post(reverse("development:undo", args=[candidate.pk]))
    assert response.status_code == 400
    assert "This step changed the member registry; it cannot be taken back here." in response.content.decode()
    assert candidate.steps.filter(kind=until).exists()
    candidate.refresh_from_db()
    assert candidate.member is not None


# --- Plans -----------------------------------------------------------------------------------


def test_plan_with_quotas_and_its_progress(cast: Cast) -> None:
    a = cast.secretary_a
    admitted = walk(
        new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED_2026, actor=a), a, until=StepKind.ADMISSION_APPROVAL
    )
    # Admitted in 2025: not counted in the 2026 plan.
    walk(new_candidate(cast.branch_a, "林青", applied_on=APPLIED, actor=a), a, until=StepKind.ADMISSION_APPROVAL)
    # Voted on but not yet approved: not counted.
    walk(new_candidate(cast.branch_a, "周敏", applied_on=APPLIED_2026, actor=a), a, until=StepKind.ADMISSION_VOTE)
    admin = login(cast.committee_admin)
    add = reverse("development:plan_add")
    form = admin.get(f"{add}?org={cast.committee_x.pk}").content.decode()
    assert f'name="quota_{cast.branch_a.pk}"' in form and f'name="quota_{cast.branch_b.pk}"' not in form
    assert "非公党委" not in form  # committee Y is out of committee X's admin's scope
    response = admin.post(
        add, {"organization": cast.committee_x.pk, "year": 2026, "note": "全年发展3名", f"quota_{cast.branch_a.pk}": 3}
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    plan = Plan.objects.get()
    assert admin.get(response["Location"]).status_code == 200
    assert (plan.organization, plan.year) == (cast.committee_x, 2026)
    assert list(plan.quotas.values_list("organization", "admissions")) == [(cast.branch_a.pk, 3)]

    body = admin.get(plan.get_absolute_url()).content.decode()
    assert "Planned 3, admitted 1." in body
    drill = f"?within={cast.branch_a.pk}&amp;admitted_in=2026"
    assert f'{drill}">1</a>' in body
    # The drill-down lists exactly the candidate counted.
    board = admin.get(reverse("development:board") + f"?within={cast.branch_a.pk}&admitted_in=2026")
    assert listed(board.content.decode()) == {admitted.pk}
    assert len(listed(admin.get(reverse("development:board") + "?admitted_in=2025").content.decode())) == 1

    # The same plan again is refused with a message.
    again = admin.post(add, {"organization": cast.committee_x.pk, "year": 2026, f"quota_{cast.branch_a.pk}": 1})
    assert again.status_code == 400
    assert "This committee already has a plan for that year." in again.content.decode()
    assert Plan.objects.count() == 1

    # The secretary sees the branch's quota on the board but cannot edit the plan.
    secretary = login(cast.secretary_a)
    board_body = secretary.get(reverse("development:board")).content.decode()
    assert "Development plan 2026" in board_body
    quota_row = re.search(r"<tbody><tr><td>.*?</tr>", board_body[board_body.index("Development plan 2026") :], re.S)
    assert quota_row and "东关村党支部" in quota_row.group(0)
    assert re.findall(r'class="text-end">(?:<a [^>]*>)?(\d+)', quota_row.group(0)) == ["3", "1"]
    assert secretary.get(reverse("development:plan_edit", args=[plan.pk])).status_code == 404
    response = secretary.post(reverse("development:plan_edit", args=[plan.pk]), {f"quota_{cast.branch_a.pk}": 9})
    assert response.status_code == 404
    assert Quota.objects.get().admissions == 3
    response = secretary.post(add, {"organization": cast.committee_x.pk, "year": 2027})
    assert response.status_code == 400 and Plan.objects.count() == 1
    assert "New development plan" not in secretary.get(reverse("development:plans")).content.decode()
    # Branch B's secretary sees no quota.
    assert "Development plan 2026" not in login(cast.secretary_b).get(reverse("development:board")).content.decode()


def test_edit_plan_quotas(cast: Cast) -> None:
    admin = login(cast.committee_admin)
    admin.post(
        reverse("development:plan_add"),
        {"organization": cast.committee_x.pk, "year": 2026, f"quota_{cast.branch_a.pk}": 3},
    )
    plan = Plan.objects.get()
    url = reverse("development:plan_edit", args=[plan.pk])
    assert 'value="3"' in admin.get(url).content.decode()
    response = admin.post(url, {"note": "调整", f"quota_{cast.branch_a.pk}": 5})
    assert response.status_code == 302
    assert Quota.objects.get().admissions == 5
    response = admin.post(url, {"note": "", f"quota_{cast.branch_a.pk}": 0})
    assert response.status_code == 302
    assert not Quota.objects.exists()
    assert login(cast.secretary_b).get(plan.get_absolute_url()).status_code == 404


# --- The member record -----------------------------------------------------------------------


def test_member_record_links_to_the_development_file(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)
    assert candidate.member is not None
    secretary = login(cast.secretary_a)
    body = secretary.get(reverse("members:detail", args=[candidate.member.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)" id="development-file">([^<]+)</a>', body)
    assert link and link.groups() == (candidate.get_absolute_url(), "Probationary member")
    detail = secretary.get(candidate.get_absolute_url()).content.decode()
    assert reverse("members:detail", args=[candidate.member.pk]) in detail
    # After admission the personal data are edited on the member record.
    assert "Edit personal data" not in detail
    # A member without a development file has no link.
    other = secretary.get(reverse("members:detail", args=[cast.members_a[1].pk])).content.decode()
    assert 'id="development-file"' not in other


# --- Links -----------------------------------------------------------------------------------


def links(body: str) -> set[str]:
    """The app's own links on a page (development, members, organizations, meetings)."""
    found = set(re.findall(r'href="(/(?:development|members|orgs|life)/[^"#]*)', body))
    return {href.replace("&amp;", "&") for href in found}


@pytest.mark.parametrize("role", ["secretary_a", "committee_admin", "county_admin", "inspector"])
def test_every_link_on_the_development_pages_leads_somewhere(cast: Cast, role: str) -> None:
    a = cast.secretary_a
    admitted = walk(
        new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED_2026, actor=a), a, until=StepKind.ADMISSION_APPROVAL
    )
    new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 9, 1), actor=a)
    login(cast.committee_admin).post(
        reverse("development:plan_add"),
        {"organization": cast.committee_x.pk, "year": 2026, f"quota_{cast.branch_a.pk}": 3},
    )
    client = login(getattr(cast, role))
    pages = [
        reverse("development:board"),
        admitted.get_absolute_url(),
        reverse("development:plans"),
        reverse("development:overrides"),
    ]
    seen: dict[str, int] = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in links(response.content.decode()):
            if href not in seen:
                seen[href] = client.get(href).status_code
    dead = {href: status for href, status in seen.items() if status >= 400}
    assert not dead, dead
