#!/usr/bin/env bash
# Installs, builds and runs hcdb's whole test suite:
#   1. scripts/setup.sh (Debian packages, skipped when all are installed)
#   2. Release build in build/ with -Werror, its Criterion unit tests (ctest)
#   3. the end-to-end suite (pytest, tests/e2e) against build/hcdb
#   4. an ASan+UBSan Debug build in build-asan/, its ctest, and the e2e suite
#      again against build-asan/hcdb (tests marked "slow" are skipped there)
#   5. a short libFuzzer run of every build-fuzz/fuzz_* target (30 s each)
# Every stage runs even when an earlier one failed (unless it depends on a
# build that failed). The last line is "N passed, N failed[, N skipped]",
# counted over unit tests, e2e tests, fuzz targets and build steps.
# Exit status: 0 only when nothing failed.
#
# Environment knobs:
#   FUZZ_SECONDS=30      libFuzzer time per target (0 skips the fuzz stage)
#   SKIP_ASAN=1          skip stage 4
#   PYTEST_ARGS="..."    extra arguments for every pytest run (e.g. -k auth)
#   FUZZ_GROW_CORPUS=1   let libFuzzer add new inputs to tests/fuzz/corpus/
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
JOBS="$(nproc 2>/dev/null || echo 2)"
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
RESULTS="$ROOT/build-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: > "$RESULTS/steps.txt"     # one line per non-junit step: "pass NAME" / "fail NAME"

step() { printf '\n==== %s ====\n' "$*"; }
record() { echo "$1 $2" >> "$RESULTS/steps.txt"; [ "$1" = pass ] || echo "!!!! FAILED: $2"; }

# Runs a command, records it as one step.
run_step() {
  local name="$1"; shift
  if "$@"; then record pass "$name"; return 0; else record fail "$name"; return 1; fi
}

# Runs ctest in a build dir, writing a junit file. The time limits are several times what
# an idle 2-core machine needs (ASan ctest ~4 min, ASan e2e ~7 min), so that a busy one
# still finishes, and a hung test still ends the run.
run_ctest() {
  local dir="$1" tag="$2"
  (cd "$dir" && timeout 1500 ctest --output-on-failure --timeout 600 \
      --output-junit "$RESULTS/ctest-$tag.xml")
  local rc=$?
  # A crash of ctest itself (no junit written) still counts as a failure.
  if [ $rc -ne 0 ] && [ ! -s "$RESULTS/ctest-$tag.xml" ]; then record fail "ctest-$tag"; fi
  return $rc
}

run_pytest() {
  local bin="$1" tag="$2"; shift 2
  HCDB_BIN="$bin" timeout 2400 "$PY" -m pytest tests/e2e -p no:cacheprovider -rfEs \
      --junitxml="$RESULTS/pytest-$tag.xml" "$@" ${PYTEST_ARGS:-}
  local rc=$?
  if [ $rc -ne 0 ] && [ ! -s "$RESULTS/pytest-$tag.xml" ]; then record fail "pytest-$tag"; fi
  return $rc
}

# ---- 1. setup -------------------------------------------------------------
step "setup"
run_step setup scripts/setup.sh || { echo "setup failed"; }

# ---- 2. Release build + unit tests ------------------------------------------
step "Release build (build/, -Werror)"
if run_step build-release bash -c \
    "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHCDB_WERROR=ON && cmake --build build -j $JOBS"; then
  step "unit tests (Release)"
  run_ctest build release
  # ---- 3. e2e against the Release binary ------------------------------------
  step "e2e tests against build/hcdb"
  run_pytest "$ROOT/build/hcdb" release
fi

# ---- 4. ASan + UBSan ----------------------------------------------------------
if [ "${SKIP_ASAN:-0}" != 1 ]; then
  step "ASan+UBSan build (build-asan/)"
  if run_step build-asan bash -c \
      "cmake -S . -B build-asan -DSANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug && cmake --build build-asan -j $JOBS"; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    step "unit tests (ASan+UBSan)"
    run_ctest build-asan asan
    step "e2e tests against build-asan/hcdb (without tests marked slow)"
    run_pytest "$ROOT/build-asan/hcdb" asan -m "not slow"
    unset ASAN_OPTIONS UBSAN_OPTIONS
  fi
fi

# ---- 5. libFuzzer ---------------------------------------------------------------
if [ "$FUZZ_SECONDS" != 0 ]; then
  if ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
    step "libFuzzer build (build-fuzz/)"
    if run_step build-fuzz bash -c \
        "CC=clang cmake -S . -B build-fuzz -DHCDB_FUZZ=ON -DHCDB_TESTS=OFF -DSANITIZE=address,undefined && cmake --build build-fuzz -j $JOBS"; then
      mkdir -p build-fuzz/artifacts
      for fz in build-fuzz/fuzz_*; do
        [ -x "$fz" ] && [ -f "$fz" ] || continue
        name="$(basename "$fz")"
        corpus="tests/fuzz/corpus/$name"
        mkdir -p "$corpus"
        step "fuzz $name for ${FUZZ_SECONDS}s"
        if [ "${FUZZ_GROW_CORPUS:-0}" = 1 ]; then
          dirs=("$corpus")
        else
          # New inputs go to a scratch dir; the kept corpus is read as seeds.
          scratch="build-fuzz/corpus-$name"
          rm -rf "$scratch"; mkdir -p "$scratch"
          dirs=("$scratch" "$corpus")
        fi
        run_step "fuzz-$name" timeout $((FUZZ_SECONDS + 120)) "$fz" \
            -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="build-fuzz/artifacts/$name-" -print_final_stats=1 "${dirs[@]}"
      done
    fi
  else
    step "libFuzzer: no tests/fuzz/fuzz_*.c targets yet, skipped"
  fi
fi

# ---- summary ------------------------------------------------------------------
step "summary"
"$PY" - "$RESULTS" <<'PYEOF'
import glob, os, sys
import xml.etree.ElementTree as ET
res = sys.argv[1]
passed = failed = skipped = 0
for path in sorted(glob.glob(os.path.join(res, "*.xml"))):
    p = f = s = 0
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        print(f"{os.path.basename(path)}: unreadable junit file, counted as 1 failure")
        failed += 1
        continue
    for tc in root.iter("testcase"):
        kinds = {child.tag for child in tc}
        if "failure" in kinds or "error" in kinds:
            f += 1
        elif "skipped" in kinds:
            s += 1
        else:
            p += 1
    # ctest marks not-run tests with status attributes rather than child tags.
    print(f"{os.path.basename(path)[:-4]}: {p} passed, {f} failed, {s} skipped")
    passed += p; failed += f; skipped += s
with open(os.path.join(res, "steps.txt")) as fh:
    for line in fh:
        st, name = line.split(None, 1)
        if st == "pass":
            passed += 1
        else:
            failed += 1
            print(f"failed step: {name.strip()}")
with open(os.path.join(res, "total.txt"), "w") as fh:
    fh.write(f"{passed} {failed} {skipped}\n")
PYEOF
read -r P F S < "$RESULTS/total.txt" || { P=0; F=1; S=0; }
if [ "$S" -gt 0 ]; then
  echo "$P passed, $F failed, $S skipped"
else
  echo "$P passed, $F failed"
fi
[ "$F" -eq 0 ] && [ "$P" -gt 0 ]
