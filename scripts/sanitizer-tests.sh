#!/usr/bin/env bash
# The test suite under a sanitizer build (make asan / make tsan): the unit
# tests, then the integration suite in its short mode (FIREHOSE_TEST_SHORT:
# fewer records; FIREHOSE_TEST_SLOWDOWN and FIREHOSE_TEST_MEMORY_FACTOR stretch
# the stall and memory bounds) with the
# instrumented firehose and firehose-local. Every report a process of the
# integration suite writes (servers included, whose exit status no test reads)
# lands in BUILD_DIR/sanitizer-reports and fails the run.
# test_resources is left out: it runs the TypeScript resources (Node.js), none
# of our binaries. UNIT_SUITES (suite names separated by |; the Makefile's
# TSAN_UNIT_SUITES under TSan) limits the unit tests to those suites: the TSan
# build compiles only their files. Under both sanitizers the unit tests run in
# short mode (FIREHOSE_TEST_SHORT: property tests make fewer rounds), and the
# simulation suite is left out: one thread doing arithmetic on a simulated
# clock, whose code the AdaptiveRateLimiter suite runs under both; it took 48
# of ASan's 580 CPU-seconds of unit tests (docs/testing.md).
# Usage: scripts/sanitizer-tests.sh BUILD_DIR address|thread
set -uo pipefail
build_dir=$(cd "${1:?usage: sanitizer-tests.sh BUILD_DIR address|thread}" && pwd)
mode=${2:?usage: sanitizer-tests.sh BUILD_DIR address|thread}
jobs=${JOBS:-$(nproc)}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
reports=$build_dir/sanitizer-reports
ubsan="print_stacktrace=1:halt_on_error=1"
case $mode in
  address)
    export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="$ubsan"
    slowdown=${ASAN_SLOWDOWN:-3}
    memory_factor=3  # a 100 MB line held whole would still be far above: see test_producer_faults
    report_var=ASAN_OPTIONS ;;
  thread)
    export TSAN_OPTIONS="halt_on_error=1:suppressions=$source_dir/tests/tsan.supp:${TSAN_OPTIONS:-}"
    slowdown=${TSAN_SLOWDOWN:-8}
    memory_factor=4
    report_var=TSAN_OPTIONS ;;
  *) echo "error: mode '$mode' is not address or thread"; exit 2 ;;
esac

# The unit tests run as $jobs shards of the one binary (gtest's own sharding), not
# one process per test through ctest: an instrumented process takes about half a
# second to start, and 800 of them cost about 7 of the ASan stage's 24 minutes on
# CI; in two shards the whole unit run takes 38 s here (docs/testing.md). Each
# shard is bounded by `timeout`, as ctest bounded each test.
gtest_filter='-RateLimiterSimulation.*'
[ -n "${UNIT_SUITES:-}" ] && gtest_filter="$(echo "$UNIT_SUITES" | sed 's/|/.*:/g').*"

run_unit_shards() {
  local shard pids=() failed=0
  for ((shard = 0; shard < jobs; shard++)); do
    FIREHOSE_TEST_SHORT=1 GTEST_TOTAL_SHARDS=$jobs GTEST_SHARD_INDEX=$shard \
      timeout --signal=ABRT 1200 "$build_dir/tests/unit_tests" --gtest_brief=1 --gtest_filter="$gtest_filter" \
      >"$build_dir/unit-shard-$shard.log" 2>&1 &
    pids+=($!)
  done
  for ((shard = 0; shard < jobs; shard++)); do
    if wait "${pids[$shard]}"; then
      echo "unit tests, shard $((shard + 1)) of $jobs: $(grep -E '^\[==========\]' "$build_dir/unit-shard-$shard.log" | tail -n 1)"
    else
      failed=1
      echo "unit tests, shard $((shard + 1)) of $jobs FAILED (exit $?); its output:"
      cat "$build_dir/unit-shard-$shard.log"
    fi
  done
  # A filter that matches nothing is a broken stage, not a pass.
  if ! grep -qE '^\[  PASSED  \] [1-9]' "$build_dir"/unit-shard-*.log; then
    echo "no unit test ran (filter: $gtest_filter)"
    failed=1
  fi
  return $failed
}

cd "$build_dir" || exit 2
rm -f "$build_dir"/unit-shard-*.log
run_unit_shards || exit 1

rm -rf "$reports" && mkdir -p "$reports"
export "$report_var=${!report_var}:log_path=$reports/report"
[ "$mode" = address ] && export UBSAN_OPTIONS="$ubsan:log_path=$reports/report"
# test_library_package is left out too: it builds examples/ as an outside project against the
# installed archive, which an instrumented build cannot link without the sanitizer's runtime (the
# Release run covers the package). So is test_public_headers: it compiles the public headers
# with the system compiler and runs none of our binaries (18 s under ASan, 27 under TSan).
FIREHOSE_TEST_SHORT=1 FIREHOSE_TEST_SLOWDOWN=$slowdown FIREHOSE_TEST_MEMORY_FACTOR=$memory_factor \
  FIREHOSE_TEST_SANITIZER=$mode \
  ctest --output-on-failure -j "$jobs" -L integration -E 'integration\.(test_resources|test_library_package|test_public_headers)'
status=$?
if [ -n "$(ls "$reports")" ]; then
  echo "sanitizer reports written during the integration suite ($reports):"
  for report in "$reports"/*; do echo "== $report"; head -80 "$report"; done
  exit 1
fi
exit $status
