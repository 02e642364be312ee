#!/usr/bin/env bash
# Party dues collection benchmark: the province data set (bench/province.sh) plus a dues
# standard for every current member and a year of monthly payments (`seed_province_dues`),
# then bench/bench_dues.py. See docs/benchmarks.md, "Party dues collection".
#
#   bench/dues.sh                                      # build a province (~12-15 min), add the dues (~6 min), time, delete
#   bench/dues.sh --keep                               # same, but keep the data directory for more runs
#   bench/dues.sh --reuse /tmp/dangjian-bench-pg.XXXXXX      # a kept data set (dues added if it has none)
#   bench/dues.sh --reuse DIR --replace-dues           # write the standards and payments again
#   bench/dues.sh --reuse DIR --with-index             # also try the suggested index (built before, dropped after)
#   bench/dues.sh --orgs 10000 --members 300000        # smaller
#   PGOPTIONS="-c jit=off" bench/dues.sh --reuse DIR   # any server setting, per session
#
# Everything after `--` goes to bench_dues.py (e.g. -- --repeat 5 --skip-root-year).
set -euo pipefail
cd "$(dirname "$0")/.."

ORGS=100000
MEMBERS=3000000
SEED=1
KEEP=0
REUSE=""
REPLACE=0
WITH_INDEX=0
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --orgs) ORGS=$2; shift 2 ;;
    --members) MEMBERS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; KEEP=1; shift 2 ;;
    --replace-dues) REPLACE=1; shift ;;
    --with-index) WITH_INDEX=1; shift ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/pg.sh
. bench/pg.sh
psql_() { as_postgres "$PGBIN/psql" -X -h 127.0.0.1 -p "$PGPORT" -U postgres -d dangjian "$@"; }
if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dangjian
  echo "== migrate"
  $PY manage.py migrate --noinput -v0
  echo "== seed_demo --size province --orgs $ORGS --members $MEMBERS --seed $SEED"
  start=$(date +%s)
  $PY manage.py seed_demo --size province --orgs "$ORGS" --members "$MEMBERS" --seed "$SEED"
  echo "== seeded in $(( $(date +%s) - start )) s"
  start=$(date +%s)
  psql_ -qc "VACUUM (ANALYZE)"
  echo "== VACUUM (ANALYZE) in $(( $(date +%s) - start )) s"
else
  # A data set kept by an older checkout may miss the newer tables (dues, …).
  $PY manage.py migrate --noinput -v0
fi

standards=$(psql_ -Atc "SELECT EXISTS (SELECT 1 FROM dues_duesstandard)")
if [ "$standards" = "f" ] || [ "$REPLACE" = 1 ]; then
  echo "== seed_province_dues --seed $SEED"
  start=$(date +%s)
  /usr/bin/time -f "   dues: %e s wall, %U s user, %M KB max resident" \
    $PY manage.py seed_province_dues --seed "$SEED" --replace
  echo "== dues written in $(( $(date +%s) - start )) s"
  # Set hint bits and the visibility map (index-only scans), as autovacuum would.
  start=$(date +%s)
  psql_ -qc "VACUUM (ANALYZE) dues_duesstandard, dues_payment"
  echo "== VACUUM (ANALYZE) in $(( $(date +%s) - start )) s"
fi
psql_ -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('dangjian'))
  UNION ALL SELECT relname || ': ' || pg_size_pretty(pg_total_relation_size(oid))
    || ' (table ' || pg_size_pretty(pg_relation_size(oid)) || ')'
  FROM pg_class WHERE relname IN ('dues_duesstandard', 'dues_payment')"

if [ "$WITH_INDEX" = 1 ]; then
  # The index suggested in docs/benchmarks.md, tried without a migration.
  echo "== CREATE INDEX bench_payment_month_member"
  start=$(date +%s)
  psql_ -qc "CREATE INDEX IF NOT EXISTS bench_payment_month_member ON dues_payment (month, member_id)
    WHERE kind = 'regular'" -c "VACUUM (ANALYZE) dues_payment"
  echo "== built in $(( $(date +%s) - start )) s"
fi
echo "== bench/bench_dues.py"
status=0
$PY bench/bench_dues.py "${BENCH_ARGS[@]}" || status=$?
if [ "$WITH_INDEX" = 1 ]; then
  psql_ -qc "DROP INDEX IF EXISTS bench_payment_month_member"
fi
exit $status
