#!/usr/bin/env bash
# Stops what scripts/s3-start.sh started. Usage: scripts/s3-stop.sh DIR
dir=$1
[ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
rm -rf "$dir"
