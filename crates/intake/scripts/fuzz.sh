#!/usr/bin/env bash
# Fuzzes the segment and metadata parsers for a bounded time with plain
# `cargo test` (no instrumentation; cargo-fuzz.sh runs the coverage-guided
# libFuzzer targets): mutation fuzzing in tests/api/fuzz.rs, optimised.
#
#   crates/intake/scripts/fuzz.sh [seconds]
set -euo pipefail
TAPEDECK_FUZZ_SECONDS="${1:-30}" cargo test --release -p tapedeck-intake --test api \
  fuzz:: -- --nocapture
