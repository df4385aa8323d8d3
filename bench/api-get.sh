#!/usr/bin/env bash
# Throughput of GET /api/v1/documents/{id} (a 20-line invoice) on loopback with wrk.
# Usage: bench/api-get.sh [sqlite|postgres] [runs=5] [seconds=10]
# postgres uses REPORTAPP_BENCH_DATABASE_URL (a scratch database: it is migrated and written to).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; runs=${2:-5}; secs=${3:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/reportapp" ./cmd/reportapp
export DATA_DIR=$tmp/data LOG_LEVEL=error ADDR=127.0.0.1:$((20000 + RANDOM % 20000))
if [ "$db" = postgres ]; then export DATABASE_URL=${REPORTAPP_BENCH_DATABASE_URL:?set REPORTAPP_BENCH_DATABASE_URL}; fi
"$tmp/reportapp" user create --org bench-$$ --email bench@example.com --role admin >/dev/null 2>&1
token=$("$tmp/reportapp" token create --org bench-$$ --email bench@example.com 2>/dev/null | tail -n1)
"$tmp/reportapp" serve >/dev/null 2>&1 &
pid=$!
base=http://$ADDR
until curl -fso /dev/null "$base/healthz"; do sleep 0.01; done
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
cust=$(curl -fs "${auth[@]}" -d '{"name":"株式会社ベンチ","honorific":"御中"}' "$base/api/v1/customers" | sed 's/.*"id":"\([^"]*\)".*/\1/')
items=$(for i in $(seq 1 20); do printf '{"name":"品目 %d","quantity":"1.5","unit":"時間","unit_price":%d,"tax_rate":%d},' "$i" $((1000 * i)) $(( i % 3 == 0 ? 8 : 10 )); done)
doc=$(curl -fs "${auth[@]}" -d "{\"kind\":\"invoice\",\"customer_id\":\"$cust\",\"transaction_date\":\"2026-11-20\",\"items\":[${items%,}]}" "$base/api/v1/documents" | sed 's/^{"id":"\([^"]*\)".*/\1/')
echo "database=$db document=$doc"
for i in $(seq 1 "$runs"); do
  wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer $token" "$base/api/v1/documents/$doc" | awk -v run="$i" '/Requests\/sec/ {print "run " run ": " $2 " req/s"} /Latency/ {print "run " run ": latency avg " $2}'
done
