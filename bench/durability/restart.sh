#!/usr/bin/env bash
# Time until hcdb accepts connections after a clean restart (SIGINT: the
# shutdown writes a checkpoint, so nothing is replayed), with
#   pgbench: pgbench -i -s SCALE (SCALE x 100,000 accounts, btree primary keys)
#   vectors: N random DIM-d vectors under an HNSW index (load_vectors.py)
# The median of RESTARTS restarts each, wall time and the server's CPU time (which a
# busy machine does not inflate). With BASELINE_BIN set, the same runs with that
# (older) hcdb binary too (BASELINE_RESTARTS restarts), in the same run, each on a
# data directory of its own.
#
#   bench/durability/restart.sh
#   BASELINE_BIN=/path/to/older/hcdb bench/durability/restart.sh
#   BENCH_SCALE=1 BENCH_VECTORS=10000 BENCH_DIM=128 bench/durability/restart.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SCALE="${BENCH_SCALE:-10}"
NVEC="${BENCH_VECTORS:-100000}"
DIM="${BENCH_DIM:-768}"
RESTARTS="${BENCH_RESTARTS:-3}"
. "$ROOT/bench/common.sh"

bench_setup restart

now() { date +%s.%N; }
secs() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# CPU seconds (user + system) the process PID has used so far
cpu_secs() {
  /usr/bin/python3 -c "import os, sys
f = open('/proc/%s/stat' % sys.argv[1]).read().rsplit(')', 1)[1].split()
print(f'{(int(f[11]) + int(f[12])) / os.sysconf(\"SC_CLK_TCK\"):.2f}')" "$1"
}

# start BIN DATA PORT: sets HCDB_PID, START_SECS (process start to accepting connections)
# and START_CPU (the CPU seconds the server used until then: the figure a busy machine
# does not inflate)
start() {
  local t0
  t0="$(now)"
  "$1" --listen 127.0.0.1 --port "$3" --auth trust --data "$2" >> "$2.log" 2>&1 &
  HCDB_PID=$!
  for _ in $(seq 1 30000); do
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$3" -t 1; then break; fi
    kill -0 "$HCDB_PID" 2>/dev/null || { tail -20 "$2.log" >&2; echo "hcdb did not start" >&2; exit 1; }
    sleep 0.02
  done
  START_SECS="$(secs "$t0" "$(now)")"
  START_CPU="$(cpu_secs "$HCDB_PID")"
}

stop() { kill -INT "$HCDB_PID"; wait "$HCDB_PID" || echo "warning: hcdb exited with $?" >&2; HCDB_PID=""; }

declare -A RES
# measure NAME BIN RESTARTS: loads both data sets with BIN, then times its restarts
measure() {
  local name="$1" bin="$2" restarts="$3" port set t0 times cpus
  port="$(free_port)"
  for set in pgbench vectors; do
    start "$bin" "$WORK/$name-$set" "$port"
    t0="$(now)"
    if [ "$set" = pgbench ]; then
      PGPASSFILE=/nonexistent "$PGBENCH" -h 127.0.0.1 -p "$port" -U postgres -i -q -s "$SCALE" postgres >/dev/null 2>&1
    else
      /usr/bin/python3 bench/durability/load_vectors.py "$port" "$NVEC" "$DIM"
    fi
    echo "$name $set: loaded in $(secs "$t0" "$(now)") s" >&2
    t0="$(now)"; stop; echo "$name $set: clean shutdown in $(secs "$t0" "$(now)") s" >&2
    times=() cpus=()
    for _ in $(seq 1 "$restarts"); do
      start "$bin" "$WORK/$name-$set" "$port"
      times+=("$START_SECS")
      cpus+=("$START_CPU")
      stop
    done
    echo "$name $set: restarts ${times[*]} s, CPU ${cpus[*]} s" >&2
    RES[$name,$set]="$(median "${times[@]}") / $(median "${cpus[@]}")"
    RES[$name,$set,size]="$(du -sh "$WORK/$name-$set/base/checkpoint" | cut -f1)"
    rm -rf "${WORK:?}/$name-$set"
  done
}

measure hcdb build/hcdb "$RESTARTS"
[ -n "${BASELINE_BIN:-}" ] && measure baseline "$BASELINE_BIN" "${BASELINE_RESTARTS:-$RESTARTS}"

echo
echo "Until hcdb accepts connections after a clean shutdown: wall seconds / CPU seconds of the"
echo "server (medians of $RESTARTS${BASELINE_BIN:+, baseline ${BASELINE_RESTARTS:-$RESTARTS}}), $(nproc) cores,"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), data on $(df -P "$WORK" | tail -1 | awk '{print $1}')"
echo
echo "| data | this build | checkpoint size |${BASELINE_BIN:+ baseline | baseline checkpoint size |}"
echo "|---|---:|---:|${BASELINE_BIN:+---:|---:|}"
for set in pgbench vectors; do
  label="pgbench -i -s $SCALE"
  [ "$set" = vectors ] && label="$NVEC x $DIM-d vectors, HNSW"
  printf '| %s | %s | %s |' "$label" "${RES[hcdb,$set]}" "${RES[hcdb,$set,size]}"
  [ -n "${BASELINE_BIN:-}" ] && printf ' %s | %s |' "${RES[baseline,$set]}" "${RES[baseline,$set,size]}"
  echo
done
