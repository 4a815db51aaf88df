#!/usr/bin/env bash
# One command to get a running server on a fresh Debian 12 machine:
# installs what is missing, builds Release into build/, then runs build/hcdb
# with its defaults plus any arguments given here (e.g. --port 5433 --auth md5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >&2
exec build/hcdb "$@"
