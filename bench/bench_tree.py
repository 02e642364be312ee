"""Time the organization tree and the member search on a province-size database.

Run against a database seeded by ``manage.py seed_demo --size province`` (bench/province.sh
does the whole thing on a throwaway PostgreSQL)::

    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/dangjian .venv/bin/python bench/bench_tree.py

Times the read-model functions directly (``dangjian.orgs.queries``, ``search_members``)
and the pages through ``django.test.Client`` with ``force_login``, as a platform
administrator (whole province) and as an organization administrator scoped to one
county. Each line: the first run, then the median, min and max of ``--repeat`` more, and
the SQL queries of one run. EXPLAIN ANALYZE of the subtree count, of the queries of every
function and of the slowest query of every page slower than ``--explain-over`` seconds is
written next to the JSON results in bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: static files are not collected

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.accounts.roles import Role  # noqa: E402
from dangjian.core.testing import make_user  # noqa: E402
from dangjian.members.choices import ACTIVE_STATUSES, Status  # noqa: E402
from dangjian.members.filters import search_members  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.orgs import queries  # noqa: E402
from dangjian.orgs.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"


@dataclass
class Timing:
    """One measured thing: seconds of the first run and of ``repeat`` more, and the SQL
    of the first run."""

    group: str
    name: str
    who: str
    first: float
    runs: list[float]
    queries: int
    note: str = ""
    sql: list[str] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)

    def slowest_sql(self) -> str:
        return max(zip(self.sql_seconds, self.sql, strict=True))[1] if self.sql else ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def row(self) -> str:
        return (
            f"| {self.name} | {self.who} | {self.first * 1000:,.0f} | {self.median * 1000:,.0f} | "
            f"{min(self.runs) * 1000:,.0f} | {max(self.runs) * 1000:,.0f} | {self.queries} | {self.note} |"
        )


def measure(group: str, name: str, who: str, fn: Callable[[], Any], repeat: int) -> Timing:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn()
        first = time.perf_counter() - start
    # Copy now: each request of the runs below empties the connection's query log.
    sql = [q["sql"] for q in captured.captured_queries]
    seconds = [float(q["time"]) for q in captured.captured_queries]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    note = result if isinstance(result, str) else ""
    timing = Timing(group, name, who, first, runs, len(sql), note, sql, seconds)
    print(f"  {timing.row()}", flush=True)
    return timing


def bench_user(username: str, role: str, scope: Organization | None) -> User:
    """The benchmark account (created the first time through the product's action)."""
    user = User.objects.filter(username=username).first()
    return user or make_user(username, role, scope)


def page(client: Client, url: str) -> Callable[[], str]:
    def get() -> str:
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url}: HTTP {response.status_code}")
        return f"{len(response.content) // 1024} KB"

    return get


def first_page(qs: Any) -> Callable[[], str]:
    """What the member list reads: the first 50 rows in list order and the total."""

    def run() -> str:
        rows = list(qs.select_related("organization")[:50])
        return f"{len(rows)} rows shown"

    return run


def count_of(qs: Any) -> Callable[[], str]:
    def run() -> str:
        return f"{qs.count():,} found"

    return run


def org_functions(org: Organization) -> dict[str, Callable[[], str]]:
    """The read-model calls the organization page makes (``OrganizationDetailView``)."""

    def structure() -> str:
        annotated = queries.with_structure(Organization.objects.filter(pk=org.pk)).get()
        return ", ".join(queries.warnings_of(annotated)) or "no warnings"

    def children_structure() -> str:
        children = Organization.objects.filter(depth=org.depth + 1, path__startswith=org.path)
        return f"{len(list(queries.with_structure(children)))} rows"

    return {
        "subtree_counts": lambda: counts(queries.subtree_counts(org)),
        "own_counts": lambda: counts(queries.own_counts(org)),
        "children_counts": lambda: f"{len(queries.children_counts(org))} children",
        "with_structure (the organization)": structure,
        "with_structure (its children)": children_structure,
    }


def counts(c: queries.MemberCounts) -> str:
    return f"{c.full:,} full, {c.probationary:,} probationary, {c.mobile:,} mobile"


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_summary(plan: str) -> str:
    """The scans of a plan, e.g. "Seq Scan on members_member, Index Scan using org_path_prefix"."""
    scans: list[str] = []
    for line in plan.splitlines():
        text = line.strip().removeprefix("->").strip().removeprefix("Parallel ")
        for kind in ("Index Only Scan using", "Index Scan using", "Bitmap Index Scan on", "Seq Scan on"):
            if text.startswith(kind):
                scan = " ".join(text.split()[: len(kind.split()) + 1])
                if scan not in scans:
                    scans.append(scan)
    return ", ".join(scans)


def index_usage() -> list[str]:
    """Size and scans since the cluster started of the indexes of the two big tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, indexrelname, idx_scan, pg_size_pretty(pg_relation_size(indexrelid))"
            " FROM pg_stat_user_indexes WHERE relname IN ('members_member', 'orgs_organization')"
            " ORDER BY relname, indexrelname"
        )
        return [f"{table}.{index}: {scans:,} scans, {size}" for table, index, scans, size in cursor.fetchall()]


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
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": version.split(",")[0],
        "shared_buffers": shared_buffers,
        "work_mem": work_mem,
        "load_average": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the first (default 5)")
    parser.add_argument("--explain-over", type=float, default=0.5, help="EXPLAIN functions slower than this (s)")
    parser.add_argument("--skip-extra", action="store_true", help="skip the dashboard and tree pages")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_tree.py measures PostgreSQL: set DATABASE_URL.")

    # Render as production does: no template debugging. Query capture forces SQL logging.
    override_settings(DEBUG=False).enable()

    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        sys.exit("No organizations: run seed_demo --size province first.")
    county = Organization.objects.filter(depth=3).order_by("path").first() or root
    admin = bench_user("bench_admin", Role.PLATFORM_ADMIN, None)
    county_admin = bench_user("bench_county", Role.ORG_ADMIN, county)
    sample = (
        Member.objects.filter(organization__path__startswith=county.path, status=Status.FULL).order_by("pk").first()
    )
    if sample is None:
        sys.exit("The first county has no members.")
    searches = [
        ("initials", sample.name_initials[:2]),
        ("ID last 4", sample.id_number_last4),
        ("name", sample.name),
        # Nothing matches: the worst case of a substring search (no LIMIT cuts it short).
        ("name, no match", "查无此人"),
    ]
    info = machine()
    info.update(
        organizations=Organization.objects.count(),
        members=Member.objects.count(),
        current_members=Member.objects.filter(status__in=ACTIVE_STATUSES).count(),
        root=f"{root.name} ({root.path})",
        county=f"{county.name} ({county.path}), {Organization.objects.subtree_of(county).count():,} organizations",
        searches=dict(searches),
        repeat=args.repeat,
        debug=settings.DEBUG,
        when=timezone.now().isoformat(timespec="seconds"),
    )
    for key, val in info.items():
        print(f"{key}: {val}")
    header = (
        "| what | as | first ms | median ms | min ms | max ms | queries | note |\n" + "|---|---|" + "---:|" * 5 + "---|"
    )
    timings: list[Timing] = []
    repeat = args.repeat

    print("\nQuery functions\n" + header)
    for who, org in (("province root", root), ("county", county)):
        for name, fn in org_functions(org).items():
            timings.append(measure("functions", name, who, fn, repeat))
    for who, user in (("platform admin", admin), ("county admin", county_admin)):
        current = Member.objects.restrict(user).filter(status__in=ACTIVE_STATUSES)
        for label, text in searches:
            found = search_members(current, text)
            name = f"search_members {label} “{text}”"
            timings.append(measure("search", f"{name}: first page", who, first_page(found), repeat))
            timings.append(measure("search", f"{name}: count", who, count_of(found), repeat))

    print("\nPages (django.test.Client, force_login)\n" + header)
    clients = {}
    for who, user in (("platform admin", admin), ("county admin", county_admin)):
        client = Client()
        client.force_login(user)
        clients[who] = client
    for who, org in (("platform admin", root), ("county admin", county)):
        client = clients[who]
        timings.append(measure("pages", f"/orgs/{org.pk}/ ({org.name})", who, page(client, f"/orgs/{org.pk}/"), repeat))
        timings.append(
            measure("pages", f"/orgs/{org.pk}/children/", who, page(client, f"/orgs/{org.pk}/children/"), repeat)
        )
        for label, text in searches:
            url = f"/members/?{urlencode({'q': text})}"
            timings.append(measure("pages", f"/members/?q= ({label})", who, page(client, url), repeat))
        timings.append(measure("pages", "/members/ (no search)", who, page(client, "/members/"), repeat))
        if not args.skip_extra:
            timings.append(measure("pages", "/orgs/ (tree)", who, page(client, "/orgs/"), repeat))
            timings.append(measure("pages", "/ (dashboard)", who, page(client, "/"), max(1, repeat // 2)))

    print("\nEXPLAIN ANALYZE")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    plans: list[str] = []
    for t in timings:
        if (t.group == "functions" and t.name == "subtree_counts") or t.median > args.explain_over:
            # A function's queries; a page's slowest one.
            for sql in t.sql if t.group != "pages" else [t.slowest_sql()]:
                plan = explain(sql)
                plans.append(f"## {t.name} — {t.who} (median {t.median * 1000:,.0f} ms)\n\n{sql}\n\n{plan}\n")
                last = plan.splitlines()[-1].strip()
                print(f"  {t.name} — {t.who}: {plan_summary(plan)}; {last}")
    (RESULTS / f"explain-{stamp}.txt").write_text("\n".join(plans))
    print("\nIndexes (scans since the server started)")
    info["indexes"] = index_usage()
    for line in info["indexes"]:
        print(f"  {line}")
    info["load_average_after"] = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average after: {info['load_average_after']}")
    data = {"machine": info, "timings": [{**asdict(t), "median": t.median} for t in timings]}
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))
    print(f"\nWrote {RESULTS / f'bench-{stamp}.json'} and {RESULTS / f'explain-{stamp}.txt'}")


if __name__ == "__main__":
    main()
