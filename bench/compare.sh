#!/usr/bin/env bash
# Two builds of `firehose send` side by side in one run: the same input, runs interleaved
# (A B A B ...) against one firehose-local (--sink discard, quotas off, served by build B),
# so that machine load drifts over both alike. Prints client CPU-s/GiB (user, sys), peak RSS,
# records/s and voluntary context switches per GiB, with B/A ratios of the medians.
# Usage: bench/compare.sh BUILD_A BUILD_B [MiB] [repeats]   e.g. a worktree of the last
# release's Release build against build-bench. LINE=100 for 100-byte lines (default 1024).
set -euo pipefail
A=$1; B=$2; size=${3:-1024}; REPEATS=${4:-${REPEATS:-5}}
BUILD=$B
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d); DATA=${DATA:-$WORK}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_local --sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0
create_stream bench
LINE=${LINE:-1024}
input=$DATA/lines-$size.txt; [ "$LINE" = 1024 ] || input=$DATA/lines-$size-$LINE.txt
lines_file "$input" $((size * 1048576)) "$LINE"
declare -A cpu user sys rss rate vcs
for r in $(seq "$REPEATS"); do
  for side in A B; do
    tree=$A; [ "$side" = B ] && tree=$B
    warm_input "$input"
    /usr/bin/time -f "%U %S %M %e %w" -o "$WORK/time.txt" "$tree/firehose" send --delivery-stream-name bench \
      "$input" > "$WORK/out.txt"
    read -r u s m e w < "$WORK/time.txt"
    records=$(tail -1 "$WORK/out.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"]==0, d; print(d["records"])')
    gib=$(echo "$size / 1024" | bc -l)
    cpu[$side]+="$(echo "($u + $s) / $gib" | bc -l) "; user[$side]+="$(echo "$u / $gib" | bc -l) "
    sys[$side]+="$(echo "$s / $gib" | bc -l) "; rss[$side]+="$(echo "$m / 1024" | bc -l) "
    rate[$side]+="$(echo "$records / $e" | bc -l) "; vcs[$side]+="$(echo "$w / $gib" | bc -l) "
  done
done
stop_local
echo "| build | client CPU-s/GiB | user | sys | peak RSS MiB | records/s | voluntary context switches/GiB |"
echo '|---|---|---|---|---|---|---|'
for side in A B; do
  tree=$A; [ "$side" = B ] && tree=$B
  printf '| %s (%s) | %s | %s | %s | %s | %s | %s |\n' "$side" "$tree" "$(stats ${cpu[$side]})" "$(stats ${user[$side]})" \
    "$(stats ${sys[$side]})" "$(FMT=%.1f stats ${rss[$side]})" "$(FMT=%.0f stats ${rate[$side]})" "$(FMT=%.0f stats ${vcs[$side]})"
done
printf '\nB/A, medians: CPU %.2f, user %.2f, sys %.2f, peak RSS %.2f, records/s %.2f (%s MiB of %s-byte lines, %s runs each, load %s at the end).\n' \
  "$(ratio "${cpu[A]}" "${cpu[B]}")" "$(ratio "${user[A]}" "${user[B]}")" "$(ratio "${sys[A]}" "${sys[B]}")" \
  "$(ratio "${rss[A]}" "${rss[B]}")" "$(ratio "${rate[A]}" "${rate[B]}")" "$size" "$LINE" "$REPEATS" "$(cut -d' ' -f1 /proc/loadavg)"
