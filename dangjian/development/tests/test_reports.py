"""The printed forms of member development: a candidate's timeline for the archive file
and the pipeline summary of a subtree, as library functions (Chinese text through
WeasyPrint, read back with pdftotext) and through their download views (scope, roles,
bad input)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.testing import Cast
from dangjian.development import reports
from dangjian.development.choices import StepKind
from dangjian.development.models import Candidate
from dangjian.development.testing import committee_post, new_candidate, take_step, walk

TODAY = dt.date(2026, 11, 23)
APPLIED = dt.date(2023, 12, 1)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> dt.date:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Shanghai
    return TODAY


@pytest.fixture(autouse=True)
def committees(cast: Cast) -> None:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))
    committee_post(cast.members_b[0], cast.branch_b, dt.date(2020, 1, 1))


def pdf_text(content: bytes) -> str:
    """The PDF's text with all white space removed (pdftotext wraps table cells)."""
    assert content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return "".join(text.split())


def squeeze(text: str) -> str:
    return "".join(text.split())


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def voted(cast: Cast) -> Candidate:
    """Branch A's 陈晓, through the admission vote (step 15), the activist determined
    early with an administrator's override."""
    candidate = new_candidate(cast.branch_a, "陈晓", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.TALK)
    take_step(
        candidate,
        StepKind.ACTIVIST,
        dt.date(2024, 5, 1),
        cast.committee_admin,
        override_reason="县委组织部批准提前确定",
    )
    return walk(candidate, cast.secretary_a, until=StepKind.ADMISSION_VOTE, start=3)


def test_timeline_pdf_lists_every_step_in_chinese_names(cast: Cast, voted: Candidate) -> None:
    text = pdf_text(reports.timeline_pdf(voted))
    for expected in (
        "Developmentfile",
        "陈晓",
        "东关村党支部",
        "1Applicationlettersubmitted",
        "2Talkwiththeapplicant",
        "3Determinedasactivist",
        "10Politicalreview",
        "政治审查合格",  # the review's written conclusion (D9)
        "11Centralizedtraining",
        "15Branchgeneralmeeting:admissionvote",
        "4for,4of4votingmemberspresent",
        "Carried",
        "张三",  # held the talk (D2)
        "县委组织部批准提前确定",  # the override's reason
        "Recordedagainsttherules",
        # What comes next: approval within 3 months of the vote (D17).
        "17Admissionapprovedbythehighercommittee",
        "dueby2025-12-01(D17)",
    ):
        assert squeeze(expected) in text, expected
    assert voted.id_number not in text  # masked in the file
    assert "16Talkbythehighercommittee" in text  # offered next, without a date


def test_timeline_pdf_after_full_membership(cast: Cast) -> None:
    candidate = new_candidate(cast.branch_a, "林青", applied_on=APPLIED, actor=cast.secretary_a)
    walk(candidate, cast.secretary_a, until=StepKind.ARCHIVED)
    text = pdf_text(reports.timeline_pdf(candidate))
    assert "林青" in text and "25Filearchived" in text and "24Fullmembershipapprovedbythehighercommittee" in text
    assert "Fullmember" in text
    # Nothing is due once archived; the end of probation (D19) stays on record.
    after = text[text.index("Whatcomesnext") :]
    assert after.startswith("WhatcomesnextProbationends:2026-09-01(D19)")
    assert "dueby" not in after and "possiblefrom" not in after
    # The approvals name the committee that gave them (D16).
    assert "2025-10-01Higherpartycommittee城关镇党委" in text


def test_summary_pdf_counts_the_subtree_and_names_who_is_late(cast: Cast, voted: Candidate) -> None:
    new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)  # talk overdue
    new_candidate(cast.branch_a, "周敏", applied_on=dt.date(2026, 11, 10), actor=cast.secretary_a)  # due soon
    new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_b)  # other subtree
    text = pdf_text(reports.summary_pdf(cast.committee_x, Candidate.objects.all()))
    assert "Memberdevelopment:pipelinesummary" in text and "城关镇党委" in text
    # Branch A's row: 2 applicants, 1 development object (voted, approval overdue, D17),
    # 2 overdue.
    assert "东关村党支部2010002" in text
    assert "陈晓" in text and "2025-12-01(D17)" in text
    assert "林青" in text and "2Talkwiththeapplicant" in text and "2026-10-01(D2)" in text
    assert "周敏" in text and "dueby2026-12-10" in text
    assert "黄河" not in text and "纺织公司党支部" not in text
    county = pdf_text(reports.summary_pdf(cast.county, Candidate.objects.all()))
    assert "城关镇党委2010002" in county and "非公党委1000001" in county and "黄河" in county
    assert "Total3010003" in county


def test_summary_rows_group_by_child(cast: Cast, voted: Candidate) -> None:
    new_candidate(cast.branch_a, "林青", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_a)
    new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_b)
    rows = reports.summary_rows(cast.county, Candidate.objects.all(), TODAY)
    assert [(r["organization"], r["counts"], r["overdue"]) for r in rows] == [
        (cast.committee_x, [1, 0, 1, 0, 0, 0], 2),
        (cast.committee_y, [1, 0, 0, 0, 0, 0], 1),
    ]
    # A branch is its own only row; candidates out of the given queryset are not counted.
    rows = reports.summary_rows(cast.branch_a, Candidate.objects.filter(name="林青"), TODAY)
    assert [(r["organization"], r["counts"], r["overdue"]) for r in rows] == [(cast.branch_a, [1, 0, 0, 0, 0, 0], 1)]


def test_summary_queries_do_not_grow_with_candidates(cast: Cast) -> None:
    for i in range(2):
        new_candidate(cast.branch_a, f"申请人{i}", applied_on=dt.date(2026, 9, 1 + i), actor=cast.secretary_a)
    reports.summary_pdf(cast.county, Candidate.objects.all())
    with CaptureQueriesContext(connection) as two:
        reports.summary_pdf(cast.county, Candidate.objects.all())
    for i in range(2, 8):
        org, actor = (cast.branch_a, cast.secretary_a) if i % 2 else (cast.branch_b, cast.secretary_b)
        new_candidate(org, f"申请人{i}", applied_on=dt.date(2026, 9, 1 + i), actor=actor)
    with CaptureQueriesContext(connection) as eight:
        reports.summary_pdf(cast.county, Candidate.objects.all())
    assert len(eight) == len(two), [q["sql"] for q in eight.captured_queries]


# --- Downloads -------------------------------------------------------------------------------


def test_timeline_download_is_scoped(cast: Cast, voted: Candidate) -> None:
    url = reverse("development:timeline_pdf", args=[voted.pk])
    response = login(cast.secretary_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("inline")
        and f"development-{voted.pk}.pdf" in response["Content-Disposition"]
    )
    assert "陈晓" in pdf_text(response.content)
    for user in (cast.committee_admin, cast.county_admin, cast.inspector):
        assert login(user).get(url).status_code == 200, user
    for user in (cast.secretary_b, cast.instructor, cast.member_a):
        assert login(user).get(url).status_code == 404, user
    assert Client().get(url).status_code == 302  # to the login page
    assert login(cast.secretary_a).get(reverse("development:timeline_pdf", args=[999999])).status_code == 404


def test_summary_download_defaults_to_the_scope_root_and_is_scoped(cast: Cast, voted: Candidate) -> None:
    new_candidate(cast.branch_b, "黄河", applied_on=dt.date(2026, 9, 1), actor=cast.secretary_b)
    url = reverse("development:summary_pdf")
    response = login(cast.secretary_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"development-{cast.branch_a.code}-2026-11-23.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "东关村党支部" in text and "黄河" not in text
    text = pdf_text(login(cast.instructor).get(url).content)
    assert "纺织公司党支部" in text and "黄河" in text and "陈晓" not in text

    county = login(cast.county_admin)
    text = pdf_text(county.get(f"{url}?org={cast.committee_y.pk}").content)
    assert "非公党委" in text and "黄河" in text and "东关村党支部" not in text
    assert login(cast.secretary_a).get(f"{url}?org={cast.branch_b.pk}").status_code == 404
    assert login(cast.secretary_a).get(f"{url}?org={cast.county.pk}").status_code == 404
    assert county.get(f"{url}?org=abc").status_code == 404
    assert county.get(f"{url}?org=999999").status_code == 404
    assert login(cast.member_a).get(url).status_code == 403
    assert Client().get(url).status_code == 302
