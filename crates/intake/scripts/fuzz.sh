#!/usr/bin/env bash
# Fuzzes the segment and metadata parsers for a bounded time on stable Rust
# (cargo-fuzz needs a nightly toolchain's sanitizers, which this project
# does not assume): mutation fuzzing in tests/api/fuzz.rs, optimised.
#
#   crates/intake/scripts/fuzz.sh [seconds]
set -euo pipefail
TAPEDECK_FUZZ_SECONDS="${1:-30}" cargo test --release -p tapedeck-intake --test api \
  fuzz:: -- --nocapture
