#!/usr/bin/env bash
# How fast the worker's cryptography runs as WebAssembly in V8, beside the
# same code run natively (docs/PERFORMANCE.md, file transfer): builds
# end2end/bench/wasm-throughput for wasm32 with the wasm-bindgen the test
# script installs, times it in Node, then runs the native example.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ensure_browser_toolchain
out="$CARGO_TARGET_DIR/wasm-throughput"
(cd end2end/bench/wasm-throughput &&
  cargo build --release --target wasm32-unknown-unknown)
wasm-bindgen --target nodejs --out-dir "$out" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wasm_throughput.wasm"
node end2end/bench/wasm-throughput/run.js "$out/wasm_throughput.js"
cargo run --release -q -p coffer-crypto --example file_throughput
