#!/usr/bin/env bash
# The test suite under a sanitizer build (make asan / make tsan): the unit
# tests, then the integration suite in its short mode (FIREHOSE_TEST_SHORT:
# fewer records; FIREHOSE_TEST_SLOWDOWN and FIREHOSE_TEST_MEMORY_FACTOR stretch
# the stall and memory bounds) with the
# instrumented firehose and firehose-local. Every report a process of the
# integration suite writes (servers included, whose exit status no test reads)
# lands in BUILD_DIR/sanitizer-reports and fails the run.
# test_resources is left out: it runs the TypeScript resources (Node.js), none
# of our binaries. Under TSan the unit tests are those of the parts that run
# threads (the producer and its sender, retrier, dead-letter writer and
# metrics publisher, the libcurl client and the scripted servers it talks to,
# credential caching and providers, firehose-local's server, gate and
# delivery): a race needs two threads, the single-threaded suites run under
# ASan, and this halves TSan's unit run (docs/testing.md).
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

# RateLimiterSimulation is left out: one thread on a simulated clock, nothing
# for TSan to see, and 8 s of CPU in Release, which TSan multiplies.
tsan_unit_suites='Producer|Dispatcher|Admission|Sender|Retrier|DeadLetter|MetricsPublisher|LatencyHistogram|OutcomeResolver'
tsan_unit_suites+='|AdaptiveRateLimiter|BatchPut|CurlHttpClientTest|CurlHttpsTest'
tsan_unit_suites+='|CloudWatchClientWireTest|CachingProvider|ContainerProvider|ImdsProvider|AssumeRoleProvider'
tsan_unit_suites+='|StsClient|WebIdentityProvider|DefaultChain|LocalServerTest|DeliveryDirectory|DeliveryRecovery'
tsan_unit_suites+='|MetricsStoreTest'
unit_filter=()
[ "$mode" = thread ] && unit_filter=(-R "^($tsan_unit_suites)\\.")

cd "$build_dir" || exit 2
ctest --output-on-failure --no-tests=error -j "$jobs" -L unit "${unit_filter[@]}" || exit 1

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
