"""Party dues and funds for the demo county: a standard for every current member by their
occupation (F1-F6, a few hardship exemptions, F7), a year of monthly payments with real
habits (most by payroll deduction every month, some late, a few six months unpaid: S1),
a voluntary payment, dues handed over quarter by quarter up to the county and confirmed
(the last quarter not yet), and the party-building funds of the 城关镇党委 and its branches:
budget income, allocations down, spending by category, one expenditure waiting for the
township's approval."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile

from dangjian.core.dates import add_months
from dangjian.dues import actions, queries, rules
from dangjian.dues.choices import DuesCategory, FundCategory, FundSource, PaymentMethod
from dangjian.dues.models import DuesStandard, Payment
from dangjian.members.choices import ACTIVE_STATUSES, Occupation
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

CATEGORY = {
    Occupation.FARMER: DuesCategory.FARMER,
    Occupation.STUDENT: DuesCategory.LOW_INCOME,
    Occupation.UNEMPLOYED: DuesCategory.LOW_INCOME,
    Occupation.RETIRED: DuesCategory.RETIRED,
    Occupation.SELF_EMPLOYED: DuesCategory.SELF_EMPLOYED,
}
# A tiny 1x1 PNG: the voucher scan of the demo expenditures.
VOUCHER = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


class DuesBuilder:
    def __init__(self, rng: random.Random, today: dt.date, *, root: Organization, showcase: Organization) -> None:
        self.rng = rng
        self.today = today
        self.root = root
        self.showcase = showcase
        self.last_month = add_months(today.replace(day=1), -1)
        self.first_month = self.last_month.replace(month=1)

    def build(self) -> dict[str, int]:
        members = list(
            Member.objects.filter(status__in=ACTIVE_STATUSES, organization__path__startswith=self.root.path)
            .select_related("organization")
            .order_by("pk")
        )
        standards = self.standards(members)
        payments = self.payments(members, standards)
        self.voluntary()
        handovers = self.handovers()
        entries = self.funds()
        return {"standards": len(standards), "payments": payments, "handovers": handovers, "fund_entries": entries}

    def standards(self, members: list[Member]) -> dict[int, DuesStandard]:
        """One standard per member from January (or the month of admission), in bulk."""
        out = []
        for member in members:
            category = CATEGORY.get(member.occupation, DuesCategory.SALARY)
            valid_from = max(self.first_month, rules.first_month_due(member.joined_on))
            base = None
            farmer = None
            if category in (DuesCategory.SALARY, DuesCategory.SELF_EMPLOYED):
                base = Decimal(self.rng.randrange(2200, 14000, 50))
            elif category == DuesCategory.RETIRED:
                base = Decimal(self.rng.randrange(2800, 7500, 50))
            elif category == DuesCategory.FARMER:
                farmer = self.rng.choice([Decimal("0.50"), Decimal("1.00")])
            computed = rules.monthly_dues(category, on=valid_from, base=base, farmer_amount=farmer)
            standard = DuesStandard(
                member=member,
                valid_from=valid_from,
                category=category,
                base=computed.base,
                farmer_amount=farmer,
                amount=computed.amount,
                rule=computed.rule,
                rate=computed.rate,
                bracket=str(computed.bracket) if computed.bracket else "",
            )
            if self.rng.random() < 0.01:
                standard.reduced_amount = Decimal(0)
                standard.reduction_reason = "家庭困难，经镇党委批准免交"
            out.append(standard)
        DuesStandard.objects.bulk_create(out, batch_size=1000)
        return {s.member_id: s for s in out}

    def payments(self, members: list[Member], standards: dict[int, DuesStandard]) -> int:
        """Monthly payments to last month: 85% pay every month, 12% miss one to three
        months, and a few (two in the showcase branch) stopped six or more months ago."""
        rows = []
        for member in members:
            standard = standards[member.pk]
            if not standard.payable:
                continue
            habit = self.rng.random()
            months = queries.months_between(standard.valid_from, self.last_month)
            if (member.organization_id == self.showcase.pk and habit > 0.9) or habit > 0.985:
                months = [m for m in months if m < add_months(self.last_month, -6)]  # S1
            elif habit > 0.85:
                missed = set(self.rng.sample(months, min(len(months), self.rng.randint(1, 3))))
                months = [m for m in months if m not in missed]
            method = PaymentMethod.PAYROLL if standard.category == DuesCategory.SALARY else PaymentMethod.CASH
            for month in months:
                paid_on = min(month + dt.timedelta(days=self.rng.randint(5, 25)), self.today)
                rows.append(
                    Payment(
                        member=member,
                        organization=member.organization,
                        month=month,
                        amount=standard.payable,
                        method=method if self.rng.random() < 0.9 else PaymentMethod.TRANSFER,
                        paid_on=paid_on,
                        receipt_no=f"DF{paid_on:%Y%m}-{member.pk:05d}",
                    )
                )
        Payment.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def voluntary(self) -> None:
        """A retired member of the showcase branch gives 1,000 yuan (F10: wholly up)."""
        member = Member.objects.filter(organization=self.showcase, status__in=ACTIVE_STATUSES).order_by("pk")[1]
        actions.record_voluntary(
            member,
            Decimal("1000.00"),
            method=PaymentMethod.TRANSFER,
            paid_on=self.last_month + dt.timedelta(days=2),
            note="自愿多交党费",
            actor=None,
        )

    def handovers(self) -> int:
        """Every quarter ended this year, branches hand over what they collected, then
        each committee hands its holdings up; the last quarter's are not yet confirmed
        above the township, and the showcase branch has not handed last quarter over."""
        count = 0
        quarters = [q for q in (3, 6, 9, 12) if dt.date(self.first_month.year, q, 1) <= self.last_month]
        orgs = list(Organization.objects.filter(path__startswith=self.root.path).exclude(pk=self.root.pk))
        orgs.sort(key=lambda o: -o.depth)  # the deepest first, so that money flows up in one pass
        for index, quarter in enumerate(quarters):
            start = dt.date(self.first_month.year, quarter - 2, 1)
            end = dt.date(self.first_month.year, quarter, 1)
            handed_on = min(add_months(end, 1) + dt.timedelta(days=9), self.today)
            latest = index == len(quarters) - 1
            for org in orgs:
                if latest and org.pk == self.showcase.pk:
                    continue
                held = queries.held(org, handed_on)
                share = Decimal(1) if org.kind == OrgKind.BRANCH else Decimal("0.8")
                amount = (held * share).quantize(Decimal("0.01"))
                if amount <= 0:
                    continue
                handover = actions.hand_over(
                    org,
                    amount=amount,
                    handed_on=handed_on,
                    months_from=start,
                    months_to=end,
                    receipt_no=f"SJ{end:%Y%m}-{org.code}",
                    actor=None,
                )
                count += 1
                if not latest or org.depth > 2:
                    confirmed = min(handed_on + dt.timedelta(days=3), self.today)
                    actions.confirm_handover(handover, confirmed_on=confirmed, actor=None)
        return count

    def funds(self) -> int:
        """The 城关镇党委's funds: its budget, allocations to each branch, spending by
        category with vouchers, and one large expenditure of the showcase branch that
        waits for the township's approval."""
        from dangjian.accounts.models import User

        township = Organization.objects.get(name="城关镇党委")
        secretary = User.objects.get(username="secretary_a")
        year = self.first_month.year
        # Early in the year the later dates would be in the future: no later than today.
        on = min(dt.date(year, 1, 10), self.today)
        entries = [
            actions.record_income(
                township,
                source=FundSource.BUDGET,
                amount=Decimal("60000.00"),
                on=on,
                description="镇财政列支党建工作经费",
                actor=None,
            ),
            actions.record_income(
                township,
                source=FundSource.RETURNED_DUES,
                amount=Decimal("8000.00"),
                on=min(dt.date(year, 3, 5), self.today),
                description="县委组织部返还党费",
                actor=None,
            ),
        ]
        branches = list(Organization.objects.get_children(township).filter(kind=OrgKind.BRANCH).order_by("path"))
        for branch in branches:
            entries.append(
                actions.record_income(
                    branch,
                    source=FundSource.HIGHER,
                    granted_by=township,
                    amount=Decimal("3000.00"),
                    on=min(dt.date(year, 2, 1), self.today),
                    description="下拨支部党建活动经费",
                    actor=None,
                )
            )
        spending = [
            (FundCategory.TRAINING, "2600.00", "党员冬训教材和场地", 1),
            (FundCategory.MATERIALS, "480.00", "订阅党报党刊", 2),
            (FundCategory.ASSISTANCE, "1500.00", "慰问生活困难党员", 6),
            (FundCategory.ACTIVITIES, "900.00", "主题党日活动", 7),
        ]
        for category, amount, text, month in spending:
            day = dt.date(year, month, 15)
            if day > self.today:
                continue
            entry = actions.record_expenditure(
                township,
                category=category,
                amount=Decimal(amount),
                on=day,
                description=text,
                approver="镇党委书记 王建国",
                actor=None,
            )
            entry.voucher.save(f"voucher-{entry.pk}.png", ContentFile(VOUCHER), save=True)
            entries.append(entry)
        for branch in branches[:4]:
            entries.append(
                actions.record_expenditure(
                    branch,
                    category=FundCategory.ACTIVITIES,
                    amount=Decimal("350.00"),
                    on=min(dt.date(year, 7, 1), self.today),
                    description="七一主题党日活动",
                    approver="支部书记",
                    actor=None,
                )
            )
        pending = actions.record_expenditure(
            self.showcase,
            category=FundCategory.PREMISES,
            amount=Decimal("2400.00"),
            on=min(self.last_month + dt.timedelta(days=20), self.today),
            description="党员活动室桌椅更新",
            actor=secretary,
        )
        pending.voucher.save(f"quote-{pending.pk}.png", ContentFile(VOUCHER), save=True)
        entries.append(pending)
        return len(entries)
