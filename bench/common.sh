# Shared by the wire-level benchmarks (sourced, not run): free ports, waiting
# for a server, a PostgreSQL 15 started the same way each time, ratios, and
# the clean-up of both servers and the scratch directory $WORK on exit.
PGBIN=/usr/lib/postgresql/15/bin
PGBENCH="$PGBIN/pgbench"
[ -x "$PGBENCH" ] || PGBENCH="$(command -v pgbench)"

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {   # wait_port PORT PID
  for _ in $(seq 1 600); do
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 1; then return 0; fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# pg_start DIR PORT [postgresql.conf lines...]: initdb DIR/pgdata, start it in
# the background with trust auth on 127.0.0.1:PORT; sets PG_PID.
pg_start() {
  local dir="$1" port="$2"
  shift 2
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root; setpriv execs, so $! is the server itself.
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
    chown postgres:postgres "$dir"
  fi
  "${as[@]}" "$PGBIN/initdb" -D "$dir/pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  {
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = ''"
    printf '%s\n' "$@"
  } >> "$dir/pgdata/postgresql.conf"
  "${as[@]}" "$PGBIN/postgres" -D "$dir/pgdata" > "$dir/pg.log" 2>&1 &
  PG_PID=$!
  wait_port "$port" "$PG_PID" || { cat "$dir/pg.log" >&2; echo "PostgreSQL did not start" >&2; return 1; }
}

# bench_setup NAME: the packages, a Release build if there is none yet, and WORK, a scratch
# directory under $BENCH_DIR (default /tmp) that bench_cleanup removes.
bench_setup() {
  scripts/setup.sh >&2
  if [ ! -x build/hcdb ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build build -j "$(nproc)" >&2
  fi
  WORK="$(mktemp -d -p "${BENCH_DIR:-/tmp}" "hcdb-$1-XXXXXX")"
  chmod 755 "$WORK"
}

pgb() {   # pgb PORT ARGS...: pgbench against the server on PORT
  local port="$1"
  shift
  PGPASSFILE=/nonexistent "$PGBENCH" -h 127.0.0.1 -p "$port" -U postgres "$@" postgres
}

ratio() {   # ratio A B: A/B with two decimals, n/a if either is missing
  /usr/bin/python3 -c "import sys
try: print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')
except Exception: print('n/a')" "$1" "$2"
}

HCDB_PID="" PG_PID=""
bench_cleanup() {
  [ -n "$HCDB_PID" ] && kill -INT "$HCDB_PID" 2>/dev/null && wait "$HCDB_PID" 2>/dev/null || true
  [ -n "$PG_PID" ] && kill -INT "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null || true
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}
trap bench_cleanup EXIT
