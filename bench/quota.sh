#!/usr/bin/env bash
# Quota saturation: firehose-local with a 5 MiB/s and 2,000 requests/s quota (discard sink),
# firehose send streaming 1 KiB records for about SECONDS; /_local/counters sampled every
# second to separate the start-up transient (first WARMUP seconds) from the steady state.
# Usage: BUILD=build-bench bench/quota.sh [seconds] [warmup]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-30}; warmup=${2:-5}
quota=5242880
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
lines_file "$WORK/lines.txt" $((seconds * quota)) 1024
results=()
for r in $(seq "$REPEATS"); do
  run_load=$(cut -d' ' -f1 /proc/loadavg)
  start_local --sink discard --quota-bytes "$quota" --quota-requests 2000
  create_stream bench
  rm -f "$WORK/samples.jsonl"
  python3 "$here/tools/sample_counters.py" "$LOCAL_URL" > "$WORK/samples.jsonl" & sampler=$!
  # The first sample (all zero) must precede the first record: the burst comes in the first 0.3 s.
  for _ in $(seq 100); do [ -s "$WORK/samples.jsonl" ] && break; sleep 0.05; done
  # SEND_ARGS: extra `firehose send` options to try (e.g. "--memory-mb 48").
  "$BUILD/firehose" send --delivery-stream-name bench ${SEND_ARGS:-} "$WORK/lines.txt" > "$WORK/out.txt"
  sleep 1.2; kill "$sampler"; wait "$sampler" 2>/dev/null || true
  stop_local
  results+=("$(python3 - "$WORK/samples.jsonl" "$WORK/out.txt" "$quota" "$warmup" "$run_load" <<'PY'
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summary = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
quota, warmup = int(sys.argv[3]), float(sys.argv[4])
# Only the seconds during which records were still arriving (the last partial second dropped).
active = [s for s in samples if s["records_stored"] < samples[-1]["records_stored"]]
assert samples[0]["records_received"] == 0, "the sampler started after the first record"
first = next(i for i, s in enumerate(samples) if s["records_received"] > 0) - 1
def window(a, b):
    sa, sb = samples[a], samples[b]
    secs = sb["t"] - sa["t"]
    stored = sb["records_stored"] - sa["records_stored"]
    received = sb["records_received"] - sa["records_received"]
    throttled = sb["records_throttled"] - sa["records_throttled"]
    return 100 * stored * 1024 / secs / quota, 100 * throttled / max(received, 1), secs
last = len(active)
w = int(warmup)
whole = window(max(first, 0), last)
# Throttling over the whole run from the final counters (the last partial second included).
whole = (whole[0], 100 * samples[-1]["records_throttled"] / max(samples[-1]["records_received"], 1), whole[2])
steady = window(max(first, 0) + w, last)
start = window(max(first, 0), max(first, 0) + w)
client_throttle = 100 * summary["throttled"] / max(summary["records"] + summary["retries"], 1)
print(f'{whole[0]:.1f} {whole[1]:.2f} {start[0]:.1f} {start[1]:.2f} {steady[0]:.1f} {steady[1]:.2f} '
      f'{summary["seconds"]:.1f} {summary["throttled"]} {summary["retries"]} {summary["records"]} {summary["failed"]} {client_throttle:.2f} '
      f'{sys.argv[5]}')
PY
)")
done
col() { local i=$1; for line in "${results[@]}"; do echo "$line" | awk -v i="$i" '{print $i}'; done; }
echo "### Quota saturation (5 MiB/s, 2,000 requests/s, 1 KiB records, $((seconds * quota / 1048576)) MiB input)"
echo
echo "${REPEATS} runs, median (min–max). Achieved = records stored x 1 KiB per second / 5 MiB/s,"
echo "from /_local/counters sampled every second; throttled = records_throttled / records_received"
echo "(every attempt, retries included). Start-up = the first ${warmup} s after the first record."
echo
echo '| window | achieved % of the bytes quota | records throttled % |'
echo '|---|---|---|'
printf '| whole run | %s | %s |\n' "$(FMT=%.1f stats $(col 1))" "$(stats $(col 2))"
printf '| start-up (first %s s) | %s | %s |\n' "$warmup" "$(FMT=%.1f stats $(col 3))" "$(stats $(col 4))"
printf '| steady state (after %s s) | %s | %s |\n' "$warmup" "$(FMT=%.1f stats $(col 5))" "$(stats $(col 6))"
echo
echo "Client summaries (seconds, throttled, retries, records, failed, throttled / (records + retries) %, 1-minute load average at the start):"
for line in "${results[@]}"; do echo "- $(echo "$line" | cut -d' ' -f7-)"; done
