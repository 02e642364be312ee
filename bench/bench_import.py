"""Time a roster import of N rows (default 10,000): check, then commit, as the product
runs them (``core.imports.check_batch`` / ``commit_batch``), on the database of
DATABASE_URL (SQLite by default). Prints rows per second and the process's peak memory.

    .venv/bin/python bench/bench_import.py --rows 10000
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_import.py --rows 10000

It builds a throwaway database: for SQLite a file under /tmp, for PostgreSQL a database
named ``dangjian_bench_import`` (dropped and created).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, _name = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/dangjian_bench_import"
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS dangjian_bench_import")
            conn.execute("CREATE DATABASE dangjian_bench_import")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["BACKGROUND_JOBS"] = "inline"

    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from dangjian.core import imports
    from dangjian.core.models import ImportBatch, ImportState
    from dangjian.core.testing import build_cast
    from dangjian.demo.people import PeopleFactory
    from dangjian.members.models import Member

    cast = build_cast()
    people = PeopleFactory(random.Random(7), dt.date(2026, 11, 23))
    columns = imports.REGISTRY["members"].columns
    rows = []
    for _ in range(args.rows):
        person = people.person()
        values = {
            "organization": "BA",
            "name": person.name,
            "id_number": person.id_number,
            "status": "正式党员",
            "joined_on": person.joined_on.isoformat(),
            "full_on": person.full_on.isoformat() if person.full_on else "",
            "phone": person.phone,
        }
        rows.append([values.get(c.key, "") for c in columns])
    headers = [c.template_header() for c in columns]
    if args.format == "csv":
        import csv

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        content, name = buffer.getvalue().encode("utf-8"), "roster.csv"
    else:
        import xlsxwriter

        data = io.BytesIO()
        workbook = xlsxwriter.Workbook(data, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        for r, values in enumerate([headers, *rows]):
            sheet.write_row(r, 0, values)
        workbook.close()
        content, name = data.getvalue(), "roster.xlsx"

    batch = ImportBatch.objects.create(
        kind="members", original_name=name, created_by=cast.secretary_a, organization=cast.branch_a
    )
    batch.file.save(name, ContentFile(content))
    start = time.perf_counter()
    imports.check_batch(batch.pk)
    checked = time.perf_counter()
    batch.refresh_from_db()
    assert batch.state == ImportState.READY, batch.errors[:5]
    imports.commit_batch(batch.pk)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE, batch.errors[:5]
    total = Member.objects.count()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{engine}, {args.rows} rows ({args.format}, {len(content) / 1e6:.1f} MB)")
    print(f"  check:  {checked - start:6.2f} s  ({args.rows / (checked - start):,.0f} rows/s)")
    print(f"  commit: {done - checked:6.2f} s  (check again + write; {args.rows / (done - checked):,.0f} rows/s)")
    print(f"  total:  {done - start:6.2f} s; peak process memory (RSS) {peak / 1e6:.0f} MB; members now {total}")


if __name__ == "__main__":
    main()
