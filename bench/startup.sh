#!/usr/bin/env bash
# Measures, over several runs of the real binary on a fresh SQLite data dir:
# time from process start to /healthz answering, idle RSS, and RSS after N /healthz requests.
# Usage: bench/startup.sh [runs=7] [requests=10000]   (ab from apache2-utils sends the requests; else curl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
requests=${2:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/reportapp" ./cmd/reportapp
port=$((20000 + RANDOM % 20000))
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
printf 'run\tstartup_ms\tidle_rss_kb\trss_after_%s_kb\n' "$requests"
for i in $(seq 1 "$runs"); do
  data="$tmp/data$i"
  start=$(date +%s%N)
  ADDR=127.0.0.1:$port DATA_DIR=$data LOG_LEVEL=error "$tmp/reportapp" serve >/dev/null 2>&1 &
  pid=$!
  until curl -fso /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.001; done
  up=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 1
  idle=$(rss $pid)
  if command -v ab >/dev/null; then
    ab -q -n "$requests" -c 8 "http://127.0.0.1:$port/healthz" >/dev/null
  else
    for _ in $(seq 1 "$requests"); do curl -fso /dev/null "http://127.0.0.1:$port/healthz"; done
  fi
  after=$(rss $pid)
  kill -TERM $pid; wait $pid || true
  printf '%s\t%s\t%s\t%s\n' "$i" "$up" "$idle" "$after"
done
