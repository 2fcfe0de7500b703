#!/usr/bin/env bash
# Stops the cluster started by pg-start.sh and removes it.
set -uo pipefail
dir=$1
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -f "$dir/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null
  else "$pgbin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null; fi
fi
rm -rf "$dir"
