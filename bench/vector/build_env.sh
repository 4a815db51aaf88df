# Sourced by the bench/vector scripts: sets root, build and data (HCDB_DATA_SETS), configures
# the Release build and builds the targets named in $targets; mimalloc_inc for compiling the
# benchmark programs against build/libhcdb_core.a.
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
data=${HCDB_DATA_SETS:-$root/../shared/data}
export HCDB_DATA_SETS=$data
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets >/dev/null
mimalloc_inc=$(dirname "$(find /usr/include -name mimalloc.h | head -1)")
