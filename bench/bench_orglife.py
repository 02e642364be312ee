"""Time the organizational life compliance rollup on a province-size database.

Run against a database seeded by ``manage.py seed_demo --size province`` and then
``manage.py seed_province_orglife`` (bench/orglife.sh does the whole thing)::

    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/dangjian .venv/bin/python bench/bench_orglife.py

Times ``dangjian.orglife.compliance.rollup`` over the year containing ``--today`` for the
province root (one total, and one row per city), for the first county and for one branch;
the per-organization loop (``rollup(org, only_org=True, group="org")`` for every
organization of the county, and for a random sample of ``--sample`` organizations of the
province, extrapolated to all of them); and a single aggregate query written by hand for
PostgreSQL, with the regulation figures inlined (no overrides, no figure versions), for the
root and the county. It checks the hand-written query and the per-organization loop give
the engine's numbers. Each line: the first run, then the median, min and max of
``--repeat`` more, and the SQL queries of one run. EXPLAIN (ANALYZE, BUFFERS) of the
engine's and the hand-written root queries is written next to the JSON results in
bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bench_tree import explain, machine, plan_summary  # noqa: E402
from dangjian.orglife import compliance  # noqa: E402
from dangjian.orglife.choices import EventState  # noqa: E402
from dangjian.orglife.models import Event, RequirementOverride  # noqa: E402
from dangjian.orgs.choices import OrgKind  # noqa: E402
from dangjian.orgs.models import Organization, PartyGroup  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# The same totals as compliance.rollup(root, year, today=…) written directly for
# PostgreSQL, with the figures of rules.REQUIREMENTS inlined (one event per period, a
# committee from 3 members, no grace days) and no overrides: every requirement's spans
# by generate_series, every organization's slots, the held events counted per slot
# through date_trunc, capped at the slot's requirement, summed.
HAND_WRITTEN = """
WITH org AS MATERIALIZED (
    SELECT o.id, o.kind, o.committee_size, o.established_on, o.dissolved_on,
           (SELECT COUNT(*) FROM orgs_partygroup g WHERE g.organization_id = o.id) AS groups
    FROM orgs_organization o
    WHERE o.path LIKE %(prefix)s AND o.kind IN ('branch', 'general_branch', 'grassroots_committee')
),
req(rkey, step, kinds, cond) AS (VALUES
    ('general_meeting', interval '3 months', '{branch}'::text[], ''),
    ('committee_meeting', interval '1 month', '{branch,general_branch}', 'committee'),
    ('group_meeting', interval '1 month', '{branch}', 'groups'),
    ('party_lesson', interval '3 months', '{branch}', ''),
    ('secretary_lesson', interval '1 year', '{branch,general_branch,grassroots_committee}', ''),
    ('theme_day', interval '1 month', '{branch}', ''),
    ('life_meeting', interval '1 year', '{branch}', ''),
    ('democratic_evaluation', interval '1 year', '{branch}', ''),
    ('heart_talk', interval '1 year', '{branch,general_branch,grassroots_committee}', '')
),
span AS (
    SELECT r.rkey, r.kinds, r.cond, d::date AS start_on,
           (d + r.step - interval '1 day')::date AS end_on
    FROM req r, generate_series(%(start)s::date, %(end)s::date, r.step) d
),
slot AS (
    SELECT o.id AS org_id, s.rkey, s.start_on, s.end_on,
           CASE s.cond WHEN 'committee' THEN (o.committee_size >= 3)::int
                       WHEN 'groups' THEN o.groups ELSE 1 END AS required
    FROM org o JOIN span s ON o.kind = ANY (s.kinds)
    WHERE (o.established_on IS NULL OR o.established_on <= s.start_on + (s.end_on - s.start_on) / 2)
      AND (o.dissolved_on IS NULL OR o.dissolved_on > s.start_on + (s.end_on - s.start_on) / 2)
),
held AS (
    SELECT e.organization_id AS org_id, m.rkey, date_trunc(m.period, e.held_on)::date AS start_on,
           COUNT(*) AS held,
           COUNT(*) FILTER (WHERE COALESCE(e.recorded_on, e.held_on)
               < date_trunc(m.period, e.held_on) + m.step) AS on_time
    FROM orglife_event e
    JOIN org o ON o.id = e.organization_id
    JOIN (VALUES
        ('general_meeting', 'general_meeting', 'quarter', interval '3 months', '', false),
        ('committee_meeting', 'committee_meeting', 'month', interval '1 month', '', false),
        ('group_meeting', 'group_meeting', 'month', interval '1 month', '', false),
        ('party_lesson', 'party_lesson', 'quarter', interval '3 months', '', false),
        ('party_lesson', 'secretary_lesson', 'year', interval '1 year', 'secretary', false),
        ('theme_day', 'theme_day', 'month', interval '1 month', '', false),
        ('life_meeting', 'life_meeting', 'year', interval '1 year', '', false),
        ('democratic_evaluation', 'democratic_evaluation', 'year', interval '1 year', '', false),
        ('life_meeting', 'democratic_evaluation', 'year', interval '1 year', '', true),
        ('heart_talk', 'heart_talk', 'year', interval '1 year', '', false)
    ) m(kind, rkey, period, step, lecturer, evaluation)
      ON m.kind = e.kind AND (m.lecturer = '' OR e.lecturer_kind = m.lecturer)
     AND (NOT m.evaluation OR e.includes_evaluation)
    WHERE e.state = 'held' AND e.held_on BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2, 3
),
capped AS (
    SELECT s.required, s.end_on < %(today)s AS ended,
           LEAST(COALESCE(h.on_time, 0), s.required) AS on_time,
           LEAST(COALESCE(h.held, 0), s.required) AS held
    FROM slot s LEFT JOIN held h USING (org_id, rkey, start_on)
    WHERE s.required > 0
)
SELECT SUM(required), SUM(on_time), SUM(held - on_time),
       SUM(required - held) FILTER (WHERE ended), SUM(required - held) FILTER (WHERE NOT ended)
FROM capped
"""


@dataclass
class Timing:
    """One measured thing: seconds of the first run and of the repeats, the SQL queries
    of the first run and what it returned."""

    name: str
    first: float
    runs: list[float]
    queries: int
    note: str = ""
    sql: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def row(self) -> str:
        return (
            f"| {self.name} | {self.first * 1000:,.0f} | {self.median * 1000:,.0f} | {min(self.runs) * 1000:,.0f} | "
            f"{max(self.runs) * 1000:,.0f} | {self.queries} | {self.note} |"
        )


def measure(name: str, fn: Callable[[], Any], repeat: int, describe: Callable[[Any], str] = str) -> tuple[Timing, Any]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn()
        first = time.perf_counter() - start
    sql = [q["sql"] for q in captured.captured_queries]
    runs = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    timing = Timing(name, first, runs, len(sql), describe(result), sql)
    print(f"  {timing.row()}", flush=True)
    return timing, result


def tally_text(tally: compliance.Tally) -> str:
    return (
        f"required {tally.required:,}, on time {tally.on_time:,}, late {tally.late:,}, "
        f"missing {tally.missing:,}, pending {tally.pending:,}"
    )


def as_tuple(tally: compliance.Tally) -> tuple[int, ...]:
    return (tally.required, tally.on_time, tally.late, tally.missing, tally.pending)


def hand_written(org: Organization, window: Any, today: dt.date) -> compliance.Tally:
    params = {"prefix": org.path + "%", "start": window.start, "end": window.end, "today": today}
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN, params)
        row = cursor.fetchone()
    return compliance.Tally(*(int(x or 0) for x in row))


def per_org_loop(orgs: list[Organization], window: Any, today: dt.date) -> compliance.Tally:
    """What a page would do without the engine's grouping: one rollup per organization."""
    total = compliance.Tally()
    for org in orgs:
        for tally in compliance.rollup(org, window, today=today, only_org=True, group="org").values():
            total.add(tally)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the first (default 5)")
    parser.add_argument("--loop-repeat", type=int, default=2, help="timed runs of the per-organization loops")
    parser.add_argument("--sample", type=int, default=300, help="organizations of the province timed in the loop")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="as of this day (YYYY-MM-DD)")
    parser.add_argument(
        "--work-mem",
        default=None,
        help="set work_mem for the whole session, every query of the run (e.g. 128MB); default: the server's",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the root and county totals (engine and hand-written) and EXPLAIN; no other "
        "groupings, no per-organization loop",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_orglife.py measures PostgreSQL: set DATABASE_URL.")
    if args.work_mem:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [args.work_mem])

    today = args.today or timezone.localdate()
    window = compliance.current_window(today)
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None or not Event.objects.exists():
        sys.exit("No organizations or no events: run seed_demo --size province, then seed_province_orglife.")
    county = Organization.objects.filter(depth=3).order_by("path").first() or root
    branch = Organization.objects.subtree_of(county).filter(kind=OrgKind.BRANCH).order_by("path").first() or county
    county_orgs = list(Organization.objects.subtree_of(county))
    all_ids = list(Organization.objects.values_list("pk", flat=True))
    sample_ids = random.Random(1).sample(all_ids, min(args.sample, len(all_ids)))
    sample = list(Organization.objects.filter(pk__in=sample_ids))

    info = machine()
    info.update(
        organizations=len(all_ids),
        branches=Organization.objects.filter(kind=OrgKind.BRANCH).count(),
        events=Event.objects.count(),
        held_events=Event.objects.filter(state=EventState.HELD).count(),
        events_per_branch=round(
            Event.objects.filter(organization__kind=OrgKind.BRANCH).count()
            / max(Organization.objects.filter(kind=OrgKind.BRANCH).count(), 1),
            1,
        ),
        party_groups=PartyGroup.objects.count(),
        overrides=RequirementOverride.objects.count(),
        event_table=_size("orglife_event"),
        today=today.isoformat(),
        window=window.label,
        root=f"{root.name} ({root.path})",
        county=f"{county.name} ({county.path}), {len(county_orgs):,} organizations",
        branch=f"{branch.name} ({branch.path})",
        repeat=args.repeat,
        when=timezone.now().isoformat(timespec="seconds"),
    )
    for key, val in info.items():
        print(f"{key}: {val}")

    header = "| what | first ms | median ms | min ms | max ms | queries | result |\n|---|" + "---:|" * 5 + "---|"
    timings: list[Timing] = []
    repeat = args.repeat
    print(f"\nEngine: compliance.rollup(…, window={window.label}, today={today})\n{header}")

    def engine(org: Organization, **kw: Any) -> Callable[[], dict[Any, compliance.Tally]]:
        return lambda: compliance.rollup(org, window, today=today, **kw)

    def one(result: dict[Any, compliance.Tally]) -> str:
        return tally_text(result.get(None, compliance.Tally())) if None in result else f"{len(result):,} rows"

    t, root_total = measure("root, group=all", engine(root), repeat, one)
    timings.append(t)
    root_engine = t
    if not args.quick:
        t, _rows = measure("root, group=child (16 cities)", engine(root, group="child"), repeat, one)
        timings.append(t)
        t, _rows = measure("root, by_requirement", engine(root, by_requirement=True), repeat, one)
        timings.append(t)
    t, county_total = measure("county, group=all", engine(county), repeat, one)
    timings.append(t)
    county_engine = t
    if not args.quick:
        t, _rows = measure("county, group=child", engine(county, group="child"), repeat, one)
        timings.append(t)
        t, _rows = measure("county, group=org", engine(county, group="org"), repeat, one)
        timings.append(t)
        t, _rows = measure("branch, only_org, group=org", engine(branch, only_org=True, group="org"), repeat, one)
        timings.append(t)

    print(f"\nHand-written single query (figures inlined, no overrides)\n{header}")
    t, root_hand = measure("root", lambda: hand_written(root, window, today), repeat, tally_text)
    timings.append(t)
    root_hand_t = t
    t, county_hand = measure("county", lambda: hand_written(county, window, today), repeat, tally_text)
    timings.append(t)
    county_hand_t = t

    county_loop: compliance.Tally | None = None
    root_loop_estimate = None
    if not args.quick:
        print(f"\nPer-organization loop: rollup(org, only_org=True, group='org') for each\n{header}")
        loop_repeat = args.loop_repeat
        t, county_loop = measure(
            f"county, all {len(county_orgs):,} organizations",
            lambda: per_org_loop(county_orgs, window, today),
            loop_repeat,
            tally_text,
        )
        timings.append(t)
        county_loop_t = t
        t, _sample_total = measure(
            f"root, sample of {len(sample):,}", lambda: per_org_loop(sample, window, today), loop_repeat, tally_text
        )
        timings.append(t)
        scale = len(all_ids) / len(sample)
        root_loop_estimate = t.median * scale
        print(
            f"  root, all {len(all_ids):,} organizations: about {root_loop_estimate:,.0f} s "
            f"(sample median × {scale:,.1f}, extrapolated) and {t.queries / len(sample) * len(all_ids):,.0f} queries"
        )

    engine_root = root_total.get(None, compliance.Tally())
    engine_county = county_total.get(None, compliance.Tally())
    checks = {
        "hand-written = engine (root)": as_tuple(root_hand) == as_tuple(engine_root),
        "hand-written = engine (county)": as_tuple(county_hand) == as_tuple(engine_county),
    }
    if county_loop is not None:
        checks["per-organization loop = engine (county)"] = as_tuple(county_loop) == as_tuple(engine_county)
    ratios = {
        "root: engine / hand-written": root_engine.median / root_hand_t.median,
        "county: engine / hand-written": county_engine.median / county_hand_t.median,
    }
    if root_loop_estimate is not None:
        ratios["county: per-organization loop / engine"] = county_loop_t.median / county_engine.median
        ratios["root: per-organization loop (extrapolated) / engine"] = root_loop_estimate / root_engine.median
    print("\nChecks")
    for name, ok in checks.items():
        print(f"  {name}: {'yes' if ok else 'NO'}")
    print("Ratios (medians)")
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:,.2f}")

    print("\nEXPLAIN (ANALYZE, BUFFERS)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    plans = []
    for label, sql in (
        ("engine, root", root_engine.sql[-1]),
        ("engine, county", county_engine.sql[-1]),
        ("hand-written, root", root_hand_t.sql[-1]),
    ):
        plan = explain(sql)
        plans.append(f"## {label}\n\n{sql}\n\n{plan}\n")
        print(f"  {label}: {plan_summary(plan)}; {'; '.join(_plan_lines(plan))}")
    (RESULTS / f"orglife-explain-{stamp}.txt").write_text("\n".join(plans))
    info["load_average_after"] = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average after: {info['load_average_after']}")
    data = {
        "machine": info,
        "timings": [{**asdict(t), "median": t.median, "sql": t.sql[:3]} for t in timings],
        "root_loop_estimate_s": root_loop_estimate,
        "checks": checks,
        "ratios": ratios,
    }
    (RESULTS / f"orglife-{stamp}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    print(f"\nWrote {RESULTS / f'orglife-{stamp}.json'} and {RESULTS / f'orglife-explain-{stamp}.txt'}")
    if not all(checks.values()):
        sys.exit("A check failed: the numbers differ.")


def _plan_lines(plan: str) -> list[str]:
    """The plan's last lines (planning and execution time) and any sort or hash spilling to disk."""
    lines = [line.strip() for line in plan.splitlines()]
    spills = sorted({line for line in lines if "Disk:" in line or ("Batches: " in line and "Batches: 1 " not in line)})
    return [*lines[-2:], *spills[:3]]


def _size(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
