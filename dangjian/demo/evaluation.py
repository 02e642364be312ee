"""The democratic evaluation of members in the demo county (L8, V1, V2): the demo
secretary's branch (东关村党支部) decided last year's evaluation at the branch general
meeting of December that also admitted new members — one member basically qualified,
followed up and corrected — and this year's evaluation is at the democratic rating, the
self-evaluations in (the demo member's from their phone) and the mutual evaluation held."""

from __future__ import annotations

import datetime as dt
import random

from dangjian.accounts.models import User
from dangjian.evaluation import actions
from dangjian.evaluation.choices import Grade
from dangjian.evaluation.models import Evaluation, Round
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.models import Member
from dangjian.orglife.choices import EventKind, EventState
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization

SELF_TEXTS = [
    "一年来坚持学习党的理论，按时参加“三会一课”，按时足额交纳党费，带头参与村里的环境整治。不足是理论学习不够系统，今后要提高学习的主动性。",
    "本人积极参加主题党日活动，在防汛和秋收中发挥党员先锋模范作用。存在的问题是联系群众不够经常，今后多走访困难户。",
    "认真履行党员义务，参加支部组织的志愿服务，帮助邻里解决实际困难。对照党章党规，批评与自我批评开展得不够深入，今后改进。",
    "坚持在外务工期间与支部保持联系，通过线上方式参加学习。不足是参加组织生活次数偏少，明年争取多回村参加活动。",
    "发挥致富带头作用，带动周边农户发展种植。存在重业务轻学习的倾向，今后把学习摆在更重要的位置。",
]
MUTUAL = (
    "支部党员大会上逐一开展互评，每名党员对照合格党员标准，指出其他党员的优点和不足，"
    "共提出意见建议二十余条，当场作了回应。"
)


class EvaluationBuilder:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today

    def build(self) -> list[Round]:
        showcase = Organization.objects.get(name="东关村党支部")
        secretary = User.objects.get(username="secretary_a")
        member_user = User.objects.get(username="member_a")
        return [self.last_year(showcase, secretary, member_user), self.this_year(showcase, secretary, member_user)]

    def _meeting(self, org: Organization) -> Event:
        """Last year's decision meeting: the December branch general meeting of the branch
        (it also voted on admissions); a democratic evaluation meeting of its own otherwise."""
        year = self.today.year - 1
        held = (
            Event.objects.filter(
                organization=org,
                kind=EventKind.GENERAL_MEETING,
                state=EventState.HELD,
                held_on__gte=dt.date(year, 10, 1),
                held_on__lte=dt.date(year, 12, 31),
            )
            .order_by("-held_on")
            .first()
        )
        if held is not None:
            return held
        from dangjian.evaluation.testing import meeting

        return meeting(org, dt.date(year, 12, 20))

    def _self_evaluations(self, round_: Round, secretary: User, member_user: User, last: dt.date) -> None:
        """Everyone's self-evaluation from the paper forms, the demo member's from the
        phone (when it is this year's), one mobile member excused."""
        evaluations = list(round_.evaluations.select_related("member").order_by("member__name_pinyin", "pk"))
        mobile = next((e for e in evaluations if e.member.is_mobile and e.member_id != member_user.member_id), None)
        days = (last - round_.opened_on).days
        for e in evaluations:
            if e is mobile:
                actions.excuse(e, reason="长期在外务工，未能参加评议", actor=secretary)
            elif e.member_id == member_user.member_id and round_.year == self.today.year:
                actions.hand_in_self_evaluation(e, text=SELF_TEXTS[0], actor=member_user)
            else:
                on = round_.opened_on + dt.timedelta(days=self.rng.randint(1, max(days, 1)))
                actions.hand_in_self_evaluation(e, text=self.rng.choice(SELF_TEXTS), on=min(on, last), actor=secretary)

    def _tallies(self, round_: Round, ballots: int, lower: Member) -> dict[int, dict[str, int]]:
        """Paper ballots: most members qualified, a few excellent, ``lower`` basically
        qualified; some ballots leave a member blank."""
        rows = {}
        taking_part = round_.evaluations.filter(excused_reason="").order_by("member__name_pinyin", "pk")
        stars = {e.pk for e in self.rng.sample(list(taking_part), k=min(5, taking_part.count()))}
        for e in taking_part:
            blank = self.rng.randint(0, 2)
            if e.member_id == lower.pk:
                basic = ballots // 2 + self.rng.randint(2, 4)
                unqualified = self.rng.randint(0, 2)
                rows[e.pk] = {Grade.BASICALLY_QUALIFIED: basic, Grade.UNQUALIFIED: unqualified}
                rows[e.pk][Grade.QUALIFIED] = ballots - basic - unqualified - blank
            elif e.pk in stars:
                excellent = ballots // 2 + self.rng.randint(1, ballots // 3)
                rows[e.pk] = {Grade.EXCELLENT: excellent, Grade.QUALIFIED: ballots - excellent - blank}
            else:
                excellent = self.rng.randint(0, ballots // 4)
                basic = self.rng.randint(0, 2)
                rows[e.pk] = {
                    Grade.EXCELLENT: excellent,
                    Grade.BASICALLY_QUALIFIED: basic,
                    Grade.QUALIFIED: ballots - excellent - basic - blank,
                }
        return rows

    def last_year(self, org: Organization, secretary: User, member_user: User) -> Round:
        meeting = self._meeting(org)
        decided_on = meeting.held_on
        rated_on = decided_on - dt.timedelta(days=6)
        mutual_on = rated_on - dt.timedelta(days=3)
        closed_on = mutual_on - dt.timedelta(days=4)
        round_ = actions.open_round(org, opened_on=closed_on - dt.timedelta(days=14), actor=secretary)
        self._self_evaluations(round_, secretary, member_user, closed_on)
        actions.close_self_evaluation(round_, on=closed_on, actor=secretary)
        actions.record_mutual_evaluation(round_, held_on=mutual_on, summary=MUTUAL, actor=secretary)
        candidates = list(
            round_.evaluations.filter(
                excused_reason="", status="full", member__organization=org, member__status__in=ACTIVE_STATUSES
            )
            .exclude(member_id=member_user.member_id)
            .select_related("member")
            .order_by("member__name_pinyin", "pk")
        )
        lower = self.rng.choice(candidates[len(candidates) // 2 :]).member
        taking_part = round_.evaluations.filter(excused_reason="").count()
        ballots = taking_part - self.rng.randint(2, 4)
        actions.record_tallies(
            round_, ballots=ballots, rated_on=rated_on, tallies=self._tallies(round_, ballots, lower), actor=secretary
        )
        grades: dict[int, tuple[str, str]] = {}
        excellent = 0
        for e in round_.evaluations.filter(excused_reason="").order_by("-rated_excellent", "pk"):
            if e.suggested == Grade.EXCELLENT:
                excellent += 1
                if excellent > 4:  # the township keeps "excellent" to about a tenth of the branch
                    grades[e.pk] = (Grade.QUALIFIED, "优秀等次比例按镇党委要求控制在10%左右")
                    continue
            grades[e.pk] = (e.suggested, "")
        actions.decide(Round.objects.get(pk=round_.pk), meeting=meeting, grades=grades, actor=secretary)
        follow_up = Evaluation.objects.get(round=round_, member=lower).follow_up
        # The helper: a member graded excellent who is still in the branch.
        current = Member.objects.filter(organization=org, status__in=ACTIVE_STATUSES).exclude(
            pk__in=[lower.pk, member_user.member_id or 0]
        )
        helper = (
            current.filter(evaluations__round=round_, evaluations__grade=Grade.EXCELLENT).order_by("pk").first()
            or current.order_by("pk").first()
        )
        actions.plan_follow_up(
            follow_up,
            helper=helper,
            plan="每月至少参加一次组织生活，按时交纳党费；由帮扶党员每季度谈心一次；承担一项为民服务任务（村道保洁）。",
            deadline=follow_up.deadline,
            actor=secretary,
        )
        corrected_on = min(follow_up.deadline - dt.timedelta(days=20), self.today)
        actions.move_follow_up(
            follow_up,
            "correct",
            on=corrected_on,
            text="半年来按时参加组织生活和主题党日，党费足额交纳，主动承担村道保洁任务，群众反映良好。经支委会研究，认定已改正。",
            actor=secretary,
        )
        return round_

    def this_year(self, org: Organization, secretary: User, member_user: User) -> Round:
        """Opened two weeks ago; everyone handed in; the mutual evaluation held today: the
        democratic rating is next."""
        opened_on = max(self.today - dt.timedelta(days=14), dt.date(self.today.year, 1, 1))
        round_ = actions.open_round(org, opened_on=opened_on, actor=secretary)
        self._self_evaluations(round_, secretary, member_user, max(self.today - dt.timedelta(days=1), opened_on))
        actions.close_self_evaluation(round_, on=self.today, actor=secretary)
        actions.record_mutual_evaluation(round_, held_on=self.today, summary=MUTUAL, actor=secretary)
        return round_
