#!/usr/bin/env bash
# Second command: install whatever the tests need that is missing, then run
# every test: unit and integration (SQLite and a throw-away PostgreSQL on
# loopback), S3-compatible storage (moto's server on loopback), the CRY-1
# leak check, and the Playwright browser suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

apt_ensure chromium postgresql oathtool age unzip
ensure_browser_toolchain
if ! python3 -c 'import openpyxl, aiosmtpd' 2>/dev/null; then
  say "Installing openpyxl and aiosmtpd (independent .xlsx reader and SMTP server for the tests)"
  python3 -m pip install --quiet openpyxl aiosmtpd
fi
if ! python3 -c 'import moto.server' 2>/dev/null; then
  say "Installing moto's S3 server (an S3-compatible store on loopback for the tests)"
  python3 -m pip install --quiet "moto[server]"
fi
if [ ! -x end2end/node_modules/.bin/playwright ]; then
  say "Installing the browser-test packages (npm ci)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

log=$(mktemp)
pgdir=$(mktemp -d /tmp/coffer-pg.XXXXXX)
s3dir=$(mktemp -d /tmp/coffer-s3.XXXXXX)
cleanup() { scripts/pg-stop.sh "$pgdir"; scripts/s3-stop.sh "$s3dir"; rm -f "$log"; }
trap cleanup EXIT

say "Starting a throw-away PostgreSQL on 127.0.0.1"
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export COFFER_TEST_PG_URL
COFFER_TEST_PG_URL=$(scripts/pg-start.sh "$pgdir" "$pgport")
export COFFER_TEST_PG_DATA="$pgdir/data"

say "Starting a throw-away S3-compatible server (moto) on 127.0.0.1"
s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_ALLOW_HTTP=true
AWS_ENDPOINT_URL=$(scripts/s3-start.sh "$s3dir" "$s3port")
export COFFER_TEST_S3_URL=s3://coffer-test

say "Building the browser app"
build_browser_app

say "Unit and integration tests (SQLite and PostgreSQL)"
cargo test --locked 2>&1 | tee -a "$log"

say "Browser tests (Playwright + Debian Chromium, desktop and phone)"
export COFFER_BIN="$CARGO_TARGET_DIR/debug/coffer" COFFER_SITE_DIR="$PWD/dist"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

# One closing line for every runner above.
passed=$(grep -hoE '(test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
echo
echo "coffer: $passed passed, 0 failed"
