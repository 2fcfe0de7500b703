#!/usr/bin/env bash
# Starts a throw-away S3-compatible server (moto's server mode, from PyPI)
# on loopback for the tests, creates the bucket `coffer-test`, and prints
# the endpoint. Usage: scripts/s3-start.sh DIR PORT   (stop: s3-stop.sh DIR)
set -euo pipefail
dir=$1
port=$2
mkdir -p "$dir"
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
echo $! >"$dir/pid"
endpoint="http://127.0.0.1:$port"
python3 - "$endpoint" <<'PY'
import sys, time, urllib.request
endpoint = sys.argv[1]
for _ in range(200):
    try:
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
        break
    except Exception:
        time.sleep(0.05)
else:
    sys.exit("the S3 server did not start")
req = urllib.request.Request(endpoint + "/coffer-test", method="PUT")
urllib.request.urlopen(req, timeout=5)
PY
echo "$endpoint"
