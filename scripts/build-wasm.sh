#!/usr/bin/env bash
# Builds the recorder and worker to WebAssembly and assembles
# js-shim/dist: the script-tag bundle, the ES module, the worker bootstrap
# and the wasm-bindgen output, ready to copy to any static host.
set -euo pipefail
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
DIST=js-shim/dist
WASM_DIR="$TARGET_DIR/wasm32-unknown-unknown/release"

cargo build --release --target wasm32-unknown-unknown \
  -p tapedeck-recorder-wasm -p tapedeck-worker-wasm

rm -rf "$DIST"
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-dir "$DIST/recorder" \
  "$WASM_DIR/tapedeck_recorder_wasm.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$DIST/worker" \
  "$WASM_DIR/tapedeck_worker_wasm.wasm"

# Optimise with binaryen from npm when present (Debian's older wasm-opt
# breaks wasm-bindgen's output).
WASM_OPT=node_modules/.bin/wasm-opt
if [ -x "$WASM_OPT" ]; then
  for module in "$DIST"/recorder/*.wasm "$DIST"/worker/*.wasm; do
    "$WASM_OPT" -Oz --enable-reference-types --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$module" -o "$module"
  done
fi

cp js-shim/src/tapedeck.js js-shim/src/tapedeck.mjs js-shim/src/tapedeck-worker.js \
  js-shim/src/tapedeck.d.ts "$DIST/"
echo "built $DIST:"
find "$DIST" -type f -printf '  %p %s bytes\n' | sort
