#!/usr/bin/env bash
# Side-by-side benchmark of reportapp on a seeded database (issue 17): builds the binary, adds a
# user and a token to the seeded organisation "bench", starts `reportapp serve` on it (the PDF
# backfill off) and runs bench/load, every scenario bounded by its duration and -n requests,
# then prints the server's peak RSS and the machine's load average. Each scenario's line ends with
# the CPU time per request of the server, the local PostgreSQL's processes and the loader.
# Usage: bench/run.sh <SQLite data dir (holding reportapp.db) | postgres URL> [seconds per scenario=5] [load flags…]
# Seed first: go run ./bench/seed -db <dir>/reportapp.db -docs 100000 (or -db <postgres URL>)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?database: SQLite data directory or postgres:// URL}; secs=${2:-5}; shift $(( $# >= 2 ? 2 : 1 ))
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/reportapp" ./cmd/reportapp
go build -o "$tmp/load" ./bench/load
cpu=()
if [[ $db == postgres://* || $db == postgresql://* ]]; then
  export DATABASE_URL=$db
  cpu=(-db-process postgres) # a local server's processes, for their CPU time per request
else export DATA_DIR=$db; fi
export LOG_LEVEL=error ADDR=127.0.0.1:$((20000 + RANDOM % 20000)) PDF_BACKFILL_INTERVAL=0 SHUTDOWN_DELAY=0s
email=bench-$$@example.com password=bench-password-$$
echo "$password" | "$tmp/reportapp" user create --org bench --email "$email" --role admin --password-stdin >/dev/null
token=$("$tmp/reportapp" token create --org bench --email "$email" | tail -n1)
"$tmp/reportapp" serve >"$tmp/serve.log" 2>&1 &
pid=$!
until curl -fso /dev/null "http://$ADDR/healthz"; do sleep 0.05; done
echo "database=$db load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/load" -url "http://$ADDR" -token "$token" -email "$email" -password "$password" -d "${secs}s" -server-pid $pid "${cpu[@]}" "$@"
grep -E 'VmHWM|VmRSS' /proc/$pid/status
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
