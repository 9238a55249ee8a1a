#!/usr/bin/env bash
# Peer (e): the AWS CLI v1 as a shell user would drive it: the input cut into files of 500
# records (one Python process writes them as the CLI's --records JSON; the CLI sends each Data
# string as given, base64-encoding it for the wire), then one `aws firehose put-record-batch`
# process per file, FailedPutCount read from each answer; nothing retried but what the CLI's own
# retry mode retries (whole calls). Small inputs only: every call starts a Python interpreter.
# Usage: aws_cli.sh STREAM FILE   (endpoint from AWS_ENDPOINT_URL). Prints one JSON summary line.
set -euo pipefail
stream=$1; input=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
python3 - "$input" "$work" <<'PY'
import json, sys
batch, n = [], 0
def flush():
    global batch, n
    if batch:
        with open(f"{sys.argv[2]}/batch-{n:06d}-{len(batch)}.json", "w") as f:  # the count in the name
            json.dump([{"Data": line} for line in batch], f)
        n += 1
        batch = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        batch.append(line)
        if len(batch) == 500:
            flush()
flush()
PY
records=0; failed=0; acknowledged=0
for file in "$work"/batch-*.json; do
  count=${file##*-}; count=${count%.json}
  records=$((records + count))
  if answer=$(aws firehose put-record-batch --endpoint-url "$AWS_ENDPOINT_URL" --delivery-stream-name "$stream" \
                --records "file://$file" --query FailedPutCount --output text 2> "$work/err"); then
    failed=$((failed + answer)); acknowledged=$((acknowledged + count - answer))
  else
    failed=$((failed + count)); echo "put-record-batch failed: $(tail -1 "$work/err")" >&2
  fi
done
end=$(date +%s.%N)
printf '{"records": %d, "acknowledged": %d, "failed": %d, "seconds": %.3f}\n' \
  "$records" "$acknowledged" "$failed" "$(echo "$end - $start" | bc -l)"
