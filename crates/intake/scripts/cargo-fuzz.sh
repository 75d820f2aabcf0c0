#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer with AddressSanitizer) of
# the segment and metadata parsers, each target for a bounded time. Fails
# on the first crash, leak or panic; the input that caused it is kept in
# crates/intake/fuzz/artifacts/<target>/ to replay with
# `cargo fuzz run <target> <file>`.
#
#   crates/intake/scripts/cargo-fuzz.sh [seconds per target] [target ...]
#
# cargo-fuzz passes -Z flags to rustc and cargo; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them, so no nightly toolchain is needed.
# TAPEDECK_FUZZ_SANITIZER=none fuzzes without AddressSanitizer.
set -euo pipefail

SECONDS_PER_TARGET="${1:-20}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" = 0 ]; then
  TARGETS=(segment metadata upload)
fi
SANITIZER="${TAPEDECK_FUZZ_SANITIZER:-address}"

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz
fi

cd "$(dirname "$0")/.."

# New inputs found while fuzzing go to a scratch folder; the committed
# seeds in fuzz/seeds/ are only read.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "==> building the fuzz targets (sanitizer: $SANITIZER)"
cargo fuzz build --sanitizer "$SANITIZER"

for target in "${TARGETS[@]}"; do
  echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s"
  mkdir -p "$scratch/$target"
  if ! cargo fuzz run --sanitizer "$SANITIZER" "$target" "$scratch/$target" "fuzz/seeds/$target" \
    -- -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 2>"$scratch/$target.log"; then
    grep -A3 'panicked at' "$scratch/$target.log" >&2 || true
    tail -n 40 "$scratch/$target.log" >&2
    echo "fuzz target $target failed; the input is in crates/intake/fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$scratch/$target.log" || true
done
echo "fuzzed ${TARGETS[*]} for ${SECONDS_PER_TARGET}s each: no crash"
