#!/usr/bin/env bash
# docker-entrypoint.sh: starts hcdb in a container the way the official postgres
# image starts PostgreSQL, so compose files and CI services written for
# postgres/pgvector work with few changes.
#
# Environment:
#   POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE  the superuser's password (HCDB_PASSWORD
#                                  and HCDB_PASSWORD_FILE work too). Needed on the first
#                                  start; it is stored in the data directory as a
#                                  SCRAM-SHA-256 verifier, later starts do not need it.
#   POSTGRES_USER                  must be "postgres" (or unset): hcdb has only that
#                                  superuser until CREATE ROLE exists. Other names are
#                                  refused, not mapped, so that a client configured with
#                                  them gets a clear start-up error instead of 28000 later.
#   POSTGRES_DB                    must be "postgres" (or unset), for the same reason
#                                  until CREATE DATABASE exists.
#   POSTGRES_HOST_AUTH_METHOD      trust | password | md5 | scram-sha-256 (HCDB_AUTH wins).
#                                  trust works as in the postgres image: no password on any
#                                  address (hcdb's --allow-remote-trust, with the same loud
#                                  warning); with HCDB_LISTEN=127.0.0.1 only processes in the
#                                  container's network namespace can connect. HCDB_AUTH=trust
#                                  alone is still refused on other addresses.
#   HCDB_*                         every server setting (HCDB_LISTEN=* and HCDB_PORT=5432
#                                  and HCDB_DATA=/var/lib/hcdb are the image's defaults).
#
# First start (no marker file in the data directory): hcdb is started on
# 127.0.0.1 only, /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh run in
# name order against it (psql, ON_ERROR_STOP), it is stopped, and the marker is
# written. A failed script leaves no marker, so the next start runs them again.
set -Eeuo pipefail

INIT_DIR=/docker-entrypoint-initdb.d
MARKER_NAME=.hcdb-initialized

die() {
  echo "hcdb entrypoint: error: $*" >&2
  exit 1
}
say() { echo "hcdb entrypoint: $*" >&2; }

# VAR or VAR_FILE (Docker secrets), not both.
file_env() {
  local var=$1 file_var=${1}_FILE
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    die "both $var and $file_var are set; use one"
  fi
  if [[ -n ${!file_var:-} ]]; then
    [[ -r ${!file_var} ]] || die "$file_var: cannot read ${!file_var}"
    export "$var"="$(<"${!file_var}")"
  fi
  unset "$file_var"
}

is_loopback() {
  [[ $1 == 127.* || $1 == ::1 || $1 == localhost ]]
}

# The postgres image's names, checked and mapped to hcdb's.
map_environment() {
  file_env POSTGRES_PASSWORD
  file_env HCDB_PASSWORD
  if [[ -n ${POSTGRES_PASSWORD:-} && -z ${HCDB_PASSWORD:-} ]]; then
    export HCDB_PASSWORD=$POSTGRES_PASSWORD
  fi
  if [[ -n ${POSTGRES_USER:-} && $POSTGRES_USER != postgres ]]; then
    die "POSTGRES_USER=$POSTGRES_USER is not supported: hcdb has one superuser, \"postgres\", until CREATE ROLE is implemented. Unset POSTGRES_USER or set it to postgres."
  fi
  if [[ -n ${POSTGRES_DB:-} && $POSTGRES_DB != postgres ]]; then
    die "POSTGRES_DB=$POSTGRES_DB is not supported: hcdb serves one database, \"postgres\", until CREATE DATABASE is implemented. Unset POSTGRES_DB or set it to postgres."
  fi
  if [[ -n ${POSTGRES_HOST_AUTH_METHOD:-} && -z ${HCDB_AUTH:-} ]]; then
    export HCDB_AUTH=$POSTGRES_HOST_AUTH_METHOD
  fi
  export HCDB_AUTH=${HCDB_AUTH:-scram-sha-256}
  export HCDB_LISTEN=${HCDB_LISTEN:-*} HCDB_PORT=${HCDB_PORT:-5432} HCDB_DATA=${HCDB_DATA:-/var/lib/hcdb}
}

check_auth() {
  local initialized=$1
  if [[ $HCDB_AUTH == trust ]]; then
    if ! is_loopback "$HCDB_LISTEN" && [[ ${POSTGRES_HOST_AUTH_METHOD:-} == trust ]]; then
      say "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: anyone who can reach port $HCDB_PORT connects as any role, the superuser included, without a password. Use POSTGRES_PASSWORD instead unless the network itself is trusted."
      export HCDB_ALLOW_REMOTE_TRUST=on
    elif ! is_loopback "$HCDB_LISTEN"; then
      die "trust authentication on \"$HCDB_LISTEN\" would make anyone who reaches the port a superuser, and hcdb refuses it. Either set POSTGRES_PASSWORD (recommended), or keep trust and set HCDB_LISTEN=127.0.0.1 so that only processes sharing the container's network namespace (--network host, a pod sidecar) can connect."
    fi
    return
  fi
  if [[ -z ${HCDB_PASSWORD:-} && $initialized == no ]]; then
    die "the database is uninitialized and no superuser password is set. Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), e.g. -e POSTGRES_PASSWORD=secret. To allow connections without a password from this container's network namespace only, use -e POSTGRES_HOST_AUTH_METHOD=trust -e HCDB_LISTEN=127.0.0.1."
  fi
}

# As root (e.g. --user root, or a bind mount owned by root): fix the data
# directory's owner, then run as the hcdb user.
drop_root() {
  if [[ $(id -u) == 0 ]]; then
    mkdir -p "$HCDB_DATA"
    chown -R hcdb:hcdb "$HCDB_DATA"
    chmod 0700 "$HCDB_DATA"
    exec setpriv --reuid=hcdb --regid=hcdb --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
}

init_psql() {
  PGPASSWORD=${HCDB_PASSWORD:-} psql -X -v ON_ERROR_STOP=1 --no-password -h 127.0.0.1 \
    -p "$HCDB_PORT" -U postgres -d postgres "$@"
}

# Every failure is returned explicitly: errexit does not apply inside a
# function whose status the caller tests.
run_init_scripts() {
  local f
  for f in "$INIT_DIR"/*; do
    [[ -e $f ]] || continue
    case $f in
      *.sh)
        say "running $f"
        # shellcheck source=/dev/null
        if [[ -x $f ]]; then "$f" || return; else . "$f" || return; fi
        ;;
      *.sql)
        say "running $f"
        init_psql -f "$f" || return
        ;;
      *.sql.gz)
        say "running $f"
        gunzip -c "$f" | init_psql || return
        ;;
      *) say "ignoring $f" ;;
    esac
  done
}

# Starts hcdb on loopback only (clients outside cannot connect half-way through
# initialization), runs the scripts, stops it with the fast shutdown.
first_start() {
  say "initializing $HCDB_DATA"
  # Last flag wins, so this holds even when the command line names an address.
  "$@" --listen 127.0.0.1 &
  local pid=$! i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; die "hcdb exited during initialization"; }
    pg_isready -q -h 127.0.0.1 -p "$HCDB_PORT" -t 1 && break
    sleep 0.2
  done
  pg_isready -q -h 127.0.0.1 -p "$HCDB_PORT" -t 1 || { kill -INT "$pid"; die "hcdb did not start"; }
  local rc=0
  # *.sh scripts that call psql themselves find the server through these.
  export PGHOST=127.0.0.1 PGPORT=$HCDB_PORT PGUSER=postgres PGDATABASE=postgres
  PGPASSWORD=${HCDB_PASSWORD:-} run_init_scripts || rc=$?
  unset PGHOST PGPORT PGUSER PGDATABASE
  kill -INT "$pid"
  wait "$pid" || die "hcdb did not stop cleanly after initialization"
  ((rc == 0)) || die "an initialization script failed (exit $rc); the next start runs them again"
  touch "$HCDB_DATA/$MARKER_NAME"
  say "initialization complete"
}

main() {
  # `docker run IMAGE --port 6432` passes flags to hcdb; any other command runs as is.
  if [[ ${1:-} == -* ]]; then
    set -- hcdb "$@"
  fi
  if [[ ${1:-} != hcdb && ${1:-} != /usr/local/bin/hcdb ]]; then
    exec "$@"
  fi
  map_environment
  drop_root "$@"
  local initialized=no
  [[ -e $HCDB_DATA/$MARKER_NAME ]] && initialized=yes
  check_auth "$initialized"
  [[ $initialized == yes ]] || first_start "$@"
  exec "$@"
}

main "$@"
