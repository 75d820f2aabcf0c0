#!/usr/bin/env bash
# A bounded loopback load test of the intake with wrk: valid uploads mixed
# with invalid ones (see load-test.lua), then a count of what was stored,
# which must not be below the number of 202 answers (no data lost).
#
#   crates/intake/scripts/load-test.sh [seconds] [connections]
#
# Uses the release binary in $CARGO_TARGET_DIR (or target/), building it
# when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/tapedeck-intake"
WORK="$(mktemp -d)"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release -p tapedeck-intake)

python3 - "$WORK" <<'PY'
import json, sys, zlib
work = sys.argv[1]
events = [{"type": 3, "data": {"source": 1, "positions": [{"x": n, "y": n, "id": 4, "timeOffset": 0}]}, "timestamp": 1000 + n} for n in range(200)]
raw = json.dumps(events, separators=(",", ":")).encode()
open(f"{work}/segment.zlib", "wb").write(zlib.compress(raw))
open(f"{work}/sizes", "w").write(f"{len(raw)} {len(events)}\n")
PY
read -r RAW_SIZE RECORDS <"$WORK/sizes"

cat >"$WORK/intake.toml" <<TOML
rate_limit_per_second = 0
[[applications]]
id = "load"
key = "load-test-key"
TOML

"$BIN" --listen 127.0.0.1:0 --config "$WORK/intake.toml" --data-dir "$WORK/data" \
  --read-token load-test-token >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/stdout" 2>/dev/null && break; sleep 0.1; done
ADDRESS="$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$WORK/stdout")"

LOAD_SEGMENT="$WORK/segment.zlib" LOAD_RAW_SIZE="$RAW_SIZE" LOAD_RECORDS="$RECORDS" \
  wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$(dirname "$0")/load-test.lua" \
  "$ADDRESS" | tee "$WORK/wrk.txt"

ACCEPTED="$(sed -n 's/^status 202: //p' "$WORK/wrk.txt")"
STORED="$(find "$WORK/data/sessions" -name '*.json' ! -name '.tmp-*' | wc -l)"
HEALTH="$(curl -sf "$ADDRESS/healthz")"
echo "accepted (202): ${ACCEPTED:-0}; segments stored: $STORED"
echo "health: $HEALTH"
# wrk stops with requests in flight: the intake may have stored segments
# whose 202 wrk never read, so more stored than accepted is expected; fewer
# would be lost data.
if [ "$STORED" -lt "${ACCEPTED:-0}" ]; then
  echo "DATA LOST: $ACCEPTED accepted but $STORED stored" >&2
  exit 1
fi
echo "data lost: none ($((STORED - ${ACCEPTED:-0})) stored whose answer wrk did not wait for)"
