"""Supervision and inspection in the demo county: the county organization department's
inspection of the 城关镇党委's branches this quarter (visits done and to do; findings
recorded from the automatic signals of the demo secretary's branch and against the
checklist; rectifications open, overdue, reported and waiting for verification, returned
and verified closed) and the township's own inspection of its branches in the spring,
closed out."""

from __future__ import annotations

import datetime as dt
import random

from dangjian.core import alerts
from dangjian.inspections import actions
from dangjian.inspections.choices import Coverage, RectificationMove
from dangjian.orgs.models import Organization

FINDINGS = [
    ("L3", "支委会会议记录不完整，缺少出席人数", "补齐会议记录，按月召开支委会"),
    ("L9", "未见年度谈心谈话记录", "开展谈心谈话并形成记录"),
    ("F7", "党费减免未报上级党委审批", "补报审批材料"),
    ("D24", "发展党员档案缺少政审材料", "补齐政审结论材料并归档"),
]


class InspectionsBuilder:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today

    def build(self) -> int:
        from dangjian.accounts.models import User

        county = Organization.objects.get(depth=1)
        township = Organization.objects.get(name="城关镇党委")
        showcase = Organization.objects.get(name="东关村党支部")
        inspector = User.objects.get(username="inspector")
        committee = User.objects.get(username="chengguan")
        secretary = User.objects.get(username="secretary_a")
        # Dates follow the day the demo is built: an earlier self-inspection, closed out,
        # and one by the county under way these three weeks.
        early = self.today - dt.timedelta(days=150)
        spring = actions.create_plan(
            township,
            target=township,
            title=f"{early.year}年支部工作自查",
            year=early.year,
            starts_on=early,
            ends_on=early + dt.timedelta(days=60),
            inspectors="城关镇党委组织委员",
            covering=Coverage.BRANCHES,
            actor=committee,
        )
        count = 0
        for visit in spring.visits.select_related("organization").order_by("-organization__name")[:4]:
            actions.record_visit(
                visit,
                inspected_on=early + dt.timedelta(days=self.rng.randint(7, 27)),
                summary="基本规范",
                actor=committee,
            )
            rule, text, task = self.rng.choice(FINDINGS)
            finding = actions.record_finding(
                visit,
                text=text,
                check=spring.checks.filter(rule=rule).first(),
                task=task,
                found_on=visit.inspected_on,
                actor=committee,
            )
            assert finding.rectification is not None
            reported = visit.inspected_on + dt.timedelta(days=20)
            # Branches without an account of their own report through the township's
            # organization member; then someone else verifies (the county's inspector).
            own = visit.organization == showcase
            actions.make_move(
                finding.rectification,
                RectificationMove.REPORT,
                actor=secretary if own else committee,
                on=reported,
                text="已整改",
            )
            actions.make_move(
                finding.rectification,
                RectificationMove.VERIFY,
                actor=committee if own else inspector,
                on=reported + dt.timedelta(days=5),
                text="经核实已整改到位",
            )
            count += 1

        start = self.today - dt.timedelta(days=21)
        autumn = actions.create_plan(
            county,
            target=township,
            title=f"{start.year}年基层党建督查",
            year=start.year,
            starts_on=start,
            ends_on=start + dt.timedelta(days=45),
            inspectors="县委组织部督查组",
            focus="“三会一课”、换届、党费、发展党员程序",
            covering=Coverage.BRANCHES,
            actor=inspector,
        )
        # The demo secretary's branch: findings from its automatic signals, at every state.
        visit = autumn.visits.get(organization=showcase)
        found_on = start + dt.timedelta(days=1)
        actions.record_visit(visit, inspected_on=found_on, summary="制度执行有差距，限期整改", actor=inspector)
        # The signals an inspector would take up first: meetings, terms, dues.
        first = ("orglife", "orgs", "dues")
        signals = sorted(alerts.for_organization(showcase, found_on), key=lambda a: not a.code.startswith(first))[:2]
        rectifications = []
        for signal in signals:
            finding = actions.record_finding(
                visit,
                text=str(signal.text),
                check=autumn.checks.filter(rule=signal.rule).first(),
                signal=signal.code,
                signal_text=str(signal.text),
                task=f"查找原因，补课补记录：{signal.text}",
                found_on=found_on,
                actor=inspector,
            )
            rectifications.append(finding.rectification)
        for rule, text, task in FINDINGS[:3]:
            finding = actions.record_finding(
                visit,
                text=text,
                check=autumn.checks.filter(rule=rule).first(),
                task=task,
                found_on=found_on,
                deadline=found_on + dt.timedelta(days=self.rng.choice([10, 14, 40])),
                actor=inspector,
            )
            rectifications.append(finding.rectification)
        moves = [
            [(RectificationMove.PROGRESS, "已召开支委会研究整改")],
            [(RectificationMove.REPORT, "已补开会议并完善记录")],
            [(RectificationMove.REPORT, "已开展谈心谈话"), (RectificationMove.RETURN, "谈话记录未签字，请补充")],
            [(RectificationMove.REPORT, "已报镇党委审批"), (RectificationMove.VERIFY, "审批材料齐全")],
        ]
        on = found_on
        for rectification, steps in zip(rectifications, moves, strict=False):
            for move, text in steps:
                on = min(on + dt.timedelta(days=1), self.today)
                actor = inspector if move in (RectificationMove.RETURN, RectificationMove.VERIFY) else secretary
                actions.make_move(rectification, move, actor=actor, on=on, text=text)
        count += len(rectifications)
        # Two other branches inspected with one finding each; the rest still to visit.
        for other in autumn.visits.exclude(organization=showcase).select_related("organization")[:2]:
            actions.record_visit(other, inspected_on=found_on + dt.timedelta(days=2), summary="较好", actor=inspector)
            rule, text, task = FINDINGS[3]
            actions.record_finding(
                other,
                text=text,
                check=autumn.checks.filter(rule=rule).first(),
                task=task,
                found_on=found_on + dt.timedelta(days=2),
                actor=inspector,
            )
            count += 1
        return count
