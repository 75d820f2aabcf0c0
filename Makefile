# Tapedeck's entry points. `make demo` and `make test` are all a fresh
# machine needs: both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
INTAKE := $(TARGET_DIR)/release/tapedeck-intake
LISTEN ?= 127.0.0.1:8080
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup build demo test test-rust test-wasm test-e2e lint

## Install the toolchain pieces, browser and npm packages that are missing.
setup:
	scripts/setup.sh

## Build everything without starting anything.
build: setup
	scripts/build-wasm.sh
	cargo build --release -p tapedeck-intake
	cd examples/bundled-app && npm run build

## Build, then serve the demo, the viewer and the intake on one port.
demo: build
	@echo "Demo page:     http://$(LISTEN)/examples/plain/index.html"
	@echo "Bundled app:   http://$(LISTEN)/examples/bundled-app/dist/index.html"
	@echo "Replay viewer: http://$(LISTEN)/ (user tapedeck, password: the viewer token printed below)"
	$(INTAKE) --listen $(LISTEN) --data-dir data --static-dir js-shim/dist \
	  --examples-dir examples --viewer-dir crates/intake/viewer

## Run every test: formatting and lints, Rust unit and handler tests,
## browser tests of both wasm crates, and end-to-end tests with replay.
test: build lint test-rust test-wasm test-e2e

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p tapedeck-recorder-wasm -p tapedeck-worker-wasm --all-targets -- -D warnings
	npm run --silent format:check

test-rust:
	cargo test --workspace
	crates/intake/scripts/test-services.sh
	crates/intake/scripts/cargo-fuzz.sh 20

test-wasm:
	scripts/wasm-browser-test.sh recorder-wasm
	scripts/wasm-browser-test.sh worker-wasm

test-e2e:
	TAPEDECK_INTAKE_BIN=$(INTAKE) npm run --silent test:e2e

## Measure tapedeck against rrweb, a bare DOM walk and no recorder in
## headless Chromium; prints a table (see bench/README.md). Pass options
## with BENCH_ARGS, for example BENCH_ARGS=--quick.
.PHONY: bench
bench: build
	node bench/run.mjs $(BENCH_ARGS)
