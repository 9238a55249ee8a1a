# Shared helpers for the bench/*.sh scripts (sourced, not run).
# BUILD: the Release build tree with -DFIREHOSE_BENCH=ON; WORK: scratch dir.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-build-bench}
REPEATS=${REPEATS:-3}
export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

# start_local ARGS...: starts firehose-local on a free port; sets LOCAL_PID, LOCAL_URL.
start_local() {
  "$BUILD/firehose-local" --port 0 --log-level error --create-delay 0 "$@" > "$WORK/local.out" 2> "$WORK/local.err" &
  LOCAL_PID=$!
  for _ in $(seq 200); do grep -q listening "$WORK/local.out" 2>/dev/null && break; sleep 0.05; done
  LOCAL_URL=$(awk '/listening on/ {print $NF}' "$WORK/local.out")
  [ -n "$LOCAL_URL" ] || { echo "firehose-local did not start" >&2; cat "$WORK/local.err" >&2; return 1; }
  export AWS_ENDPOINT_URL=$LOCAL_URL
}
# Reads the inputs into the page cache before a measured run: this machine gives idle page cache
# back, and a 1 GiB input read from disk costs its reader about 2 CPU-s more (docs/benchmarks.md).
warm_input() { cat "$@" > /dev/null; }

stop_local() { kill "$LOCAL_PID" 2>/dev/null; wait "$LOCAL_PID" 2>/dev/null || true; }

# cpu_seconds PID: user+sys CPU seconds the process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

create_stream() { python3 "$here/tools/local_admin.py" "$LOCAL_URL" create "$1"; }

# lines_file PATH BYTES LINE_BYTES: PATH filled with identical LINE_BYTES-byte lines.
lines_file() {
  [ -s "$1" ] && [ "$(stat -c %s "$1")" -eq "$2" ] && return 0
  local line; line=$(head -c $(($3 - 1)) /dev/zero | tr "\0" x)
  { yes "$line" || true; } | head -c "$2" > "$1"
}

# stats VALUES...: "median (min–max)" with printf format FMT (default %.2f).
stats() {
  local fmt=${FMT:-%.2f}
  printf '%s\n' "$@" | sort -g | awk -v f="$fmt" '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
    printf f " (" f "–" f ")", m, v[1], v[NR]}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# ratio "A_VALUES" "B_VALUES": median of B / median of A (the B/A line of the compare scripts).
ratio() { echo "$(median $2) / $(median $1)" | bc -l; }
