#!/usr/bin/env bash
# The producer (`firehose send`) against firehose-local --sink discard, quotas off:
# CPU seconds per GiB (client process only, from /usr/bin/time -v), records/s, peak RSS
# at three input sizes (the largest, 4 GiB by default, is the issue's streaming run: peak
# RSS must not grow with it); firehose-local's own CPU read from /proc; then the naive
# boto3 script (500-line batches, sequential) and firehose send on the same smaller input.
# Inputs are generated in a temporary directory (DATA to override) and deleted at exit.
# Usage: BUILD=build-bench bench/producer.sh [small_MiB] [large_MiB] [naive_MiB] [huge_MiB]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
small=${1:-256}; large=${2:-1024}; naive=${3:-32}; huge=${4:-4096}
WORK=$(mktemp -d); DATA=${DATA:-$WORK}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
create_stream bench

declare -A cpu cpu_user cpu_sys rate rss wall server load
run() {  # KEY FILE COMMAND...: one measured run
  local key=$1 file=$2; shift 2
  local mib; mib=$(echo "$(stat -c %s "$file") / 1048576" | bc -l)
  load[$key]+="$(cut -d' ' -f1 /proc/loadavg) "
  warm_input "$file"
  local before; before=$(cpu_seconds "$LOCAL_PID")
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
  local after; after=$(cpu_seconds "$LOCAL_PID")
  local user sys peak elapsed records
  user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt"); sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
  peak=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time.txt")
  elapsed=$(awk -F': ' '/Elapsed/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$WORK/time.txt")
  records=$(tail -1 "$WORK/out.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d.get("failed",0)==0, d; print(d["records"])')
  cpu[$key]+="$(echo "($user + $sys) * 1024 / $mib" | bc -l) "
  cpu_user[$key]+="$(echo "$user * 1024 / $mib" | bc -l) "
  cpu_sys[$key]+="$(echo "$sys * 1024 / $mib" | bc -l) "
  server[$key]+="$(echo "($after - $before) * 1024 / $mib" | bc -l) "
  rate[$key]+="$(echo "$records / $elapsed" | bc -l) "
  rss[$key]+="$(echo "$peak / 1024" | bc -l) "
  wall[$key]+="$elapsed "
}

echo "df $(df -h "$DATA" | awk 'NR == 2 {print $4}') free in $DATA" >&2
for size in "$small" "$large" "$naive" "$huge"; do lines_file "$DATA/lines-$size.txt" $((size * 1048576)) 1024; done
for r in $(seq "$REPEATS"); do
  for size in "$small" "$large" "$huge"; do
    run "firehose:$size" "$DATA/lines-$size.txt" "$BUILD/firehose" send --delivery-stream-name bench "$DATA/lines-$size.txt"
  done
  run "naive-firehose:$naive" "$DATA/lines-$naive.txt" "$BUILD/firehose" send --delivery-stream-name bench "$DATA/lines-$naive.txt"
  run "naive-boto3:$naive" "$DATA/lines-$naive.txt" python3 "$here/tools/naive_put_record_batch.py" bench "$DATA/lines-$naive.txt"
done
stop_local

echo "### Producer CPU, rate and memory (1 KiB records, firehose-local --sink discard, quotas off)"
echo
echo "${REPEATS} runs each, median (min–max). Client CPU = user+sys of the client process"
echo "(/usr/bin/time -v), also split into user and sys; server CPU = firehose-local's user+sys"
echo "over the same run (/proc); load = the 1-minute load average when each run started."
echo
echo '| client | input | client CPU-s/GiB | user | sys | server CPU-s/GiB | records/s | wall s | peak RSS MiB | load |'
echo '|---|---|---|---|---|---|---|---|---|---|'
for key in "firehose:$small" "firehose:$large" "firehose:$huge" "naive-firehose:$naive" "naive-boto3:$naive"; do
  name=${key%%:*}; [ "$name" = naive-firehose ] && name=firehose; [ "$name" = naive-boto3 ] && name="naive boto3 script"
  printf '| %s | %s MiB | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${key##*:}" "$(stats ${cpu[$key]})" \
    "$(stats ${cpu_user[$key]})" "$(stats ${cpu_sys[$key]})" "$(stats ${server[$key]})" \
    "$(FMT=%.0f stats ${rate[$key]})" "$(FMT=%.1f stats ${wall[$key]})" "$(FMT=%.1f stats ${rss[$key]})" "$(FMT=%.1f stats ${load[$key]})"
done
echo
printf 'Same input (%s MiB), medians: boto3 script / firehose send CPU-s per GiB = %.1fx; firehose send / boto3 records/s = %.1fx.\n' "$naive" \
  "$(echo "$(median ${cpu[naive-boto3:$naive]}) / $(median ${cpu[naive-firehose:$naive]})" | bc -l)" \
  "$(echo "$(median ${rate[naive-firehose:$naive]}) / $(median ${rate[naive-boto3:$naive]})" | bc -l)"

# The floor: the same large input through bench_client_floor (read, split, base64, SHA-256,
# loopback send on one thread, nothing else), in the same session, as the reference the
# producer's CPU figure is read against.
echo
echo "### Client CPU floor (${large} MiB of 1 KiB lines, one thread, no HTTP library, no answers)"
echo
echo "bench_client_floor: each stage added to the ones above it; CPU-s per GiB of input, ${REPEATS} runs, median (min–max)."
echo "The last row with 64 KiB sends is what libcurl's default upload buffer does to the same bytes."
echo
declare -A floor_user floor_sys floor_total
for r in $(seq "$REPEATS"); do
  for chunk in 4194304 65536; do
    while IFS=$'\t' read -r stage user sys total; do
      [ "$stage" = stage ] && continue
      [ "$chunk" = 65536 ] && { [ "$stage" = "+ send over loopback TCP" ] || continue; stage="$stage (64 KiB sends)"; }
      floor_user[$stage]+="$user "; floor_sys[$stage]+="$sys "; floor_total[$stage]+="$total "
    done < <("$BUILD/bench/bench_client_floor" "$DATA/lines-$large.txt" "$chunk")
  done
done
echo '| stage | user | sys | total CPU-s/GiB |'
echo '|---|---|---|---|'
for stage in "read + split lines" "+ base64 into bodies" "+ SHA-256 of each body" "+ send over loopback TCP" \
             "+ send over loopback TCP (64 KiB sends)"; do
  printf '| %s | %s | %s | %s |\n' "$stage" "$(stats ${floor_user[$stage]})" "$(stats ${floor_sys[$stage]})" \
    "$(stats ${floor_total[$stage]})"
done
printf '\nfirehose send / floor (4 MiB sends), %s MiB, medians: %.2fx.\n' "$large" \
  "$(echo "$(median ${cpu[firehose:$large]}) / $(median ${floor_total[+ send over loopback TCP]})" | bc -l)"
