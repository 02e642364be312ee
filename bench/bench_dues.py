"""Time the party-dues read models on a province-size database.

Run against a database seeded by ``manage.py seed_demo --size province`` and then
``manage.py seed_province_dues`` (bench/dues.sh does the whole thing)::

    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/dangjian .venv/bin/python bench/bench_dues.py

Times the read models of ``dangjian.dues.queries`` for the month before ``--today`` on the
subtrees of the province root, the first city, the first county, its first township
committee and that committee's first branch, with the members queryset of the Party dues
page (``Member.objects.filter(organization__path__startswith=…)``): ``collection``,
``collection_by_child``, ``collection_year``, ``unpaid_in_a_row(…).count()`` (S1 months)
and, for the township and the branch only, ``arrears``. Then two queries written by hand
for PostgreSQL (the month's collection as joins, and the whole year in one query) for
the root and the county. Each line: the first run, then the median, min and max of the
repeats, and the SQL queries of one run.

It checks that the collection of a subtree is the sum of its children's, that the year's
last month is the month's collection, that the hand-written queries give the same numbers,
and that ``unpaid_in_a_row`` finds the members whose ``arrears`` end in a run of S1 months
(exits non-zero otherwise); and that each read model runs the same number of queries at
every level. EXPLAIN (ANALYZE, BUFFERS) of the collection query for the root and the
county (and of the grouped and S1 queries for the root) goes next to the JSON results in
bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
from django.db.models import QuerySet  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bench_tree import explain, machine, plan_summary  # noqa: E402
from dangjian.core.dates import add_months  # noqa: E402
from dangjian.core.rulesets import value  # noqa: E402
from dangjian.dues import queries  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.orglife.rules import DRIFT_MONTHS  # noqa: E402
from dangjian.orgs.choices import OrgKind, Sector  # noqa: E402
from dangjian.orgs.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# collection(members, month) written with joins: the payment of the month is a LEFT JOIN
# (at most one regular payment per member and month: payment_one_per_month), the standard
# in force a semi-join, an exemption in force (F7) an anti-join. The planner can hash
# these for a province instead of probing indexes once per member, and keeps nested loops
# for a small subtree.
HAND_MONTH = """
SELECT COUNT(*) AS due, COUNT(p.member_id) AS paid
FROM members_member m
JOIN orgs_organization o ON o.id = m.organization_id
LEFT JOIN dues_payment p ON p.member_id = m.id AND p.kind = 'regular' AND p.month = %(month)s
WHERE o.path LIKE %(prefix)s AND m.joined_on <= %(end)s AND (m.left_on IS NULL OR m.left_on >= %(month)s)
  AND EXISTS (SELECT 1 FROM dues_duesstandard s WHERE s.member_id = m.id AND s.valid_from <= %(month)s)
  AND NOT EXISTS (
      SELECT 1 FROM dues_duesstandard s
      WHERE s.member_id = m.id AND s.valid_from <= %(month)s AND s.reduced_amount = 0
        AND NOT EXISTS (SELECT 1 FROM dues_duesstandard l
                        WHERE l.member_id = s.member_id AND l.valid_from > s.valid_from AND l.valid_from <= %(month)s))
"""

# collection_year(members, year, through) in one query: each standard of the subtree's
# members gives the months it is in force (until the next standard, within admission and
# leaving); those not exempted are counted per month by their first and last month, and
# the regular payments of the year are matched to them.
HAND_YEAR = """
WITH ranges AS MATERIALIZED (
    SELECT member_id, start_on, end_before FROM (
        SELECT s.member_id, s.reduced_amount,
               GREATEST(s.valid_from, date_trunc('month', m.joined_on)::date) AS start_on,
               LEAST(COALESCE(LEAD(s.valid_from) OVER (PARTITION BY s.member_id ORDER BY s.valid_from),
                              'infinity'::date),
                     COALESCE((date_trunc('month', m.left_on) + interval '1 month')::date, 'infinity'::date))
                   AS end_before
        FROM dues_duesstandard s
        JOIN members_member m ON m.id = s.member_id
        JOIN orgs_organization o ON o.id = m.organization_id
        WHERE o.path LIKE %(prefix)s AND s.valid_from <= %(last)s
    ) r
    WHERE (reduced_amount IS NULL OR reduced_amount <> 0) AND start_on < end_before
      AND start_on <= %(last)s AND end_before > %(first)s
),
delta AS (
    SELECT month, SUM(delta) AS delta FROM (
        SELECT GREATEST(start_on, %(first)s) AS month, 1 AS delta FROM ranges
        UNION ALL SELECT end_before, -1 FROM ranges WHERE end_before <= %(last)s
    ) e GROUP BY month
),
due AS (
    SELECT g.month::date AS month, SUM(COALESCE(d.delta, 0)) OVER (ORDER BY g.month) AS due
    FROM generate_series(%(first)s, %(last)s, interval '1 month') g(month)
    LEFT JOIN delta d ON d.month = g.month::date
),
paid AS (
    SELECT p.month, COUNT(*) AS paid
    FROM dues_payment p
    JOIN ranges r ON r.member_id = p.member_id AND p.month >= r.start_on AND p.month < r.end_before
    WHERE p.kind = 'regular' AND p.month BETWEEN %(first)s AND %(last)s
    GROUP BY 1
)
SELECT due.month, due.due, COALESCE(paid.paid, 0) FROM due LEFT JOIN paid USING (month) ORDER BY 1
"""


@dataclass
class Timing:
    """One measured call: seconds of the first run and of the repeats, the SQL queries of
    the first run and what it returned."""

    what: str
    level: str
    first: float
    runs: list[float]
    queries: int
    note: str = ""
    sql: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else self.first

    @property
    def best(self) -> float:
        return min(self.runs) if self.runs else self.first

    def row(self) -> str:
        runs = f"{self.median * 1000:,.0f} | {self.best * 1000:,.0f} | {max(self.runs or [self.first]) * 1000:,.0f}"
        return (
            f"| {self.what} | {self.level} | {self.first * 1000:,.0f} | {runs} | {len(self.runs)} | "
            f"{self.queries} | {self.note} |"
        )


HEADER = (
    "| what | subtree | first ms | median ms | min ms | max ms | repeats | queries | result |\n|---|---|"
    + "---:|" * 6
    + "---|"
)


def measure(
    what: str, level: str, fn: Callable[[], Any], repeat: int, describe: Callable[[Any], str] = str
) -> tuple[Timing, Any]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn()
        first = time.perf_counter() - start
    sql = [q["sql"] for q in captured.captured_queries]
    runs = []
    for _ in range(max(repeat, 0)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    timing = Timing(what, level, first, runs, len(sql), describe(result), sql)
    print(f"  {timing.row()}", flush=True)
    return timing, result


def members_of(org: Organization) -> QuerySet[Member]:
    """The members queryset of the Party dues page for ``org``'s subtree (a platform
    administrator's ``restrict`` adds no condition)."""
    return Member.objects.filter(organization__path__startswith=org.path)


def rate_text(row: dict[str, Any]) -> str:
    rate = f"{row['rate']:.2%}" if row["rate"] is not None else "—"
    return f"due {row['due']:,}, paid {row['paid']:,}, rate {rate}"


def by_child_text(rows: list[dict[str, Any]]) -> str:
    due = sum(r["due"] for r in rows)
    paid = sum(r["paid"] for r in rows)
    return f"{len(rows):,} children; Σ due {due:,}, Σ paid {paid:,}"


def year_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no months"
    rates = [r["rate"] for r in rows if r["rate"] is not None]
    low = f"{min(rates):.1%}" if rates else "—"
    return f"{len(rows)} months, rates {low}–{max(rates):.1%}" if rates else f"{len(rows)} months"


def hand_month(org: Organization, month: dt.date) -> dict[str, Any]:
    end = add_months(month, 1) - dt.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(HAND_MONTH, {"prefix": org.path + "%", "month": month, "end": end})
        due, paid = cursor.fetchone()
    return {"month": month, "due": due, "paid": paid, "rate": (paid / due) if due else None}


def hand_year(org: Organization, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(HAND_YEAR, {"prefix": org.path + "%", "first": first, "last": last})
        rows = cursor.fetchall()
    out = []
    for day, due, paid in rows:
        due, paid = int(due), int(paid)
        out.append({"month": day, "due": due, "paid": paid, "rate": (paid / due) if due else None})
    return out


def pick_levels() -> list[tuple[str, Organization]]:
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        sys.exit("No organizations: run seed_demo --size province, then seed_province_dues.")
    city = Organization.objects.filter(depth=2).order_by("path").first() or root
    county = Organization.objects.filter(depth=3).order_by("path").first() or city
    committees = Organization.objects.subtree_of(county).filter(kind=OrgKind.GRASSROOTS_COMMITTEE).order_by("path")
    township = committees.filter(sector=Sector.TOWNSHIP).first() or committees.first() or county
    branch = Organization.objects.subtree_of(township).filter(kind=OrgKind.BRANCH).order_by("path").first() or township
    return [("root", root), ("city", city), ("county", county), ("township", township), ("branch", branch)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the first (default 3)")
    parser.add_argument(
        "--year-repeat", type=int, default=1, help="timed runs after the first of collection_year (default 1)"
    )
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="as of this day (YYYY-MM-DD); month = the one before"
    )
    parser.add_argument(
        "--skip-root-year",
        action="store_true",
        help="do not run collection_year for the root (one collection query per month: minutes)",
    )
    parser.add_argument("--no-hand-written", action="store_true", help="skip the hand-written queries")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_dues.py measures PostgreSQL: set DATABASE_URL.")

    today = args.today or timezone.localdate()
    month = add_months(today.replace(day=1), -1)  # the page's default month and S1's last month
    first = month.replace(month=1)
    s1 = int(value(DRIFT_MONTHS.key, today))
    levels = pick_levels()
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, COUNT(*) FROM dues_payment GROUP BY kind")
        payments = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE reduced_amount = 0) FROM dues_duesstandard")
        standards, exempted = cursor.fetchone()
        cursor.execute(
            "SELECT i.indexrelname, pg_size_pretty(pg_relation_size(i.indexrelid)) FROM pg_stat_user_indexes i"
            " WHERE i.relname = 'dues_payment' ORDER BY 1"
        )
        payment_indexes = [f"{name} {size}" for name, size in cursor.fetchall()]
    if not standards:
        sys.exit("No dues standards: run seed_province_dues.")

    info = machine()
    info.update(
        members=Member.objects.count(),
        standards=standards,
        exempted=exempted,
        regular_payments=payments.get("regular", 0),
        voluntary_payments=payments.get("voluntary", 0),
        payment_table=_size("dues_payment"),
        standard_table=_size("dues_duesstandard"),
        payment_indexes=", ".join(payment_indexes),
        today=today.isoformat(),
        month=month.isoformat(),
        s1_months=s1,
        repeat=args.repeat,
        year_repeat=args.year_repeat,
        when=timezone.now().isoformat(timespec="seconds"),
    )
    for label, org in levels:
        info[label] = f"{org.name} ({org.path}), {members_of(org).count():,} members"
    for key, val in info.items():
        print(f"{key}: {val}")

    timings: list[Timing] = []
    results: dict[tuple[str, str], Any] = {}
    repeat = args.repeat

    def run(what: str, label: str, fn: Callable[[], Any], describe: Callable[[Any], str], times: int) -> None:
        timing, result = measure(what, label, fn, times, describe)
        timings.append(timing)
        results[(what, label)] = result

    print(f"\nRead models of dangjian.dues.queries, month {month:%Y-%m}\n{HEADER}")
    for label, org in levels:
        members = members_of(org)
        run("collection", label, lambda m=members: queries.collection(m, month), rate_text, repeat)
        run(
            "collection_by_child",
            label,
            lambda m=members, o=org: queries.collection_by_child(m, o, month),
            by_child_text,
            repeat,
        )
        if not (label == "root" and args.skip_root_year):
            run(
                "collection_year",
                label,
                lambda m=members: queries.collection_year(m, month.year, month),
                year_text,
                args.year_repeat,
            )
        run(
            f"unpaid_in_a_row({s1}).count()",
            label,
            lambda m=members: queries.unpaid_in_a_row(m, month, s1).count(),
            lambda n: f"{n:,} members",
            repeat,
        )
        if label in ("township", "branch"):
            run(
                "arrears",
                label,
                lambda m=members: queries.arrears(m, month),
                lambda rows: f"{len(rows):,} members in arrears, {sum(a.current_run >= s1 for a in rows):,} at S1",
                repeat,
            )

    hand: dict[tuple[str, str], Any] = {}
    if not args.no_hand_written:
        print(f"\nHand-written for PostgreSQL (HAND_MONTH, HAND_YEAR)\n{HEADER}")
        for label, org in levels:
            if label not in ("root", "county"):
                continue
            timing, hand[("month", label)] = measure(
                "hand-written month", label, lambda o=org: hand_month(o, month), repeat, rate_text
            )
            timings.append(timing)
            timing, hand[("year", label)] = measure(
                "hand-written year", label, lambda o=org: hand_year(o, first, month), args.year_repeat, year_text
            )
            timings.append(timing)

    checks = _checks(levels, results, hand, s1)
    counts = _query_counts(timings)
    for what, by_level in counts.items():
        # A branch has no children: collection_by_child then skips the query for them.
        inner = {n for label, n in by_level.items() if label != "branch"}
        leaf = by_level.get("branch")
        checks[f"same number of queries at every subtree: {what}"] = len(inner) <= 1 and (
            leaf is None or not inner or leaf <= min(inner)
        )
    print("\nQueries per call, by subtree")
    for what, by_level in counts.items():
        print(f"  {what}: " + ", ".join(f"{label} {n}" for label, n in by_level.items()))
    print("Checks")
    for name, ok in checks.items():
        print(f"  {name}: {'yes' if ok else 'NO'}")

    print("\nEXPLAIN (ANALYZE, BUFFERS)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    plans = []
    wanted = [
        ("collection, root", "collection", "root"),
        ("collection, county", "collection", "county"),
        ("collection_by_child, root", "collection_by_child", "root"),
        (f"unpaid_in_a_row({s1}).count(), root", f"unpaid_in_a_row({s1}).count()", "root"),
        ("hand-written month, root", "hand-written month", "root"),
    ]
    by_key = {(t.what, t.level): t for t in timings}
    for title, what, label in wanted:
        timing = by_key.get((what, label))
        if timing is None or not timing.sql:
            continue
        sql = timing.sql[0]
        plan = explain(sql)
        plans.append(f"## {title}\n\n{sql}\n\n{plan}\n")
        print(f"  {title}: {plan_summary(plan)}; {'; '.join(_plan_lines(plan))}")
    (RESULTS / f"dues-explain-{stamp}.txt").write_text("\n".join(plans))
    info["load_average_after"] = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average after: {info['load_average_after']}")
    data = {
        "machine": info,
        "timings": [{**asdict(t), "median": t.median, "min": t.best, "sql": t.sql[:2]} for t in timings],
        "query_counts": counts,
        "checks": checks,
    }
    (RESULTS / f"dues-{stamp}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    print(f"\nWrote {RESULTS / f'dues-{stamp}.json'} and {RESULTS / f'dues-explain-{stamp}.txt'}")
    if not all(checks.values()):
        sys.exit("A check failed.")


def _checks(
    levels: list[tuple[str, Organization]],
    results: dict[tuple[str, str], Any],
    hand: dict[tuple[str, str], Any],
    s1: int,
) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    for label, org in levels:
        total = results[("collection", label)]
        children = results[("collection_by_child", label)]
        checks[f"collection = Σ collection_by_child ({label})"] = (total["due"], total["paid"]) == (
            sum(r["due"] for r in children),
            sum(r["paid"] for r in children),
        )
        year = results.get(("collection_year", label))
        if year:
            checks[f"collection_year's last month = collection ({label})"] = (year[-1]["due"], year[-1]["paid"]) == (
                total["due"],
                total["paid"],
            )
        if ("arrears", label) in results:
            flagged = {a.member.pk for a in results[("arrears", label)] if a.current_run >= s1}
            listed = set(queries.unpaid_in_a_row(members_of(org), total["month"], s1).values_list("pk", flat=True))
            checks[f"unpaid_in_a_row = arrears with a run of {s1} ({label})"] = flagged == listed
    for (kind, label), got in hand.items():
        if kind == "month":
            want = results[("collection", label)]
            checks[f"hand-written month = collection ({label})"] = (got["due"], got["paid"]) == (
                want["due"],
                want["paid"],
            )
        else:
            year = results.get(("collection_year", label))
            if year is not None:
                checks[f"hand-written year = collection_year ({label})"] = [
                    (r["month"], r["due"], r["paid"]) for r in got
                ] == [(r["month"], r["due"], r["paid"]) for r in year]
    return checks


def _query_counts(timings: list[Timing]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for t in timings:
        if not t.what.startswith("hand-written"):
            counts.setdefault(t.what, {})[t.level] = t.queries
    return counts


def _plan_lines(plan: str) -> list[str]:
    """The plan's last lines (planning and execution time) and any sort or hash spilling to disk."""
    lines = [line.strip() for line in plan.splitlines()]
    spills = sorted({line for line in lines if "Disk:" in line or ("Batches: " in line and "Batches: 1 " not in line)})
    return [*lines[-2:], *spills[:3]]


def _size(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s)) || ' (table ' || pg_size_pretty(pg_relation_size(%s))"
            " || ')'",
            [table, table],
        )
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
