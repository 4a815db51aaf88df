#!/usr/bin/env bash
# Durable commits over the wire: pgbench's TPC-B-like script and a one-row
# INSERT script (insert.sql) at 1, 8 and 32 clients against hcdb and against a
# PostgreSQL 15 started here, both with fsync and synchronous_commit on, data
# on the same disk, in the same run. Prints a markdown table with ratios.
#
#   bench/durability/wire.sh                    # 10 s per run, scale 10
#   BENCH_SECONDS=5 BENCH_SCALE=1 bench/durability/wire.sh
#   BENCH_DIR=/mnt/disk bench/durability/wire.sh  # where both data directories go
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
SCALE="${BENCH_SCALE:-10}"
CLIENT_COUNTS=(${BENCH_CLIENTS:-1 8 32})
INSERT_SCRIPT="$ROOT/bench/durability/insert.sql"
. "$ROOT/bench/common.sh"

bench_setup durability

psql_c() {   # psql_c PORT SQL
  PGPASSFILE=/nonexistent "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -c "$2" postgres
}

# tps PORT CLIENTS ARGS...: the TPS of one timed run, "error" if it failed.
tps() {
  local port="$1" c="$2" out
  shift 2
  local j=$((c < 2 ? 1 : 2))
  out="$(pgb "$port" -n -c "$c" -j "$j" -T "$SECONDS_PER_RUN" -M prepared "$@" 2>&1)" || {
    echo "pgbench failed on port $port ($*):" >&2; echo "$out" >&2; echo "error"; return 0; }
  echo "$out" | sed -n 's/^tps = \([0-9.]*\).*without initial connection time.*/\1/p'
}

declare -A TPS
measure() {   # measure NAME PORT
  local name="$1" port="$2"
  echo "$name: pgbench -i -s $SCALE ..." >&2
  pgb "$port" -i -q -s "$SCALE" >/dev/null 2>&1
  psql_c "$port" "CREATE TABLE bench_insert (id bigint, client int, v text)"
  for c in "${CLIENT_COUNTS[@]}"; do
    echo "$name: $c clients ..." >&2
    TPS[$name,tpcb,$c]="$(tps "$port" "$c")"
    TPS[$name,insert,$c]="$(tps "$port" "$c" -f "$INSERT_SCRIPT")"
  done
}

now() { date +%s.%N; }
secs() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

# hcdb_start: starts hcdb on the bench data directory; sets HCDB_PID and
# START_SECS, the seconds until it accepts connections (recovery and index
# builds included).
hcdb_start() {
  local t0
  t0="$(now)"
  build/hcdb --listen 127.0.0.1 --port "$HCDB_PORT_NUM" --auth trust --data "$WORK/hcdb/data" \
      --log-level warning >> "$WORK/hcdb/hcdb.log" 2>&1 &
  HCDB_PID=$!
  wait_port "$HCDB_PORT_NUM" "$HCDB_PID" || { cat "$WORK/hcdb/hcdb.log" >&2; echo "hcdb did not start" >&2; exit 1; }
  START_SECS="$(secs "$t0" "$(now)")"
}

HCDB_PORT_NUM="$(free_port)"
mkdir "$WORK/hcdb"
hcdb_start
measure hcdb "$HCDB_PORT_NUM"
# Restart times with the data the runs left (scale x 100,000 accounts and the
# history): after an immediate shutdown (SIGQUIT: WAL replay since the last
# checkpoint), and after a clean one (its checkpoint: nothing to replay).
kill -0 "$HCDB_PID" || { tail -20 "$WORK/hcdb/hcdb.log" >&2; echo "hcdb died during the runs" >&2; exit 1; }
kill -QUIT "$HCDB_PID"; wait "$HCDB_PID" || true
hcdb_start
RESTART_CRASH="$START_SECS"
t0="$(now)"; psql_c "$HCDB_PORT_NUM" "CHECKPOINT"; CHECKPOINT_SECS="$(secs "$t0" "$(now)")"
kill -INT "$HCDB_PID"; wait "$HCDB_PID" || echo "warning: hcdb exited with $?" >&2
hcdb_start
RESTART_CLEAN="$START_SECS"
kill -INT "$HCDB_PID"; wait "$HCDB_PID" || echo "warning: hcdb exited with $?" >&2
HCDB_PID=""

PG_PORT_NUM="$(free_port)"
mkdir "$WORK/pg"
pg_start "$WORK/pg" "$PG_PORT_NUM" "fsync = on" "synchronous_commit = on"
measure pg "$PG_PORT_NUM"
kill -INT "$PG_PID"; wait "$PG_PID" || true
PG_PID=""

echo
echo "Durable commits over the wire, fsync and synchronous_commit on, ${SECONDS_PER_RUN}s per run,"
echo "pgbench -M prepared, scale $SCALE, $(nproc) cores, data on $(df -P "$WORK" | tail -1 | awk '{print $1}')"
echo
echo "| workload | clients | hcdb TPS | PostgreSQL 15 TPS | hcdb / PostgreSQL |"
echo "|---|---:|---:|---:|---:|"
for w in tpcb insert; do
  for c in "${CLIENT_COUNTS[@]}"; do
    h="${TPS[hcdb,$w,$c]:-n/a}" p="${TPS[pg,$w,$c]:-n/a}"
    printf '| %s | %s | %s | %s | %s |\n' "$w" "$c" "${h%.*}" "${p%.*}" "$(ratio "$h" "$p")"
  done
done
echo
echo "hcdb with that data: restart after SIGQUIT (WAL replay) ${RESTART_CRASH} s, CHECKPOINT ${CHECKPOINT_SECS} s,"
echo "restart after a clean shutdown ${RESTART_CLEAN} s (both until it accepts connections)."
echo
echo "commands: pgbench -i -s $SCALE; pgbench -n -M prepared -c C -j min(C,2) -T $SECONDS_PER_RUN [-f bench/durability/insert.sql]"
