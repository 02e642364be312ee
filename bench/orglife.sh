#!/usr/bin/env bash
# Organizational life compliance benchmark: the province data set (bench/province.sh) plus
# one year of events (`seed_province_orglife`), then bench/bench_orglife.py. See
# docs/benchmarks.md, "Organizational life compliance".
#
#   bench/orglife.sh                                   # build a province (~12 min), add the events, time, delete
#   bench/orglife.sh --keep                            # same, but keep the data directory for more runs
#   bench/orglife.sh --reuse /tmp/dangjian-bench-pg.XXXXXX   # a kept data set (events added if it has none)
#   bench/orglife.sh --reuse DIR --replace-events      # write the events again
#   bench/orglife.sh --orgs 10000 --members 300000     # smaller
#   PGOPTIONS="-c work_mem=64MB" bench/orglife.sh --reuse DIR   # any server setting, per session
#
# Everything after `--` goes to bench_orglife.py (e.g. -- --repeat 10 --sample 500).
set -euo pipefail
cd "$(dirname "$0")/.."

ORGS=100000
MEMBERS=3000000
SEED=1
KEEP=0
REUSE=""
REPLACE=0
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --orgs) ORGS=$2; shift 2 ;;
    --members) MEMBERS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; KEEP=1; shift 2 ;;
    --replace-events) REPLACE=1; shift ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
PY=.venv/bin/python
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

if [ -n "$REUSE" ]; then
  PGDATA=$REUSE
else
  PGDATA=$(mktemp -d /tmp/dangjian-bench-pg.XXXXXX)
  chown postgres "$PGDATA" && chmod 700 "$PGDATA"
fi
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  if [ -f "$PGDATA/postmaster.pid" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "$KEEP" = 1 ]; then
    echo "== data kept in $PGDATA (server stopped); time it again with: bench/orglife.sh --reuse $PGDATA"
    echo "   delete it with: rm -rf $PGDATA"
  else
    rm -rf "$PGDATA"
  fi
}
trap stop EXIT

if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
# The same server settings as bench/province.sh (fsync off: the cluster is thrown away).
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o "-p $PGPORT -k $PGDATA \
  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c shared_buffers=2GB -c effective_cache_size=12GB -c maintenance_work_mem=512MB \
  -c max_wal_size=8GB -c checkpoint_timeout=30min" >/dev/null
echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT, data in $PGDATA"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/dangjian"
psql_() { as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d dangjian "$@"; }
if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dangjian
  echo "== migrate"
  $PY manage.py migrate --noinput -v0
  echo "== seed_demo --size province --orgs $ORGS --members $MEMBERS --seed $SEED"
  start=$(date +%s)
  $PY manage.py seed_demo --size province --orgs "$ORGS" --members "$MEMBERS" --seed "$SEED"
  echo "== seeded in $(( $(date +%s) - start )) s"
else
  # A data set kept by an older checkout may miss the newer tables (orglife, …).
  $PY manage.py migrate --noinput -v0
fi

events=$(psql_ -Atc "SELECT EXISTS (SELECT 1 FROM orglife_event)")
if [ "$events" = "f" ] || [ "$REPLACE" = 1 ]; then
  echo "== seed_province_orglife --seed $SEED"
  start=$(date +%s)
  /usr/bin/time -f "   events: %e s wall, %U s user, %M KB max resident" \
    $PY manage.py seed_province_orglife --seed "$SEED" --replace
  echo "== events written in $(( $(date +%s) - start )) s"
  # Set hint bits and the visibility map once, as autovacuum would on a live system.
  start=$(date +%s)
  psql_ -qc "VACUUM (ANALYZE)"
  echo "== VACUUM (ANALYZE) in $(( $(date +%s) - start )) s"
fi
psql_ -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('dangjian'))
  UNION ALL SELECT 'orglife_event: ' || pg_size_pretty(pg_total_relation_size('orglife_event'))
    || ' (table ' || pg_size_pretty(pg_relation_size('orglife_event')) || ')'"

echo "== bench/bench_orglife.py"
$PY bench/bench_orglife.py "${BENCH_ARGS[@]}"
