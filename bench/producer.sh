#!/usr/bin/env bash
# The producer (`firehose send`) against firehose-local --sink discard, quotas off:
# CPU seconds per GiB (client process only, from /usr/bin/time -v), records/s, peak RSS
# at two input sizes; firehose-local's own CPU read from /proc; then the naive boto3
# script (500-line batches, sequential) and firehose send on the same smaller input.
# Usage: BUILD=build-bench bench/producer.sh [small_MiB] [large_MiB] [naive_MiB]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
small=${1:-256}; large=${2:-1024}; naive=${3:-32}
WORK=$(mktemp -d); DATA=${DATA:-$WORK}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
create_stream bench

declare -A cpu rate rss wall server
run() {  # KEY FILE COMMAND...: one measured run
  local key=$1 file=$2; shift 2
  local mib; mib=$(echo "$(stat -c %s "$file") / 1048576" | bc -l)
  local before; before=$(cpu_seconds "$LOCAL_PID")
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
  local after; after=$(cpu_seconds "$LOCAL_PID")
  local user sys peak elapsed records
  user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt"); sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
  peak=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time.txt")
  elapsed=$(awk -F': ' '/Elapsed/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$WORK/time.txt")
  records=$(tail -1 "$WORK/out.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d.get("failed",0)==0, d; print(d["records"])')
  cpu[$key]+="$(echo "($user + $sys) * 1024 / $mib" | bc -l) "
  server[$key]+="$(echo "($after - $before) * 1024 / $mib" | bc -l) "
  rate[$key]+="$(echo "$records / $elapsed" | bc -l) "
  rss[$key]+="$(echo "$peak / 1024" | bc -l) "
  wall[$key]+="$elapsed "
}

for size in "$small" "$large" "$naive"; do lines_file "$DATA/lines-$size.txt" $((size * 1048576)) 1024; done
for r in $(seq "$REPEATS"); do
  for size in "$small" "$large"; do
    run "firehose:$size" "$DATA/lines-$size.txt" "$BUILD/firehose" send --delivery-stream-name bench "$DATA/lines-$size.txt"
  done
  run "naive-firehose:$naive" "$DATA/lines-$naive.txt" "$BUILD/firehose" send --delivery-stream-name bench "$DATA/lines-$naive.txt"
  run "naive-boto3:$naive" "$DATA/lines-$naive.txt" python3 "$here/tools/naive_put_record_batch.py" bench "$DATA/lines-$naive.txt"
done
stop_local

echo "### Producer CPU, rate and memory (1 KiB records, firehose-local --sink discard, quotas off)"
echo
echo "${REPEATS} runs each, median (min–max). Client CPU = user+sys of the client process"
echo "(/usr/bin/time -v); server CPU = firehose-local's user+sys over the same run (/proc)."
echo
echo '| client | input | client CPU-s/GiB | server CPU-s/GiB | records/s | wall s | peak RSS MiB |'
echo '|---|---|---|---|---|---|---|'
for key in "firehose:$small" "firehose:$large" "naive-firehose:$naive" "naive-boto3:$naive"; do
  name=${key%%:*}; [ "$name" = naive-firehose ] && name=firehose; [ "$name" = naive-boto3 ] && name="naive boto3 script"
  printf '| %s | %s MiB | %s | %s | %s | %s | %s |\n' "$name" "${key##*:}" "$(stats ${cpu[$key]})" "$(stats ${server[$key]})" \
    "$(FMT=%.0f stats ${rate[$key]})" "$(FMT=%.1f stats ${wall[$key]})" "$(FMT=%.1f stats ${rss[$key]})"
done
echo
printf 'Same input (%s MiB), medians: boto3 script / firehose send CPU-s per GiB = %.1fx; firehose send / boto3 records/s = %.1fx.\n' "$naive" \
  "$(echo "$(median ${cpu[naive-boto3:$naive]}) / $(median ${cpu[naive-firehose:$naive]})" | bc -l)" \
  "$(echo "$(median ${rate[naive-firehose:$naive]}) / $(median ${rate[naive-boto3:$naive]})" | bc -l)"
