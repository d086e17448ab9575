#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on 127.0.0.1 for the tests, or reuses the one already running,
# and writes the connection settings to $CINDERBLOCK_PG_DIR/env (sourced by .ci/run).
# The password is generated here, at run time; nothing is committed.
set -euo pipefail

dir=${CINDERBLOCK_PG_DIR:-/tmp/cinderblock-pg}
port=${CINDERBLOCK_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1; }

# PostgreSQL refuses to run as root: use the postgres account when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -f "$dir/env" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  echo "PostgreSQL already running ($dir)"
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$password" > "$dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
chmod 600 "$dir/pwfile"
as_pg "$bin/initdb" -D "$dir/data" -U cinderblock --auth=scram-sha-256 --pwfile="$dir/pwfile" >"$dir/initdb.log"
rm -f "$dir/pwfile"
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" start >/dev/null
PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U cinderblock -d postgres -qc 'CREATE DATABASE cinderblock' >/dev/null

cat >"$dir/env" <<ENV
export CINDERBLOCK_PG_URL=jdbc:postgresql://127.0.0.1:$port/cinderblock
export CINDERBLOCK_PG_USER=cinderblock
export CINDERBLOCK_PG_PASSWORD=$password
ENV
chmod 644 "$dir/env"
echo "PostgreSQL started on 127.0.0.1:$port ($dir)"
