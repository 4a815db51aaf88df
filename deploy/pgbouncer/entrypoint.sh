#!/bin/sh
# Writes PgBouncer's userlist from POSTGRES_PASSWORD (never baked into the image),
# then runs PgBouncer in the foreground.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD to the password of the hcdb superuser}"
umask 077
# The userlist quotes with double quotes; one inside the password is doubled.
escaped=$(printf '%s' "$POSTGRES_PASSWORD" | sed 's/"/""/g')
printf '"postgres" "%s"\n' "$escaped" > /run/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
