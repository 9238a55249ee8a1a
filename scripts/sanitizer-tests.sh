#!/usr/bin/env bash
# The test suite under a sanitizer build (make asan / make tsan): the unit
# tests, then the integration suite in its short mode (FIREHOSE_TEST_SHORT:
# fewer records; FIREHOSE_TEST_SLOWDOWN and FIREHOSE_TEST_MEMORY_FACTOR stretch
# the stall and memory bounds) with the
# instrumented firehose and firehose-local. Every report a process of the
# integration suite writes (servers included, whose exit status no test reads)
# lands in BUILD_DIR/sanitizer-reports and fails the run.
# test_resources is left out: it runs the TypeScript resources (Node.js), none
# of our binaries. UNIT_SUITES (a regex of suite names; the Makefile's
# TSAN_UNIT_SUITES under TSan) limits the unit tests to those suites: the TSan
# build compiles only their files. Under both sanitizers the unit tests run in
# short mode (FIREHOSE_TEST_SHORT: property tests make fewer rounds), and
unit_filter=(-E '^RateLimiterSimulation\.')
[ -n "${UNIT_SUITES:-}" ] && unit_filter=(-R "^(${UNIT_SUITES})\.")

cd "$build_dir" || exit 2
FIREHOSE_TEST_SHORT=1 ctest --output-on-failure --no-tests=error -j "$jobs" -L unit "${unit_filter[@]}" || exit 1

rm -rf "$reports" && mkdir -p "$reports"
export "$report_var=${!report_var}:log_path=$reports/report"
[ "$mode" = address ] && export UBSAN_OPTIONS="$ubsan:log_path=$reports/report"
# test_library_package is left out too: it builds examples/ as an outside project against the
# installed archive, which an instrumented build cannot link without the sanitizer's runtime (the
# Release run covers the package).
FIREHOSE_TEST_SHORT=1 FIREHOSE_TEST_SLOWDOWN=$slowdown FIREHOSE_TEST_MEMORY_FACTOR=$memory_factor \
  FIREHOSE_TEST_SANITIZER=$mode \
  ctest --output-on-failure -j "$jobs" -L integration -E 'integration\.(test_resources|test_library_package)'
status=$?
if [ -n "$(ls "$reports")" ]; then
  echo "sanitizer reports written during the integration suite ($reports):"
  for report in "$reports"/*; do echo "== $report"; head -80 "$report"; done
  exit 1
fi
exit $status
