#!/usr/bin/env bash
# Runs the intake's tests that need real servers: a PostgreSQL server
# (Debian's package) and an S3-compatible server (moto in server mode),
# both started here in a temporary folder on free loopback ports, and
# stopped on exit whatever happens.
#
#   crates/intake/scripts/test-services.sh
#
# Needs: initdb/pg_ctl (postgresql), moto_server (pip install 'moto[server]'),
# curl, python3. scripts/setup.sh installs them.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PATH="$PG_BIN:$PATH"
MOTO_PID=""

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# PostgreSQL refuses to run as root: run it as the `postgres` user then.
as_db_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cleanup() {
  set +e
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; fi
  if [ -f "$WORK/pg/postmaster.pid" ]; then as_db_user pg_ctl -D "$WORK/pg" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PG_PORT="$(free_port)"
say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$WORK/pg"
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK/pg"; fi
as_db_user initdb -D "$WORK/pg" -U tapedeck --auth=trust >"$WORK/initdb.log" 2>&1 ||
  { cat "$WORK/initdb.log"; exit 1; }
as_db_user pg_ctl -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
as_db_user createdb -h 127.0.0.1 -p "$PG_PORT" -U tapedeck tapedeck

S3_PORT="$(free_port)"
say "starting moto (S3) on 127.0.0.1:$S3_PORT"
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -sf -X PUT "http://127.0.0.1:$S3_PORT/tapedeck-test" >/dev/null

export TAPEDECK_TEST_DATABASE_URL="postgres://tapedeck@127.0.0.1:$PG_PORT/tapedeck"
export TAPEDECK_TEST_BUCKET_URL="s3://tapedeck-test/segments"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_ALLOW_HTTP=true

say "running the intake's scale-out tests"
cd "$ROOT"
cargo test -p tapedeck-intake --test services -- --ignored --test-threads=2
