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
failed=()
for target in "${targets[@]}"; do
  binary=$build_dir/fuzz/$target
  [ -x "$binary" ] || { echo "error: $binary not built (make fuzz builds it)"; exit 2; }
  work=$build_dir/fuzz/work/$target
  artifacts=$build_dir/fuzz/artifacts/$target/
  mkdir -p "$work" "$artifacts"
  cp -n "$here/corpus/$target"/* "$work"/ 2>/dev/null
  log=$build_dir/fuzz/$target.log
  echo "== $target: ${seconds}s"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$work" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | tr '\n' ' '; echo
  else
    failed+=("$target")
    echo "FAILED $target: the input that failed is in $artifacts; the log ($log) ends with:"
    tail -40 "$log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers that failed: ${failed[*]}"
  exit 1
fi
echo "fuzzers: ${#targets[@]} ran ${seconds}s each, no failure"
