"""Party-building projects: goals, milestones with evidence, spending from the funds
ledger against the budget, the closing evaluation by the organization above."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core.scoping import OutOfScope
from dangjian.core.testing import Cast
from dangjian.dues import actions as dues
from dangjian.duties import actions
from dangjian.duties.models import Project

M = dt.date


@pytest.fixture(autouse=True)
def now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def project(cast: Cast) -> Project:
    return actions.create_project(
        cast.branch_a,
        title="红色先锋服务队",
        goals="每月为困难群众服务一次",
        starts_on=M(2026, 1, 1),
        ends_on=M(2026, 12, 31),
        budget=Decimal("2000"),
        actor=cast.secretary_a,
    )


def test_milestones_spending_and_closing(cast: Cast) -> None:
    p = project(cast)
    with pytest.raises(ValidationError, match="within the project"):
        actions.add_milestone(p, title="x", due_on=M(2027, 1, 1), actor=cast.secretary_a)
    milestone = actions.add_milestone(p, title="组建服务队", due_on=M(2026, 3, 31), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="Say what was done"):
        actions.complete_milestone(milestone, done_on=M(2026, 3, 20), note=" ", actor=cast.secretary_a)
    actions.complete_milestone(milestone, done_on=M(2026, 3, 20), note="12名党员报名", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="already done"):
        actions.complete_milestone(milestone, done_on=M(2026, 3, 21), note="再", actor=cast.secretary_a)
    dues.record_income(
        cast.branch_a, source="budget", amount=Decimal("3000"), on=M(2026, 1, 5), description="经费", actor=None
    )
    dues.record_expenditure(
        cast.branch_a,
        category="activities",
        amount=Decimal("800"),
        on=M(2026, 4, 1),
        description="服务队物资",
        approver="书记",
        project=p,
        actor=cast.secretary_a,
    )
    other = actions.create_project(
        cast.branch_b, title="x", goals="x", starts_on=M(2026, 1, 1), ends_on=M(2026, 2, 1), actor=cast.secretary_b
    )
    with pytest.raises(ValidationError, match="another organization"):
        dues.record_expenditure(
            cast.branch_a,
            category="activities",
            amount=Decimal("1"),
            on=M(2026, 4, 1),
            description="x",
            approver="书记",
            project=other,
            actor=None,
        )
    with pytest.raises(OutOfScope):  # the branch does not evaluate its own project
        actions.close_project(p, closed_on=M(2026, 11, 20), grade="good", evaluation="好", actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="grade and the evaluation"):
        actions.close_project(p, closed_on=M(2026, 11, 20), grade="good", evaluation=" ", actor=cast.committee_admin)
    actions.close_project(
        p, closed_on=M(2026, 11, 20), grade="excellent", evaluation="群众满意度高", actor=cast.committee_admin
    )
    with pytest.raises(ValidationError, match="closed"):
        actions.add_milestone(p, title="x", due_on=M(2026, 5, 1), actor=cast.secretary_a)
    with pytest.raises(ValidationError, match="ends after it starts"):
        actions.create_project(
            cast.branch_a, title="x", goals="x", starts_on=M(2026, 2, 1), ends_on=M(2026, 1, 1), actor=None
        )


def test_project_pages(cast: Cast) -> None:
    p = project(cast)
    secretary = login(cast.secretary_a)
    url = p.get_absolute_url()
    bad = secretary.post(url, {"what": "add", "title": "走访", "due_on": "2027-02-01"})
    assert (
        bad.status_code == 400
        and "within the project" in bad.content.decode()
        and 'value="走访"' in bad.content.decode()
    )
    assert secretary.post(url, {"what": "add", "title": "走访", "due_on": "2026-06-30"}).status_code == 302
    milestone = p.milestones.get()
    done = secretary.post(
        url,
        {
            "what": "done",
            "milestone": milestone.pk,
            "done_on": "2026-06-20",
            "note": "走访30户",
            "evidence": SimpleUploadedFile("m.png", b"\x89PNG\r\n", "image/png"),
        },
    )
    assert done.status_code == 302
    assert secretary.get(reverse("duties:milestone_evidence", args=[milestone.pk])).status_code == 200
    assert login(cast.secretary_b).get(reverse("duties:milestone_evidence", args=[milestone.pk])).status_code == 404
    assert login(cast.secretary_b).post(url, {"what": "add", "title": "x", "due_on": "2026-06-30"}).status_code == 404
    assert 'id="close"' not in secretary.get(url).content.decode()
    committee = login(cast.committee_admin)
    assert 'id="close"' in committee.get(url).content.decode()
    assert (
        committee.post(
            url, {"what": "close", "closed_on": "2026-11-20", "grade": "good", "evaluation": "完成较好"}
        ).status_code
        == 302
    )
    page = committee.get(reverse("duties:projects") + f"?org={cast.committee_x.pk}").content.decode()
    assert "红色先锋服务队" in page and "1 / 1" in page
    assert secretary.post(url, {"what": "nonsense"}).status_code == 404
    new = secretary.post(
        reverse("duties:project_add"),
        {
            "title": "新项目",
            "goals": "目标",
            "post": "secretary",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "budget": "0",
        },
    )
    assert new.status_code == 302 and Project.objects.filter(title="新项目", organization=cast.branch_a).exists()


def test_projects_list_counts_each_expenditure_once(cast: Cast) -> None:
    """Spending is summed apart from the milestones: joined with two milestones, an
    expenditure of 800 was once shown as 1600."""
    p = project(cast)
    for month in (3, 6):
        actions.add_milestone(p, title=f"节点{month}", due_on=M(2026, month, 30), actor=cast.secretary_a)
    dues.record_income(
        cast.branch_a, source="budget", amount=Decimal("3000"), on=M(2026, 1, 5), description="经费", actor=None
    )
    dues.record_expenditure(
        cast.branch_a,
        category="activities",
        amount=Decimal("800"),
        on=M(2026, 4, 1),
        description="服务队物资",
        approver="书记",
        project=p,
        actor=cast.secretary_a,
    )
    page = login(cast.secretary_a).get(reverse("duties:projects") + f"?org={cast.branch_a.pk}")
    row = next(row for row in page.context["projects"] if row.pk == p.pk)
    assert (row.spent, row.milestones_total) == (Decimal("800.00"), 2)
