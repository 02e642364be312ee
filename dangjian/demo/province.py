"""The province-size dataset for benchmarks: about 100,000 organizations and 3,000,000
members (``manage.py seed_demo --size province``).

The tree has five levels: the provincial committee, city committees, county committees,
grassroots committees of every sector (townships, organs, schools, hospitals, state and
private enterprises, social organizations) and their branches. It is built one county at
a time, so memory stays flat: organizations are written by ``bulk_create`` with their
materialized paths computed here (``add_child`` per node would cost two queries each);
members are made as ``Member`` objects, so the model fills the encrypted ID number, its
digest and the pinyin keys, and are streamed to PostgreSQL with COPY (``bulk_create``
on other databases). Current terms and committee posts are added so the structure
warnings have realistic figures to compute. There is no audit trail, status history or
party group: the benchmark pages do not read them and the county demo shows them.

The same seed gives the same data: each county draws from its own generator seeded by
the seed and the county's place, and its people get the county's own region code, so
ID numbers never repeat across counties.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangjian.core.dates import add_months, add_years
from dangjian.core.rulesets import value
from dangjian.demo.people import MOBILE_PLACES, PeopleFactory
from dangjian.members.choices import Occupation, PartyPost, Portfolio, PostKind, Status
from dangjian.members.models import Member, Post
from dangjian.orgs import figures
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization, Term

LC, GC, B = OrgKind.LEADING_COMMITTEE, OrgKind.GRASSROOTS_COMMITTEE, OrgKind.BRANCH

# The reference shape: 1 + 16 + 160 + 3,200 + 96,000 = 99,377 organizations.
REFERENCE_FANOUT = (16, 10, 20, 30)  # cities, counties per city, committees per county, branches per committee
PROVINCE_REGION = "37"  # first two digits of the members' ID numbers (a valid province code)

PLACE_CHARS = "安宁平和兴华阳泰丰源清河东西南北江山林泉临川永昌长乐广德新明济成嘉祥龙凤金石桃柳"
VILLAGE_CHARS = "东西南北前后上下大小王李张刘陈杨黄赵周吴新马石河桥湾庄屯集店营寨沟坡岭"
COMPANY_WORDS = ("机械", "纺织", "食品", "建材", "物流", "电子", "化工", "制药", "农业", "商贸", "印刷", "服装")
ORGAN_NAMES = ("办公室", "发展改革局", "财政局", "教育局", "人社局", "自然资源局", "农业农村局", "卫健委", "民政局")
SOCIETY_WORDS = ("律师协会", "个体劳动者协会", "志愿者协会", "书法家协会", "慈善总会", "商会", "会计师协会")


@dataclass(frozen=True)
class CommitteeType:
    """A kind of grassroots committee a county has, and the branches under it."""

    name: str
    sector: str
    branch_sector: str
    occupation: str
    retired_share: float = 0.0


TOWNSHIP = CommitteeType("{place}镇党委", Sector.TOWNSHIP, Sector.VILLAGE, Occupation.FARMER, 0.15)
ORGANS = CommitteeType("县直机关工作委员会", Sector.GOVERNMENT_ORGAN, Sector.GOVERNMENT_ORGAN, Occupation.ORGAN_STAFF)
EDUCATION = CommitteeType(
    "县教育系统党委", Sector.PUBLIC_INSTITUTION, Sector.PUBLIC_INSTITUTION, Occupation.ENTERPRISE_PROFESSIONAL, 0.1
)
HEALTH = CommitteeType(
    "县卫生健康系统党委", Sector.PUBLIC_INSTITUTION, Sector.PUBLIC_INSTITUTION, Occupation.ENTERPRISE_PROFESSIONAL
)
STATE_FIRMS = CommitteeType(
    "县国有资产投资集团党委", Sector.STATE_OWNED_ENTERPRISE, Sector.STATE_OWNED_ENTERPRISE, Occupation.WORKER
)
PRIVATE_FIRMS = CommitteeType(
    "县非公有制经济组织党委", Sector.NON_PUBLIC_ENTERPRISE, Sector.NON_PUBLIC_ENTERPRISE, Occupation.WORKER
)
DEVELOPMENT_ZONE = CommitteeType(
    "{place}经济开发区党工委", Sector.NON_PUBLIC_ENTERPRISE, Sector.NON_PUBLIC_ENTERPRISE, Occupation.WORKER
)
SOCIETIES = CommitteeType("县社会组织党委", Sector.SOCIAL_ORGANIZATION, Sector.SOCIAL_ORGANIZATION, Occupation.OTHER)
SUBDISTRICT = CommitteeType("{place}街道党工委", Sector.TOWNSHIP, Sector.COMMUNITY, Occupation.RETIRED, 0.4)
# One county's grassroots committees in order, repeated when a county has more: twelve
# townships of twenty, interleaved with the other sectors so a small county mixes them too.
COUNTY_COMMITTEES = (
    *(TOWNSHIP, ORGANS, TOWNSHIP, PRIVATE_FIRMS, TOWNSHIP, EDUCATION, TOWNSHIP, SOCIETIES),
    *(TOWNSHIP, HEALTH, TOWNSHIP, STATE_FIRMS, TOWNSHIP, SUBDISTRICT, TOWNSHIP, DEVELOPMENT_ZONE),
    *(TOWNSHIP, TOWNSHIP, TOWNSHIP, TOWNSHIP),
)


@dataclass(frozen=True)
class Shape:
    """How many children each level has: cities, counties per city, grassroots
    committees per county, branches per committee."""

    cities: int
    counties: int
    committees: int
    branches: int

    @property
    def county_total(self) -> int:
        return self.cities * self.counties

    @property
    def branch_total(self) -> int:
        return self.county_total * self.committees * self.branches

    @property
    def org_total(self) -> int:
        return 1 + self.cities + self.county_total * (1 + self.committees * (1 + self.branches))


def province_shape(orgs: int) -> Shape:
    """The fan-outs giving about ``orgs`` organizations: every level scaled alike from
    the reference shape, then branches per committee adjusted to come closest."""
    reference = Shape(*REFERENCE_FANOUT)
    scale = (max(orgs, 5) / reference.org_total) ** 0.25
    # Counties get the region code 37CCNN in their members' ID numbers: at most 99 each.
    cities = min(99, max(1, round(reference.cities * scale)))
    counties = min(99, max(1, round(reference.counties * scale)))
    committees = max(1, round(reference.committees * scale))
    upper = Shape(cities, counties, committees, 0).org_total
    branches = max(1, round((orgs - upper) / (cities * counties * committees)))
    return Shape(cities, counties, committees, branches)


@dataclass
class BranchPlan:
    org: Organization
    size: int
    occupation: str
    retired_share: float
    village: bool


class ProvinceBuilder:
    """Builds the province; see the module docstring."""

    def __init__(self, *, seed: int, today: dt.date, orgs: int, members: int, log: Callable[[str], Any]) -> None:
        self.seed = seed
        self.today = today
        self.shape = province_shape(orgs)
        self.members_per_branch = members / self.shape.branch_total
        self.log = log
        self.now = timezone.now()
        self.org_count = 0
        self.member_count = 0
        self.sink = MemberSink()
        self.name_keys: dict[str, tuple[str, str, str]] = {}
        self.committee_threshold = int(value(org_rules.COMMITTEE_THRESHOLD.key, today))

    def build(self) -> dict[str, int]:
        shape = self.shape
        self.log(
            f"Province shape: {shape.cities} cities × {shape.counties} counties × {shape.committees} committees × "
            f"{shape.branches} branches = {shape.org_total:,} organizations, "
            f"about {self.members_per_branch:.1f} members per branch."
        )
        started = time.monotonic()
        with transaction.atomic():
            root = self.create_orgs([self.org(None, 1, 1, "东岳省委", "P", LC, Sector.OTHER, shape.cities)])[0]
            rng = random.Random(f"{self.seed}:province")
            cities = self.create_orgs(
                self.org(root, 2, c, f"{_place(rng)}市委", f"P{c:02d}", LC, Sector.OTHER, shape.counties)
                for c in range(1, shape.cities + 1)
            )
            done = 0
            for city_index, city in enumerate(cities, start=1):
                counties = self.create_orgs(
                    self.org(
                        city, 3, n, f"{_place(rng)}县委", f"{city.code}{n:02d}", LC, Sector.OTHER, shape.committees
                    )
                    for n in range(1, shape.counties + 1)
                )
                for county_index, county in enumerate(counties, start=1):
                    self.build_county(county, f"{PROVINCE_REGION}{city_index:02d}{county_index:02d}")
                    done += 1
                    if done % 10 == 0 or done == shape.county_total:
                        self.progress(done, started)
        if connection.vendor == "postgresql":
            self.log("Analyzing tables...")
            with connection.cursor() as cursor:
                for model in (Organization, Member, Post, Term):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.log(f"Built in {time.monotonic() - started:.0f} s.")
        return {"orgs": self.org_count, "members": self.member_count}

    def progress(self, done: int, started: float) -> None:
        elapsed = time.monotonic() - started
        left = elapsed / done * (self.shape.county_total - done)
        self.log(
            f"  {done}/{self.shape.county_total} counties: {self.org_count:,} organizations, "
            f"{self.member_count:,} members, {elapsed:.0f} s elapsed, about {left:.0f} s to go"
        )

    # --- organizations -----------------------------------------------------------------

    def org(
        self,
        parent: Organization | None,
        depth: int,
        index: int,
        name: str,
        code: str,
        kind: str,
        sector: str,
        numchild: int,
        established_on: dt.date | None = None,
    ) -> Organization:
        """An unsaved organization at position ``index`` (from 1) under ``parent``, its
        path computed as treebeard would."""
        return Organization(
            name=name,
            code=code,
            kind=kind,
            sector=sector,
            established_on=established_on,
            path=Organization._get_path(parent.path if parent else None, depth, index),
            depth=depth,
            numchild=numchild,
        )

    def create_orgs(self, orgs: Iterable[Organization]) -> list[Organization]:
        created = Organization.objects.bulk_create(list(orgs), batch_size=2000)
        self.org_count += len(created)
        return created

    def build_county(self, county: Organization, region: str) -> None:
        """The county's committees, branches, members, terms and posts."""
        shape = self.shape
        rng = random.Random(f"{self.seed}:{county.code}")
        people = PeopleFactory(rng, self.today, region=region)

        def founded() -> dt.date:
            return self.today - dt.timedelta(days=rng.randint(3 * 365, 40 * 365))

        committees: list[tuple[Organization, CommitteeType]] = []
        for c in range(1, shape.committees + 1):
            kind = COUNTY_COMMITTEES[(c - 1) % len(COUNTY_COMMITTEES)]
            name = kind.name.format(place=_place(rng))
            code = f"{county.code}-{c:02d}"
            org = self.org(county, 4, c, name, code, GC, kind.sector, shape.branches, founded())
            committees.append((org, kind))
        self.create_orgs(org for org, _kind in committees)

        plans: list[BranchPlan] = []
        branches_of: dict[int, list[Organization]] = {}
        for committee, kind in committees:
            for b in range(1, shape.branches + 1):
                sector = kind.branch_sector
                if kind is TOWNSHIP and rng.random() < 0.2:
                    sector = Sector.COMMUNITY
                name = _branch_name(rng, sector, b)
                org = self.org(committee, 5, b, name, f"{committee.code}-{b:02d}", B, sector, 0, founded())
                plans.append(
                    BranchPlan(
                        org,
                        self.branch_size(rng),
                        Occupation.RETIRED if sector == Sector.COMMUNITY else kind.occupation,
                        0.4 if sector == Sector.COMMUNITY else kind.retired_share,
                        village=sector == Sector.VILLAGE,
                    )
                )
                branches_of.setdefault(committee.pk, []).append(org)
        self.create_orgs(plan.org for plan in plans)

        for plan in plans:
            for index in range(plan.size):
                self.sink.add(self.member(rng, people, plan, index))
        self.member_count += self.sink.flush()

        self.create_terms(rng, [c for c, _k in committees] + [p.org for p in plans])
        self.create_posts(rng, committees, branches_of)
        # Members, terms and posts went in by bulk: derive the stored figures once.
        figures.refresh([county.pk, *(c.pk for c, _k in committees), *(p.org.pk for p in plans)])

    def branch_size(self, rng: random.Random) -> int:
        """Members of a branch: around the average, with a few below the minimum (O1)
        and a few above the maximum (O2) for the warnings to find."""
        mean = self.members_per_branch
        draw = rng.random()
        if draw < 0.01:
            return min(2, math.ceil(mean))
        if draw < 0.02:
            return max(1, round(mean * 2))
        return max(1, round(rng.uniform(mean * 0.4, mean * 1.6)))

    # --- members -----------------------------------------------------------------------

    def member(self, rng: random.Random, people: PeopleFactory, plan: BranchPlan, index: int) -> Member:
        retired = rng.random() < plan.retired_share
        probationary = not retired and rng.random() < 0.06
        if plan.size <= 2:
            probationary = index == 1  # undersized: one full member, one probationary
        person = people.person(occupation=plan.occupation, retired=retired, probationary=probationary)
        member = Member(organization_id=plan.org.pk, created_at=self.now, updated_at=self.now, **person.member_fields())
        self.set_name(member, person.name)
        member.id_number = person.id_number
        if index == 0:
            # Check one member per branch against the rules: a generator bug, not bad input.
            problems = member.rule_problems(self.today)
            if problems:
                raise AssertionError(f"province member breaks the rules: {problems}")
        if person.status == Status.FULL and rng.random() < 0.02:
            # History: former members stay in the registry.
            member.status = Status.DECEASED if retired else Status.TRANSFERRED_OUT
            member.left_on = max(
                person.full_on or person.joined_on, self.today - dt.timedelta(days=rng.randint(30, 900))
            )
        elif plan.village and rng.random() < 0.06:
            member.is_mobile = True
            member.mobile_location = rng.choice(MOBILE_PLACES)
            member.mobile_since = self.today - dt.timedelta(days=rng.randint(200, 1500))
            member.mobile_certificate = rng.random() < 0.5
        return member

    def set_name(self, member: Member, name: str) -> None:
        """``member.set_name(name)``, remembering the pinyin keys of every name: about
        430,000 names recur among millions of people, more than ``pinyin_keys`` caches,
        and converting a name costs more than making the rest of the member."""
        keys = self.name_keys.get(name)
        if keys is None:
            member.set_name(name)
            self.name_keys[name] = (member.name, member.name_pinyin, member.name_initials)
        else:
            member.name, member.name_pinyin, member.name_initials = keys

    # --- terms and posts ---------------------------------------------------------------

    def create_terms(self, rng: random.Random, orgs: list[Organization]) -> None:
        """A current term for most organizations: some overdue, some due soon, a few
        never recorded (O7-O9)."""
        terms = []
        for org in orgs:
            years = _term_years(org.kind, org.sector, self.today)
            draw = rng.random()
            if draw < 0.02:
                continue  # no term recorded
            if draw < 0.07:
                elected = add_years(self.today, -years) - dt.timedelta(days=rng.randint(30, 300))  # overdue
            elif draw < 0.10:
                elected = add_months(add_years(self.today, -years), 1)  # renewal due within two months
            else:
                elected = add_years(self.today, -years) + dt.timedelta(days=rng.randint(120, years * 365 - 60))
            terms.append(
                Term(
                    organization=org,
                    elected_on=elected,
                    years=years,
                    due_on=org_rules.term_due_on(elected, years),
                )
            )
        Term.objects.bulk_create(terms, batch_size=2000)

    def create_posts(
        self,
        rng: random.Random,
        committees: list[tuple[Organization, CommitteeType]],
        branches_of: dict[int, list[Organization]],
    ) -> None:
        """Committees of branches (from their own full members) and of grassroots
        committees (from their branches' members); a few have none or no secretary."""
        full: dict[int, list[tuple[int, dt.date]]] = {}
        branch_ids = [b.pk for branches in branches_of.values() for b in branches]
        rows = (
            Member.objects.filter(organization_id__in=branch_ids, status=Status.FULL)
            .order_by("pk")
            .values_list("pk", "organization_id", "joined_on")
        )
        for pk, org_id, joined_on in rows.iterator(chunk_size=5000):
            full.setdefault(org_id, []).append((pk, joined_on))
        posts: list[Post] = []
        roles = [
            (PartyPost.SECRETARY, ""),
            (PartyPost.DEPUTY_SECRETARY, ""),
            (PartyPost.COMMITTEE_MEMBER, Portfolio.ORGANIZATION),
            (PartyPost.COMMITTEE_MEMBER, Portfolio.PROPAGANDA),
            (PartyPost.COMMITTEE_MEMBER, Portfolio.DISCIPLINE),
        ]

        def appoint(org: Organization, pool: list[tuple[int, dt.date]], size: int) -> None:
            if rng.random() < 0.03:
                return  # no secretary
            for (member_id, joined_on), (post, portfolio) in zip(
                rng.sample(pool, k=min(size, len(pool))), roles, strict=False
            ):
                started = max(joined_on, self.today - dt.timedelta(days=rng.randint(100, 1500)))
                posts.append(
                    Post(
                        member_id=member_id,
                        kind=PostKind.PARTY,
                        organization=org,
                        party_post=post,
                        portfolio=portfolio,
                        started_on=started,
                    )
                )

        for committee, _kind in committees:
            pool = [m for b in branches_of[committee.pk] for m in full.get(b.pk, [])]
            appoint(committee, pool, 5)
            for branch in branches_of[committee.pk]:
                own = full.get(branch.pk, [])
                big = len(own) >= self.committee_threshold and rng.random() > 0.05  # a few lack a committee (O3)
                appoint(branch, own, 3 if big else 1)
        Post.objects.bulk_create(posts, batch_size=2000)


class MemberSink:
    """Collects the members of one county and writes them in one go: COPY on
    PostgreSQL (several times faster than INSERT for millions of rows), ``bulk_create``
    elsewhere."""

    def __init__(self) -> None:
        self.pending: list[Member] = []
        self.fields = [f for f in Member._meta.concrete_fields if not f.primary_key]

    def add(self, member: Member) -> None:
        self.pending.append(member)

    def flush(self) -> int:
        count = len(self.pending)
        if connection.vendor == "postgresql":
            self.copy()
        else:
            Member.objects.bulk_create(self.pending, batch_size=1000)
        self.pending = []
        return count

    def copy(self) -> None:
        table = connection.ops.quote_name(Member._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in self.fields)
        attnames = [f.attname for f in self.fields]
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for member in self.pending:
                # Plain Python values (str, date, bool, None, aware datetime): psycopg adapts them.
                copy.write_row([getattr(member, name) for name in attnames])


@cache
def _term_years(kind: str, sector: str, today: dt.date) -> int:
    return org_rules.default_term_years(kind, sector, today)


def _place(rng: random.Random) -> str:
    return "".join(rng.sample(PLACE_CHARS, 2))


def _branch_name(rng: random.Random, sector: str, index: int) -> str:
    if sector == Sector.VILLAGE:
        return f"{''.join(rng.sample(VILLAGE_CHARS, 2))}村党支部"
    if sector == Sector.COMMUNITY:
        return f"{_place(rng)}社区党支部"
    if sector == Sector.GOVERNMENT_ORGAN:
        return f"县{ORGAN_NAMES[index % len(ORGAN_NAMES)]}第{index}党支部"
    if sector == Sector.PUBLIC_INSTITUTION:
        return f"{_place(rng)}{rng.choice(('中学', '小学', '医院', '卫生院'))}党支部"
    if sector == Sector.STATE_OWNED_ENTERPRISE:
        return f"{_place(rng)}{rng.choice(COMPANY_WORDS)}公司党支部"
    if sector == Sector.NON_PUBLIC_ENTERPRISE:
        if rng.random() < 0.1:
            return f"{_place(rng)}工业园联合党支部"
        return f"{_place(rng)}{rng.choice(COMPANY_WORDS)}有限公司党支部"
    return f"县{rng.choice(SOCIETY_WORDS)}第{index}党支部"


def build_province(*, seed: int, today: dt.date, orgs: int, members: int, log: Callable[[str], Any]) -> dict[str, int]:
    """Build the province (about ``orgs`` organizations and ``members`` members) into
    an empty database; returns how many of each were written."""
    return ProvinceBuilder(seed=seed, today=today, orgs=orgs, members=members, log=log).build()
