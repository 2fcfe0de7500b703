#!/usr/bin/env bash
# The first-load benchmark (docs/PERFORMANCE.md): builds the browser apps
# and the release server, then times cold loads of the sign-in page in
# Debian's Chromium on the desktop and Pixel 7 profiles.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ensure_browser_toolchain
build_browser_app
cargo build --release -p coffer-server
if [ ! -x end2end/node_modules/.bin/playwright ]; then
  (cd end2end && npm ci --no-audit --no-fund)
fi
cd end2end
COFFER_BIN="$CARGO_TARGET_DIR/release/coffer" COFFER_SITE_DIR="$PWD/../dist" \
  npx playwright test -c bench.config.js
