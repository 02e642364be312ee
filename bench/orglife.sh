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

# shellcheck source=bench/pg.sh
. bench/pg.sh
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
