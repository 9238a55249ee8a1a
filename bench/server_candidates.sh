#!/usr/bin/env bash
# Measures the two HTTP server candidates for firehose-local side by side:
# PutRecordBatch of 500 x 1 KiB records, wrk with C connections for D seconds.
# Usage: bench/server_candidates.sh BUILD_DIR [connections] [seconds]
set -euo pipefail
build=${1:-build-bench}; connections=${2:-16}; seconds=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null || true' EXIT
python3 "$here/make_batch_body.py" bench 500 1024 "$work/body.json"
printf '| server | threads | connections | requests/s | records MiB/s | p50 latency |\n|---|---|---|---|---|---|\n'
run() {
  local name=$1 exe=$2 threads=$3
  "$exe" "$threads" > "$work/url" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
  local url; url=$(head -1 "$work/url")
  BODY_FILE="$work/body.json" wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$here/wrk/post_body.lua" "$url/" > "$work/wrk.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local rps p50
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '/ 50%/ {print $2}' "$work/wrk.txt")
  printf '| %s | %s | %s | %.0f | %.1f | %s |\n' "$name" "$threads" "$connections" "$rps" "$(echo "$rps * 500 / 1024" | bc -l)" "$p50"
}
run cpp-httplib "$build/bench/bench_httplib_candidate" 64
run Boost.Beast "$build/bench/bench_beast_candidate" 2
