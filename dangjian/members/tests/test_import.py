"""Importing a member roster: preview, row-level errors, all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.core.imports import REGISTRY
from dangjian.core.models import AuditEntry, ImportBatch, ImportState
from dangjian.core.testing import Cast, make_id_number
from dangjian.members.choices import Gender, Status, Transition
from dangjian.members.models import Member, StatusChange

HEADERS = [c.template_header() for c in REGISTRY["members"].columns]


def row(org_code: str, name: str, id_number: str, **extra: str) -> dict[str, str]:
    values = {
        "organization": org_code,
        "name": name,
        "id_number": id_number,
        "status": "正式党员",
        "joined_on": "2005-07-01",
        "full_on": "2006-07-01",
    }
    values.update(extra)
    return values


def xlsx(rows: list[dict[str, str]], headers: list[str] | None = None) -> io.BytesIO:
    columns = REGISTRY["members"].columns
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for values in rows:
        sheet.append([values.get(c.key, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    return buffer


def upload(client: Client, file: io.BytesIO) -> ImportBatch:
    response = client.post(reverse("core:import", args=["members"]), {"file": file})
    assert response.status_code == 302, response.content[:500]
    return ImportBatch.objects.latest("pk")


@pytest.fixture
def secretary(cast: Cast) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.secretary_a)
    return client


def test_clean_roster_previews_then_imports_everything(cast: Cast, secretary: Client, settings) -> None:
    settings.IMPORT_BATCH_SIZE = 7  # several batches
    before = Member.objects.count()
    rows = [row("BA", f"新人{i:02d}", make_id_number(dt.date(1980, 1, 1) + dt.timedelta(days=i))) for i in range(20)]
    rows[0].update(status="预备党员", full_on="", joined_on="2026/03/01")
    rows[1].update(
        gender="女",
        id_number=make_id_number(dt.date(1990, 2, 2), Gender.FEMALE),
        joined_on="2012-05-04",
        full_on="2013-06-01",
    )
    batch = upload(secretary, xlsx(rows))
    assert batch.state == ImportState.READY, batch.errors
    assert batch.total_rows == 20 and batch.preview[0]["name"] == "新人00"
    assert Member.objects.count() == before  # checking writes nothing
    page = secretary.get(reverse("core:import_detail", args=[batch.pk])).content.decode()
    assert "新人00" in page and "Import 20 rows" in page

    secretary.post(reverse("core:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE and batch.imported_count == 20
    assert Member.objects.count() == before + 20
    first = Member.objects.get(name="新人00")
    assert first.status == Status.PROBATIONARY and first.joined_on == dt.date(2026, 3, 1)
    assert first.birth_date == dt.date(1980, 1, 1) and first.name_initials == "xr00"
    assert Member.objects.get(name="新人01").gender == Gender.FEMALE
    assert StatusChange.objects.filter(member=first, transition=Transition.REGISTERED).exists()
    entry = AuditEntry.objects.for_object(first).get()
    assert entry.source == "import" and entry.actor == cast.secretary_a
    assert not batch.file  # the roster with ID numbers is not kept


def test_broken_roster_reports_each_row_and_imports_nothing(cast: Cast) -> None:
    committee = Client(HTTP_ACCEPT_LANGUAGE="en")
    committee.force_login(cast.committee_admin)  # scope: committee X and branch A
    existing = cast.members_a[1]
    good = make_id_number()
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        row("BA", "好人", good),
        row("BA", "错号", bad_checksum),
        row("NOPE", "无组织", make_id_number()),
        row("BB", "越界", make_id_number()),  # branch B is outside committee X's scope
        row("BA", "重复甲", existing.id_number),
        row("BA", "文件内重复", good),
        row("BA", "坏日期", make_id_number(), joined_on="2005-13-45"),
        row("BA", "性别不符", make_id_number(gender=Gender.MALE), gender="女"),
        row("CX", "非支部", make_id_number()),
    ]
    before = Member.objects.count()
    batch = upload(committee, xlsx(rows))
    assert batch.state == ImportState.INVALID
    by_row = {}
    for error in batch.errors:
        by_row.setdefault(error["row"], []).append(error["message"])
    assert 2 not in by_row  # the good row
    assert "check character" in by_row[3][0]
    assert "No organization with this code" in by_row[4][0]
    assert "No organization with this code" in by_row[5][0]  # out of scope looks missing
    assert "already registered" in by_row[6][0]
    assert "already on row 2" in by_row[7][0]
    assert "not a date" in by_row[8][0]
    assert "gender" in by_row[9][0]
    assert "not a branch" in by_row[10][0]
    assert Member.objects.count() == before
    # The report downloads as .xlsx with the same rows.
    response = committee.get(reverse("core:import_errors", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == len(batch.errors) + 1
    # Committing an invalid batch does nothing.
    committee.post(reverse("core:import_commit", args=[batch.pk]))
    assert Member.objects.count() == before


def test_commit_checks_again_and_stays_all_or_nothing(cast: Cast, secretary: Client) -> None:
    """A duplicate registered between the check and the commit rejects the whole file."""
    ids = [make_id_number() for _ in range(3)]
    batch = upload(secretary, xlsx([row("BA", f"甲{i}", n) for i, n in enumerate(ids)]))
    assert batch.state == ImportState.READY
    from dangjian.members import actions
    from dangjian.members.models import Member as M

    late = M(
        organization=cast.branch_a,
        name="抢先",
        status=Status.FULL,
        joined_on=dt.date(2005, 7, 1),
        full_on=dt.date(2006, 7, 1),
    )
    late.id_number = ids[2]
    actions.register_member(late, actor=None)
    before = Member.objects.count()
    secretary.post(reverse("core:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.INVALID
    assert any("already registered" in e["message"] for e in batch.errors)
    assert Member.objects.count() == before


def test_csv_in_gb18030_with_chinese_headers(cast: Cast, secretary: Client) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        headers = [str(c.label) for c in REGISTRY["members"].columns]
    assert headers[1] == "姓名"
    lines = [",".join(headers)]
    lines.append(
        ",".join(
            [
                "BA",
                "刘备",
                make_id_number(),
                "",
                "",
                "汉",
                "大学本科",
                "",
                "",
                "",
                "正式",
                "2001年7月1日",
                "2002年7月1日",
                "",
                "否",
                "",
            ]
        )
    )
    data = io.BytesIO("\n".join(lines).encode("gb18030"))
    data.name = "花名册.csv"
    batch = upload(secretary, data)
    assert batch.state == ImportState.READY, batch.errors
    secretary.post(reverse("core:import_commit", args=[batch.pk]))
    member = Member.objects.get(name="刘备")
    assert member.education == "undergraduate" and member.joined_on == dt.date(2001, 7, 1)


def test_missing_required_column_and_wrong_file_type(cast: Cast, secretary: Client) -> None:
    batch = upload(secretary, xlsx([], headers=["姓名 / Name"]))
    assert batch.state == ImportState.INVALID
    assert any("Organization code" in e["message"] for e in batch.errors)
    bad = io.BytesIO(b"hello")
    bad.name = "roster.pdf"
    response = secretary.post(reverse("core:import", args=["members"]), {"file": bad})
    assert response.status_code == 400 and "Upload an .xlsx or .csv file" in response.content.decode()


def test_template_has_bilingual_headers(cast: Cast, secretary: Client) -> None:
    response = secretary.get(reverse("core:import_template", args=["members"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert "组织代码 / Organization code" in headers and "身份证号码 / Resident ID number" in headers


def test_roles_without_import_permission_are_refused(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.inspector)
    assert client.get(reverse("core:import", args=["members"])).status_code == 403
