#!/usr/bin/env bash
# Packing: billed bytes / raw bytes for 100-byte lines, with and without --pack.
# firehose-local counts Firehose records and bytes (CloudWatch IncomingRecords /
# IncomingBytes), not each record's size, so billed bytes are bounded:
#   max(bytes, 5 KiB x records) <= billed <= bytes + 5 KiB x records  (5 KB = 5,120 bytes).
# Usage: BUILD=build-bench bench/packing.sh [MiB]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mib=${1:-64}
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
lines_file "$WORK/lines.txt" $((mib * 1048576)) 100
raw=$(stat -c %s "$WORK/lines.txt")
echo "### Packing (100-byte lines, $mib MiB, firehose-local --sink discard, quotas off)"
echo
echo '| mode | user records | Firehose records | bytes received | billed/raw (lower bound) | billed/raw (upper bound) |'
echo '|---|---|---|---|---|---|'
for mode in --pack ""; do
  start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
  create_stream bench
  "$BUILD/firehose" send --delivery-stream-name bench $mode "$WORK/lines.txt" > "$WORK/out.txt"
  python3 "$here/tools/local_admin.py" "$LOCAL_URL" metrics bench > "$WORK/metrics.json"
  stop_local
  python3 - "$WORK/metrics.json" "$WORK/out.txt" "$raw" "${mode:-no packing}" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); s = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
raw = int(sys.argv[3]); n = m["IncomingRecords"]; b = m["IncomingBytes"]
lo = max(b, 5120 * n) / raw; hi = (b + 5120 * n) / raw
print(f'| {sys.argv[4]} | {s["records"]} | {n:.0f} | {b:.0f} | {lo:.4f} | {hi:.4f} |')
PY
done
