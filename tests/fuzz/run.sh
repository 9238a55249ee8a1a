#!/usr/bin/env bash
# Runs every fuzzer of tests/fuzz for FUZZ_SECONDS each (default 30), from its
# committed seed corpus (copied: the run's finds stay in the build tree), and
# fails when any of them finds a crash, a leak, undefined behaviour, a hang
# (an input slower than 10 s) or an input taking over 2 GB.
# Usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]
set -uo pipefail
build_dir=${1:?usage: run.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-30}
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$here/corpus" && ls))
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Targets run FUZZ_JOBS at a time (default: one per core): each fuzzer is a
# single process on one core, and CI's fuzz stage would otherwise leave the
# other core idle for half its length.
jobs=${FUZZ_JOBS:-$(nproc)}
run_one() {
  local target=$1
  local binary=$build_dir/fuzz/$target
  local work=$build_dir/fuzz/work/$target
  local artifacts=$build_dir/fuzz/artifacts/$target/
  local log=$build_dir/fuzz/$target.log
  mkdir -p "$work" "$artifacts"
  cp -n "$here/corpus/$target"/* "$work"/ 2>/dev/null
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$work" >"$log" 2>&1; then
    echo "== $target: ${seconds}s: $(grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | tr '\n' ' ')"
  else
    echo "FAILED $target: the input that failed is in $artifacts; the log ($log) ends with:"
    tail -40 "$log"
    return 1
  fi
}
for target in "${targets[@]}"; do
  [ -x "$build_dir/fuzz/$target" ] || { echo "error: $build_dir/fuzz/$target not built (make fuzz builds it)"; exit 2; }
done
failed=()
declare -A running=()  # pid -> target
reap() {  # waits for one running fuzzer and records its failure
  local pid
  wait -n -p pid "${!running[@]}"
  local status=$?
  [ $status -eq 0 ] || failed+=("${running[$pid]}")
  unset "running[$pid]"
}
for target in "${targets[@]}"; do
  while [ ${#running[@]} -ge "$jobs" ]; do reap; done
  run_one "$target" &
  running[$!]=$target
done
while [ ${#running[@]} -gt 0 ]; do reap; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers that failed: ${failed[*]}"
  exit 1
fi
echo "fuzzers: ${#targets[@]} ran ${seconds}s each, $jobs at a time, no failure"
