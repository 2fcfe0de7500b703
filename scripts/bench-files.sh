#!/usr/bin/env bash
# The file-transfer benchmark (docs/PERFORMANCE.md): builds the browser
# apps and the release server, installs Debian's age (the reference), then
# uploads and downloads a 1 GiB file in Debian's Chromium, set beside
# `age` and `age -d` on the same file in the same run. COFFER_BENCH_BYTES
# changes the size.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

apt_ensure age
ensure_browser_toolchain
build_browser_app
cargo build --release -p coffer-server
if [ ! -x end2end/node_modules/.bin/playwright ]; then
  (cd end2end && npm ci --no-audit --no-fund)
fi
cd end2end
COFFER_BIN="$CARGO_TARGET_DIR/release/coffer" COFFER_SITE_DIR="$PWD/../dist" \
  npx playwright test -c bench.config.js files-1g
