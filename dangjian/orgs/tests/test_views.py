"""Organization pages: the tree, the page of one organization, forms that call actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core.testing import Cast, make_member, make_org
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization, Term


@pytest.fixture
def county(cast: Cast) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.county_admin)
    return client


def test_tree_shows_subtree_counts(cast: Cast, county: Client) -> None:
    body = county.get(reverse("orgs:tree")).content.decode()
    assert "测试县委" in body and "城关镇党委" in body
    # 4 full + 1 probationary members under committee X; 3 full under Y
    assert "4 / 1 / 0" in body and "3 / 0 / 0" in body
    children = county.get(reverse("orgs:tree_children", args=[cast.committee_x.pk])).content.decode()
    assert "东关村党支部" in children and "纺织公司党支部" not in children


def test_organization_page_shows_kind_sector_counts_and_warnings(cast: Cast, county: Client) -> None:
    body = county.get(reverse("orgs:detail", args=[cast.branch_b.pk])).content.decode()
    assert "Party branch" in body and "Non-public enterprise" in body and "“Two new” organization" in body
    assert "No term recorded (O7)" in body and "No secretary (O3)" in body
    assert f'?organization={cast.branch_b.pk}&amp;status=full">3</a>' in body  # drill-down link


def test_page_queries_do_not_grow_with_children(cast: Cast, county: Client, django_assert_max_num_queries) -> None:
    url = reverse("orgs:detail", args=[cast.committee_x.pk])
    county.get(url)
    with django_assert_max_num_queries(25) as baseline:
        county.get(url)
    for i in range(15):
        branch = make_org(f"新支部{i}", OrgKind.BRANCH, Sector.VILLAGE, cast.committee_x)
        make_member(branch, f"党员{i}")
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        body = county.get(url).content.decode()
    assert "新支部14" in body


def test_record_election_form_derives_renewal_date(cast: Cast, county: Client) -> None:
    url = reverse("orgs:elect", args=[cast.branch_a.pk])
    response = county.post(url, {"elected_on": "2030-01-01"})
    assert response.status_code == 400 and "in the future" in response.content.decode()
    response = county.post(url, {"elected_on": "2024-03-15", "years": ""})
    assert response.status_code == 302
    term = Term.objects.get(organization=cast.branch_a)
    assert term.years == 5 and term.due_on == dt.date(2029, 3, 15)  # village branch: 5 years (O7)
    response = county.post(url, {"elected_on": "2025-03-15", "years": "7"})
    assert response.status_code == 400 and "A term lasts 3 to 5 years" in response.content.decode()


def test_add_child_generates_code_and_limits_kinds(cast: Cast, county: Client) -> None:
    url = reverse("orgs:add_child", args=[cast.committee_y.pk])
    response = county.post(
        url, {"name": "新公司党支部", "kind": OrgKind.BRANCH, "sector": Sector.NON_PUBLIC_ENTERPRISE}
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="新公司党支部")
    assert org.code == "CY-02" and Organization.objects.get_parent(org) == cast.committee_y
    response = county.post(
        reverse("orgs:add_child", args=[cast.branch_a.pk]),
        {"name": "x", "kind": OrgKind.BRANCH, "sector": Sector.VILLAGE},
    )
    assert response.status_code == 400  # nothing sits under a branch


def test_secretary_cannot_create_organizations(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.secretary_a)
    assert client.get(reverse("orgs:add_child", args=[cast.branch_a.pk])).status_code == 404
    assert client.get(reverse("orgs:edit", args=[cast.branch_a.pk])).status_code == 200


def test_warning_list_drills_down(cast: Cast, county: Client) -> None:
    page = county.get(reverse("orgs:list") + "?warning=no_term").content.decode()
    body = page[page.index("<table") : page.index("</table>")]
    assert "东关村党支部" in body and "纺织公司党支部" in body and "测试县委" not in body


def test_warnings_page_for_a_subtree(cast: Cast, county: Client) -> None:
    whole = county.get(reverse("orgs:warnings")).context["warnings"]
    below_x = county.get(reverse("orgs:warnings") + f"?within={cast.committee_x.pk}").context["warnings"]
    no_term = {code: total for code, _label, total in whole}["no_term"]
    no_term_x = {code: total for code, _label, total in below_x}["no_term"]
    assert no_term == 4 and no_term_x == 2  # X and branch A; of 2 committees and 2 branches
    other = Client()
    other.force_login(cast.secretary_b)
    page = other.get(reverse("orgs:warnings") + f"?within={cast.committee_x.pk}")
    assert page.context["root"] is None  # outside the scope: the whole scope is shown instead
