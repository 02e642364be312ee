#!/usr/bin/env bash
# Assessment benchmark (issue 7): a province of about 10,000 organizations and 300,000
# members (`seed_demo --size province`), a year of organizational life
# (`seed_province_orglife`), the year's dues, development steps, responsibility items,
# rectifications and the assessment scheme with its year-end round, scores and earlier
# results (`bench/bench_assessment.py seed`), then the timings (`bench/bench_assessment.py
# run`), on SQLite and on a throwaway PostgreSQL. See docs/benchmarks.md, "Assessment:
# scoring a year-end round".
#
#   bench/assessment.sh                              # both databases: build (~10 min each), time, delete
#   bench/assessment.sh --db postgres                # or --db sqlite: one of them
#   bench/assessment.sh --keep                       # keep the data (PostgreSQL data directory, SQLite file)
#   bench/assessment.sh --reuse-pg /tmp/dangjian-bench-pg.XXXXXX --reuse-sqlite /tmp/dangjian-bench-sqlite.XXXXXX/db.sqlite3
#   bench/assessment.sh --orgs 20000 --members 600000 --year 2026
#   PGOPTIONS="-c jit=off" bench/assessment.sh --db postgres --reuse-pg DIR   # a server setting, per session
#
# Everything after `--` goes to `bench_assessment.py run` (e.g. -- --repeat 5 --proposals).
set -euo pipefail
cd "$(dirname "$0")/.."

ORGS=10000
MEMBERS=300000
SEED=1
YEAR=$(date +%Y)
DB=both
KEEP=0
REUSE_PG=""
REUSE_SQLITE=""
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --orgs) ORGS=$2; shift 2 ;;
    --members) MEMBERS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --year) YEAR=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse-pg|--reuse) REUSE_PG=$2; shift 2 ;;  # --reuse: what bench/pg.sh suggests on exit
    --reuse-sqlite) REUSE_SQLITE=$2; shift 2 ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$DB" in both|postgres|sqlite) ;; *) echo "--db: both, postgres or sqlite" >&2; exit 2 ;; esac
PY=.venv/bin/python

# Build a new data set ($1 = 1) or complete a kept one, then time. DATABASE_URL is set.
prepare() {
  if [ "$1" = 1 ]; then
    echo "== migrate"
    $PY manage.py migrate --noinput -v0
    echo "== seed_demo --size province --orgs $ORGS --members $MEMBERS --seed $SEED"
    /usr/bin/time -f "   seed: %e s wall, %U s user, %M KB max resident" \
      $PY manage.py seed_demo --size province --orgs "$ORGS" --members "$MEMBERS" --seed "$SEED"
    echo "== seed_province_orglife --seed $SEED --today $YEAR-12-31"
    /usr/bin/time -f "   events: %e s wall, %U s user, %M KB max resident" \
      $PY manage.py seed_province_orglife --seed "$SEED" --today "$YEAR-12-31"
  else
    # A data set kept by an older checkout may miss the newer tables.
    $PY manage.py migrate --noinput -v0
  fi
  /usr/bin/time -f "   records: %e s wall, %U s user, %M KB max resident" \
    $PY bench/bench_assessment.py seed --year "$YEAR" --seed "$SEED" --if-missing
  echo "== bench/bench_assessment.py run --year $YEAR ${BENCH_ARGS[*]}"
  $PY bench/bench_assessment.py run --year "$YEAR" "${BENCH_ARGS[@]}"
}

run_sqlite() (
  if [ -n "$REUSE_SQLITE" ]; then
    FILE=$REUSE_SQLITE
    DIR=""
  else
    DIR=$(mktemp -d /tmp/dangjian-bench-sqlite.XXXXXX)
    FILE=$DIR/db.sqlite3
  fi
  done_sqlite() {
    if [ -z "$DIR" ]; then
      return
    elif [ "$KEEP" = 1 ]; then
      echo "== SQLite data kept in $FILE; time it again with: $0 --db sqlite --reuse-sqlite $FILE"
    else
      rm -rf "$DIR"
    fi
  }
  trap done_sqlite EXIT
  export DATABASE_URL="sqlite:///$FILE"
  echo "== SQLite: $FILE"
  prepare "$([ -z "$REUSE_SQLITE" ] && echo 1 || echo 0)"
)

run_postgres() (
  REUSE=$REUSE_PG
  [ -n "$REUSE" ] && KEEP=1
  # shellcheck source=bench/pg.sh
  . bench/pg.sh
  if [ -z "$REUSE" ]; then
    as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres dangjian
  fi
  prepare "$([ -z "$REUSE" ] && echo 1 || echo 0)"
)

if [ "$DB" != postgres ]; then run_sqlite; fi
if [ "$DB" != sqlite ]; then run_postgres; fi
