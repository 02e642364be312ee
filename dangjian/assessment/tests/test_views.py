"""The assessment pages for each side: the assessing organization builds the scheme,
opens a round, scores a manual indicator for the whole group on one sheet (all or
nothing), opens the draft for appeals, decides the appeal and publishes; the assessed
organization sees only its own breakdown and appeals from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.assessment import actions
from dangjian.assessment.choices import Method, RoundState
from dangjian.assessment.models import Assessed, Indicator, Result, Round, Scheme
from dangjian.core.testing import Cast

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_whole_round_through_the_pages(cast: Cast) -> None:
    county = login(cast.county_admin)
    response = county.post(
        reverse("assessment:scheme_add") + f"?org={cast.county.pk}",
        {
            "title": "2026年考核",
            "year": "2026",
            "party_share": "60",
            "combine": "trimmed",
            "grading": "bands",
            "appeal_days": "7",
        },
    )
    assert response.status_code == 302
    scheme = Scheme.objects.get(title="2026年考核")
    url = scheme.get_absolute_url()
    page = county.get(url).content.decode()
    assert "Add the organizations to assess." in page
    assert county.post(url, {"what": "group", "kind": "", "sector": "", "organization": ""}).status_code == 400
    assert county.post(url, {"what": "group", "kind": "grassroots_committee"}).status_code == 302
    assert scheme.assessed.count() == 2
    bad = county.post(
        url,
        {
            "what": "indicator",
            "dimension": scheme.dimensions.first().pk,
            "title": "x",
            "method": "automatic",
            "source": "",
            "max_score": "5",
        },
    )
    assert bad.status_code == 400 and "computed from" in bad.content.decode()
    response = county.post(
        url, {"what": "round", "kind": "year_end", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 302
    round_ = Round.objects.get(scheme=scheme)
    assert county.get(round_.get_absolute_url()).status_code == 200
    manual = list(Indicator.objects.filter(dimension__scheme=scheme, method=Method.MANUAL).order_by("position"))
    sheet_url = reverse("assessment:score", args=[round_.pk]) + f"?indicator={manual[0].pk}"
    assert county.get(reverse("assessment:score", args=[round_.pk])).status_code == 404
    assert county.get(sheet_url).status_code == 200
    # One bad row: nothing is saved, what was typed comes back.
    bad = county.post(sheet_url, {f"value-{cast.committee_x.pk}": "20", f"value-{cast.committee_y.pk}": "99"})
    assert bad.status_code == 400 and "between 0 and" in bad.content.decode() and 'value="99"' in bad.content.decode()
    assert not round_.scores.exists()
    pdf = {
        f"evidence-{o.pk}": SimpleUploadedFile("e.pdf", b"%PDF-1.4", "application/pdf")
        for o in (cast.committee_x, cast.committee_y)
    }
    ok = county.post(sheet_url, {f"value-{cast.committee_x.pk}": "20", f"value-{cast.committee_y.pk}": "18", **pdf})
    assert ok.status_code == 302 and round_.scores.count() == 2
    for org in (cast.committee_x, cast.committee_y):
        actions.record_score(round_, organization=org, indicator=manual[1], value=D(10), actor=cast.county_admin)
    response = county.post(round_.get_absolute_url(), {"what": "review", "appeal_until": "2026-12-21"})
    assert response.status_code == 302
    # The assessed committee sees its own draft, not the other's, and appeals.
    committee = login(cast.committee_admin)
    own = Assessed.objects.get(scheme=scheme, organization=cast.committee_x)
    other = Assessed.objects.get(scheme=scheme, organization=cast.committee_y)
    page = committee.get(reverse("assessment:sheet", args=[own.pk]))
    assert page.status_code == 200 and cast.committee_y.name not in page.content.decode()
    assert committee.get(reverse("assessment:sheet", args=[other.pk])).status_code == 404
    assert committee.get(round_.get_absolute_url()).status_code == 404
    assert committee.get(url).status_code == 404
    response = committee.post(
        reverse("assessment:sheet", args=[own.pk]), {"round": round_.pk, "indicator": manual[0].pk, "text": ""}
    )
    assert response.status_code == 400
    response = committee.post(
        reverse("assessment:sheet", args=[own.pk]),
        {"round": round_.pk, "indicator": manual[0].pk, "text": "业务得分依据不足"},
    )
    assert response.status_code == 302
    appeal = round_.appeals.get()
    page = county.post(round_.get_absolute_url(), {"what": "publish"}, follow=True)
    assert "Appeals are open until" in page.content.decode() or "pending appeals" in page.content.decode()
    assert (
        county.post(
            round_.get_absolute_url(), {"what": "decide", "appeal": appeal.pk, "upheld": "0", "response": ""}
        ).status_code
        == 400
    )
    assert (
        county.post(
            round_.get_absolute_url(), {"what": "decide", "appeal": appeal.pk, "upheld": "0", "response": "依据充分"}
        ).status_code
        == 302
    )
    from time_machine import travel

    with travel(dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC)):  # the last day of the window
        assert (
            "Appeals are open until"
            in county.post(round_.get_absolute_url(), {"what": "publish"}, follow=True).content.decode()
        )
    with travel(dt.datetime(2026, 12, 22, 2, 0, tzinfo=dt.UTC)):
        assert county.post(round_.get_absolute_url(), {"what": "publish"}).status_code == 302
        round_.refresh_from_db()
        assert round_.state == RoundState.PUBLISHED
        assert Result.objects.filter(round=round_).count() == 2
        page = committee.get(reverse("assessment:sheet", args=[own.pk])).content.decode()
        assert "place" in page and "of 2" in page
        export = county.get(reverse("assessment:export", args=[round_.pk]))
        assert export.status_code == 200
        notice = county.get(reverse("assessment:notice", args=[round_.pk]))
        assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
    assert login(cast.member_a).get(reverse("assessment:schemes")).status_code == 403
    assert login(cast.secretary_b).get(reverse("assessment:sheet", args=[own.pk])).status_code == 404


def test_consequence_rules_and_grades_are_edited_on_the_scheme_page(cast: Cast) -> None:
    scheme = actions.create_scheme(cast.county, year=2026, title="考核", actor=cast.county_admin)
    county = login(cast.county_admin)
    url = scheme.get_absolute_url()
    rule = scheme.consequence_rules.get(key="bottom_1")
    data = {"what": "rule", "rule": rule.pk, "position": "bottom", "places": "2", "years": "1", "min_group": "5"}
    assert county.post(url, {**data, "measure": ""}).status_code == 400
    assert county.post(url, {**data, "measure": "约谈"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.places, rule.min_group, rule.measure) == (2, 5, "约谈")
    added = {"what": "rule", "position": "top", "places": "1", "years": "1", "min_group": "5", "measure": "通报表扬"}
    assert county.post(url, added).status_code == 302
    assert scheme.consequence_rules.filter(measure="通报表扬").exists()
    band = scheme.grades.get(grade="excellent")
    assert (
        county.post(url, {"what": "grade", "grade": band.pk, "label": "优秀", "floor": "x", "share": ""}).status_code
        == 400
    )
    assert (
        county.post(url, {"what": "grade", "grade": band.pk, "label": "优秀", "floor": "92", "share": "15"}).status_code
        == 302
    )
    band.refresh_from_db()
    assert (band.label, band.floor, band.share) == ("优秀", D(92), 15)
    assert login(cast.committee_admin).post(url, added).status_code == 404


def test_appeals_and_consequences_are_due_items(cast: Cast) -> None:
    from dangjian.assessment.models import Consequence
    from dangjian.core.inbox import collect

    scheme = actions.create_scheme(cast.county, year=2026, title="考核", actor=cast.county_admin)
    actions.add_assessed(scheme, [cast.committee_x, cast.committee_y], actor=cast.county_admin)
    round_ = actions.open_round(
        scheme, kind="year_end", starts_on=M(2026, 1, 1), ends_on=M(2026, 12, 31), actor=cast.county_admin
    )
    for indicator in Indicator.objects.filter(dimension__scheme=scheme, method=Method.MANUAL):
        for org in (cast.committee_x, cast.committee_y):
            actions.record_score(
                round_,
                organization=org,
                indicator=indicator,
                value=D(1),
                evidence=SimpleUploadedFile("e.pdf", b"%PDF-1.4", "application/pdf"),
                actor=cast.county_admin,
            )
    actions.open_review(round_, appeal_until=M(2026, 12, 20), actor=cast.county_admin)
    actions.file_appeal(round_, organization=cast.committee_x, text="申诉", actor=cast.committee_admin)
    keys = {g.key: g.count for g in collect(cast.county_admin, M(2026, 12, 20))}
    assert keys.get("assessment.appeals") == 1
    assert "assessment.appeals" not in {g.key for g in collect(cast.committee_admin, M(2026, 12, 20))}
    Consequence.objects.create(
        round=round_, organization=cast.committee_y, rule="bottom_1", measure="约谈", years=[2026]
    )
    assert {g.key for g in collect(cast.county_admin, M(2026, 12, 20))} >= {"assessment.consequences"}
