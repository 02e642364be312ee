"""The responsibility system in the demo county: the 城关镇党委's published work list for
the year with items for its branches at every link of responsibility (acknowledged, in
progress, reported and waiting to be assessed, returned, accepted with a score, overdue,
failed with an accountability talk), one item split into sub-items, and next year's draft
copied from it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from dangjian.duties import actions
from dangjian.duties.choices import Measure, Move
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

TASKS = [
    ("落实“三会一课”制度", "每季度召开党员大会，每月召开支委会、主题党日", "记录完整，按期录入系统"),
    ("按期完成换届选举", "任期届满前两个月向镇党委书面请示（O9）", "按期换届，无超期"),
    ("发展党员工作", "按年度计划推进发展对象培养", "程序合规，无违规办理"),
    ("党费收缴", "按月足额收缴，按季上缴", "收缴率不低于95%"),
    ("党员教育培训", "组织党员集中学习不少于32学时", "培训记录和签到表齐全"),
    ("联系服务群众", "每名党员联系不少于3户群众", "有走访记录"),
]


class DutiesBuilder:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today

    def build(self) -> int:
        from dangjian.accounts.models import User

        township = Organization.objects.get(name="城关镇党委")
        committee = User.objects.get(username="chengguan")
        secretary = User.objects.get(username="secretary_a")
        showcase = Organization.objects.get(name="东关村党支部")
        branches = list(Organization.objects.get_children(township).filter(kind=OrgKind.BRANCH).order_by("path"))
        year = self.today.year
        work_list = actions.create_list(township, year=year, title=f"{year}年度基层党建工作责任清单", actor=committee)
        items = []
        for branch in [showcase, *[b for b in branches if b != showcase][:3]]:
            for title, requirements, standard in TASKS:
                # Around the day the demo is built: some past (overdue or done), some ahead.
                deadline = self.today + dt.timedelta(days=self.rng.choice([-60, -20, 30, 90]))
                items.append(
                    actions.add_item(
                        work_list,
                        assignee=branch,
                        title=title,
                        deadline=deadline,
                        requirements=requirements,
                        quality_standard=standard,
                        actor=committee,
                    )
                )
        actions.publish(work_list, actor=committee)
        day = self.today  # moves follow the publication (today)
        # The showcase branch: one item at each link.
        mine = [i for i in items if i.assignee_id == showcase.pk]
        owner = secretary
        steps = [
            [(Move.ACKNOWLEDGE, {})],
            [(Move.ACKNOWLEDGE, {}), (Move.PROGRESS, {"percent": 60, "text": "已完成三个季度的党员大会"})],
            [(Move.ACKNOWLEDGE, {}), (Move.REPORT, {"text": "全年发展工作按计划完成"})],
            [
                (Move.ACKNOWLEDGE, {}),
                (Move.REPORT, {"text": "已足额收缴"}),
                (Move.RETURN, {"text": "第三季度未上缴，请补缴后再报"}),
            ],
            [
                (Move.ACKNOWLEDGE, {}),
                (Move.REPORT, {"text": "集中学习36学时"}),
                (Move.ACCEPT, {"score": Decimal("9.5")}),
            ],
            [],
        ]
        for item, moves in zip(mine, steps, strict=True):
            for move, args in moves:
                actor = committee if move in (Move.RETURN, Move.ACCEPT) else owner
                actions.make_move(item, move, actor=actor, on=day, **args)
        # Other branches: most acknowledged; some accepted; one failed and pursued.
        for item in items:
            if item.assignee_id == showcase.pk:
                continue
            roll = self.rng.random()
            if roll < 0.2:
                continue
            actions.make_move(item, Move.ACKNOWLEDGE, actor=committee, on=day)
            if roll > 0.6 and item.deadline < self.today:
                actions.make_move(item, Move.REPORT, actor=committee, on=day, text="已完成")
                actions.make_move(
                    item, Move.ACCEPT, actor=committee, on=day, score=Decimal(self.rng.choice([8, 9, 10]))
                )
        for item in items:
            item.refresh_from_db()
        late = [i for i in items if i.assignee_id != showcase.pk and i.state in ("assigned", "acknowledged")]
        failed = min(late, key=lambda i: (i.deadline, i.pk))
        actions.make_move(failed, Move.FAIL, actor=committee, on=day, text="逾期未完成")
        actions.make_move(
            failed,
            Move.PURSUE,
            actor=committee,
            on=day,
            measure=Measure.TALK,
            decided_by="镇党委书记",
            text="约谈支部书记，限期整改",
        )
        # A county item for the township, split into sub-items for two branches.
        county = Organization.objects.get_parent(township)
        county_user = User.objects.get(username="county")
        county_list = actions.create_list(county, year=year, title=f"{year}年县委组织部重点任务", actor=county_user)
        parent = actions.add_item(
            county_list,
            assignee=township,
            title="软弱涣散党组织整顿",
            deadline=dt.date(year, 12, 31),
            actor=county_user,
        )
        actions.publish(county_list, actor=county_user)
        actions.make_move(parent, Move.ACKNOWLEDGE, actor=committee, on=day)
        parent.refresh_from_db()
        for branch in branches[-2:]:
            actions.add_item(
                county_list,
                parent=parent,
                assignee=branch,
                title=f"{branch.name}整顿提升",
                deadline=dt.date(year, 12, 15),
                actor=committee,
            )
        actions.copy_list(work_list, organization=township, year=year + 1, actor=committee)
        self.project(showcase, secretary)
        return len(items)

    def project(self, showcase: Organization, secretary: object) -> None:
        """The showcase branch's project with two milestones done, one due, and spending."""
        from dangjian.dues import actions as dues
        from dangjian.dues.choices import FundCategory

        start = self.today - dt.timedelta(days=300)  # running for ten months
        project = actions.create_project(
            showcase,
            title="“红色先锋”志愿服务队",
            goals="党员每月为村里困难群众办一件实事，全年走访100户",
            starts_on=start,
            ends_on=start + dt.timedelta(days=364),
            budget=Decimal("1500.00"),
            actor=secretary,
        )
        for title, days, note in (
            ("组建服务队", 40, "12名党员报名，分3个小组"),
            ("上半年走访", 150, "走访困难群众52户"),
        ):
            due = start + dt.timedelta(days=days)
            actions.add_milestone(project, title=title, due_on=due, actor=secretary)
            milestone = project.milestones.get(title=title)
            actions.complete_milestone(milestone, done_on=due - dt.timedelta(days=3), note=note, actor=secretary)
        actions.add_milestone(project, title="全年走访100户", due_on=start + dt.timedelta(days=350), actor=secretary)
        dues.record_expenditure(
            showcase,
            category=FundCategory.ACTIVITIES,
            amount=Decimal("200.00"),
            on=start + dt.timedelta(days=60),
            description="服务队慰问品",
            approver="支部书记",
            project=project,
            actor=secretary,
        )
