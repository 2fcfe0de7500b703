#!/usr/bin/env bash
# The file benchmarks (docs/PERFORMANCE.md): builds the browser apps and
# the release server, installs Debian's age (the reference), then in
# Debian's Chromium uploads and downloads a 1 GiB file, set beside `age`
# and `age -d` on the same file in the same run (files-1g;
# COFFER_BENCH_BYTES changes the size), and lists, shares (with a second
# member, who lists it too) and deletes a folder of 10,000 files
# (folder-10k; COFFER_BENCH_FILES changes the count), and renews a box's
# key after one of 50 people is removed from a box of 1,000 files
# (rotation-50). Name one of them to run only it:
# scripts/bench-files.sh folder-10k
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
if [ $# -eq 0 ]; then set -- files-1g folder-10k rotation-50; fi
COFFER_BIN="$CARGO_TARGET_DIR/release/coffer" COFFER_SITE_DIR="$PWD/../dist" \
  npx playwright test -c bench.config.js "$@"
