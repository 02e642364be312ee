# Sourced by bench/province.sh and bench/orglife.sh: a throwaway PostgreSQL on 127.0.0.1
# with a modest production-like configuration for a 2-core, 24 GB host (fsync and friends
# off because the cluster is thrown away: they only slow the load). Expects REUSE (a kept
# data directory or empty) and KEEP (1 to keep the data); sets PGBIN, PY, PGDATA, PGPORT,
# DATABASE_URL and as_postgres, and stops the server (deleting the data unless kept) on exit.
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
    echo "== data kept in $PGDATA (server stopped); time it again with: $0 --reuse $PGDATA"
    echo "   delete it with: rm -rf $PGDATA"
  else
    rm -rf "$PGDATA"
  fi
}
trap stop EXIT

if [ -z "$REUSE" ]; then
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o "-p $PGPORT -k $PGDATA \
  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c shared_buffers=2GB -c effective_cache_size=12GB -c maintenance_work_mem=512MB \
  -c max_wal_size=8GB -c checkpoint_timeout=30min" >/dev/null
echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT, data in $PGDATA"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/dangjian"
