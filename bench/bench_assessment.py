"""Time the scoring of a year-end assessment round for 10,000 organizations.

Run against a database seeded by ``manage.py seed_demo --size province`` and
``manage.py seed_province_orglife --today YEAR-12-31`` (bench/assessment.sh does the whole
thing, on SQLite and on PostgreSQL)::

    DATABASE_URL=… .venv/bin/python bench/bench_assessment.py seed --year 2026
    DATABASE_URL=… .venv/bin/python bench/bench_assessment.py run --year 2026

``seed`` writes the year's dues, development steps, responsibility items and
rectifications and the scheme with its round, scores and earlier results
(bench/assessment_data.py). ``run`` works as of 20 January of the next year and times:

- each automatic source (``sources.SOURCES[key].compute``) over the whole group, once
  each: the scheme has 20 automatic indicators over the six sources, and the engine
  computes each distinct source once;
- ``engine.compute`` for the round, with its parts (the sources, the ranking, the rest);
- ``actions.open_review`` (appeals until that day) and, the day after, ``actions.publish``
  (which computes again, writes the ``Result`` rows with their audit entries and evaluates
  the consequence rules over the series' three years), inside a transaction rolled back
  after each run so they can be repeated;

Each line: the first run, then the median, min and max of ``--repeat`` more, and the SQL
queries of the first run. Peak memory: Python allocations during one extra run under
``tracemalloc`` (which slows it down, so it is not timed) and the process's maximum
resident size. It checks that each source gives, for a sample of organizations of each
level computed alone, the figures it gave them inside the group, and that publishing wrote
one result per organization with the engine's totals; it exits non-zero otherwise.
``--dump FILE`` writes every measure and sheet, to compare two versions of the engine or
two databases. Results go to
bench/results/assessment-*.json with the plans of the slowest queries (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import assessment_data  # noqa: E402
from dangjian.accounts.models import User  # noqa: E402
from dangjian.assessment import actions, engine, sources  # noqa: E402
from dangjian.assessment.choices import Method, RoundKind  # noqa: E402
from dangjian.assessment.models import Adjustment, Assessed, Consequence, Result, Round, Score  # noqa: E402
from dangjian.core import audit  # noqa: E402
from dangjian.development.models import Step  # noqa: E402
from dangjian.dues.models import DuesStandard, Payment  # noqa: E402
from dangjian.duties.models import Item  # noqa: E402
from dangjian.inspections.models import Rectification  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.orglife.models import Event  # noqa: E402
from dangjian.orgs.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"


@dataclass
class Timing:
    """One measured thing: seconds of the first run and of the repeats, the SQL of the
    first run with each query's seconds, and what it returned."""

    name: str
    first: float
    runs: list[float]
    queries: int
    note: str = ""
    parts: dict[str, float] = field(default_factory=dict)
    sql: list[str] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else self.first

    def row(self) -> str:
        runs = self.runs or [self.first]
        return (
            f"| {self.name} | {self.first * 1000:,.0f} | {self.median * 1000:,.0f} | {min(runs) * 1000:,.0f} | "
            f"{max(runs) * 1000:,.0f} | {self.queries} | {self.note} |"
        )

    def slowest(self, n: int = 3) -> list[tuple[float, str]]:
        return sorted(zip(self.sql_seconds, self.sql, strict=True), reverse=True)[:n]


def measure(
    name: str, fn: Callable[[], Any], repeat: int, describe: Callable[[Any], str] = lambda _r: ""
) -> tuple[Timing, Any]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn()
        first = time.perf_counter() - start
    sql = [q["sql"] for q in captured.captured_queries]
    seconds = [float(q["time"]) for q in captured.captured_queries]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    timing = Timing(name, first, runs, len(sql), describe(result), sql=sql, sql_seconds=seconds)
    print(f"  {timing.row()}", flush=True)
    return timing, result


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak of the Python allocations while ``fn`` runs, in MB (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@contextmanager
def timed_calls(target: Any, name: str, into: dict[str, float], label: str | None = None) -> Iterator[None]:
    """Patch ``target.name`` to add the seconds of its calls to ``into[label or name]``."""
    original = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            key = label or name
            into[key] = into.get(key, 0.0) + time.perf_counter() - start

    with mock.patch.object(target, name, wrapper):
        yield


@contextmanager
def timed_sources(into: dict[str, float]) -> Iterator[None]:
    """Time each source's computation as the engine calls it."""

    def timed(key: str, compute: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return compute(*args)
            finally:
                into[key] = into.get(key, 0.0) + time.perf_counter() - start

        return wrapper

    patched = {key: replace(source, compute=timed(key, source.compute)) for key, source in sources.SOURCES.items()}
    with mock.patch.dict(sources.SOURCES, patched):
        yield


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem_kb = int(info.readline().split()[1])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT version(), current_setting('shared_buffers'), current_setting('work_mem'), "
                "current_setting('jit'), pg_size_pretty(pg_database_size(current_database()))"
            )
            version, shared_buffers, work_mem, jit, size = cursor.fetchone()
            database = f"{version.split(',')[0]} (shared_buffers {shared_buffers}, work_mem {work_mem}, jit {jit})"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
            name = connection.settings_dict["NAME"]
            size = f"{os.path.getsize(name) / 2**20:,.0f} MB"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "database_size": size,
        "load_average": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def seed(args: argparse.Namespace) -> None:
    if not Organization.objects.exists():
        sys.exit("No organizations: run seed_demo --size province first.")
    if not Event.objects.filter(held_on__year=args.year).exists():
        sys.exit(f"No events in {args.year}: run seed_province_orglife --today {args.year}-12-31 first.")
    if assessment_data.bench_scheme(args.year) is not None:
        if args.if_missing:
            print(f"The records and the scheme of {args.year} are there already.")
            return
        sys.exit("The benchmark scheme exists already: the records are written once per database.")
    print(f"== Records and scheme of {args.year} (seed {args.seed})", flush=True)
    started = time.monotonic()
    counts = assessment_data.build(year=args.year, seed=args.seed, log=lambda text: print(text, flush=True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"== written in {time.monotonic() - started:.0f} s, {peak:,.0f} MB max resident: {counts}")


def run(args: argparse.Namespace) -> None:
    scheme = assessment_data.bench_scheme(args.year)
    if scheme is None:
        sys.exit(f"No benchmark scheme for {args.year}: run `bench_assessment.py seed --year {args.year}` first.")
    round_ = Round.objects.get(scheme=scheme, kind=RoundKind.YEAR_END)
    today = args.today or dt.date(args.year + 1, 1, 20)
    admin = User.objects.get(username=assessment_data.ADMIN)
    orgs = [a.organization for a in scheme.assessed.select_related("organization").order_by("organization__path")]
    indicators = engine.indicators_of(round_)
    automatic = [i for i in indicators if i.method == Method.AUTOMATIC]
    keys = sorted({i.source for i in automatic})
    info = machine()
    info.update(
        vendor=connection.vendor,
        year=args.year,
        today=today.isoformat(),
        organizations=Organization.objects.count(),
        assessed=len(orgs),
        assessed_by_kind=dict(
            Assessed.objects.filter(scheme=scheme)
            .values_list("organization__kind")
            .annotate(n=Count("pk"))
            .values_list("organization__kind", "n")
        ),
        indicators=len(indicators),
        automatic_indicators=len(automatic),
        distinct_sources=len(keys),
        manual_indicators=sum(1 for i in indicators if i.method == Method.MANUAL),
        members=Member.objects.count(),
        events=Event.objects.count(),
        dues_standards=DuesStandard.objects.count(),
        payments=Payment.objects.count(),
        development_steps=Step.objects.count(),
        work_items=Item.objects.count(),
        rectifications=Rectification.objects.count(),
        scores=Score.objects.filter(round=round_).count(),
        adjustments=Adjustment.objects.filter(round=round_).count(),
        earlier_results=Result.objects.exclude(round=round_).count(),
        repeat=args.repeat,
        when=timezone.now().isoformat(timespec="seconds"),
    )
    for key, val in info.items():
        print(f"{key}: {val}")
    header = "| what | first ms | median ms | min ms | max ms | queries | result |\n|---|" + "---:|" * 5 + "---|"
    timings: list[Timing] = []
    repeat = args.repeat
    root, start, end = scheme.organization, round_.starts_on, round_.ends_on

    print(f"\nSources over the {len(orgs):,} organizations (each once; {len(automatic)} indicators use them)\n{header}")
    measures: dict[str, dict[int, sources.Measure]] = {}
    group = (root, orgs, start, end, today)
    for key in keys:
        compute = sources.SOURCES[key].compute

        def describe(result: dict[int, sources.Measure]) -> str:
            done, due = sum(m.done for m in result.values()), sum(m.due for m in result.values())
            return f"done {done:,} of {due:,} (counted once per enclosing assessed organization)"

        t, measures[key] = measure(key, lambda compute=compute: compute(*group), repeat, describe)
        timings.append(t)

    print(f"\nEngine\n{header}")
    parts: dict[str, float] = {}
    with timed_sources(parts), timed_calls(engine, "_place", parts, "ranking and grades"):
        compute_t, sheets = measure(
            "engine.compute", lambda: engine.compute(round_, today), 0, lambda result: f"{len(result):,} sheets"
        )
    compute_t.parts = {k: round(v, 3) for k, v in parts.items()}
    compute_t.parts["the rest (group, indicators, scores, adjustments, sheets)"] = round(
        compute_t.first - sum(parts.values()), 3
    )
    more, _sheets = measure("engine.compute (repeats)", lambda: engine.compute(round_, today), repeat)
    compute_t.runs = more.runs
    timings.append(compute_t)
    for part, seconds in compute_t.parts.items():
        print(f"    {part}: {seconds * 1000:,.0f} ms")
    memory = {"engine.compute": round(peak_mb(lambda: engine.compute(round_, today)), 1)}
    print(f"    peak Python allocations: {memory['engine.compute']:,.0f} MB")

    print(f"\nopen_review on {today}, publish the day after (rolled back after each run)\n{header}")
    review_runs, publish_runs, publish_parts = [], [], []
    first_publish: dict[str, Any] = {}
    for n in range(repeat + 2):  # the first, the repeats, one under tracemalloc
        traced = n == repeat + 1
        with transaction.atomic():
            current = Round.objects.get(pk=round_.pk)
            with travel(today), CaptureQueriesContext(connection) as review_q:
                t0 = time.perf_counter()
                actions.open_review(current, appeal_until=today, actor=admin)
                t1 = time.perf_counter()
            split: dict[str, float] = {}
            with (
                travel(today + dt.timedelta(days=1)),  # the day after the appeals closed
                CaptureQueriesContext(connection) as publish_q,
                timed_calls(engine, "compute", split, "engine.compute"),
                timed_calls(audit, "record_many", split, "audit entries"),
                timed_calls(actions, "_consequences", split, "consequences"),
            ):
                if traced:
                    tracemalloc.start()
                t2 = time.perf_counter()
                results = actions.publish(current, actor=admin)
                t3 = time.perf_counter()
                if traced:
                    memory["actions.publish"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
                    tracemalloc.stop()
            if n == 0:
                first_publish = {
                    "review": (review_q, t1 - t0),
                    "publish": (publish_q, t3 - t2),
                    "results": len(results),
                    "consequences": Consequence.objects.filter(round=round_).count(),
                    "consequences_by_rule": dict(
                        Consequence.objects.filter(round=round_)
                        .values_list("rule")
                        .annotate(n=Count("pk"))
                        .values_list("rule", "n")
                    ),
                    "written_totals": dict(Result.objects.filter(round=round_).values_list("organization_id", "total")),
                    "consequences_list": sorted(
                        Consequence.objects.filter(round=round_).values_list("organization_id", "rule")
                    ),
                }
            if not traced:
                review_runs.append(t1 - t0)
                publish_runs.append(t3 - t2)
                publish_parts.append(split)
            transaction.set_rollback(True)
    review_q, review_first = first_publish["review"]
    publish_q, publish_first = first_publish["publish"]
    review_t = Timing(
        "actions.open_review",
        review_first,
        review_runs[1:],
        len(review_q.captured_queries),
        "draft results of the whole group",
        sql=[q["sql"] for q in review_q.captured_queries],
        sql_seconds=[float(q["time"]) for q in review_q.captured_queries],
    )
    publish_t = Timing(
        "actions.publish",
        publish_first,
        publish_runs[1:],
        len(publish_q.captured_queries),
        f"{first_publish['results']:,} results, {first_publish['consequences']:,} consequences",
        sql=[q["sql"] for q in publish_q.captured_queries],
        sql_seconds=[float(q["time"]) for q in publish_q.captured_queries],
    )
    medians = {
        k: statistics.median(p.get(k, 0.0) for p in publish_parts[1:] or publish_parts) for k in publish_parts[0]
    }
    medians["writing the results (bulk_create) and the rest"] = publish_t.median - sum(medians.values())
    publish_t.parts = {k: round(v, 3) for k, v in medians.items()}
    for t in (review_t, publish_t):
        print(f"  {t.row()}")
        timings.append(t)
    for part, seconds in publish_t.parts.items():
        print(f"    {part}: {seconds * 1000:,.0f} ms (median)")
    print(f"    peak Python allocations: {memory['actions.publish']:,.0f} MB")
    print(f"    consequences by rule: {first_publish['consequences_by_rule']}")

    checks = check(root, orgs, start, end, today, measures, sheets, first_publish, args.sample)
    print("\nChecks")
    for name, ok in checks.items():
        print(f"  {name}: {'yes' if ok else 'NO'}")

    memory["max resident (whole run)"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"max resident size of the process: {memory['max resident (whole run)']:,.0f} MB")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    plans = []
    for seconds, sql in compute_t.slowest(args.explain):
        plans.append(f"## {seconds * 1000:,.0f} ms\n\n{sql}\n\n{explain(sql)}\n")
    for seconds, sql in publish_t.slowest(2):
        if sql.lstrip().upper().startswith("SELECT"):
            plans.append(f"## publish, {seconds * 1000:,.0f} ms\n\n{sql[:4000]}\n\n{explain(sql)}\n")
    (RESULTS / f"assessment-explain-{connection.vendor}-{stamp}.txt").write_text("\n".join(plans))
    info["load_average_after"] = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average after: {info['load_average_after']}")
    data = {
        "machine": info,
        "timings": [{**asdict(t), "median": t.median, "sql": t.sql[:40]} for t in timings],
        "memory_mb": memory,
        "consequences_by_rule": first_publish["consequences_by_rule"],
        "grades": _grades(sheets),
        "checks": checks,
    }
    path = RESULTS / f"assessment-{connection.vendor}-{stamp}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    print(f"\nWrote {path}")
    if args.dump:
        dump = {
            "measures": {
                key: {str(pk): [m.done, m.due] for pk, m in sorted(result.items())} for key, result in measures.items()
            },
            "sheets": {
                str(pk): [str(s.total.total), s.place, s.place_from_bottom, s.grade] for pk, s in sorted(sheets.items())
            },
            "lines": {
                str(pk): [None if line.score is None else str(line.score) for line in s.lines]
                for pk, s in sorted(sheets.items())
            },
        }
        Path(args.dump).write_text(json.dumps(dump, sort_keys=True))
        print(f"Wrote {args.dump}")
    if not all(checks.values()):
        sys.exit("A check failed.")


@contextmanager
def travel(day: dt.date) -> Iterator[None]:
    """Ten in the morning of ``day`` in Beijing: the actions read today's date."""
    moment = dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=True):
        yield


def check(
    root: Organization,
    orgs: list[Organization],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    measures: dict[str, dict[int, sources.Measure]],
    sheets: dict[int, engine.Sheet],
    published: dict[str, Any],
    sample: int,
) -> dict[str, bool]:
    """Each source for a sample of organizations alone (their own subtree) = their figures
    inside the group; publishing wrote the engine's totals, one per organization."""
    # As many of each level: a committee's figures include its branches' (and a group
    # mixing levels once counted the committee's own rows twice).
    by_depth: dict[int, list[Organization]] = {}
    for org in orgs:
        by_depth.setdefault(org.depth, []).append(org)
    rng = random.Random(1)
    each = max(1, sample // len(by_depth))
    picked = [org for level in by_depth.values() for org in rng.sample(level, min(each, len(level)))]
    out = {}
    for key, result in measures.items():
        alone = {org.pk: sources.SOURCES[key].compute(org, [org], start, end, today)[org.pk] for org in picked}
        out[f"{key}: {len(picked)} organizations alone = in the group"] = all(
            (alone[pk].done, alone[pk].due) == (result[pk].done, result[pk].due) for pk in alone
        )
    written = published["written_totals"]
    out["publish wrote one result per organization"] = len(written) == len(orgs) == published["results"]
    out["published totals = engine totals"] = all(written.get(pk) == s.total.total for pk, s in sheets.items())
    return out


def _grades(sheets: dict[int, engine.Sheet]) -> dict[str, int]:
    grades: dict[str, int] = {}
    for sheet in sheets.values():
        grades[sheet.grade] = grades.get(sheet.grade, 0) + 1
    return grades


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed_p = commands.add_parser("seed", help="write the year's records and the scheme")
    seed_p.add_argument("--year", type=int, default=timezone.localdate().year)
    seed_p.add_argument("--seed", type=int, default=1)
    seed_p.add_argument("--if-missing", action="store_true", help="do nothing if the scheme of the year exists")
    run_p = commands.add_parser("run", help="time the round")
    run_p.add_argument("--year", type=int, default=timezone.localdate().year)
    run_p.add_argument("--today", type=dt.date.fromisoformat, default=None, help="default: 20 January of year + 1")
    run_p.add_argument("--repeat", type=int, default=3, help="timed runs after the first (default 3)")
    run_p.add_argument("--sample", type=int, default=30, help="organizations checked alone (default 30)")
    run_p.add_argument("--explain", type=int, default=3, help="plans of the N slowest queries of compute")
    run_p.add_argument("--dump", default=None, help="write every measure and sheet to this JSON file")
    args = parser.parse_args()
    if args.command == "seed":
        seed(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
