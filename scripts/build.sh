#!/usr/bin/env bash
# Builds hcdb. Usage: scripts/build.sh [BUILD_DIR [extra cmake -D options...]]
# Default: a Release build in build/. Extra arguments go to the configure step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${1:-build}"
shift || true
if [ $# -eq 0 ]; then
  set -- -DCMAKE_BUILD_TYPE=Release
fi
JOBS="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B "$BUILD_DIR" "$@"
cmake --build "$BUILD_DIR" -j "$JOBS"
