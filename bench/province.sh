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
    echo "== data kept in $PGDATA (server stopped); time it again with: bench/province.sh --reuse $PGDATA"
    echo "   delete it with: rm -rf $PGDATA"
  else
    rm -rf "$PGDATA"
  fi
}
trap stop EXIT

if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
# fsync and friends are off because the cluster is thrown away: they only slow the load.
# The memory settings are a modest production-like configuration for a 2-core, 24 GB host.
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o "-p $PGPORT -k $PGDATA \
  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c shared_buffers=2GB -c effective_cache_size=12GB -c maintenance_work_mem=512MB \
  -c max_wal_size=8GB -c checkpoint_timeout=30min" >/dev/null
echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT, data in $PGDATA"

# DEBUG stays on (the embedded demo keys encrypt the ID numbers); bench_tree.py renders
# the pages with DEBUG off.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/dangjian"
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
