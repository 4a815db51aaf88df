#!/usr/bin/env bash
# Installs the Debian 12 packages hcdb needs to build, test and benchmark.
# Idempotent: when every package is already installed (checked with dpkg -s),
# it does nothing and needs no network. Runs apt as root, or through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang
  libuv1-dev libssl-dev libmimalloc-dev libxxhash-dev libcriterion-dev
  libpg-query-dev libprotobuf-c-dev libpcre2-dev libpq-dev
  postgresql-client postgresql-contrib postgresql-15
  python3-psycopg2 python3-pytest python3-numpy openssl
  libpq-dev python3-hnswlib
  pgbouncer prometheus-postgres-exporter
  debian-reference-en postgresql-15-postgis-3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup: installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
# The postgresql-15 package creates and starts a default cluster on port 5432;
# that cluster is not used by hcdb (it would collide with hcdb's default port),
# so it is stopped right after the install when this script installed it.
had_pg15=0
dpkg -s postgresql-15 >/dev/null 2>&1 && had_pg15=1
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
if [ "$had_pg15" -eq 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  "${SUDO[@]}" pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
fi
# pgbouncer and prometheus-postgres-exporter enable their services too; the
# tests run their own instances on free ports, so those are stopped when this script installed them.
for svc in pgbouncer prometheus-postgres-exporter; do
  if [[ " ${missing[*]} " == *" $svc "* ]] && command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
echo "setup: done"
