#!/usr/bin/env bash
# First command: build Coffer and start it on the embedded default
# (SQLite, blob folder and mail outbox under ./coffer-data), printing the URL.
# Any `coffer serve` flag can be passed through, e.g. --bind 0.0.0.0:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ensure_browser_toolchain
build_browser_app
say "Building the server (cargo build --release)"
cargo build --release -p coffer-server
say "Starting Coffer"
exec "$CARGO_TARGET_DIR/release/coffer" serve --site-dir dist "$@"
