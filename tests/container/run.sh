#!/usr/bin/env bash
# tests/container/run.sh: builds hcdb's Dockerfile with podman and tests the image
# the way a user runs it. Not part of scripts/test.sh: it needs root, podman and a
# Debian mirror, and takes a few minutes on a cold cache.
#
# No Docker engine and no registry are used: the debian:bookworm(-slim) base is
# made with debootstrap from this machine's own Debian mirror, cached as a tarball
# and imported into a private podman store under $CTR_CACHE. Containers run with
# runc and host networking (no firewall changes), limits set in a private
# containers.conf. Everything the run creates (containers, volume, the image it
# built, podman's state outside $CTR_CACHE) is removed at exit; the base image
# and the tarball stay in $CTR_CACHE for the next run (CLEAN_CACHE=1 removes them).
#
# Checks: the entrypoint refuses bad settings (no password, POSTGRES_USER other
# than postgres, trust on all addresses); password login works and a wrong
# password is refused; SELECT 1 and version(); tables and a vector query when the
# server supports them (detected at run time, reported as SKIP otherwise);
# /docker-entrypoint-initdb.d runs once; the server runs as user hcdb; the
# HEALTHCHECK reports healthy; a stop is clean (exit 0) and a new container on
# the same volume starts without a password and keeps the data.
#
# Knobs: CTR_CACHE, IMAGE, KEEP_IMAGE=1, CLEAN_CACHE=1, DEBIAN_MIRROR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTR_CACHE=${CTR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hcdb-ctr}
IMAGE=${IMAGE:-localhost/hcdb:test-$$}
BASE=localhost/debian:bookworm
NAME=hcdb-test-$$
VOLUME=hcdb-test-$$
PASSWORD="ctr-secret-$$"
PSQL=$(command -v /usr/lib/postgresql/15/bin/psql psql | head -n1 || true)
PG_ISREADY=$(command -v /usr/lib/postgresql/15/bin/pg_isready pg_isready | head -n1 || true)
t0=$SECONDS
passed=0 skipped=0
log() { printf '[%4ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
pass() { passed=$((passed + 1)); log "PASS: $*"; }
skip() { skipped=$((skipped + 1)); log "SKIP: $*"; }
fail() { log "FAIL: $*"; exit 1; }

[[ $(id -u) == 0 ]] || { echo "run as root (podman here runs rootful)" >&2; exit 1; }

# ---- 1. tools (Debian packages only) ------------------------------------------
# runc: Debian 12's crun refuses hosts with hybrid cgroup v1/v2 layouts.
missing=()
for c in podman debootstrap runc; do command -v "$c" >/dev/null || missing+=("$c"); done
[[ -n $PSQL ]] || missing+=(postgresql-client)
if ((${#missing[@]})); then
  log "installing podman debootstrap runc postgresql-client"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman debootstrap runc postgresql-client >/dev/null
  PSQL=$(command -v psql); PG_ISREADY=$(command -v pg_isready)
fi

# ---- 2. private podman configuration --------------------------------------------
# podman leaves state here even with a private store; remove it at exit only if
# this run created it.
leftovers=()
for d in /var/lib/containers /run/containers; do [[ -e $d ]] || leftovers+=("$d"); done
mkdir -p "$CTR_CACHE"
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[[ $nofile == unlimited ]] && nofile=1048576
# podman's default container limits (1048576) fail without CAP_SYS_RESOURCE, and
# podman lowers its own nproc to 32768, so stay at or below both.
if [[ $nproc == unlimited ]] || ((nproc > 32768)); then nproc=32768; fi
cat > "$CTR_CACHE/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
CONF
cat > "$CTR_CACHE/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$CTR_CACHE/storage"
runroot = "$CTR_CACHE/run"
CONF
export CONTAINERS_CONF="$CTR_CACHE/containers.conf" CONTAINERS_STORAGE_CONF="$CTR_CACHE/storage.conf"

WORK=$(mktemp -d)
containers=()
cleanup() {
  local rc=$?
  set +e
  if ((rc != 0)) && ((${#containers[@]})); then
    log "last log lines of ${containers[-1]}:"
    podman logs "${containers[-1]}" 2>&1 | tail -20 >&2
  fi
  for c in "${containers[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
  podman volume rm -f "$VOLUME" >/dev/null 2>&1
  if [[ ${KEEP_IMAGE:-0} != 1 ]]; then
    podman rmi -f "$IMAGE" >/dev/null 2>&1
    podman image prune -f >/dev/null 2>&1   # the build stage's layers
  fi
  if [[ ${CLEAN_CACHE:-0} == 1 ]]; then
    podman system reset -f >/dev/null 2>&1
    rm -rf "$CTR_CACHE"
  fi
  rm -rf "$WORK"
  for d in "${leftovers[@]}"; do rm -rf "$d"; done
  if ((rc == 0)); then log "all checks passed ($passed passed, $skipped skipped)"; else log "FAILED"; fi
}
trap cleanup EXIT

# ---- 3. base image: debootstrap once, keep the tarball ---------------------------
if ! podman image exists "$BASE"; then
  tarball=$CTR_CACHE/bookworm-minbase.tar
  if [[ ! -s $tarball ]]; then
    mirror=${DEBIAN_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v '^[[:space:]]*#' \
      | grep -Eo 'https?://[^][ ]+' | grep -E '/debian/?$' | head -n1 || true)}
    [[ -n $mirror ]] || fail "no Debian mirror in /etc/apt/sources.list*; set DEBIAN_MIRROR"
    log "debootstrap bookworm minbase from $mirror"
    rm -rf "$CTR_CACHE/rootfs"
    debootstrap --variant=minbase bookworm "$CTR_CACHE/rootfs" "$mirror" >"$CTR_CACHE/debootstrap.log"
    rm -rf "$CTR_CACHE/rootfs/var/cache/apt/archives/"*.deb "$CTR_CACHE/rootfs/var/lib/apt/lists/"*
    tar -C "$CTR_CACHE/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$CTR_CACHE/rootfs"
  fi
  log "importing the base image"
  podman import --change 'CMD ["/bin/bash"]' "$tarball" "$BASE" >/dev/null
fi
# The Dockerfile names debian:bookworm and debian:bookworm-slim; both resolve to the local base.
for alias in debian:bookworm debian:bookworm-slim; do podman tag "$BASE" "docker.io/library/$alias"; done

# ---- 4. build -----------------------------------------------------------------
log "building $IMAGE"
podman build --pull=never --format docker --isolation chroot --network host \
  -t "$IMAGE" -f "$ROOT/Dockerfile" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; fail "image build"; }
pass "image built ($(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
[[ $(podman image inspect -f '{{.Config.User}}' "$IMAGE") == hcdb ]] || fail "image user is not hcdb"
[[ -n $(podman image inspect -f '{{if .HealthCheck}}yes{{end}}' "$IMAGE") ]] || fail "no HEALTHCHECK in the image"
pass "image runs as user hcdb and has a HEALTHCHECK"

# ---- helpers ------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)

q() {  # q PASSWORD SQL: one psql call against the container, unaligned tuples
  PGPASSWORD=$1 PGPASSFILE=/nonexistent PGCONNECT_TIMEOUT=10 "$PSQL" -X -A -t -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "$2"
}

start_container() {  # start_container NAME [podman run options...]
  local name=$1; shift
  containers+=("$name")
  # --health-interval=disable: no systemd here to schedule checks; they run by hand below.
  podman run -d --name "$name" --network host --health-interval=disable -e HCDB_PORT="$PORT" \
    -v "$VOLUME:/var/lib/hcdb" "$@" "$IMAGE" >/dev/null
  local i
  for ((i = 0; i < 150; i++)); do
    # On a first start the entrypoint runs a temporary server on 127.0.0.1, which
    # host networking lets this host see too: ready means PID 1 is hcdb itself.
    if [[ $(podman exec "$name" cat /proc/1/comm 2>/dev/null) == hcdb ]] \
       && "$PG_ISREADY" -q -h 127.0.0.1 -p "$PORT" -t 1; then
      return 0
    fi
    [[ $(podman inspect -f '{{.State.Running}}' "$name") == true ]] || fail "container $name exited"
    sleep 0.2
  done
  fail "container $name did not accept connections"
}

expect_refusal() {  # expect_refusal WHAT PATTERN [podman run options...]
  local what=$1 pattern=$2 out rc=0; shift 2
  out=$(podman run --rm --network host -e HCDB_PORT="$PORT" "$@" "$IMAGE" 2>&1) || rc=$?
  ((rc != 0)) || fail "$what: the container started"
  grep -q -- "$pattern" <<<"$out" || fail "$what: unexpected message: $out"
  pass "refused: $what"
}

# ---- 5. the entrypoint refuses what it cannot honour ------------------------------
expect_refusal "no password on a new data directory" "POSTGRES_PASSWORD"
expect_refusal "POSTGRES_USER=alice" "POSTGRES_USER=alice is not supported" \
  -e POSTGRES_PASSWORD=x -e POSTGRES_USER=alice
expect_refusal "POSTGRES_DB=app" "POSTGRES_DB=app is not supported" -e POSTGRES_PASSWORD=x -e POSTGRES_DB=app
expect_refusal "HCDB_AUTH=trust on all addresses" "HCDB_LISTEN=127.0.0.1" -e HCDB_AUTH=trust

# ---- 6. first start: password, init scripts, queries -------------------------------
mkdir -p "$WORK/initdb"
echo "SELECT 'init script ran' AS hcdb_init;" > "$WORK/initdb/01-smoke.sql"
chmod -R a+rX "$WORK"
podman volume create "$VOLUME" >/dev/null
start_container "$NAME-1" -e POSTGRES_PASSWORD="$PASSWORD" -e POSTGRES_USER=postgres \
  -v "$WORK/initdb:/docker-entrypoint-initdb.d:ro"
pass "first start on an empty volume"

[[ $(q "$PASSWORD" "SELECT 1") == 1 ]] || fail "SELECT 1 with the right password"
pass "password login and SELECT 1"
if out=$(q "wrong-$PASSWORD" "SELECT 1" 2>&1); then fail "wrong password accepted"; fi
grep -q "password authentication failed" <<<"$out" || fail "wrong password: $out"
pass "wrong password refused: $(grep -o 'FATAL.*' <<<"$out")"
version=$(q "$PASSWORD" "SELECT version()") || fail "SELECT version()"
pass "version(): $version"

# (Logs are captured first: grep -q closing the pipe early would fail the pipeline.)
logs=$(podman logs "$NAME-1" 2>&1)
grep -q "running /docker-entrypoint-initdb.d/01-smoke.sql" <<<"$logs" || fail "init script not run"
grep -q "init script ran" <<<"$logs" || fail "init script output missing"
pass "/docker-entrypoint-initdb.d/01-smoke.sql ran on the first start"

uid=$(podman exec "$NAME-1" awk '/^Uid:/{print $2}' /proc/1/status)
[[ $uid != 0 && $(podman exec "$NAME-1" id -un) == hcdb ]] || fail "server runs as uid $uid"
pass "server process runs as user hcdb (uid $uid), not root"

# Tables and vectors: steps present now, run when the server can do them.
tables=no vectors=no
if q "$PASSWORD" "CREATE TABLE ctr_smoke (id int PRIMARY KEY, note text)" >/dev/null 2>&1; then
  tables=yes
  q "$PASSWORD" "INSERT INTO ctr_smoke VALUES (1, 'kept across restarts')" >/dev/null || fail "INSERT"
  [[ $(q "$PASSWORD" "SELECT note FROM ctr_smoke WHERE id = 1") == "kept across restarts" ]] || fail "SELECT from table"
  pass "CREATE TABLE, INSERT, SELECT"
else
  skip "tables: this server does not support CREATE TABLE yet"
fi
if [[ $tables == yes ]] && q "$PASSWORD" "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null 2>&1 \
   && q "$PASSWORD" "CREATE TABLE ctr_items (id int, embedding vector(3))" >/dev/null 2>&1; then
  vectors=yes
  q "$PASSWORD" "INSERT INTO ctr_items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]')" >/dev/null \
    || fail "INSERT vectors"
  nearest=$(q "$PASSWORD" "SELECT id FROM ctr_items ORDER BY embedding <-> '[0.1,0.9,0]' LIMIT 1") \
    || fail "vector query"
  [[ $nearest == 2 ]] || fail "nearest neighbour is $nearest, expected 2"
  pass "vector(3) column and a nearest-neighbour query"
else
  skip "vectors: this server does not support vector tables yet"
fi

# ---- 7. HEALTHCHECK (no systemd here to schedule it: run it by hand) -----------------
for _ in $(seq 1 30); do podman healthcheck run "$NAME-1" >/dev/null 2>&1 && break; sleep 1; done
status=$(podman inspect -f '{{.State.Health.Status}}' "$NAME-1")
[[ $status == healthy ]] || fail "health status $status"
pass "HEALTHCHECK: $status"

# ---- 8. clean stop, then a new container on the same volume ---------------------------
podman stop -t 60 "$NAME-1" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME-1")
[[ $code == 0 ]] || fail "exit code after podman stop: $code"
pass "podman stop (SIGINT): clean shutdown, exit 0"

# No POSTGRES_PASSWORD this time: the volume holds the verifier and the init marker.
start_container "$NAME-2" -v "$WORK/initdb:/docker-entrypoint-initdb.d:ro"
[[ $(q "$PASSWORD" "SELECT 1") == 1 ]] || fail "the password did not survive the restart"
pass "new container on the same volume: started without POSTGRES_PASSWORD, old password works"
if out=$(q "wrong-$PASSWORD" "SELECT 1" 2>&1); then fail "wrong password accepted after restart"; fi
logs=$(podman logs "$NAME-2" 2>&1)
if grep -q "running /docker-entrypoint-initdb.d" <<<"$logs"; then
  fail "init scripts ran again on an initialized volume"
fi
pass "init scripts did not run again"
if [[ $tables == yes ]]; then
  [[ $(q "$PASSWORD" "SELECT note FROM ctr_smoke WHERE id = 1") == "kept across restarts" ]] \
    || fail "table data lost across restart"
  pass "table data kept across the restart"
else
  skip "table data across restarts: no tables yet"
fi
if [[ $vectors == yes ]]; then
  [[ $(q "$PASSWORD" "SELECT count(*) FROM ctr_items") == 3 ]] || fail "vector rows lost across restart"
  pass "vector rows kept across the restart"
fi
podman stop -t 60 "$NAME-2" >/dev/null
[[ $(podman inspect -f '{{.State.ExitCode}}' "$NAME-2") == 0 ]] || fail "second container's exit code"

# ---- 9. trust, explicitly confined to loopback ---------------------------------------
podman volume rm -f "$VOLUME" >/dev/null && podman volume create "$VOLUME" >/dev/null
start_container "$NAME-3" -e POSTGRES_HOST_AUTH_METHOD=trust -e HCDB_LISTEN=127.0.0.1
[[ $(q "" "SELECT 1") == 1 ]] || fail "trust login on loopback"
pass "POSTGRES_HOST_AUTH_METHOD=trust with HCDB_LISTEN=127.0.0.1 (host network) logs in without a password"
podman stop -t 60 "$NAME-3" >/dev/null

# ---- 10. trust on every address, as the postgres image allows it, with its warning -----
podman volume rm -f "$VOLUME" >/dev/null && podman volume create "$VOLUME" >/dev/null
start_container "$NAME-4" -e POSTGRES_HOST_AUTH_METHOD=trust
[[ $(q "" "SELECT 1") == 1 ]] || fail "trust login on every address"
logs=$(podman logs "$NAME-4" 2>&1)
grep -q "WARNING: POSTGRES_HOST_AUTH_METHOD=trust" <<<"$logs" || fail "no warning for trust on every address"
pass "POSTGRES_HOST_AUTH_METHOD=trust alone listens on every address, logs in without a password, and warns"
