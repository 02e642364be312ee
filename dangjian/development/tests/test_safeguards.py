"""Safeguards found in review: uploads never run in the site, the registry and the file
stay one record, overrides come from above the branch, special extensions and repeated
names cannot slip past the rules, and the API offers the same choices as the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts.roles import Role
from dangjian.core.testing import Cast, make_member, make_user
from dangjian.development import actions, queries
from dangjian.development.choices import Stage, StepKind
from dangjian.development.models import Candidate, Step, StepDocument
from dangjian.development.testing import committee_post, new_candidate, take_step, walk
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, Portfolio, Status, Transition

APPLIED = dt.date(2023, 12, 1)


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


@pytest.fixture(autouse=True)
def secretary(cast: Cast) -> None:
    committee_post(cast.members_a[0], cast.branch_a, dt.date(2020, 1, 1))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def applicant(cast: Cast) -> Candidate:
    return new_candidate(cast.branch_a, "郑一", applied_on=APPLIED, actor=cast.secretary_a)


# --- Uploads --------------------------------------------------------------------------------


def test_an_uploaded_page_downloads_and_never_renders(cast: Cast, applicant: Candidate) -> None:
    step = applicant.steps.get()
    page = StepDocument(step=step, description="page")
    page.file.save("scan.html", SimpleUploadedFile("scan.html", b"<script>alert(1)</script>"), save=False)
    page.save()  # as if it had slipped in before the extension check
    response = login(cast.county_admin).get(reverse("development:document", args=[page.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    scan = applicant.steps.get().documents.exclude(pk=page.pk).get()  # the PDF from new_candidate
    response = login(cast.county_admin).get(reverse("development:document", args=[scan.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("inline")


def test_only_scans_are_accepted(cast: Cast, applicant: Candidate) -> None:
    step = applicant.steps.get()
    url = reverse("development:document_add", args=[step.pk])
    page = SimpleUploadedFile("scan.html", b"<script></script>", content_type="text/html")
    response = login(cast.secretary_a).post(url, {"file": page, "description": "x"})
    assert response.status_code == 400 and "PDF, JPEG, PNG or TIFF" in response.content.decode()
    assert step.documents.count() == 1


# --- One record per person ------------------------------------------------------------------


def test_a_former_member_is_not_registered_as_a_candidate(cast: Cast) -> None:
    former = make_member(cast.branch_a, "钱故")
    member_actions.record_transition(former, Transition.EXPELLED, on=dt.date(2025, 1, 1), reason="违纪", actor=None)
    candidate = Candidate(organization=cast.branch_a, name="钱故")
    candidate.id_number = former.id_number
    with pytest.raises(ValidationError, match="record in the member registry"):
        actions.register_candidate(candidate, applied_on=dt.date(2026, 1, 5), actor=cast.secretary_a)


def test_full_approval_follows_a_member_already_made_full(cast: Cast, applicant: Candidate) -> None:
    walk(applicant, cast.secretary_a, until=StepKind.FULL_VOTE)
    member = applicant.member
    assert member is not None
    member_actions.record_transition(member, Transition.MADE_FULL, on=dt.date(2026, 9, 1), reason="", actor=None)
    walk(applicant, cast.secretary_a, until=StepKind.FULL_APPROVAL, start=26)
    applicant.refresh_from_db()
    member.refresh_from_db()
    assert applicant.stage == Stage.FULL
    assert member.status == Status.FULL and member.status_changes.filter(transition=Transition.MADE_FULL).count() == 1


def test_no_override_makes_a_full_member_without_a_member_record(cast: Cast, applicant: Candidate) -> None:
    with pytest.raises(ValidationError, match="no member record"):
        take_step(applicant, StepKind.FULL_APPROVAL, dt.date(2026, 11, 1), cast.committee_admin, override_reason="补录")
    assert not applicant.steps.filter(kind=StepKind.FULL_APPROVAL).exists()


def test_a_closed_file_is_not_reopened_when_the_person_applied_again(cast: Cast, applicant: Candidate) -> None:
    walk(applicant, cast.secretary_a, until=StepKind.TALK)
    take_step(applicant, StepKind.ENDED, dt.date(2024, 3, 1), cast.secretary_a, end_reason="withdrawn")
    again = Candidate(organization=cast.branch_a, name=applicant.name)
    again.id_number = applicant.id_number
    actions.register_candidate(again, applied_on=dt.date(2026, 10, 1), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="applied again"):
        actions.remove_last_step(applicant, actor=cast.committee_admin)


# --- Rules that could slip ------------------------------------------------------------------


def test_a_person_named_twice_counts_once(cast: Cast, applicant: Candidate) -> None:
    walk(applicant, cast.secretary_a, until=StepKind.CONTACTS)
    introducer = cast.members_a[1]
    walk(applicant, cast.secretary_a, until=StepKind.OBJECT_FILED, start=5)
    with pytest.raises(actions.RuleViolation) as exc:
        take_step(
            applicant, StepKind.INTRODUCERS, dt.date(2025, 6, 10), cast.secretary_a, people=[introducer, introducer]
        )
    assert [p.rule for p in exc.value.problems] == ["D8"]


def test_a_special_extension_is_an_administrators_decision_and_reported(cast: Cast, applicant: Candidate) -> None:
    walk(applicant, cast.secretary_a, until=StepKind.APPROVAL_TALK)
    late = dt.date(2025, 12, 20)  # four months after the vote of 2025-09-01 (D17)
    with pytest.raises(PermissionDenied):
        take_step(applicant, StepKind.ADMISSION_APPROVAL, late, cast.secretary_a, special_extension=True)
    step = take_step(applicant, StepKind.ADMISSION_APPROVAL, late, cast.committee_admin, special_extension=True)
    assert step.overridden_problems == []
    listed = queries.overrides(Step.objects.all())
    assert list(listed) == [step]


def test_only_an_administrator_above_the_branch_overrides(cast: Cast, applicant: Candidate) -> None:
    walk(applicant, cast.secretary_a, until=StepKind.TALK)
    branch_admin = make_user("branch_admin", Role.ORG_ADMIN, cast.branch_a)
    too_early = dt.date(2024, 2, 1)
    with pytest.raises(PermissionDenied):
        take_step(applicant, StepKind.ACTIVIST, too_early, branch_admin, override_reason="本支部决定")
    step = take_step(applicant, StepKind.ACTIVIST, too_early, cast.committee_admin, override_reason="镇党委同意")
    assert step.overridden


def test_D3_a_branch_with_a_committee_of_three_decides_by_it(cast: Cast) -> None:
    on = dt.date(2026, 1, 1)
    assert not queries.candidate_fact(Candidate(organization=cast.branch_a, birth_date=on), on).has_committee
    committee_post(cast.members_a[1], cast.branch_a, dt.date(2020, 1, 1), PartyPost.DEPUTY_SECRETARY)
    post = committee_post(cast.members_a[2], cast.branch_a, dt.date(2020, 1, 1), PartyPost.COMMITTEE_MEMBER)
    assert queries.candidate_fact(Candidate(organization=cast.branch_a, birth_date=on), on).has_committee
    assert post.portfolio == ""  # any committee member counts for the committee; only some hold the talk


def test_the_talk_is_held_by_the_organization_committee_member_not_any_member(cast: Cast) -> None:
    member = cast.members_a[2]
    committee_post(member, cast.branch_a, dt.date(2020, 1, 1), PartyPost.COMMITTEE_MEMBER)
    [fact] = queries.person_facts([member], dt.date(2026, 1, 1), cast.branch_a)
    assert not fact.committee_member
    member.posts.update(portfolio=Portfolio.ORGANIZATION)
    [fact] = queries.person_facts([member], dt.date(2026, 1, 1), cast.branch_a)
    assert fact.committee_member


def test_the_file_check_takes_a_fixed_number_of_queries(cast: Cast, applicant: Candidate) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            queries.file_check(applicant, dt.date(2026, 11, 23))
        return len(ctx.captured_queries)

    walk(applicant, cast.secretary_a, until=StepKind.CONTACTS)
    few = count()
    walk(applicant, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL, start=5)
    assert count() == few


# --- The API offers what the form offers ----------------------------------------------------


def test_api_steps_name_a_meeting_only_for_votes_and_people_only_from_the_branch(
    cast: Cast, applicant: Candidate
) -> None:
    client = Client()
    client.force_login(cast.secretary_a)
    url = reverse("candidate-steps", args=[applicant.pk])
    stranger = cast.members_b[0]
    response = client.post(url, {"kind": "s02", "on": "2023-12-10", "people": [stranger.pk]}, "application/json")
    missing = client.post(url, {"kind": "s02", "on": "2023-12-10", "people": [999999]}, "application/json")
    assert response.status_code == missing.status_code == 400
    assert "people" in response.json() and "people" in missing.json()
    assert stranger.name not in response.content.decode()
    from dangjian.development.testing import general_meeting

    meeting = general_meeting(cast.branch_a, dt.date(2023, 12, 10), cast.secretary_a)
    talk = {"kind": "s02", "event": meeting.pk, "people": [cast.members_a[0].pk]}
    response = client.post(url, talk, "application/json")
    assert response.status_code == 400 and "event" in response.json()


def test_the_plans_page_takes_a_fixed_number_of_queries(cast: Cast, applicant: Candidate) -> None:
    from dangjian.development.models import Plan

    def count() -> int:
        client = login(cast.committee_admin)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("development:plans")).status_code == 200
        return len(ctx.captured_queries)

    actions.save_plan(Plan(organization=cast.committee_x, year=2026), {cast.branch_a: 2}, actor=None)
    one = count()
    for year in (2023, 2024, 2025):
        actions.save_plan(Plan(organization=cast.committee_x, year=year), {cast.branch_a: 1}, actor=None)
    walk(applicant, cast.secretary_a, until=StepKind.ADMISSION_APPROVAL)  # approved in 2025
    assert count() == one
    body = login(cast.committee_admin).get(reverse("development:plans")).content.decode()
    assert "admitted_in=2025" in body
    progress = {plan.year: [row["done"] for row in rows] for plan, rows in queries.plans_progress(Plan.objects.all())}
    assert progress == {2023: [0], 2024: [0], 2025: [1], 2026: [0]}
