#!/bin/sh
# Builds bench/vector/hnsw_inproc.c against build/libhcdb_core.a (the Release build of the
# tree, same include dirs and libraries as the unit tests) and runs it next to the hnswlib
# baseline, printing the comparison table (bench/vector/compare.py).
#   bench/vector/run_inproc.sh [SET...]     (default: all four sets; MIN_SECONDS, REPEATS as in bench_hnswlib.py)
set -eu
targets=hcdb_core
. "$(dirname "$0")/build_env.sh"
cc -std=gnu17 -O2 -Wall -Wextra -I"$root" -I"$mimalloc_inc" -o "$build/hnsw_inproc" \
    "$root/bench/vector/hnsw_inproc.c" "$build/libhcdb_core.a" \
    -luv -lprotobuf-c -lssl -lcrypto -lmimalloc -lxxhash -lpg_query -lpthread -lm
sets=${*:-"siftsmall fiori-minilm-384 glove100 fashion-mnist-784:784"}
out=$build/bench_inproc.txt
: > "$out"
for s in $sets; do
    "$build/hnsw_inproc" -t 2 "$s" l2 cosine | tee -a "$out"
done
/usr/bin/python3 "$root/bench/vector/compare.py" "$data" "$out" $sets
