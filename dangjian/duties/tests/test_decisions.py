"""The "three majors and one big" decisions register: the prior discussion must be a held
committee or general meeting of the same organization on or before the decision; the
report lists decisions taken without it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core.testing import Cast
from dangjian.development.testing import general_meeting
from dangjian.duties import actions
from dangjian.duties.models import Decision

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_prior_discussion_is_checked(cast: Cast) -> None:
    meeting = general_meeting(cast.branch_a, M(2026, 5, 10), None)
    other = general_meeting(cast.branch_b, M(2026, 5, 10), None)
    args = {"kind": "large_sum", "title": "村集体购置农机", "meeting": "村两委联席会议", "actor": None}
    with pytest.raises(ValidationError, match="before it is taken"):
        actions.record_decision(cast.branch_a, decided_on=M(2026, 5, 9), prior_discussion=meeting, **args)
    with pytest.raises(ValidationError, match="a meeting of 东关村党支部"):
        actions.record_decision(cast.branch_a, decided_on=M(2026, 5, 12), prior_discussion=other, **args)
    with pytest.raises(ValidationError, match="future"):
        actions.record_decision(cast.branch_a, decided_on=M(2026, 12, 1), **args)
    ok = actions.record_decision(
        cast.branch_a, decided_on=M(2026, 5, 10), prior_discussion=meeting, votes_for=5, **args
    )
    assert ok.discussed_first
    bare = actions.record_decision(cast.branch_a, decided_on=M(2026, 6, 1), **args)
    assert not bare.discussed_first


def test_the_register_and_its_report_of_decisions_without_prior_discussion(cast: Cast) -> None:
    meeting = general_meeting(cast.branch_a, M(2026, 5, 10), None)
    secretary = login(cast.secretary_a)
    add = reverse("duties:decision_add")
    form = secretary.get(add).content.decode()
    assert "2026-05-10" in form
    data = {"kind": "appointment", "title": "任命村会计", "decided_on": "2026-05-12", "meeting": "村委会"}
    bad = secretary.post(add, {**data, "decided_on": "2026-05-01", "prior_discussion": meeting.pk})
    assert (
        bad.status_code == 400
        and "before it is taken" in bad.content.decode()
        and 'value="任命村会计"' in bad.content.decode()
    )
    assert (
        secretary.post(
            add, {**data, "prior_discussion": meeting.pk, "votes_for": "5", "votes_against": "0"}
        ).status_code
        == 302
    )
    document = SimpleUploadedFile("d.pdf", b"%PDF-1.4", "application/pdf")
    assert (
        secretary.post(add, {**data, "title": "修建村道", "kind": "major_project", "document": document}).status_code
        == 302
    )
    page = secretary.get(reverse("duties:decisions")).content.decode()
    assert "任命村会计" in page and "修建村道" in page and "not discussed first" in page
    report = secretary.get(reverse("duties:decisions") + "?without=1").content.decode()
    assert "修建村道" in report and "任命村会计" not in report
    county = login(cast.county_admin).get(reverse("duties:decisions") + "?without=1").content.decode()
    assert "修建村道" in county
    assert "修建村道" not in login(cast.secretary_b).get(reverse("duties:decisions")).content.decode()
    road = Decision.objects.get(title="修建村道")
    assert secretary.get(reverse("duties:decision_document", args=[road.pk])).status_code == 200
    assert login(cast.secretary_b).get(reverse("duties:decision_document", args=[road.pk])).status_code == 404
    assert login(cast.member_a).get(reverse("duties:decisions")).status_code == 403
