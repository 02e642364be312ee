"""A year of organizational life for the demo county: every organization's meetings,
lessons, theme days and talks from 1 January to today, as ``rules.REQUIREMENTS`` asks,
kept well by most branches, patchily by some and hardly at all by a few; with the
formalism signals (late records, missing or copied minutes, low attendance), drifting
members (S1, S2), an admission vote and a vote without quorum, and a few events planned
for the coming weeks (one today, with sign-in open, in the demo member's branch).

The showcase branch and the events with votes or plans go through the real actions
(``create_event``, ``record_vote``, ``open_sign_in``); the rest is written in bulk with
the same derived figures the actions store (counts from the attendance rows, the
minutes digest), so the demo builds in seconds."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from dangjian.core import audit
from dangjian.core.dates import add_months
from dangjian.core.rulesets import value
from dangjian.demo.orglife_phrases import (
    CLOSINGS,
    COMMITTEE_TOPICS,
    CONTENT,
    EXCUSES,
    EXCUSES_AT_WORK,
    EXCUSES_RETIRED,
    GENERAL_TOPICS,
    GROUP_TOPICS,
    KIND_WORDS,
    LESSON_TOPICS,
    PLACES,
    PLACES_OTHER,
    TALK_TOPICS,
    THEME_DAYS,
)
from dangjian.members import actions as member_actions
from dangjian.members.choices import PartyPost, PostKind, Status
from dangjian.members.models import Member, Post, Transfer
from dangjian.orglife import actions, queries, rules
from dangjian.orglife.choices import (
    AUDIENCE,
    AttendanceStatus,
    Audience,
    EventKind,
    EventState,
    LecturerKind,
    VoteSubject,
)
from dangjian.orglife.choices import Period as P
from dangjian.orglife.models import Attendance, Event, Vote
from dangjian.orgs.choices import OrgKind, Sector
from dangjian.orgs.models import Organization, PartyGroup
from dangjian.orgs.rules import COMMITTEE_MIN_SIZE

PRESENT, EXCUSED, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


@dataclass(frozen=True)
class Diligence:
    """How an organization keeps its organizational life: the share of the events owed
    that it holds, and the shares of those recorded late, without minutes, or poorly
    attended."""

    name: str
    holds: float
    late: float
    no_minutes: float
    low_attendance: float


DILIGENT = Diligence("diligent", holds=0.98, late=0.03, no_minutes=0.002, low_attendance=0.01)
LAGGING = Diligence("lagging", holds=0.8, late=0.15, no_minutes=0.02, low_attendance=0.05)
FAILING = Diligence("failing", holds=0.4, late=0.3, no_minutes=0.08, low_attendance=0.15)


@dataclass
class Life:
    """One organization as the demo sees it: who leads it, its groups, its members."""

    org: Organization
    diligence: Diligence
    secretary: Member | None
    committee: bool
    groups: list[PartyGroup]
    members: list[Member]
    parent_name: str


@dataclass
class Draft:
    """One event to write: held (with its attendance) or planned."""

    life: Life
    kind: str
    held_on: dt.date
    topic: str
    period_end: dt.date  # the end of the period the event counts for (on time / late)
    group: PartyGroup | None = None
    lecturer_kind: str = ""
    lecturer: Member | None = None
    lecturer_name: str = ""
    includes_evaluation: bool = False
    planned: bool = False
    late: bool = False
    low_attendance: bool = False
    no_minutes: bool = False
    participants: list[Member] = field(default_factory=list)  # heart-to-heart talks
    attendance: dict[int, tuple[str, str]] = field(default_factory=dict)
    minutes: str = ""
    vote: Vote | None = None
    through_actions: bool = False


class OrgLifeBuilder:
    """Writes the organizational life of every organization under ``root`` from
    1 January to ``today``, plus a few events planned in the coming weeks.

    ``showcase`` (the demo secretary's branch) is kept diligently, through the real
    actions, and gets today's event with sign-in open; ``showcase_member`` (the demo
    member) is never one of the drifting members."""

    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        *,
        root: Organization,
        showcase: Organization,
        showcase_member: Member | None,
    ) -> None:
        self.rng = rng
        self.today = today
        self.root = root
        self.showcase = showcase
        self.showcase_member = showcase_member
        self.window = rules.span_of(today, P.YEAR)
        self.lives: list[Life] = []
        self.drafts: list[Draft] = []
        self.drifting: set[int] = set()
        self.lost: Member | None = None
        self.lost_since = add_months(today, -8)
        self.everyone: dict[int, Member] = {}
        self.changes: dict[int | None, list[dt.date]] = {}
        self.due: dict[tuple[Any, ...], list[int]] = {}
        self.propensity: dict[int, str] = {}
        self.last: dict[int, str] = {}  # each member's last attendance, in date order

    def build(self) -> dict[str, int]:
        self.load()
        self.load_changes()
        self.choose_drifting()
        for life in self.lives:
            self.draft_year(life)
        self.draft_votes()
        self.draft_plans()
        self.drafts.sort(key=lambda d: (d.held_on, d.life.org.path, d.kind, d.topic))
        for draft in self.drafts:
            self.fill_attendance(draft)
        # A talk needs two members (L9): none where the organization had no one to talk to.
        self.drafts = [d for d in self.drafts if d.kind != EventKind.HEART_TALK or len(d.participants) >= 2]
        self.copy_minutes()
        self.write()
        held = Event.objects.filter(state=EventState.HELD)
        return {
            "events": held.count(),
            "planned": Event.objects.filter(state=EventState.PLANNED).count(),
            "attendance": Attendance.objects.count(),
            "votes": Vote.objects.count(),
        }

    # --- Who is there ---------------------------------------------------------------------

    def load(self) -> None:
        orgs = list(
            Organization.objects.filter(path__startswith=self.root.path, dissolved_on__isnull=True)
            .exclude(kind=OrgKind.LEADING_COMMITTEE)
            .order_by("path")
        )
        names = {o.path: o.name for o in Organization.objects.filter(path__startswith=self.root.path)}
        secretaries = {
            p.organization_id: p.member
            for p in Post.objects.filter(
                kind=PostKind.PARTY, party_post=PartyPost.SECRETARY, ended_on__isnull=True
            ).select_related("member")
        }
        groups: dict[int, list[PartyGroup]] = {}
        for group in PartyGroup.objects.order_by("pk"):
            groups.setdefault(group.organization_id, []).append(group)
        members: dict[int, list[Member]] = {}
        for member in Member.objects.filter(status__in=[Status.FULL, Status.PROBATIONARY]).order_by("pk"):
            members.setdefault(member.organization_id, []).append(member)
        self.everyone = {m.pk: m for m in Member.objects.all()}  # left members may be due at earlier events
        min_committee = int(value(COMMITTEE_MIN_SIZE.key, self.today))
        branches = [o for o in orgs if o.kind == OrgKind.BRANCH and o.pk != self.showcase.pk]
        # Most branches are diligent, about one in five lags behind, a few fail.
        failing = max(2, len(branches) // 12)
        lagging = max(3, len(branches) // 5)
        ranked = self.rng.sample(branches, k=len(branches))
        diligence = {o.pk: FAILING for o in ranked[:failing]}
        diligence.update({o.pk: LAGGING for o in ranked[failing : failing + lagging]})
        for org in orgs:
            self.lives.append(
                Life(
                    org=org,
                    diligence=diligence.get(org.pk, DILIGENT),
                    secretary=secretaries.get(org.pk),
                    committee=org.committee_size >= min_committee,
                    groups=groups.get(org.pk, []),
                    members=members.get(org.pk, []),
                    parent_name=names.get(org.path[: -Organization.steplen], ""),
                )
            )
        for life in self.lives:
            for member in life.members:
                if member.is_mobile:
                    self.propensity[member.pk] = "mobile"
                elif life.org.sector == Sector.COMMUNITY or member.birth_date.year < self.today.year - 75:
                    self.propensity[member.pk] = "elderly"

    def choose_drifting(self) -> None:
        """Three members who stopped coming (S1) and one the branch lost contact with (S2)."""
        cutoff = rules.drift_cutoff(self.today)
        office = set(Post.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True))
        office |= set(PartyGroup.objects.exclude(leader=None).values_list("leader_id", flat=True))
        showcase_member = self.showcase_member.pk if self.showcase_member else None
        pool = [
            (life, m)
            for life in self.lives
            if life.org.kind == OrgKind.BRANCH and life.org.pk != self.showcase.pk and len(life.members) >= 10
            for m in life.members
            if m.status == Status.FULL
            and m.joined_on <= cutoff
            and m.pk not in office
            and m.pk != showcase_member
            and not m.is_mobile
        ]
        chosen: list[Member] = []
        used: set[int] = set()
        for life, member in self.rng.sample(pool, k=len(pool)):
            if life.org.pk in used:
                continue
            used.add(life.org.pk)
            chosen.append(member)
            if len(chosen) == 4:
                break
        *drifting, self.lost = chosen
        self.drifting = {m.pk for m in drifting}
        for member in drifting:
            self.propensity[member.pk] = "drifting"
        self.propensity[self.lost.pk] = "lost"

    # --- What each organization holds -----------------------------------------------------

    def draft_year(self, life: Life) -> None:
        """The events ``life`` holds this year, following the requirements it owes."""
        org, rng = life.org, self.rng
        theme_day = rng.choice([5, 8, 10, 15, 18, 20, 25])  # a branch keeps its own fixed day
        lecturers_done = False
        for req in rules.REQUIREMENTS:
            if org.kind not in req.org_kinds:
                continue
            if req.condition == rules.HAS_COMMITTEE and not life.committee:
                continue
            if req.condition == rules.HAS_GROUPS and not life.groups:
                continue
            if req.key == "democratic_evaluation":
                continue  # combined with the organizational life meeting (L8)
            if req.key == "secretary_lesson" and org.kind == OrgKind.BRANCH:
                continue  # one of the branch's quarterly lessons is given by the secretary
            for span in rules.spans_in(self.window, req.period):
                if span.start > self.today:
                    break
                count = int(value(req.figure.key, span.start))
                for group in life.groups if req.per_group else [None]:
                    for _n in range(count):
                        if rng.random() > life.diligence.holds:
                            continue  # missed
                        draft = self.draft_event(life, req, span, group, theme_day)
                        if draft is None:
                            continue
                        if (
                            draft.kind == EventKind.PARTY_LESSON
                            and org.kind == OrgKind.BRANCH
                            and not lecturers_done
                            and life.secretary is not None
                            and life.diligence is not FAILING
                        ):
                            draft.lecturer_kind, draft.lecturer = LecturerKind.SECRETARY, life.secretary
                            draft.lecturer_name = ""
                            lecturers_done = True
                        self.drafts.append(draft)
        if org.kind == OrgKind.BRANCH:
            self.draft_life_meeting(life)
            for _n in range(rng.randint(0 if life.diligence is FAILING else 1, 4)):
                self.draft_talk(life)

    def draft_event(
        self, life: Life, req: rules.Requirement, span: rules.Span, group: PartyGroup | None, theme_day: int
    ) -> Draft | None:
        rng, kind = self.rng, req.event_kind
        month = rng.choice(rules.spans_in(span, P.MONTH)) if req.period != P.MONTH else span
        if kind == EventKind.THEME_DAY:
            day = min(theme_day, calendar.monthrange(month.start.year, month.start.month)[1])
            held_on = month.start.replace(day=day)
        else:
            held_on = month.start + dt.timedelta(days=rng.randint(0, (month.end - month.start).days))
        held_on = self.workday(life, held_on)
        if held_on > self.today and not (life.org.pk == self.showcase.pk and held_on <= self.today + dt.timedelta(30)):
            return None  # still to come: pending (the showcase plans what comes soon)
        if not (span.start <= held_on <= span.end):
            return None
        draft = Draft(life=life, kind=kind, held_on=held_on, topic="", period_end=span.end, group=group)
        if kind == EventKind.GENERAL_MEETING:
            draft.topic = rng.choice(GENERAL_TOPICS)
        elif kind == EventKind.COMMITTEE_MEETING:
            draft.topic = rng.choice(COMMITTEE_TOPICS)
        elif kind == EventKind.GROUP_MEETING:
            draft.topic = f"{group.name if group else ''}{rng.choice(GROUP_TOPICS)}"
        elif kind == EventKind.THEME_DAY:
            draft.topic = THEME_DAYS[held_on.month].format(party_years=held_on.year - 1921)
        elif kind == EventKind.PARTY_LESSON:
            draft.topic = rng.choice(LESSON_TOPICS)
            self.choose_lecturer(draft, secretary_only=bool(req.lecturer_kind))
            if draft.lecturer_kind == "":
                return None
        else:
            return None
        return draft

    def choose_lecturer(self, draft: Draft, *, secretary_only: bool) -> None:
        life, rng = draft.life, self.rng
        if secretary_only:
            if life.secretary is not None:
                draft.lecturer_kind, draft.lecturer = LecturerKind.SECRETARY, life.secretary
            return
        pick = rng.random()
        full = [m for m in life.members if m.status == Status.FULL and m.pk not in self.drifting]
        if pick < 0.4 and life.parent_name:
            draft.lecturer_kind = LecturerKind.LEADING_CADRE
            draft.lecturer_name = f"{life.parent_name}领导班子成员"
        elif pick < 0.7 or not full:
            draft.lecturer_kind = LecturerKind.INVITED
            draft.lecturer_name = rng.choice(["县委党校讲师", "县委宣讲团成员", "县委党史研究室讲师"])
        else:
            draft.lecturer_kind, draft.lecturer = LecturerKind.MEMBER, rng.choice(full)

    def draft_life_meeting(self, life: Life) -> None:
        """The yearly organizational life meeting with the democratic evaluation (L7, L8):
        some branches hold it early in the year, most in the fourth quarter (so it may
        still be pending)."""
        rng, year = self.rng, self.today.year
        if rng.random() > life.diligence.holds:
            return
        early = rng.random() < 0.35
        start = dt.date(year, 1, 10) if early else dt.date(year, 10, 15)
        held_on = self.workday(life, start + dt.timedelta(days=rng.randint(0, 45)))
        showcase = life.org.pk == self.showcase.pk
        if held_on > self.today:
            if not showcase:
                return
            held_on = self.workday(life, self.today + dt.timedelta(days=rng.randint(12, 20)))
        self.drafts.append(
            Draft(
                life=life,
                kind=EventKind.LIFE_MEETING,
                held_on=held_on,
                topic=f"{year - 1 if early else year}年度组织生活会暨民主评议党员",
                period_end=self.window.end,
                includes_evaluation=True,
            )
        )

    def draft_talk(self, life: Life) -> None:
        """A heart-to-heart talk on a day of the year, if that day has come (the two
        taking part are chosen among the members of that day, ``choose_participants``)."""
        held_on = self.window.start + dt.timedelta(days=self.rng.randint(0, (self.window.end - self.window.start).days))
        if held_on > self.today:
            return  # later in the year
        self.drafts.append(Draft(life, EventKind.HEART_TALK, held_on, TALK_TOPICS[0], self.window.end))

    def choose_participants(self, draft: Draft) -> None:
        """The secretary (or another member) and a member who keeps up organizational life."""
        rng, secretary = self.rng, draft.life.secretary
        due = [self.everyone[pk] for pk in self.expected(draft) if self.propensity.get(pk) not in ("drifting", "lost")]
        first = secretary if secretary is not None and secretary in due else (due[0] if due else None)
        others = [m for m in due if m != first]
        if first is None or not others:
            return
        second = rng.choice(others)
        draft.participants = [first, second]
        draft.topic = "谈心谈话：与流动党员交流思想" if second.is_mobile else rng.choice(TALK_TOPICS)

    def workday(self, life: Life, day: dt.date, *, back: bool = False) -> dt.date:
        """Offices and companies meet on weekdays (the Monday after a weekend, or the
        Friday before it when ``back`` or at a month's end); villages any day."""
        if life.org.sector in (Sector.VILLAGE, Sector.COMMUNITY) or day.weekday() < 5:
            return day
        monday = day + dt.timedelta(days=7 - day.weekday())
        return monday if monday.month == day.month and not back else day - dt.timedelta(days=day.weekday() - 4)

    # --- Votes and plans --------------------------------------------------------------

    def draft_votes(self) -> None:
        """An admission at a general meeting (valid, on the day the member was admitted)
        and a vote at a poorly attended general meeting that had no quorum (D13)."""
        by_org = {life.org.pk: life for life in self.lives}
        admitted = [
            m
            for m in Member.objects.filter(
                status=Status.PROBATIONARY, joined_on__gte=self.window.start, joined_on__lte=self.today
            ).order_by("joined_on", "pk")
            if m.organization_id in by_org
            and by_org[m.organization_id].diligence is DILIGENT
            and by_org[m.organization_id].org.kind == OrgKind.BRANCH
            and sum(f.status == Status.FULL for f in by_org[m.organization_id].members) >= 10
        ]
        if admitted:
            member = self.rng.choice(admitted)
            life = by_org[member.organization_id]
            draft = self.replace_general_meeting(life, member.joined_on, "讨论接收预备党员")
            draft.vote = Vote(
                subject=VoteSubject.ADMISSION, title=f"接收{member.name}同志为中共预备党员", member=member
            )
        failing = [life for life in self.lives if life.diligence is not DILIGENT and len(life.members) >= 10]
        life = self.rng.choice(failing)
        day = max(self.window.start, self.today - dt.timedelta(days=self.rng.randint(40, 80)))
        day = self.workday(life, day, back=True)
        draft = self.replace_general_meeting(life, day, "讨论预备党员转正")
        draft.low_attendance = True
        probationary = [m for m in life.members if m.status == Status.PROBATIONARY]
        draft.vote = (
            Vote(
                subject=VoteSubject.FULL_MEMBERSHIP,
                title=f"{probationary[0].name}同志预备期满转为正式党员",
                member=probationary[0],
            )
            if probationary
            else Vote(subject=VoteSubject.OTHER, title="审议通过支部年度工作计划")
        )

    def replace_general_meeting(self, life: Life, day: dt.date, topic: str) -> Draft:
        """The general meeting of the quarter of ``day`` moved to ``day`` (held, through
        the actions, well recorded)."""
        span = rules.span_of(day, P.QUARTER)
        self.drafts = [
            d
            for d in self.drafts
            if not (d.life is life and d.kind == EventKind.GENERAL_MEETING and span.contains(d.held_on))
        ]
        draft = Draft(life=life, kind=EventKind.GENERAL_MEETING, held_on=day, topic=topic, period_end=span.end)
        draft.through_actions = True
        self.drafts.append(draft)
        return draft

    def draft_plans(self) -> None:
        """What is planned: everything of the showcase branch in the coming weeks, with
        this month's theme day moved to today (sign-in open), and the life meeting of a
        few diligent branches that have not held it yet."""
        month = rules.span_of(self.today, P.MONTH)
        for draft in self.drafts:
            if draft.life.org.pk != self.showcase.pk:
                continue
            if draft.kind == EventKind.THEME_DAY and month.contains(draft.held_on):
                draft.held_on = self.today
            if draft.held_on >= self.today:
                draft.planned = True
        if not any(d.planned and d.held_on == self.today for d in self.drafts):
            life = next(life for life in self.lives if life.org.pk == self.showcase.pk)
            topic = THEME_DAYS[self.today.month].format(party_years=self.today.year - 1921)
            self.drafts.append(Draft(life, EventKind.THEME_DAY, self.today, topic, month.end, planned=True))
        held_life = {d.life.org.pk for d in self.drafts if d.kind == EventKind.LIFE_MEETING}
        waiting = [
            life
            for life in self.lives
            if life.org.kind == OrgKind.BRANCH and life.diligence is DILIGENT and life.org.pk not in held_life
        ]
        for life in self.rng.sample(waiting, k=min(4, len(waiting))):
            day = self.workday(life, self.today + dt.timedelta(days=self.rng.randint(3, 21)))
            self.drafts.append(
                Draft(
                    life,
                    EventKind.LIFE_MEETING,
                    day,
                    f"{self.today.year}年度组织生活会暨民主评议党员",
                    self.window.end,
                    includes_evaluation=True,
                    planned=True,
                )
            )
        for draft in self.drafts:
            if draft.planned or draft.life.org.pk == self.showcase.pk:
                draft.through_actions = True

    # --- Attendance and minutes -----------------------------------------------------------

    def fill_attendance(self, draft: Draft) -> None:
        if draft.planned:
            return
        rng, life = self.rng, draft.life
        diligence = life.diligence if life.org.pk != self.showcase.pk else DILIGENT
        draft.late = rng.random() < diligence.late
        draft.no_minutes = not draft.through_actions and rng.random() < diligence.no_minutes
        draft.low_attendance = draft.low_attendance or rng.random() < diligence.low_attendance
        if AUDIENCE[draft.kind] == Audience.CHOSEN:
            self.choose_participants(draft)
            if len(draft.participants) < 2:
                return  # nobody to talk to: dropped below
            draft.attendance = {m.pk: (PRESENT, "") for m in draft.participants}
        else:
            for pk in self.expected(draft):
                draft.attendance[pk] = self.status_of(pk, draft)
        if draft.vote is not None and draft.vote.subject == VoteSubject.ADMISSION:
            # Everyone came to the admission meeting but those away working elsewhere and
            # those who stopped coming altogether.
            away = ("mobile", "drifting", "lost")
            draft.attendance = {
                pk: (s, r) if self.propensity.get(pk) in away else (PRESENT, "")
                for pk, (s, r) in draft.attendance.items()
            }
        elif draft.vote is not None:
            # The other vote is taken although no more than half the voting members came (D13).
            voting = [pk for pk in draft.attendance if self.has_vote(pk, draft.held_on)]
            present = [pk for pk in voting if draft.attendance[pk][0] == PRESENT]
            for pk in present[: max(len(present) - len(voting) // 2, 0)]:
                draft.attendance[pk] = (EXCUSED, rng.choice(EXCUSES.get(draft.life.org.sector, EXCUSES_AT_WORK)))
        draft.minutes = "" if draft.no_minutes else self.minutes_of(draft)

    def has_vote(self, pk: int, day: dt.date) -> bool:
        return queries.has_vote(self.everyone[pk], day)

    def expected(self, draft: Draft) -> list[int]:
        """Who is due (``queries.expected_members``), asked once per organization,
        audience and stretch of days in which nobody joined, left, moved or took or
        left a post there: the answer is the same on every day of such a stretch."""
        org_id = draft.life.org.pk
        group_id = draft.group.pk if draft.group else None
        stretch = bisect.bisect_right(self.changes.get(org_id, []), draft.held_on)
        key = (org_id, AUDIENCE[draft.kind], group_id, stretch)
        if key not in self.due:
            event = Event(organization_id=org_id, kind=draft.kind, held_on=draft.held_on, party_group_id=group_id)
            self.due[key] = list(queries.expected_members(event).values_list("pk", flat=True))
        return self.due[key]

    def load_changes(self) -> None:
        """The days this year on which an organization's members or posts changed."""
        start, changes = self.window.start, self.changes
        for org_id, *days in Member.objects.filter(Q(joined_on__gt=start) | Q(left_on__gt=start)).values_list(
            "organization_id", "joined_on", "left_on"
        ):
            changes.setdefault(org_id, []).extend(days)
        for *org_ids, day in Transfer.objects.filter(accepted_on__gt=start).values_list(
            "from_org_id", "to_org_id", "accepted_on"
        ):
            for org_id in org_ids:
                changes.setdefault(org_id, []).append(day)
        for org_id, *days in Post.objects.filter(Q(started_on__gt=start) | Q(ended_on__gt=start)).values_list(
            "organization_id", "started_on", "ended_on"
        ):
            changes.setdefault(org_id, []).extend(days)
        for org_id, days in changes.items():
            changes[org_id] = sorted({d for d in days if d is not None and d > start})

    def status_of(self, pk: int, draft: Draft) -> tuple[str, str]:
        rng, sector = self.rng, draft.life.org.sector
        kind = self.propensity.get(pk, "")
        if kind == "drifting":
            return ABSENT, ""
        if kind == "lost":
            if draft.held_on >= self.lost_since:
                return ABSENT, ""
            kind = "mobile"
        excuses = EXCUSES.get(sector, EXCUSES_AT_WORK)
        if kind == "mobile":
            present, excused, excuses = 0.15, 0.8, ["外出务工"]
        elif kind == "elderly":
            present, excused, excuses = 0.7, 0.27, EXCUSES_RETIRED
        else:
            present, excused = 0.92, 0.06
        if draft.low_attendance:
            present = present * 0.35
        roll = rng.random()
        if roll < present:
            status = PRESENT
        elif roll < present + excused or (draft.low_attendance and roll < present + 0.5):
            status = EXCUSED
        else:
            # Only members who stopped coming miss twice in a row (or their first event)
            # without a reason: everyone else stays clear of S1.
            status = ABSENT if self.last.get(pk) == PRESENT else EXCUSED
        self.last[pk] = status
        return status, rng.choice(excuses) if status == EXCUSED else ""

    def minutes_of(self, draft: Draft) -> str:
        rng, life = self.rng, draft.life
        counts = Counter(status for status, _reason in draft.attendance.values())
        day = f"{draft.held_on.month}月{draft.held_on.day}日"
        if draft.kind == EventKind.HEART_TALK:
            first, second = draft.participants
            opening = f"{day}，{first.name}同志与{second.name}同志开展谈心谈话。"
        else:
            host = self.host(draft)
            where = draft.group.name if draft.group else life.org.name
            opening = (
                f"{day}，{where}{KIND_WORDS[draft.kind]}，"
                f"应到{len(draft.attendance)}人，实到{counts[PRESENT]}人"
                + (f"，请假{counts[EXCUSED]}人" if counts[EXCUSED] else "")
                + (f"，{host.name}同志主持。" if host else "。")
            )
        if draft.kind == EventKind.PARTY_LESSON:
            who = draft.lecturer.name + "同志" if draft.lecturer else draft.lecturer_name
            opening += f"{who}以“{draft.topic.removeprefix('党课：')}”为题讲授党课。"
        body = rng.sample(CONTENT[draft.kind], k=2)
        paragraphs = [opening, *body]
        if draft.kind != EventKind.HEART_TALK:
            paragraphs.append(rng.choice(CLOSINGS))
        return "".join(f"<p>{text}</p>" for text in paragraphs)

    def host(self, draft: Draft) -> Member | None:
        if draft.kind == EventKind.GROUP_MEETING and draft.group is not None and draft.group.leader_id:
            return next((m for m in draft.life.members if m.pk == draft.group.leader_id), None)
        if draft.kind == EventKind.HEART_TALK:
            return draft.participants[0]
        return draft.life.secretary

    def copy_minutes(self) -> None:
        """Formalism: two struggling branches copy one record's minutes into later ones."""
        struggling = [life for life in self.lives if life.diligence is not DILIGENT]
        for life in self.rng.sample(struggling, k=min(2, len(struggling))):
            drafts = [
                d
                for d in self.drafts
                if d.life is life and d.kind == EventKind.GROUP_MEETING and d.minutes and not d.through_actions
            ] or [d for d in self.drafts if d.life is life and d.kind == EventKind.THEME_DAY and d.minutes]
            drafts = [d for d in drafts if not d.through_actions]
            if len(drafts) >= 3:
                source, *copies = self.rng.sample(drafts, k=3)
                for copy in copies:
                    copy.minutes = source.minutes

    # --- Writing ------------------------------------------------------------------------

    def write(self) -> None:
        if self.lost is not None:
            before = audit.snapshot(self.lost)
            self.lost.lost_contact_since = self.lost_since
            member_actions.update_member(self.lost, actor=None, before=before)
        bulk = [d for d in self.drafts if not d.through_actions]
        self.write_bulk(bulk)
        for draft in self.drafts:
            if draft.through_actions:
                self.write_through_actions(draft)

    def event_of(self, draft: Draft) -> Event:
        rng, life = self.rng, draft.life
        starts = self.starts_at(life)
        minutes = actions.clean_minutes(draft.minutes)
        event = Event(
            organization=life.org,
            kind=draft.kind,
            state=EventState.PLANNED if draft.planned else EventState.HELD,
            held_on=draft.held_on,
            place=self.place_of(draft),
            host=self.host(draft),
            topic=draft.topic,
            minutes=minutes,
            minutes_digest=rules.minutes_digest(minutes),
            party_group=draft.group,
            lecturer_kind=draft.lecturer_kind,
            lecturer=draft.lecturer,
            lecturer_name=draft.lecturer_name,
            includes_evaluation=draft.includes_evaluation,
        )
        if draft.planned and draft.held_on == self.today:
            pass  # no times: sign-in stays open all day, whenever the demo is shown
        elif draft.kind != EventKind.HEART_TALK:
            event.starts_at = starts
            event.ends_at = (dt.datetime.combine(draft.held_on, starts) + dt.timedelta(minutes=90)).time()
        if draft.kind == EventKind.THEME_DAY and not draft.planned and rng.random() < 0.2:
            event.guest_count = rng.randint(1, 3)
            event.guests = f"入党积极分子{event.guest_count}人列席"
        if not draft.planned:
            event.recorded_on = self.recorded_on(draft)
        return event

    def starts_at(self, life: Life) -> dt.time:
        if life.org.sector == Sector.VILLAGE:
            return self.rng.choice([dt.time(9, 0), dt.time(19, 30)])
        if life.org.sector == Sector.COMMUNITY:
            return dt.time(9, 0)
        return self.rng.choice([dt.time(15, 0), dt.time(16, 0)])

    def place_of(self, draft: Draft) -> str:
        if draft.kind == EventKind.HEART_TALK:
            return "书记办公室"
        if draft.kind == EventKind.THEME_DAY and draft.held_on.month in (4, 8):
            return "县革命烈士陵园" if draft.held_on.month == 4 else "县红色教育基地"
        return self.rng.choice(PLACES.get(draft.life.org.sector, PLACES_OTHER))

    def recorded_on(self, draft: Draft) -> dt.date:
        """On time: within days, inside the month held. Late: after the period ended and
        more than a month after the event (both signals), when today allows it."""
        rng = self.rng
        if draft.late:
            late = max(draft.period_end + dt.timedelta(days=rng.randint(3, 25)), draft.held_on + dt.timedelta(40))
            if late <= self.today:
                return late
        month_end = rules.span_of(draft.held_on, P.MONTH).end
        return min(draft.held_on + dt.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5])), month_end, self.today)

    def write_bulk(self, drafts: list[Draft]) -> None:
        """Held events with their attendance rows and the counts the actions would store."""
        events = []
        for draft in drafts:
            event = self.event_of(draft)
            counts = Counter(status for status, _reason in draft.attendance.values())
            event.expected_count = len(draft.attendance) - counts[AttendanceStatus.EXEMPT]
            event.present_count, event.excused_count, event.absent_count = (
                counts[PRESENT],
                counts[EXCUSED],
                counts[ABSENT],
            )
            events.append(event)
        Event.objects.bulk_create(events, batch_size=500)
        audit.record_many(None, "create", events, note="seed_demo")
        rows = [
            Attendance(event=event, member_id=pk, status=status, reason=reason, voting=self.has_vote(pk, event.held_on))
            for event, draft in zip(events, drafts, strict=True)
            for pk, (status, reason) in draft.attendance.items()
        ]
        Attendance.objects.bulk_create(rows, batch_size=2000)

    def write_through_actions(self, draft: Draft) -> None:
        event = self.event_of(draft)
        recorded_on = event.recorded_on
        event.recorded_on = None  # the action records it as entered today
        actions.create_event(event, actor=None, attendance=None if draft.planned else draft.attendance)
        if draft.planned:
            if draft.held_on == self.today:
                actions.open_sign_in(event, actor=None)
            return
        Event.objects.filter(pk=event.pk).update(recorded_on=recorded_on)
        if draft.vote is not None:
            self.record_vote(event, draft.vote)

    def record_vote(self, event: Event, vote: Vote) -> None:
        voting = event.attendances.filter(voting=True).exclude(status=AttendanceStatus.EXEMPT)
        due = voting.count()
        present = voting.filter(status=PRESENT).count()
        vote.event = event
        vote.votes_for = present - 1 if vote.subject == VoteSubject.ADMISSION and present > 3 else present
        vote.abstentions = present - vote.votes_for  # one abstention at the admission
        result = actions.record_vote(vote, actor=None)
        intended = vote.subject == VoteSubject.ADMISSION
        if result.valid != intended:  # a generator bug, not bad input
            raise AssertionError(f"demo vote {vote.title}: {due} due, {present} present, {result.problems}")
