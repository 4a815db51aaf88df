#!/bin/sh
# Hypercube in-process benchmark: builds hcdb_core, compiles bench_hc.c
# against build/libhcdb_core.a and prints a markdown table.
# Usage: bench/hypercube/run.sh [points] [queries]   (defaults 1000000 2000)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j2 --target hcdb_core >/dev/null
mi_inc=$(dirname "$(find /usr/include -name mimalloc.h | head -1)")
cc -std=gnu17 -O2 -Wall -Wextra -I"$root" -I"$mi_inc" "$root/bench/hypercube/bench_hc.c" \
   "$root/build/libhcdb_core.a" -lmimalloc -luv -lprotobuf-c -lpg_query -lssl -lcrypto -lxxhash -lpthread -lm \
   -o "$root/build/bench_hc"
"$root/build/bench_hc" "$@"
