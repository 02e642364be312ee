#!/usr/bin/env bash
# Province-size benchmark: a throwaway PostgreSQL 15 on 127.0.0.1 (data directory under
# /tmp), migrate, `seed_demo --size province`, time the pages (bench/bench_tree.py),
# stop the server and delete the data directory. See docs/benchmarks.md.
#
#   bench/province.sh                          # 100,000 organizations, 3,000,000 members
#   bench/province.sh --orgs 10000 --members 300000
#   bench/province.sh --keep                   # leave the server and data for more runs
#   bench/province.sh --reuse /tmp/dangjian-bench-pg.XXXXXX   # time a kept data set again
#   bench/province.sh --suggestions            # then measure bench/suggestions.sql too
#   PGOPTIONS="-c jit=off" bench/province.sh --reuse DIR      # any server setting, per session
#
# Everything else on the command line after `--` goes to bench_tree.py (e.g. -- --repeat 10).
set -euo pipefail
cd "$(dirname "$0")/.."

ORGS=100000
MEMBERS=3000000
SEED=1
KEEP=0
REUSE=""
SUGGESTIONS=0
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --orgs) ORGS=$2; shift 2 ;;
    --members) MEMBERS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; KEEP=1; shift 2 ;;
    --suggestions) SUGGESTIONS=1; shift ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/pg.sh
. bench/pg.sh
# DEBUG stays on (the embedded demo keys encrypt the ID numbers); bench_tree.py renders
# the pages with DEBUG off.
if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dangjian
  echo "== migrate"
  $PY manage.py migrate --noinput -v0
  echo "== seed_demo --size province --orgs $ORGS --members $MEMBERS --seed $SEED"
  start=$(date +%s)
  /usr/bin/time -f "   seed: %e s wall, %U s user, %M KB max resident" \
    $PY manage.py seed_demo --size province --orgs "$ORGS" --members "$MEMBERS" --seed "$SEED"
  echo "== seeded in $(( $(date +%s) - start )) s"
  # Set hint bits and the visibility map once, as autovacuum would on a live system.
  start=$(date +%s)
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d dangjian -qc "VACUUM (ANALYZE)"
  echo "== VACUUM (ANALYZE) in $(( $(date +%s) - start )) s"
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d dangjian -Atc \
    "SELECT 'database size: ' || pg_size_pretty(pg_database_size('dangjian'))
     UNION ALL SELECT 'members_member: ' || pg_size_pretty(pg_total_relation_size('members_member'))
       || ' (table ' || pg_size_pretty(pg_relation_size('members_member')) || ')'"
fi

echo "== bench/bench_tree.py"
$PY bench/bench_tree.py "${BENCH_ARGS[@]}"
if [ "$SUGGESTIONS" = 1 ]; then
  echo "== bench/suggestions.sql"
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d dangjian -X -f - < bench/suggestions.sql
fi
