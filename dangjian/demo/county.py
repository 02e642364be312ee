"""The demo county: about 60 organizations of every sector and about 2,000 members,
built through the product's own actions (so the audit trail and rules apply), with the
situations the product exists to catch: overdue terms, undersized branches, a branch
without a committee, mobile members, pending transfers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dangjian.accounts import actions as account_actions
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.dates import add_months, add_years
from dangjian.demo.people import MOBILE_PLACES, PeopleFactory, Person
from dangjian.members import actions as member_actions
from dangjian.members.choices import Occupation, PartyPost, Portfolio, PostKind, Status, TransferReason, Transition
from dangjian.members.models import Member, Post, StatusChange
from dangjian.orgs import actions as org_actions
from dangjian.orgs import figures
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization, PartyGroup, Unit

B, GB, GC = OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GRASSROOTS_COMMITTEE


@dataclass
class Plan:
    """One organization to create: name, kind, sector, children; for a branch, how many
    members and which units it covers."""

    name: str
    kind: str
    sector: str
    children: list[Plan] = field(default_factory=list)
    size: int = 0
    units: list[str] = field(default_factory=list)
    occupation: str = Occupation.OTHER
    retired: bool = False


def _branches(names: list[str], sector: str, occupation: str, sizes: tuple[int, int], rng: random.Random) -> list[Plan]:
    return [
        Plan(n, B, sector, size=rng.randint(*sizes), units=[n.removesuffix("党支部")], occupation=occupation)
        for n in names
    ]


def county_plan(rng: random.Random) -> Plan:
    organs = _branches(
        [
            "县委办公室党支部",
            "县政府办公室党支部",
            "县财政局党支部",
            "县教育局机关党支部",
            "县人社局党支部",
            "县自然资源局党支部",
            "县农业农村局党支部",
            "县卫生健康委员会党支部",
        ],
        Sector.GOVERNMENT_ORGAN,
        Occupation.ORGAN_STAFF,
        (22, 46),
        rng,
    )
    hospital = _branches(
        ["内科党支部", "外科党支部", "医技党支部", "行政后勤党支部"],
        Sector.PUBLIC_INSTITUTION,
        Occupation.ENTERPRISE_PROFESSIONAL,
        (38, 50),
        rng,
    )
    hospital.append(Plan("离退休党支部", B, Sector.PUBLIC_INSTITUTION, size=30, units=["县人民医院"], retired=True))
    school = _branches(
        ["第一中学教师第一党支部", "第一中学教师第二党支部"],
        Sector.PUBLIC_INSTITUTION,
        Occupation.ENTERPRISE_PROFESSIONAL,
        (38, 50),
        rng,
    )
    villages_a = _branches(
        [f"{n}村党支部" for n in ("东关", "西关", "南营", "北街", "李庄")],
        Sector.VILLAGE,
        Occupation.FARMER,
        (38, 50),
        rng,
    )
    big_village = Plan(
        "王庄村党总支",
        GB,
        Sector.VILLAGE,
        children=_branches(["王庄村第一党支部", "王庄村第二党支部"], Sector.VILLAGE, Occupation.FARMER, (38, 50), rng),
    )
    communities = _branches(["城关社区党支部", "幸福社区党支部"], Sector.COMMUNITY, Occupation.RETIRED, (38, 50), rng)
    villages_b = _branches(
        [f"{n}村党支部" for n in ("河口", "前屯", "后屯", "张湾", "柳林", "石桥", "马店", "杨集")],
        Sector.VILLAGE,
        Occupation.FARMER,
        (38, 50),
        rng,
    )
    soe = _branches(
        ["县投资公司机关党支部", "县供水公司党支部", "县交通建设公司党支部", "县农村商业银行党支部"],
        Sector.STATE_OWNED_ENTERPRISE,
        Occupation.WORKER,
        (38, 50),
        rng,
    )
    enterprises = _branches(
        [
            "清河纺织有限公司党支部",
            "鲁鑫机械制造有限公司党支部",
            "华康食品有限公司党支部",
            "清河物流有限公司党支部",
            "远航建材有限公司党支部",
            "清河电商产业园党支部",
        ],
        Sector.NON_PUBLIC_ENTERPRISE,
        Occupation.WORKER,
        (38, 50),
        rng,
    )
    enterprises.append(
        Plan(
            "城东工业园联合党支部",
            B,
            Sector.NON_PUBLIC_ENTERPRISE,
            size=14,
            units=["宏达五金厂", "利民塑料制品厂", "金诚包装有限公司"],
            occupation=Occupation.WORKER,
        )
    )
    enterprises.append(
        Plan(
            "商贸城联合党支部",
            B,
            Sector.NON_PUBLIC_ENTERPRISE,
            size=16,
            units=[f"商贸城{n}号商户" for n in range(1, 8)],
            occupation=Occupation.SELF_EMPLOYED,
        )
    )
    socials = _branches(
        ["县律师协会党支部", "县个体劳动者协会党支部"],
        Sector.SOCIAL_ORGANIZATION,
        Occupation.ENTERPRISE_PROFESSIONAL,
        (8, 20),
        rng,
    )
    socials.append(
        Plan(
            "社会组织联合党支部",
            B,
            Sector.SOCIAL_ORGANIZATION,
            size=9,
            units=["县志愿者协会", "县书法家协会", "县慈善总会"],
            occupation=Occupation.OTHER,
        )
    )
    # Branches with fewer than three full members (O1) and one too large (O2).
    enterprises.append(
        Plan(
            "新兴电子科技有限公司党支部",
            B,
            Sector.NON_PUBLIC_ENTERPRISE,
            size=2,
            units=["新兴电子科技有限公司"],
            occupation=Occupation.ENTERPRISE_PROFESSIONAL,
        )
    )
    villages_b.append(Plan("滩头村党支部", B, Sector.VILLAGE, size=2, units=["滩头村"], occupation=Occupation.FARMER))
    communities.append(
        Plan("阳光社区党支部", B, Sector.COMMUNITY, size=56, units=["阳光社区"], occupation=Occupation.RETIRED)
    )
    return Plan(
        "清河县委",
        OrgKind.LEADING_COMMITTEE,
        Sector.OTHER,
        children=[
            Plan("县直机关工作委员会", GC, Sector.GOVERNMENT_ORGAN, children=organs),
            Plan("县人民医院党委", GC, Sector.PUBLIC_INSTITUTION, children=hospital),
            Plan("县第一中学党总支", GB, Sector.PUBLIC_INSTITUTION, children=school),
            Plan("城关镇党委", GC, Sector.TOWNSHIP, children=[*villages_a, big_village, *communities]),
            Plan("河口乡党委", GC, Sector.TOWNSHIP, children=villages_b),
            Plan("县投资集团党委", GC, Sector.STATE_OWNED_ENTERPRISE, children=soe),
            Plan("县非公有制经济组织党委", GC, Sector.NON_PUBLIC_ENTERPRISE, children=enterprises),
            Plan("县社会组织党委", GC, Sector.SOCIAL_ORGANIZATION, children=socials),
        ],
    )


class CountyBuilder:
    """Builds the county of ``county_plan`` as of ``today``."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.people = PeopleFactory(self.rng, today)
        self.codes = 0
        self.branches: list[tuple[Organization, Plan]] = []
        self.orgs: list[Organization] = []

    def next_code(self, parent: Organization | None) -> str:
        self.codes += 1
        return "QH" if parent is None else f"QH{self.codes:03d}"

    @transaction.atomic
    def build(self) -> dict[str, Any]:
        plan = county_plan(self.rng)
        root = self.create(plan, None)
        members = self.create_members()
        self.create_committees_and_terms()
        self.create_party_groups()
        self.create_histories(members)
        figures.refresh_all()  # members, posts and groups above went in by bulk
        self.create_users(root)
        # Development first: the members it admits are then part of the year of life.
        self.create_development(root)
        self.create_orglife(root)
        self.create_dues(root)
        self.create_duties()
        self.create_inspections()
        self.create_assessment()
        self.create_evaluation()
        return {"root": root, "orgs": len(self.orgs), "members": Member.objects.count()}

    def create(self, plan: Plan, parent: Organization | None) -> Organization:
        org = Organization(
            name=plan.name,
            code=self.next_code(parent),
            kind=plan.kind,
            sector=plan.sector,
            established_on=self.today - dt.timedelta(days=self.rng.randint(3 * 365, 40 * 365)),
        )
        org = org_actions.create_organization(org, parent=parent, actor=None)
        self.orgs.append(org)
        for unit in plan.units:
            org_actions.add_unit(Unit(organization=org, name=unit), actor=None)
        if plan.kind == B:
            self.branches.append((org, plan))
        for child in plan.children:
            self.create(child, org)
        return org

    def create_members(self) -> list[Member]:
        created: list[Member] = []
        for org, plan in self.branches:
            for index in range(plan.size):
                probationary = not plan.retired and self.rng.random() < 0.06
                if plan.size <= 2:
                    probationary = index == 1  # undersized: one full member, one probationary
                person = self.people.person(occupation=plan.occupation, retired=plan.retired, probationary=probationary)
                member = _member(org, person)
                if plan.sector == Sector.VILLAGE and self.rng.random() < 0.06:
                    member.is_mobile = True
                    member.mobile_location = self.rng.choice(MOBILE_PLACES)
                    member.mobile_since = self.today - dt.timedelta(days=self.rng.randint(200, 1500))
                    member.mobile_certificate = self.rng.random() < 0.5
                problems = member.rule_problems(self.today)
                if problems:  # a generator bug, not bad input
                    raise AssertionError(f"demo member breaks the rules: {problems}")
                created.append(member)
        Member.objects.bulk_create(created, batch_size=1000)
        saved = list(Member.objects.order_by("pk"))
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    member=m,
                    transition=Transition.REGISTERED,
                    on=m.joined_on,
                    to_status=m.status,
                    organization_id=m.organization_id,
                )
                for m in saved
            ],
            batch_size=1000,
        )
        audit.record_many(None, "create", saved, note="seed_demo")
        return saved

    def create_committees_and_terms(self) -> None:
        full_by_org: dict[int, list[Member]] = {}
        for member in Member.objects.filter(status=Status.FULL).order_by("pk"):
            full_by_org.setdefault(member.organization_id, []).append(member)
        posts: list[Post] = []
        for index, org in enumerate(self.orgs):
            if org.kind == OrgKind.LEADING_COMMITTEE:
                continue
            # Committee posts of a higher organization are held by members of its subtree.
            pool = [m for o in self.orgs if o.path.startswith(org.path) for m in full_by_org.get(o.pk, [])]
            if not pool:
                continue
            if index % 17 == 5:
                continue  # an organization with no secretary
            holders = self.rng.sample(pool, k=min(len(pool), 5 if org.kind != B else (3 if len(pool) >= 7 else 1)))
            if org.kind == B and len(pool) >= 7 and index % 11 == 3:
                holders = holders[:1]  # a branch big enough for a committee but without one (O3)
            roles = [
                PartyPost.SECRETARY,
                PartyPost.DEPUTY_SECRETARY,
                PartyPost.COMMITTEE_MEMBER,
                PartyPost.COMMITTEE_MEMBER,
                PartyPost.COMMITTEE_MEMBER,
            ]
            portfolios = ["", "", Portfolio.ORGANIZATION, Portfolio.PROPAGANDA, Portfolio.DISCIPLINE]
            for holder, role, portfolio in zip(holders, roles, portfolios, strict=False):
                posts.append(
                    Post(
                        member=holder,
                        kind=PostKind.PARTY,
                        organization=org,
                        party_post=role,
                        portfolio=portfolio,
                        started_on=max(holder.joined_on, self.today - dt.timedelta(days=self.rng.randint(100, 1500))),
                    )
                )
        Post.objects.bulk_create(posts)
        audit.record_many(None, "create", posts, note="seed_demo")
        for index, org in enumerate(self.orgs):
            if org.kind == OrgKind.LEADING_COMMITTEE or index % 23 == 7:
                continue  # one organization with no term recorded
            years = 5 if org.kind == GC or org.sector in (Sector.VILLAGE, Sector.COMMUNITY) else 3
            if index % 9 == 4:
                elected = add_years(self.today, -years) - dt.timedelta(days=self.rng.randint(30, 300))  # overdue
            elif index % 13 == 6:
                elected = add_months(add_years(self.today, -years), 1)  # renewal due within two months
            else:
                elected = add_years(self.today, -years) + dt.timedelta(days=self.rng.randint(120, years * 365 - 60))
            org_actions.record_election(org, elected_on=elected, years=None, actor=None)

    def create_party_groups(self) -> None:
        for org, plan in self.branches:
            if plan.size < 25:
                continue
            groups = [
                org_actions.add_party_group(PartyGroup(organization=org, name=f"第{n}党小组"), actor=None)
                for n in "一二三"[: 2 + plan.size // 40]
            ]
            members = list(Member.objects.filter(organization=org).order_by("pk"))
            for i, member in enumerate(members):
                member.party_group = groups[i % len(groups)]
            Member.objects.bulk_update(members, ["party_group"])
            for group in groups:
                group.leader = next(m for m in members if m.party_group_id == group.pk and m.status == Status.FULL)
                group.save()

    def create_histories(self, members: list[Member]) -> None:
        """A few real events: a death, a transfer out of the system, transfers pending."""
        by_org: dict[int, list[Member]] = {}
        for member in members:
            by_org.setdefault(member.organization_id, []).append(member)
        village = next(o for o, p in self.branches if p.sector == Sector.VILLAGE and p.size > 10)
        retired = next(o for o, p in self.branches if p.retired)
        organ = next(o for o, p in self.branches if p.sector == Sector.GOVERNMENT_ORGAN)
        enterprise = next(o for o, p in self.branches if p.sector == Sector.NON_PUBLIC_ENTERPRISE and p.size > 10)
        old = by_org[retired.pk][0]
        member_actions.record_transition(
            old, Transition.DECEASED, on=self.today - dt.timedelta(days=40), reason="病故", actor=None
        )
        leaving = by_org[village.pk][1]
        transfer = member_actions.start_transfer(
            leaving,
            to_org=None,
            to_external="浙江省义乌市稠城街道党工委",
            reason=TransferReason.WORK,
            letter_number="清组转〔2026〕12号",
            issued_on=self.today - dt.timedelta(days=60),
            same_city=False,
            actor=None,
        )
        member_actions.accept_transfer(transfer, accepted_on=self.today - dt.timedelta(days=45), actor=None)
        member_actions.start_transfer(
            by_org[organ.pk][2],
            to_org=enterprise,
            to_external="",
            reason=TransferReason.WORK,
            letter_number="清组转〔2026〕31号",
            issued_on=self.today - dt.timedelta(days=5),
            same_city=True,
            actor=None,
        )
        member_actions.start_transfer(
            by_org[enterprise.pk][3],
            to_org=None,
            to_external="江苏省苏州市工业园区党工委",
            reason=TransferReason.RESIDENCE,
            letter_number="清组转〔2026〕33号",
            issued_on=self.today - dt.timedelta(days=3),
            same_city=False,
            actor=None,
        )

    def create_orglife(self, root: Organization) -> None:
        """The year so far of organizational life (dangjian.demo.orglife), from its own
        random stream of the seed so changes above do not reshuffle it."""
        from dangjian.demo.orglife import OrgLifeBuilder

        member_a = User.objects.get(username="member_a").member
        showcase = Organization.objects.get(name="东关村党支部")
        rng = random.Random(f"{self.seed}-orglife")
        OrgLifeBuilder(rng, self.today, root=root, showcase=showcase, showcase_member=member_a).build()

    def create_development(self, root: Organization) -> None:
        """Candidates for membership at every stage (dangjian.demo.development)."""
        from dangjian.demo.development import DevelopmentBuilder

        showcase = Organization.objects.get(name="东关村党支部")
        DevelopmentBuilder(random.Random(f"{self.seed}-development"), self.today, root=root, showcase=showcase).build()

    def create_dues(self, root: Organization) -> None:
        """Dues standards, a year of payments, handovers and funds (dangjian.demo.dues)."""
        from dangjian.demo.dues import DuesBuilder

        showcase = Organization.objects.get(name="东关村党支部")
        DuesBuilder(random.Random(f"{self.seed}-dues"), self.today, root=root, showcase=showcase).build()

    def create_duties(self) -> None:
        """Work lists with items at every link of responsibility (dangjian.demo.duties)."""
        from dangjian.demo.duties import DutiesBuilder

        DutiesBuilder(random.Random(f"{self.seed}-duties"), self.today).build()

    def create_inspections(self) -> None:
        """Inspections with findings and rectifications at every state
        (dangjian.demo.inspections)."""
        from dangjian.demo.inspections import InspectionsBuilder

        InspectionsBuilder(random.Random(f"{self.seed}-inspections"), self.today).build()

    def create_assessment(self) -> None:
        """Two years of published assessment and this year's rounds
        (dangjian.demo.assessment)."""
        from dangjian.demo.assessment import AssessmentBuilder

        AssessmentBuilder(random.Random(f"{self.seed}-assessment"), self.today).build()

    def create_evaluation(self) -> None:
        """The demo branch's democratic evaluation of members, last year's decided and this
        year's at the rating (dangjian.demo.evaluation)."""
        from dangjian.demo.evaluation import EvaluationBuilder

        EvaluationBuilder(random.Random(f"{self.seed}-evaluation"), self.today).build()

    def create_users(self, root: Organization) -> None:
        """One account per role (usernames in DEMO_USERNAMES)."""

        def org_named(name: str) -> Organization:
            return Organization.objects.get(name=name)

        branch_a = org_named("东关村党支部")
        branch_b = org_named("清河纺织有限公司党支部")
        member_a = Member.objects.filter(organization=branch_a, status=Status.FULL).order_by("pk").first()
        specs = [
            ("admin", Role.PLATFORM_ADMIN, None, None, "平台管理员"),
            ("county", Role.ORG_ADMIN, root, None, "县委组织部"),
            ("chengguan", Role.ORG_ADMIN, org_named("城关镇党委"), None, "城关镇组织委员"),
            ("secretary_a", Role.BRANCH_SECRETARY, branch_a, None, "东关村支部书记"),
            ("secretary_b", Role.BRANCH_SECRETARY, branch_b, None, "纺织公司支部书记"),
            ("member_a", Role.MEMBER, None, member_a, member_a.name if member_a else ""),
            ("instructor", Role.INSTRUCTOR, org_named("县非公有制经济组织党委"), None, "党建指导员"),
            ("inspector", Role.INSPECTOR, root, None, "督查员"),
        ]
        for username, role, scope, member, full_name in specs:
            password = demo_password(self.seed, username)
            user = User(
                username=username,
                role=role,
                scope_org=scope,
                member=member,
                full_name=full_name,
                is_staff=role == Role.PLATFORM_ADMIN,
                is_superuser=role == Role.PLATFORM_ADMIN,
            )
            account_actions.create_user(user, password=password, actor=None)


def demo_password(seed: int, username: str) -> str:
    """The demo account's password: the same for the same seed, so it can be printed again."""
    return f"{username}-{random.Random(f'{seed}-{username}').randrange(1000, 10000)}"


def login_rows(seed: int) -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo accounts present in the database."""
    rows = []
    for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("scope_org", "member"):
        scope = user.scope_org or user.member or "—"
        rows.append((user.username, demo_password(seed, user.username), str(Role(user.role).label), str(scope)))
    return sorted(rows, key=lambda r: DEMO_USERNAMES.index(r[0]))


DEMO_USERNAMES = ["admin", "county", "chengguan", "secretary_a", "secretary_b", "member_a", "instructor", "inspector"]


def _member(org: Organization, person: Person) -> Member:
    member = Member(organization=org, **person.member_fields())
    member.set_name(person.name)
    member.id_number = person.id_number
    return member
