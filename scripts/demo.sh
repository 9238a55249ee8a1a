#!/usr/bin/env bash
# The AWS code example "Kinesis Data Firehose: put records" on this machine,
# without an AWS account: firehose-local on a free port (data under
# $BUILD_DIR/demo), a delivery stream, `firehose workflow` with the example's
# 2,550 generated records, then what landed, counted from the delivered files
# and compared with what was sent, and the stream's CloudWatch metrics.
# The server is stopped whatever happens. `make demo` runs it after building.
#
# Environment: BUILD_DIR (build), DEMO_DIR ($BUILD_DIR/demo), DEMO_COUNT (2550),
# DEMO_STREAM (demo-events).
set -euo pipefail

BUILD_DIR=${BUILD_DIR:-build}
DEMO_DIR=${DEMO_DIR:-$BUILD_DIR/demo}
COUNT=${DEMO_COUNT:-2550}
STREAM=${DEMO_STREAM:-demo-events}
BUCKET=demo-bucket
FIREHOSE=$BUILD_DIR/firehose
FIREHOSE_LOCAL=$BUILD_DIR/firehose-local

fail() { echo "demo: error: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*" >&2; }

[ -x "$FIREHOSE" ] && [ -x "$FIREHOSE_LOCAL" ] || fail "$FIREHOSE and $FIREHOSE_LOCAL must be built first (make build)"

# A fresh data directory every run, so that a second run counts only its own records.
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

step "Starting firehose-local (data under $DEMO_DIR/data, log $DEMO_DIR/firehose-local.log)"
"$FIREHOSE_LOCAL" --port 0 --data-dir "$DEMO_DIR/data" --create-delay 0.2 \
  >"$DEMO_DIR/firehose-local.out" 2>"$DEMO_DIR/firehose-local.log" &
server_pid=$!
echo "$server_pid" >"$DEMO_DIR/firehose-local.pid"
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^firehose-local listening on //p' "$DEMO_DIR/firehose-local.out")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "firehose-local exited: $(tail -3 "$DEMO_DIR/firehose-local.log")"
  sleep 0.1
done
[ -n "$url" ] || fail "firehose-local printed no address within 30 s"
echo "firehose-local listening on $url" >&2

# Only the demo's settings: no profile, keys or config of this machine's user.
export AWS_ENDPOINT_URL="$url" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_FIREHOSE AWS_ENDPOINT_URL_CLOUDWATCH
export XDG_CONFIG_HOME="$DEMO_DIR/config"

step "Creating delivery stream $STREAM (S3 destination: bucket $BUCKET in the data directory)"
"$FIREHOSE" create-delivery-stream --delivery-stream-name "$STREAM" \
  --bucket-arn "arn:aws:s3:::$BUCKET" --role-arn arn:aws:iam::123456789012:role/firehose-demo >/dev/null
for _ in $(seq 1 100); do
  status=$("$FIREHOSE" describe-delivery-stream --delivery-stream-name "$STREAM" \
           | python3 -c 'import json,sys; print(json.load(sys.stdin)["DeliveryStreamDescription"]["DeliveryStreamStatus"])')
  [ "$status" = ACTIVE ] && break
  sleep 0.1
done
[ "${status:-}" = ACTIVE ] || fail "stream $STREAM not ACTIVE (status '${status:-unknown}')"

step "firehose workflow: $COUNT generated records, the first 100 with PutRecord, the rest with PutRecordBatch"
"$FIREHOSE" workflow --delivery-stream-name "$STREAM" --count "$COUNT" >"$DEMO_DIR/summary.json" \
  || fail "firehose workflow failed (exit $?)"
summary=$(tail -1 "$DEMO_DIR/summary.json")
read -r sent acknowledged sent_bytes < <(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["records"], s["acknowledged"], s["bytes"])' "$summary")

step "What landed in $DEMO_DIR/data/$BUCKET (after POST /_local/flush)"
python3 -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_local/flush", data=b"", method="POST"), timeout=60).read()' "$url"
objects=$(find "$DEMO_DIR/data/$BUCKET" -type f | wc -l)
records=$(find "$DEMO_DIR/data/$BUCKET" -type f -exec cat {} + | wc -l)
bytes=$(find "$DEMO_DIR/data/$BUCKET" -type f -exec cat {} + | wc -c)
printf '%-13s %8s %10s\n' "" records bytes
printf '%-13s %8s %10s\n' sent "$sent" "$sent_bytes" acknowledged "$acknowledged" "$sent_bytes" delivered "$records" "$bytes"
echo "$objects objects, e.g. $(find "$DEMO_DIR/data/$BUCKET" -type f | sort | head -1)"
if [ "$records" != "$COUNT" ] || [ "$acknowledged" != "$COUNT" ] || [ "$bytes" != "$sent_bytes" ]; then
  fail "delivered $records records / $bytes bytes, but generated $COUNT and acknowledged $acknowledged records / $sent_bytes bytes"
fi
echo "OK: every record sent was delivered, byte for byte."

step "CloudWatch metrics of $STREAM (firehose metrics)"
"$FIREHOSE" metrics --delivery-stream-name "$STREAM" --since 10m

stop_server
step "Done. firehose-local stopped; its data stays in $DEMO_DIR/data (make demo again starts afresh)."
