#!/usr/bin/env bash
# Wire-protocol throughput: pgbench "SELECT 1" against hcdb and against
# PostgreSQL 15 on the same machine, in simple and prepared query modes.
#
#   bench/wire/run.sh                 # 15 s per run
#   BENCH_SECONDS=5 bench/wire/run.sh
#   BENCH_ONLY=postgres bench/wire/run.sh   # or BENCH_ONLY=hcdb
#
# Both servers run with trust auth on a free loopback port and a temporary
# data directory, and are stopped at the end. Prints a markdown table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN="${BENCH_SECONDS:-15}"
CLIENTS="${BENCH_CLIENTS:-8}"
THREADS="${BENCH_THREADS:-2}"
ONLY="${BENCH_ONLY:-}"
SCRIPT="$ROOT/bench/wire/select1.sql"
. "$ROOT/bench/common.sh"

scripts/setup.sh >&2

WORK="$(mktemp -d -t hcdb-bench-XXXXXX)"
chmod 755 "$WORK"

# pgbench against PORT in MODE; prints the TPS number (without initial connection time).
run_pgbench() {
  local port="$1" mode="$2" out
  out="$(PGPASSFILE=/nonexistent "$PGBENCH" -h 127.0.0.1 -p "$port" -U postgres -n \
          -f "$SCRIPT" -c "$CLIENTS" -j "$THREADS" -T "$SECONDS_PER_RUN" -M "$mode" postgres 2>&1)" || {
    echo "pgbench failed on port $port (-M $mode):" >&2; echo "$out" >&2; echo "error"; return 0; }
  echo "$out" | sed -n 's/^tps = \([0-9.]*\).*without initial connection time.*/\1/p'
}

declare -A TPS
MODES=(simple prepared)

if [ "$ONLY" != postgres ]; then
  if [ ! -x build/hcdb ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build build -j "$(nproc)" >&2
  fi
  HCDB_PORT_NUM="$(free_port)"
  build/hcdb --listen 127.0.0.1 --port "$HCDB_PORT_NUM" --auth trust --data "$WORK/hcdb-data" \
      --log-level warning > "$WORK/hcdb.log" 2>&1 &
  HCDB_PID=$!
  wait_port "$HCDB_PORT_NUM" "$HCDB_PID" || { cat "$WORK/hcdb.log" >&2; echo "hcdb did not start" >&2; exit 1; }
  for m in "${MODES[@]}"; do
    echo "hcdb -M $m ..." >&2
    TPS[hcdb,$m]="$(run_pgbench "$HCDB_PORT_NUM" "$m")"
  done
  kill -TERM "$HCDB_PID"; wait "$HCDB_PID" || echo "warning: hcdb exited with $?" >&2
  HCDB_PID=""
fi

if [ "$ONLY" != hcdb ]; then
  PG_PORT_NUM="$(free_port)"
  pg_start "$WORK" "$PG_PORT_NUM" "fsync = off"
  for m in "${MODES[@]}"; do
    echo "PostgreSQL -M $m ..." >&2
    TPS[pg,$m]="$(run_pgbench "$PG_PORT_NUM" "$m")"
  done
  kill -INT "$PG_PID"; wait "$PG_PID" || true
  PG_PID=""
fi

echo
echo "pgbench SELECT 1, $CLIENTS clients, $THREADS threads, ${SECONDS_PER_RUN}s per run, $(nproc) cores"
echo
echo "| mode | hcdb TPS | PostgreSQL 15 TPS | hcdb / PostgreSQL |"
echo "|---|---:|---:|---:|"
for m in "${MODES[@]}"; do
  h="${TPS[hcdb,$m]:-n/a}" p="${TPS[pg,$m]:-n/a}"
  ratio="$(ratio "$h" "$p")"
  printf '| %s | %s | %s | %s |\n' "$m" "${h%.*}" "${p%.*}" "$ratio"
done
echo
echo "command: pgbench -n -f bench/wire/select1.sql -c $CLIENTS -j $THREADS -T $SECONDS_PER_RUN -M {simple,prepared}"
