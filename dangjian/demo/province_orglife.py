"""One year of organizational life for the province-size dataset, for the compliance
benchmark (``manage.py seed_province_orglife``, bench/orglife.sh).

Every organization that rules L1-L9 (``orglife.rules.REQUIREMENTS``) ask events of gets
the events of the calendar year containing ``today``, about 40 a branch: the general
meetings of each quarter (L1), a committee meeting a month where the branch has a
committee (L3), a party lesson a quarter, one of them given by the secretary (L5), a
theme party day a month (L6), the organizational life meeting (L7) with the democratic
evaluation (L8) combined with it or held apart, heart-to-heart talks (L9), and a few
events beyond what is required. Grassroots committees get their committee meetings,
the secretary's lesson, heart-to-heart talks and a democratic life meeting. The
province has no party groups, so no group meetings (L4) are owed or written.

Organizations differ: most are diligent, some lax, a few nearly inactive. A missing event
is not written, left planned or cancelled; some records are entered after the period
ended (late); events after ``today``, or held but not yet recorded, are planned.
Attendance counts (``expected_count``, ``present_count``, …) are filled from each
organization's stored member figures; no attendance rows are written — the compliance
rollup reads only the events — nor votes or attachments.

Rows go to PostgreSQL with COPY (``bulk_create`` elsewhere), streamed, so memory stays
flat. The same seed and ``today`` give the same events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangjian.core.rulesets import value
from dangjian.orglife import rules
from dangjian.orglife.choices import EventKind, EventState, LecturerKind, Period
from dangjian.orglife.models import Event
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.rules import COMMITTEE_MIN_SIZE

TOPICS = {
    EventKind.GENERAL_MEETING: ("学习贯彻党的二十大精神", "讨论发展党员工作", "通报季度支部工作", "民主议事"),
    EventKind.COMMITTEE_MEETING: ("研究本月支部工作", "部署主题党日活动", "研究党员发展计划", "研究党费收缴"),
    EventKind.PARTY_LESSON: ("党章学习专题党课", "党史学习教育党课", "廉洁自律专题党课", "形势政策党课"),
    EventKind.THEME_DAY: ("重温入党誓词", "志愿服务进社区", "参观红色教育基地", "学习先进典型"),
    EventKind.LIFE_MEETING: ("年度组织生活会",),
    EventKind.DEMOCRATIC_EVALUATION: ("民主评议党员",),
    EventKind.DEMOCRATIC_LIFE_MEETING: ("领导班子民主生活会",),
    EventKind.HEART_TALK: ("书记与党员谈心谈话", "委员与党员谈心谈话"),
}
PLACES = ("党员活动室", "会议室", "村委会议室", "社区服务中心", "红色教育基地")
LECTURERS = (LecturerKind.LEADING_CADRE, LecturerKind.MEMBER, LecturerKind.INVITED)
EXTRA_KINDS = (EventKind.THEME_DAY, EventKind.PARTY_LESSON, EventKind.HEART_TALK, EventKind.GENERAL_MEETING)
# Kinds every member is due to attend; a committee meeting is due to the committee, a
# heart-to-heart talk to the two people talking.
ALL_MEMBERS = frozenset(
    {
        EventKind.GENERAL_MEETING,
        EventKind.PARTY_LESSON,
        EventKind.THEME_DAY,
        EventKind.LIFE_MEETING,
        EventKind.DEMOCRATIC_EVALUATION,
    }
)


@dataclass(frozen=True)
class Habit:
    """How an organization keeps its organizational life: the chance that a required
    event is missing and that a held one is recorded after its period ended."""

    share: float
    missing: float
    late: float


HABITS = (Habit(0.80, 0.03, 0.04), Habit(0.15, 0.20, 0.20), Habit(0.05, 0.70, 0.40))


@dataclass
class OrgRow:
    id: int
    code: str
    kind: str
    committee_size: int
    members: int
    established_on: dt.date | None


class OrglifeBuilder:
    """Writes the events; see the module docstring."""

    def __init__(self, *, seed: int, today: dt.date, log: Callable[[str], Any]) -> None:
        self.seed = seed
        self.today = today
        self.log = log
        self.year = rules.span_of(today, Period.YEAR)
        self.months = rules.spans_in(self.year, Period.MONTH)
        self.quarters = rules.spans_in(self.year, Period.QUARTER)
        self.min_committee = int(value(COMMITTEE_MIN_SIZE.key, today))
        self.now = timezone.now()
        self.fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in self.fields]
        self.position = {name: i for i, name in enumerate(self.columns)}
        self.template = [f.get_default() for f in self.fields]
        self.template[self.position["created_at"]] = self.now
        self.template[self.position["updated_at"]] = self.now
        self.counts = {state: 0 for state in EventState.values}

    def build(self) -> dict[str, int]:
        started = time.monotonic()
        orgs = [
            OrgRow(*row)
            for row in Organization.objects.filter(
                kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GRASSROOTS_COMMITTEE],
                dissolved_on__isnull=True,
            )
            .order_by("path")
            .values_list("id", "code", "kind", "committee_size", "full_members", "established_on")
        ]
        self.log(f"Writing {self.year.label}'s events of {len(orgs):,} organizations (as of {self.today})...")
        with transaction.atomic():
            rows = self.rows(orgs)
            if connection.vendor == "postgresql":
                self.copy(rows)
            else:
                self.bulk_create(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Event._meta.db_table)}")
        total = sum(self.counts.values())
        self.log(
            f"Wrote {total:,} events ({', '.join(f'{n:,} {s}' for s, n in self.counts.items())}) "
            f"in {time.monotonic() - started:.0f} s."
        )
        return {"events": total, **self.counts}

    def copy(self, rows: Iterator[list[Any]]) -> None:
        table = connection.ops.quote_name(Event._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in self.fields)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def bulk_create(self, rows: Iterator[list[Any]]) -> None:
        batch: list[Event] = []
        for row in rows:
            batch.append(Event(**dict(zip(self.columns, row, strict=True))))
            if len(batch) >= 2000:
                Event.objects.bulk_create(batch)
                batch = []
        Event.objects.bulk_create(batch)

    # --- what each organization holds ----------------------------------------------------

    def rows(self, orgs: list[OrgRow]) -> Iterator[list[Any]]:
        for done, org in enumerate(orgs, start=1):
            rng = random.Random(f"{self.seed}:orglife:{org.code}")
            habit = _habit(rng)
            for kind, span, extra in self.plan(rng, org):
                yield from self.event(rng, org, habit, kind, span, **extra)
            if done % 20000 == 0:
                self.log(f"  {done:,}/{len(orgs):,} organizations, {sum(self.counts.values()):,} events")

    def plan(self, rng: random.Random, org: OrgRow) -> Iterator[tuple[str, rules.Span, dict[str, Any]]]:
        """(kind, span to hold it in, extra fields) of the events the organization plans."""
        year = self.year
        has_committee = org.committee_size >= self.min_committee
        if has_committee:
            for month in self.months:
                yield EventKind.COMMITTEE_MEETING, month, {}
        heart_talks = rng.randint(1, 3)
        if org.kind == OrgKind.BRANCH:
            secretary_quarter = rng.randrange(len(self.quarters))
            for index, quarter in enumerate(self.quarters):
                yield EventKind.GENERAL_MEETING, quarter, {}
                lecturer = LecturerKind.SECRETARY if index == secretary_quarter else rng.choice(LECTURERS)
                yield EventKind.PARTY_LESSON, quarter, {"lecturer_kind": lecturer}
            for month in self.months:
                yield EventKind.THEME_DAY, month, {}
            # Half hold the life meeting in the first quarter, the others any time in the year.
            life_span = self.quarters[0] if rng.random() < 0.5 else year
            combined = rng.random() < 0.6
            yield EventKind.LIFE_MEETING, life_span, {"includes_evaluation": combined}
            if not combined:
                yield EventKind.DEMOCRATIC_EVALUATION, year, {}
            heart_talks += rng.randint(1, 3)
            for _ in range(rng.randint(2, 6)):
                yield rng.choice(EXTRA_KINDS), rng.choice(self.months), {"extra": True}
        else:
            yield EventKind.PARTY_LESSON, year, {"lecturer_kind": LecturerKind.SECRETARY}
            yield EventKind.DEMOCRATIC_LIFE_MEETING, year, {}
        for _ in range(heart_talks):
            yield EventKind.HEART_TALK, year, {}

    def event(
        self,
        rng: random.Random,
        org: OrgRow,
        habit: Habit,
        kind: str,
        span: rules.Span,
        *,
        lecturer_kind: str = "",
        includes_evaluation: bool = False,
        extra: bool = False,
    ) -> Iterator[list[Any]]:
        """The row of one planned event (none when it is missing and never written)."""
        start = span.start
        if org.established_on and org.established_on > start:
            start = org.established_on
        if start > span.end:
            return
        held_on = start + dt.timedelta(days=rng.randint(0, (span.end - start).days))
        missing = not extra and rng.random() < habit.missing
        if missing and held_on <= self.today and rng.random() < 0.4:
            return  # never planned, never recorded
        row = list(self.template)
        p = self.position
        topic = rng.choice(TOPICS[kind])
        row[p["organization_id"]] = org.id
        row[p["kind"]] = kind
        row[p["held_on"]] = held_on
        hour = rng.choice((9, 14, 15))
        row[p["starts_at"]] = dt.time(hour, 0)
        row[p["ends_at"]] = dt.time(hour + 1, 30)
        row[p["place"]] = rng.choice(PLACES)
        row[p["topic"]] = topic
        row[p["lecturer_kind"]] = lecturer_kind
        row[p["includes_evaluation"]] = includes_evaluation
        if missing and held_on <= self.today and rng.random() < 0.35:
            row[p["state"]] = EventState.CANCELLED
            row[p["cancel_reason"]] = "工作冲突，未能召开"
        elif not missing:
            if rng.random() < habit.late:
                recorded_on = span.end + dt.timedelta(days=rng.randint(1, 45))
            else:
                recorded_on = held_on + dt.timedelta(days=min(rng.randint(0, 5), (span.end - held_on).days))
            if recorded_on <= self.today:
                self.held(rng, row, org, kind, topic, recorded_on)
        self.counts[row[p["state"]]] += 1
        yield row

    def held(
        self, rng: random.Random, row: list[Any], org: OrgRow, kind: str, topic: str, recorded_on: dt.date
    ) -> None:
        """Fill the record of a held event: minutes and attendance counts."""
        p = self.position
        row[p["state"]] = EventState.HELD
        row[p["recorded_on"]] = recorded_on
        draw = rng.random()
        if draw < 0.02:
            text = ""  # no minutes (a formalism signal)
        elif draw < 0.03:
            text = f"{topic}。会议按程序进行，参会党员积极发言。"  # the same words as elsewhere
        else:
            day = row[p["held_on"]]
            text = f"{topic}。{org.code} {day:%m月%d日}，到会党员逐一发言，形成决议{rng.randint(1, 5)}项。"
        if text:
            row[p["minutes"]] = f"<p>{text}</p>"
            row[p["minutes_digest"]] = hashlib.sha256(text.encode()).hexdigest()
        if kind in ALL_MEMBERS:
            expected = max(org.members, 1)
        elif kind in (EventKind.COMMITTEE_MEETING, EventKind.DEMOCRATIC_LIFE_MEETING):
            expected = max(org.committee_size, 1)
        else:
            expected = 2
        share = rng.uniform(0.3, 0.5) if rng.random() < 0.03 else rng.uniform(0.75, 1.0)
        present = max(1, min(expected, round(expected * share)))
        excused = (expected - present) // 2
        row[p["expected_count"]] = expected
        row[p["present_count"]] = present
        row[p["excused_count"]] = excused
        row[p["absent_count"]] = expected - present - excused


def _habit(rng: random.Random) -> Habit:
    draw = rng.random()
    for habit in HABITS:
        if draw < habit.share:
            return habit
        draw -= habit.share
    return HABITS[-1]


def build_orglife(*, seed: int, today: dt.date, log: Callable[[str], Any]) -> dict[str, int]:
    """Write the events of the year containing ``today`` for every organization of the
    database; returns how many were written, in all and by state."""
    return OrglifeBuilder(seed=seed, today=today, log=log).build()
