"""Schemes, rounds and results end to end on the test cast: the default scheme's shares,
the freeze, automatic scores with the figures they came from, several assessors, bonus and
deduction caps, draft results, appeals in the window, publication with places and grades,
and consequences over the years of a series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.assessment import actions, engine
from dangjian.assessment.choices import Method, RoundKind, RoundState, SchemeState
from dangjian.assessment.models import Consequence, Indicator, Result, Round, Scheme
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))


def scheme(cast: Cast, year: int = 2026) -> Scheme:
    s = actions.create_scheme(
        cast.county, year=year, title=f"{year}年基层党组织考核", party_share=60, actor=cast.county_admin
    )
    actions.add_assessed(s, [cast.committee_x, cast.committee_y], actor=cast.county_admin)
    return s


def manual(s: Scheme) -> list[Indicator]:
    return list(Indicator.objects.filter(dimension__scheme=s, method=Method.MANUAL).order_by("position"))


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("e.pdf", b"%PDF-1.4 x", content_type="application/pdf")


def score_all(r: Round, cast: Cast, value: D = D("30")) -> None:
    for org in (cast.committee_x, cast.committee_y):
        for indicator in manual(r.scheme):
            actions.record_score(
                r,
                organization=org,
                indicator=indicator,
                value=min(value, indicator.max_score),
                evidence=pdf(),
                actor=cast.county_admin,
            )


def test_default_scheme_adds_up_and_freezes(cast: Cast) -> None:
    s = scheme(cast)
    assert actions.problems(s) == []
    party = sum(
        i.max_score
        for i in Indicator.objects.filter(
            dimension__scheme=s, dimension__category="party", method__in=["automatic", "manual"]
        )
    )
    assert party == 60
    auto = Indicator.objects.filter(dimension__scheme=s, method=Method.AUTOMATIC).first()
    actions.change_indicator(auto, max_score=D(1), actor=cast.county_admin)
    assert "add up to" in actions.problems(s)[0]
    with pytest.raises(ValidationError, match="add up to"):
        actions.open_round(
            s, kind=RoundKind.MID_YEAR, starts_on=M(2026, 1, 1), ends_on=M(2026, 6, 30), actor=cast.county_admin
        )
    actions.change_indicator(auto, max_score=D(10), actor=cast.county_admin)
    actions.open_round(
        s, kind=RoundKind.MID_YEAR, starts_on=M(2026, 1, 1), ends_on=M(2026, 6, 30), actor=cast.county_admin
    )
    s.refresh_from_db()
    assert s.state == SchemeState.FROZEN
    with pytest.raises(ValidationError, match="frozen"):
        actions.change_indicator(auto, max_score=D(2), actor=cast.county_admin)
    with pytest.raises(ValidationError, match="already open"):
        actions.open_round(
            s, kind=RoundKind.MID_YEAR, starts_on=M(2026, 1, 1), ends_on=M(2026, 6, 30), actor=cast.county_admin
        )
    copy = actions.copy_scheme(s, year=2027, actor=cast.county_admin)
    assert copy.state == SchemeState.DRAFT and copy.series_id == s.pk and copy.assessed.count() == 2
    assert (
        Indicator.objects.filter(dimension__scheme=copy).count()
        == Indicator.objects.filter(dimension__scheme=s).count()
    )


def test_scores_combine_caps_apply_and_automatic_scores_show_their_figures(cast: Cast) -> None:
    s = scheme(cast)
    r = actions.open_round(
        s, kind=RoundKind.YEAR_END, starts_on=M(2026, 1, 1), ends_on=M(2026, 12, 31), actor=cast.county_admin
    )
    first = manual(s)[0]  # 24 points, evidence required
    with pytest.raises(ValidationError, match="evidence"):
        actions.record_score(r, organization=cast.committee_x, indicator=first, value=D(20), actor=cast.county_admin)
    with pytest.raises(ValidationError, match="between 0 and"):
        actions.record_score(
            r, organization=cast.committee_x, indicator=first, value=D(25), evidence=pdf(), actor=cast.county_admin
        )
    with pytest.raises(ValidationError, match="not in the group"):
        actions.record_score(
            r, organization=cast.branch_a, indicator=first, value=D(20), evidence=pdf(), actor=cast.county_admin
        )
    with pytest.raises(OutOfScope):
        actions.record_score(
            r, organization=cast.committee_x, indicator=first, value=D(20), evidence=pdf(), actor=cast.committee_admin
        )
    for assessor, value in ((cast.county_admin, D(20)), (cast.platform_admin, D(22)), (cast.inspector, D(12))):
        actions.record_score(
            r, organization=cast.committee_x, indicator=first, value=value, evidence=pdf(), actor=assessor
        )
    # The assessor's second score replaces the first.
    actions.record_score(r, organization=cast.committee_x, indicator=first, value=D(21), actor=cast.county_admin)
    bonus = Indicator.objects.get(dimension__scheme=s, method=Method.BONUS)
    for points in (D(3), D(4)):
        actions.record_adjustment(
            r, organization=cast.committee_x, indicator=bonus, points=points, reason="表彰", actor=cast.county_admin
        )
    sheet = engine.compute(r, M(2026, 12, 20))[cast.committee_x.pk]
    lines = {line.indicator.pk: line for line in sheet.lines}
    assert lines[first.pk].score == D("21.00")  # trimmed: 12, 21, 22 → 21
    assert lines[first.pk].detail == {"assessors": 3}
    assert lines[bonus.pk].score == D("5.00")  # 7 capped at 5
    auto = [line for line in sheet.lines if line.indicator.method == Method.AUTOMATIC]
    assert all(set(line.detail) == {"done", "due", "rate"} for line in auto)
    assert all(line.score is not None and line.score <= line.indicator.max_score for line in auto)
    assert sheet.total.bonus == D("5.00")
    assert sheet.total.total == sheet.total.party + sheet.total.business + D(5)


def test_review_appeal_publish_and_places(cast: Cast, time_machine: Any) -> None:
    s = scheme(cast)
    r = actions.open_round(
        s, kind=RoundKind.YEAR_END, starts_on=M(2026, 1, 1), ends_on=M(2026, 12, 31), actor=cast.county_admin
    )
    with pytest.raises(ValidationError, match="Not every manual indicator"):
        actions.open_review(r, appeal_until=M(2026, 12, 25), actor=cast.county_admin)
    score_all(r, cast)
    deduction = Indicator.objects.get(dimension__scheme=s, method=Method.DEDUCTION)
    actions.record_adjustment(
        r, organization=cast.committee_y, indicator=deduction, points=D(2), reason="违纪", actor=cast.county_admin
    )
    with pytest.raises(ValidationError, match="Appeals are not open"):
        actions.file_appeal(r, organization=cast.committee_x, text="x", actor=cast.committee_admin)
    actions.open_review(r, appeal_until=M(2026, 12, 22), actor=cast.county_admin)
    with pytest.raises(OutOfScope):  # committee_admin covers committee_x only
        actions.file_appeal(r, organization=cast.committee_y, text="扣分有误", actor=cast.committee_admin)
    appeal = actions.file_appeal(r, organization=cast.committee_x, text="业务得分偏低", actor=cast.committee_admin)
    with pytest.raises(ValidationError, match="Appeals are open until"):
        actions.publish(r, actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2026, 12, 22, 2, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="Appeals are open until"):  # through its last day
        actions.publish(r, actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2026, 12, 23, 2, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="pending appeals"):
        actions.publish(r, actor=cast.county_admin)
    with pytest.raises(ValidationError, match="Appeals are not open"):
        actions.file_appeal(r, organization=cast.committee_x, text="再诉", actor=cast.committee_admin)
    # Upheld: the assessor corrects the score before publishing.
    actions.decide_appeal(appeal, upheld=True, response="复核后调整", actor=cast.county_admin)
    actions.record_score(r, organization=cast.committee_x, indicator=manual(s)[1], value=D(16), actor=cast.county_admin)
    results = {res.organization_id: res for res in actions.publish(r, actor=cast.county_admin)}
    r.refresh_from_db()
    assert r.state == RoundState.PUBLISHED
    x, y = results[cast.committee_x.pk], results[cast.committee_y.pk]
    assert x.total - y.total == D("2.00")  # the same records, y's deduction of 2
    assert (x.place, y.place, x.place_from_bottom, y.place_from_bottom, x.group_size) == (1, 2, 2, 1, 2)
    assert x.breakdown and {line["title"] for line in x.breakdown} >= {i.title for i in manual(s)}
    entry = AuditEntry.objects.for_object(x).get()  # the breakdown stays in the row only
    assert entry.action == "create" and entry.changes["total"] == [None, str(x.total)]
    assert "breakdown" not in entry.changes
    with pytest.raises(ValidationError, match="published"):
        actions.record_score(
            r, organization=cast.committee_x, indicator=manual(s)[0], value=D(1), actor=cast.county_admin
        )


def run_year(cast: Cast, s: Scheme, y_behind: bool, time_machine: Any) -> Round:
    r = actions.open_round(
        s, kind=RoundKind.YEAR_END, starts_on=M(s.year, 1, 1), ends_on=M(s.year, 12, 31), actor=cast.county_admin
    )
    score_all(r, cast)
    if y_behind:
        deduction = Indicator.objects.get(dimension__scheme=s, method=Method.DEDUCTION)
        actions.record_adjustment(
            r, organization=cast.committee_y, indicator=deduction, points=D(5), reason="x", actor=cast.county_admin
        )
    actions.open_review(r, appeal_until=time_machine_today(), actor=cast.county_admin)
    window_over(r)
    actions.publish(r, actor=cast.county_admin)
    return r


def window_over(r: Round) -> None:
    """The appeal window ended yesterday (appeals run through its last day)."""
    Round.objects.filter(pk=r.pk).update(appeal_until=time_machine_today() - dt.timedelta(days=1))


def time_machine_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def test_consequences_escalate_over_a_series(cast: Cast, time_machine: Any) -> None:
    s = scheme(cast, 2024)
    # Groups of two: let the rules count them, and the bottom rules look at the last place.
    s.consequence_rules.update(min_group=2)
    s.consequence_rules.filter(position="bottom").update(places=1)
    s.consequence_rules.filter(position="top").update(places=1)
    time_machine.move_to(dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.UTC))
    run_year(cast, s, True, time_machine)
    found = list(Consequence.objects.values_list("organization_id", "rule", "years"))
    assert found == [(cast.committee_y.pk, "bottom_1", [2024])]
    s25 = actions.copy_scheme(s, year=2025, actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC))
    run_year(cast, s25, True, time_machine)
    s26 = actions.copy_scheme(s25, year=2026, actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC))
    r26 = run_year(cast, s26, True, time_machine)
    latest = {(c.organization_id, c.rule): c.years for c in Consequence.objects.filter(round=r26)}
    assert latest == {
        (cast.committee_y.pk, "bottom_3"): [2024, 2025, 2026],
        (cast.committee_x.pk, "top_3"): [2024, 2025, 2026],
    }
    c = Consequence.objects.get(round=r26, organization=cast.committee_y)
    with pytest.raises(ValidationError, match="Say what was done"):
        actions.follow_up(c, done_on=M(2027, 1, 10), note=" ", actor=cast.county_admin)
    actions.follow_up(c, done_on=M(2027, 1, 10), note="已提出调整建议", actor=cast.county_admin)
    c.refresh_from_db()
    assert c.state == "done" and c.done_by == cast.county_admin
    assert Result.objects.filter(round__scheme__series_id=s.pk).count() == 4


def test_membership_change_breaks_the_run(cast: Cast, time_machine: Any) -> None:
    """committee_y leaves the group in 2025: its 2026 last place starts a new run."""
    s = scheme(cast, 2024)
    s.consequence_rules.update(min_group=2, places=1)
    time_machine.move_to(dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.UTC))
    run_year(cast, s, True, time_machine)
    s25 = actions.copy_scheme(s, year=2025, actor=cast.county_admin)
    actions.remove_assessed(s25.assessed.get(organization=cast.committee_y), actor=cast.county_admin)
    actions.add_assessed(s25, [cast.branch_b], actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC))
    r = actions.open_round(
        s25, kind=RoundKind.YEAR_END, starts_on=M(2025, 1, 1), ends_on=M(2025, 12, 31), actor=cast.county_admin
    )
    for org in (cast.committee_x, cast.branch_b):
        for indicator in manual(s25):
            actions.record_score(
                r, organization=org, indicator=indicator, value=D(1), evidence=pdf(), actor=cast.county_admin
            )
    actions.open_review(r, appeal_until=time_machine_today(), actor=cast.county_admin)
    window_over(r)
    actions.publish(r, actor=cast.county_admin)
    s26 = actions.copy_scheme(s25, year=2026, actor=cast.county_admin)
    actions.add_assessed(s26, [cast.committee_y], actor=cast.county_admin)
    time_machine.move_to(dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC))
    r26 = actions.open_round(
        s26, kind=RoundKind.YEAR_END, starts_on=M(2026, 1, 1), ends_on=M(2026, 12, 31), actor=cast.county_admin
    )
    for org in (cast.committee_x, cast.branch_b, cast.committee_y):
        for indicator in manual(s26):
            actions.record_score(
                r26,
                organization=org,
                indicator=indicator,
                value=D(1) if org != cast.committee_y else D(0),
                evidence=pdf(),
                actor=cast.county_admin,
            )
    actions.open_review(r26, appeal_until=time_machine_today(), actor=cast.county_admin)
    window_over(r26)
    actions.publish(r26, actor=cast.county_admin)
    rule = Consequence.objects.get(round=r26, organization=cast.committee_y)
    assert (rule.rule, rule.years) == ("bottom_1", [2026])
