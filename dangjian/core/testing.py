"""Test helpers shared by every app: valid ID numbers and records built through the
product's own actions (never raw rows), and the fixed cast of the test suite."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from rest_framework.test import APIClient

from dangjian.accounts import actions as account_actions
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.members import actions as member_actions
from dangjian.members.choices import Gender, Status
from dangjian.members.models import Member
from dangjian.members.rules import check_character
from dangjian.orgs import actions as org_actions
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization

_serial = itertools.count(1)
_codes = itertools.count(1)
PASSWORD = "Correct-Horse-42"


def make_id_number(birth: dt.date = dt.date(1980, 5, 17), gender: str = Gender.MALE) -> str:
    """A valid resident ID number for ``birth`` and ``gender``, never the same twice."""
    serial = next(_serial)
    region = 110105 + serial // 500  # a new district code every 500 numbers keeps them unique
    gender_digit = (serial // 100) % 5 * 2 + (1 if gender == Gender.MALE else 0)
    first17 = f"{region:06d}{birth:%Y%m%d}{serial % 100:02d}{gender_digit}"
    return first17 + check_character(first17)


def make_org(
    name: str, kind: str, sector: str, parent: Organization | None = None, code: str | None = None
) -> Organization:
    org = Organization(name=name, code=code or f"T{next(_codes):04d}", kind=kind, sector=sector)
    return org_actions.create_organization(org, parent=parent, actor=None)


def make_member(
    org: Organization,
    name: str = "张三",
    *,
    status: str = Status.FULL,
    birth: dt.date = dt.date(1980, 5, 17),
    gender: str = Gender.MALE,
    joined_on: dt.date = dt.date(2010, 7, 1),
    full_on: dt.date | None = dt.date(2011, 7, 1),
    **fields: Any,
) -> Member:
    member = Member(
        organization=org,
        name=name,
        status=status,
        joined_on=joined_on,
        full_on=full_on if status == Status.FULL else None,
        phone=fields.pop("phone", "13800138000"),
        **fields,
    )
    member.id_number = make_id_number(birth, gender)
    return member_actions.register_member(member, actor=None)


def make_user(username: str, role: str, scope: Organization | None = None, member: Member | None = None) -> User:
    user = User(username=username, role=role, scope_org=scope, member=member, full_name=username)
    return account_actions.create_user(user, password=PASSWORD, actor=None)


@dataclass
class Cast:
    """The fixed cast: a county with two committees, branch A under the first and
    branch B under the second, members in both, and one account per role."""

    county: Organization
    committee_x: Organization
    committee_y: Organization
    branch_a: Organization
    branch_b: Organization
    members_a: list[Member]
    members_b: list[Member]
    platform_admin: User
    county_admin: User
    committee_admin: User
    secretary_a: User
    secretary_b: User
    member_a: User
    instructor: User
    inspector: User

    @property
    def users(self) -> list[User]:
        return [
            self.platform_admin,
            self.county_admin,
            self.committee_admin,
            self.secretary_a,
            self.secretary_b,
            self.member_a,
            self.instructor,
            self.inspector,
        ]


def build_cast() -> Cast:
    county = make_org("测试县委", OrgKind.LEADING_COMMITTEE, Sector.OTHER, code="CTY")
    committee_x = make_org("城关镇党委", OrgKind.GRASSROOTS_COMMITTEE, Sector.TOWNSHIP, county, code="CX")
    committee_y = make_org("非公党委", OrgKind.GRASSROOTS_COMMITTEE, Sector.NON_PUBLIC_ENTERPRISE, county, code="CY")
    branch_a = make_org("东关村党支部", OrgKind.BRANCH, Sector.VILLAGE, committee_x, code="BA")
    branch_b = make_org("纺织公司党支部", OrgKind.BRANCH, Sector.NON_PUBLIC_ENTERPRISE, committee_y, code="BB")
    names_a = ["张三", "李四", "王五", "赵六"]
    names_b = ["钱七", "孙八", "周九"]
    members_a = [make_member(branch_a, n) for n in names_a]
    members_a.append(
        make_member(
            branch_a, "吴十", status=Status.PROBATIONARY, joined_on=dt.date(2026, 3, 1), birth=dt.date(1999, 2, 3)
        )
    )
    members_b = [make_member(branch_b, n, gender=Gender.FEMALE, birth=dt.date(1985, 11, 30)) for n in names_b]
    return Cast(
        county=county,
        committee_x=committee_x,
        committee_y=committee_y,
        branch_a=branch_a,
        branch_b=branch_b,
        members_a=members_a,
        members_b=members_b,
        platform_admin=make_user("admin", Role.PLATFORM_ADMIN),
        county_admin=make_user("county", Role.ORG_ADMIN, county),
        committee_admin=make_user("committee_x", Role.ORG_ADMIN, committee_x),
        secretary_a=make_user("secretary_a", Role.BRANCH_SECRETARY, branch_a),
        secretary_b=make_user("secretary_b", Role.BRANCH_SECRETARY, branch_b),
        member_a=make_user("member_a", Role.MEMBER, member=members_a[0]),
        instructor=make_user("instructor", Role.INSTRUCTOR, committee_y),
        inspector=make_user("inspector", Role.INSPECTOR, county),
    )


def api_for(user: Any) -> APIClient:
    """An API client authenticated as ``user``, answering in English."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def ids(response: Any) -> set[int]:
    """The ids of a successful list answer's page."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def openapi_schema() -> tuple[dict[str, Any], list[str]]:
    """The OpenAPI schema as ``manage.py spectacular --validate`` makes and checks it
    (errors fail here), with its warnings (what ``--fail-on-warn`` refuses)."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    return schema, list(GENERATOR_STATS._warn_cache)
