#!/usr/bin/env bash
# firehose-local's own capacity in discard mode (quotas and signature checks off), next to
# the two minimal candidate servers doing the same parse + decode work: wrk posting the
# same PutRecordBatch body (500 x 1 KiB records) on C connections, servers interleaved
# within each repeat so that background noise hits all three alike.
# Usage: BUILD=build-bench bench/local_capacity.sh [seconds] [connections...]
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "$0")/lib.sh"
seconds=${1:-5}; shift || true
connections=("${@:-4 16 64}"); connections=(${connections[*]})
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 "$here/make_batch_body.py" bench 500 1024 "$WORK/body.json"

wrk_rps() {  # CONNECTIONS URL -> requests/s; any non-2xx answer or socket error fails the run
  [ -n "$2" ] || { echo "server did not print its URL" >&2; exit 1; }
  BODY_FILE="$WORK/body.json" wrk -t1 -c"$1" -d"${seconds}s" -s "$here/wrk/post_body.lua" "$2/" > "$WORK/wrk.txt"
  grep 'Socket errors' "$WORK/wrk.txt" | sed "s|^|$2 c=$1:|" >&2 || true  # cpp-httplib closes keep-alive connections after a maximum count
  if grep -q 'Non-2xx' "$WORK/wrk.txt"; then echo "non-2xx answers from $2:" >&2; cat "$WORK/wrk.txt" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt"
}
candidate() {  # EXE THREADS: starts a candidate server, sets CAND_PID / CAND_URL
  "$1" "$2" > "$WORK/cand.url" & CAND_PID=$!
  : > "$WORK/cand.url"; for _ in $(seq 400); do [ -s "$WORK/cand.url" ] && break; sleep 0.05; done
  CAND_URL=$(head -1 "$WORK/cand.url")
}

declare -A rps
for c in "${connections[@]}"; do
  for r in $(seq "$REPEATS"); do
    start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
    create_stream bench
    rps[local,$c]+="$(wrk_rps "$c" "$LOCAL_URL") "
    # The records really went through: decoded, counted, nothing refused.
    python3 "$here/tools/local_admin.py" "$LOCAL_URL" counters | python3 -c 'import json, sys
c = json.load(sys.stdin)
assert c["records_stored"] > 0 and c["requests_invalid"] == 0 and c["records_throttled"] == 0, c
assert abs(c["records_stored"] - 500 * c["put_requests"]) <= 500 * 64, c'
    stop_local
    candidate "$BUILD/bench/bench_httplib_candidate" 64
    rps[httplib,$c]+="$(wrk_rps "$c" "$CAND_URL") "; kill "$CAND_PID"; wait "$CAND_PID" 2>/dev/null || true
    if [ -x "$BUILD/bench/bench_beast_candidate" ]; then
      candidate "$BUILD/bench/bench_beast_candidate" 2
      rps[beast,$c]+="$(wrk_rps "$c" "$CAND_URL") "; kill "$CAND_PID"; wait "$CAND_PID" 2>/dev/null || true
    fi
  done
done

echo "### firehose-local capacity (discard sink) vs. the HTTP library candidates"
echo
echo "wrk -t1 -d${seconds}s, body = 500 x 1 KiB records (${REPEATS} runs each; median (min–max));"
echo "records MiB/s = requests/s x 500 KiB. Ratios use the medians."
echo
echo '| connections | server | requests/s | records MiB/s | vs. firehose-local |'
echo '|---|---|---|---|---|'
for c in "${connections[@]}"; do
  base=$(median ${rps[local,$c]})
  for s in local httplib beast; do
    [ -n "${rps[$s,$c]:-}" ] || continue
    name=$s; [ $s = local ] && name="firehose-local (cpp-httplib, 128 threads)"
    [ $s = httplib ] && name="candidate: cpp-httplib (64 threads)"; [ $s = beast ] && name="candidate: Boost.Beast (2 threads)"
    mib=(); for v in ${rps[$s,$c]}; do mib+=("$(echo "$v * 500 / 1024" | bc -l)"); done
    printf '| %s | %s | %s | %s | %.2f |\n' "$c" "$name" "$(FMT=%.0f stats ${rps[$s,$c]})" "$(FMT=%.0f stats "${mib[@]}")" \
      "$(echo "$(median ${rps[$s,$c]}) / $base" | bc -l)"
  done
done
