#!/usr/bin/env bash
# Runs one wasm crate's browser tests (`wasm-pack test --headless --chrome`)
# and tells a failing test apart from a test runner that never got going.
#
# wasm-bindgen-test-runner sends its WebDriver commands and serves the test
# page without timeouts, so on a loaded machine it can stall before the
# first test runs and wait forever (wasm-bindgen/wasm-bindgen#5338). Such a
# run is stopped after RUN_TIMEOUT_S and started again, at most ATTEMPTS
# times. A run in which any test reported a result is never repeated: its
# verdict stands. This goes away once the runner times out on its own.
#
# Usage: scripts/wasm-browser-test.sh <crate directory>
set -uo pipefail

CRATE_DIR="${1:?usage: $0 <crate directory>}"
RUN_TIMEOUT_S="${RUN_TIMEOUT_S:-300}"
ATTEMPTS="${ATTEMPTS:-3}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Ends what a stalled runner left behind: the runner, its ChromeDriver and
# the browser that driver started (marked by --test-type=webdriver).
stop_leftovers() {
  pkill -f wasm-bindgen-test-runner 2>/dev/null
  pkill -f 'chromedriver --port' 2>/dev/null
  pkill -f 'test-type=webdriver' 2>/dev/null
  sleep 1
}

for attempt in $(seq 1 "$ATTEMPTS"); do
  (cd "$CRATE_DIR" && timeout --kill-after=10 "$RUN_TIMEOUT_S" \
    wasm-pack test --headless --chrome) 2>&1 | tee "$log"
  status="${PIPESTATUS[0]}"
  if [ "$status" = 0 ]; then
    exit 0
  fi
  if grep -Eq '^test .* \.\.\. (ok|FAILED|ignored)' "$log"; then
    # Tests ran: this is their verdict.
    exit "$status"
  fi
  stop_leftovers
  echo "==> $CRATE_DIR: the browser test runner stopped before any test ran" \
    "(exit $status, attempt $attempt of $ATTEMPTS)" >&2
done
exit 1
