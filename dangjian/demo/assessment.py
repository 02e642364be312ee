"""Assessment in the demo county: the county organization department's two-way assessment
of its 50 branches, published at year-end for the last two years (the same three branches
at the bottom both years, so the second year gives them a public notification), and this
year's copy with the mid-year round published and the year-end round open for appeals,
with the demo secretary's branch appealing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.assessment import actions
from dangjian.assessment.choices import Method, RoundKind
from dangjian.assessment.models import Indicator, Round, Scheme
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


class AssessmentBuilder:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today

    def build(self) -> int:
        from dangjian.accounts.models import User

        county = Organization.objects.get(depth=1)
        self.admin = User.objects.get(username="county")
        self.inspector = User.objects.get(username="inspector")
        secretary = User.objects.get(username="secretary_a")
        showcase = Organization.objects.get(name="东关村党支部")
        branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).order_by("path"))
        laggards = {b.pk for b in self.rng.sample([b for b in branches if b != showcase], 3)}
        year = self.today.year
        scheme = actions.create_scheme(
            county, year=year - 2, title=f"{year - 2}年度基层党支部分类考核", party_share=60, actor=self.admin
        )
        actions.add_assessed(scheme, branches, actor=self.admin)
        for offset in (2, 1):
            if offset == 1:
                scheme = actions.copy_scheme(scheme, year=year - 1, actor=self.admin)
            self.year_end(scheme, branches, laggards)
        current = actions.copy_scheme(scheme, year=year, actor=self.admin)
        mid = actions.open_round(
            current,
            kind=RoundKind.MID_YEAR,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 6, 30),
            actor=self.admin,
        )
        self.score(mid, branches, laggards)
        actions.open_review(mid, appeal_until=self.today, actor=self.admin)
        self.window_over(mid)
        actions.publish(mid, actor=self.admin)
        end = actions.open_round(
            current,
            kind=RoundKind.YEAR_END,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            actor=self.admin,
        )
        self.score(end, branches, laggards)
        actions.open_review(end, appeal_until=self.today + dt.timedelta(days=7), actor=self.admin)
        indicator = (
            Indicator.objects.filter(dimension__scheme=current, method=Method.MANUAL).order_by("position").first()
        )
        actions.file_appeal(
            end,
            organization=showcase,
            indicator=indicator,
            text="村集体经济收入已达标，附镇政府确认函，请求复核业务得分。",
            actor=secretary,
        )
        return len(branches)

    def year_end(self, scheme: Scheme, branches: list[Organization], laggards: set[int]) -> None:
        round_ = actions.open_round(
            scheme,
            kind=RoundKind.YEAR_END,
            starts_on=dt.date(scheme.year, 1, 1),
            ends_on=dt.date(scheme.year, 12, 31),
            actor=self.admin,
        )
        self.score(round_, branches, laggards)
        actions.open_review(round_, appeal_until=timezone.localdate(), actor=self.admin)
        self.window_over(round_)
        actions.publish(round_, actor=self.admin)

    @staticmethod
    def window_over(round_: Round) -> None:
        """History: the appeal window of a past round is over (appeals run through its
        last day, publication the day after)."""
        Round.objects.filter(pk=round_.pk).update(appeal_until=timezone.localdate() - dt.timedelta(days=1))

    def score(self, round_: object, branches: list[Organization], laggards: set[int]) -> None:
        """Two assessors score the manual indicators; the laggards score low and one of
        them has a deduction."""
        manual = list(Indicator.objects.filter(dimension__scheme=round_.scheme, method=Method.MANUAL))  # type: ignore[attr-defined]
        deduction = Indicator.objects.get(dimension__scheme=round_.scheme, method=Method.DEDUCTION)  # type: ignore[attr-defined]
        for branch in branches:
            low = branch.pk in laggards
            for indicator in manual:
                for assessor in (self.admin, self.inspector):
                    share = self.rng.uniform(0.45, 0.6) if low else self.rng.uniform(0.75, 1.0)
                    actions.record_score(
                        round_,  # type: ignore[arg-type]
                        organization=branch,
                        indicator=indicator,
                        value=(indicator.max_score * Decimal(str(round(share, 2)))).quantize(Decimal("0.1")),
                        note="",
                        evidence=_evidence() if indicator.evidence_required and assessor == self.admin else None,
                        actor=assessor,
                    )
            if low and branch.pk == min(laggards):
                actions.record_adjustment(
                    round_,  # type: ignore[arg-type]
                    organization=branch,
                    indicator=deduction,
                    points=Decimal(3),
                    reason="未按期完成换届",
                    actor=self.admin,
                )


def _evidence() -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("考核佐证.pdf", b"%PDF-1.4 demo evidence", content_type="application/pdf")
