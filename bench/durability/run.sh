#!/bin/sh
# Build storage in Release and run the in-process durability benchmark.
# Usage: bench/durability/run.sh [DATA_PARENT_DIR] [SECONDS]
# DATA_PARENT_DIR should be on the disk you want to measure (fsync is on).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHCDB_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target hcdb_core >/dev/null
mimalloc_inc=$(dirname "$(find /usr/include -name mimalloc.h | head -1)")
cc -O2 -std=gnu17 -I"$root" -I"$mimalloc_inc" "$root/bench/durability/bench_durability.c" \
   "$build/libhcdb_core.a" -o "$build/bench_durability" \
   $(pkg-config --libs libuv libprotobuf-c libpcre2-8 libpq) -lssl -lcrypto -lmimalloc -lxxhash -lpg_query -lpthread -lm
parent=${1:-$root/build-bench}
data=$(mktemp -d "$parent/durability.XXXXXX")
trap 'rm -rf "$data"' EXIT
echo "device: $(df -P "$data" | tail -1 | awk '{print $1}') ($(nproc) cores)"
"$build/bench_durability" "$data" "${2:-3}"
