#!/usr/bin/env bash
# Two builds of firehose-local side by side: the same `firehose send` (from BUILD, default
# build-bench) sends the same 1 KiB lines to a fresh firehose-local of each build in turn
# (A B A B ..., --sink discard, quotas off), and the server's own CPU (user + sys from
# /proc/PID/stat) is measured over the send. Prints server CPU-s/GiB (user, sys) with B/A
# ratios of the medians: the figure behind the goal "firehose-local ≥ 3× the producer". Also the
# client's CPU-s/GiB: on loopback the kernel wakes the server in the sender's context, so how the
# server waits for a body shows in the client's system time too.
# Usage: bench/local_compare.sh LOCAL_A LOCAL_B [MiB] [repeats]   (LOCAL_x: a firehose-local binary)
set -euo pipefail
A=$1; B=$2; size=${3:-1024}; REPEATS=${4:-${REPEATS:-5}}
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d); DATA=${DATA:-$WORK}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
lines_file "$DATA/lines-$size.txt" $((size * 1048576)) 1024
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
declare -A cpu user sys client
gib=$(echo "$size / 1024" | bc -l)
for r in $(seq "$REPEATS"); do
  for side in A B; do
    server=$A; [ "$side" = B ] && server=$B
    mkdir -p "$WORK/bin-$side"; ln -sf "$(realpath "$server")" "$WORK/bin-$side/firehose-local"
    BUILD_SAVED=$BUILD; BUILD=$WORK/bin-$side
    start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
    BUILD=$BUILD_SAVED
    create_stream bench > /dev/null
    read -r u0 s0 < <(ticks "$LOCAL_PID")
    /usr/bin/time -f "%U %S" -o "$WORK/time.txt" "$BUILD/firehose" send --delivery-stream-name bench \
      "$DATA/lines-$size.txt" > "$WORK/out.txt" 2> "$WORK/send.err"
    read -r u1 s1 < <(ticks "$LOCAL_PID")
    tail -1 "$WORK/out.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"]==0, d'
    stop_local
    u=$(echo "($u1 - $u0) / $hz / $gib" | bc -l); s=$(echo "($s1 - $s0) / $hz / $gib" | bc -l)
    cpu[$side]+="$(echo "$u + $s" | bc -l) "; user[$side]+="$u "; sys[$side]+="$s "
    read -r cu cs < "$WORK/time.txt"; client[$side]+="$(echo "($cu + $cs) / $gib" | bc -l) "
  done
done
echo "| firehose-local | server CPU-s/GiB | user | sys | client CPU-s/GiB |"
echo '|---|---|---|---|---|'
for side in A B; do
  server=$A; [ "$side" = B ] && server=$B
  printf '| %s (%s) | %s | %s | %s | %s |\n' "$side" "$server" "$(stats ${cpu[$side]})" "$(stats ${user[$side]})" \
    "$(stats ${sys[$side]})" "$(stats ${client[$side]})"
done
printf '\nB/A, medians: server CPU %.2f, user %.2f, sys %.2f, client CPU %.2f (%s MiB of 1 KiB lines, %s runs each, load %s at the end).\n' \
  "$(ratio "${cpu[A]}" "${cpu[B]}")" "$(ratio "${user[A]}" "${user[B]}")" "$(ratio "${sys[A]}" "${sys[B]}")" \
  "$(ratio "${client[A]}" "${client[B]}")" "$size" "$REPEATS" "$(cut -d' ' -f1 /proc/loadavg)"
