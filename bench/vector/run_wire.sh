#!/bin/sh
# The vector benchmark over the wire: builds hcdb (Release) and bench/vector/wire_bench.c (libpq),
# starts hcdb on a free loopback port with a fresh data directory, runs wire_bench for every set
# and metric, then bench/vector/wire_compare.py runs the hnswlib reference in-process on the same
# sets and prints the table with the ratios.
#   bench/vector/run_wire.sh [SET[:u8dim]...]    (MIN_SECONDS: seconds per measurement, default 1;
#                                                 MAX_QUERIES: queries per set, default 1000)
set -eu
targets="hcdb hcdb_core"
. "$(dirname "$0")/build_env.sh"
cc -std=gnu17 -O2 -Wall -Wextra -I"$root" -I"$mimalloc_inc" -I/usr/include/postgresql \
    -o "$build/wire_bench" "$root/bench/vector/wire_bench.c" "$build/libhcdb_core.a" \
    -lpq -luv -lprotobuf-c -lssl -lcrypto -lmimalloc -lxxhash -lpg_query -lpthread -lm
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
"$build/hcdb" --listen 127.0.0.1 --port "$port" --data "$tmp/data" --auth trust >"$tmp/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.2; done
sets=${*:-"siftsmall fiori-minilm-384 glove100 fashion-mnist-784:784"}
out=$build/bench_wire.txt
: > "$out"
for s in $sets; do
    for m in l2 cosine; do
        "$build/wire_bench" "host=127.0.0.1 port=$port user=postgres dbname=postgres" "$tmp/log" "$s" "$m" \
            "${MAX_QUERIES:-1000}" | tee -a "$out"
    done
done
/usr/bin/python3 "$root/bench/vector/wire_compare.py" "$data" "$out"
