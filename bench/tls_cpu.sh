#!/usr/bin/env bash
# What TLS costs the producer: `firehose send` of 1 KiB lines against firehose-local
# (--sink discard, quotas off) over HTTP and over HTTPS (a self-signed P-256 certificate made
# here, trusted through AWS_CA_BUNDLE), runs interleaved (HTTP HTTPS HTTP ...) so that machine
# load drifts over both alike. Prints client CPU-s/GiB (user, sys) and records/s per scheme,
# and the HTTPS/HTTP ratio of the CPU medians.
# Usage: bench/tls_cpu.sh [MiB] [repeats]   (BUILD: a Release tree, default build-bench)
set -euo pipefail
size=${1:-256}; REPEATS=${2:-${REPEATS:-3}}
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d); DATA=${DATA:-$WORK}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
lines_file "$DATA/lines-$size.txt" $((size * 1048576)) 1024
quotas_off=(--sink discard --quota-bytes 0 --quota-requests 0 --quota-records 0)
declare -A url pid cpu user sys rate
for scheme in http https; do
  tls=(); [ "$scheme" = https ] && tls=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")
  start_local "${quotas_off[@]}" "${tls[@]}"
  AWS_CA_BUNDLE=$WORK/cert.pem create_stream bench
  url[$scheme]=$LOCAL_URL; pid[$scheme]=$LOCAL_PID
  mv "$WORK/local.out" "$WORK/local-$scheme.out"
done
for _ in $(seq "$REPEATS"); do
  for scheme in http https; do
    warm_input "$DATA/lines-$size.txt"
    AWS_ENDPOINT_URL=${url[$scheme]} AWS_CA_BUNDLE=$WORK/cert.pem /usr/bin/time -f "%U %S %e" -o "$WORK/time.txt" \
      "$BUILD/firehose" send --delivery-stream-name bench "$DATA/lines-$size.txt" > "$WORK/out.txt" 2> "$WORK/send.err"
    read -r u s e < "$WORK/time.txt"
    records=$(tail -1 "$WORK/out.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"]==0, d; print(d["records"])')
    gib=$(echo "$size / 1024" | bc -l)
    cpu[$scheme]+="$(echo "($u + $s) / $gib" | bc -l) "; user[$scheme]+="$(echo "$u / $gib" | bc -l) "
    sys[$scheme]+="$(echo "$s / $gib" | bc -l) "; rate[$scheme]+="$(echo "$records / $e" | bc -l) "
  done
done
for scheme in http https; do kill "${pid[$scheme]}"; wait "${pid[$scheme]}" 2>/dev/null || true; done
echo "| scheme | client CPU-s/GiB | user | sys | records/s |"
echo '|---|---|---|---|---|'
for scheme in http https; do
  printf '| %s | %s | %s | %s | %s |\n' "$scheme" "$(stats ${cpu[$scheme]})" "$(stats ${user[$scheme]})" \
    "$(stats ${sys[$scheme]})" "$(FMT=%.0f stats ${rate[$scheme]})"
done
printf '\nHTTPS/HTTP, medians: CPU %.2f (%s MiB of 1 KiB lines, %s runs each, load %s at the end).\n' \
  "$(echo "$(median ${cpu[https]}) / $(median ${cpu[http]})" | bc -l)" "$size" "$REPEATS" "$(cut -d' ' -f1 /proc/loadavg)"
