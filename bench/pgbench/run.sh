#!/usr/bin/env bash
# pgbench's builtin scripts against hcdb and against a PostgreSQL 15 started
# here, same scale, same client settings, same run: select-only (-S) in
# prepared mode and tpcb-like (pgbench's default simple mode), both with durable commits (fsync and
# synchronous_commit on, as each server defaults). Prints a markdown table
# with the TPS of both and the ratio.
#
#   bench/pgbench/run.sh                           # scale 10, -c 8 -j 2 -T 20
#   BENCH_SCALE=1 BENCH_SECONDS=5 bench/pgbench/run.sh
#   BENCH_DIR=/mnt/disk bench/pgbench/run.sh       # where both data directories go
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN="${BENCH_SECONDS:-20}"
SCALE="${BENCH_SCALE:-10}"
CLIENTS="${BENCH_CLIENTS:-8}"
THREADS="${BENCH_THREADS:-2}"
. "$ROOT/bench/common.sh"

bench_setup pgbench

# tps PORT ARGS...: the TPS of one timed run, "error" if it failed or any transaction failed.
tps() {
  local port="$1" out
  shift
  out="$(pgb "$port" -n -c "$CLIENTS" -j "$THREADS" -T "$SECONDS_PER_RUN" "$@" 2>&1)" || {
    echo "pgbench failed on port $port ($*):" >&2; echo "$out" >&2; echo "error"; return 0; }
  if echo "$out" | grep -q '^number of failed transactions: [1-9]'; then
    echo "pgbench on port $port ($*) had failed transactions:" >&2; echo "$out" >&2; echo "error"; return 0
  fi
  echo "$out" | sed -n 's/^tps = \([0-9.]*\).*without initial connection time.*/\1/p'
}

declare -A TPS
measure() {   # measure NAME PORT
  local name="$1" port="$2"
  echo "$name: pgbench -i -s $SCALE ..." >&2
  pgb "$port" -i -q -s "$SCALE" >/dev/null 2>&1
  echo "$name: select-only -M prepared ..." >&2
  TPS[$name,select]="$(tps "$port" -S -M prepared)"
  echo "$name: tpcb-like ..." >&2
  TPS[$name,tpcb]="$(tps "$port")"
}

HCDB_PORT_NUM="$(free_port)"
build/hcdb --listen 127.0.0.1 --port "$HCDB_PORT_NUM" --auth trust --data "$WORK/hcdb-data" \
    --log-level warning > "$WORK/hcdb.log" 2>&1 &
HCDB_PID=$!
wait_port "$HCDB_PORT_NUM" "$HCDB_PID" || { cat "$WORK/hcdb.log" >&2; echo "hcdb did not start" >&2; exit 1; }
measure hcdb "$HCDB_PORT_NUM"
kill -TERM "$HCDB_PID"; wait "$HCDB_PID" || echo "warning: hcdb exited with $?" >&2
HCDB_PID=""

PG_PORT_NUM="$(free_port)"
pg_start "$WORK" "$PG_PORT_NUM"
measure pg "$PG_PORT_NUM"
kill -INT "$PG_PID"; wait "$PG_PID" || true
PG_PID=""

echo
echo "pgbench scale $SCALE, $CLIENTS clients, $THREADS threads, ${SECONDS_PER_RUN}s per run, $(nproc) cores"
echo
echo "| script | hcdb TPS | PostgreSQL 15 TPS | hcdb / PostgreSQL |"
echo "|---|---:|---:|---:|"
for s in select tpcb; do
  h="${TPS[hcdb,$s]:-n/a}" p="${TPS[pg,$s]:-n/a}"
  label=$([ "$s" = select ] && echo "select-only (-S -M prepared)" || echo "tpcb-like")
  printf '| %s | %s | %s | %s |\n' "$label" "${h%.*}" "${p%.*}" "$(ratio "$h" "$p")"
done
echo
echo "commands: pgbench -i -q -s $SCALE; pgbench -n -c $CLIENTS -j $THREADS -T $SECONDS_PER_RUN {-S -M prepared | (tpcb-like)}"
