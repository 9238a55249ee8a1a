#!/usr/bin/env bash
# Runs every benchmark and prints the docs/benchmarks.md result sections (markdown) on
# stdout; also kept in BUILD/benchmarks-latest.md. Not a test: numbers depend on the machine.
# Sizes can be lowered for a quick run: PRODUCER_MIB="64 256 16 512" QUOTA_SECONDS=20 bench/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build-bench}
out="$BUILD/benchmarks-latest.md"
{
  echo "## Results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg) at start)"
  echo
  bench/local_capacity.sh "${CAPACITY_SECONDS:-5}" 4 16 64; echo
  bench/producer.sh ${PRODUCER_MIB:-256 1024 32 4096}; echo
  bench/quota.sh "${QUOTA_SECONDS:-30}" 5; echo
  bench/packing.sh "${PACKING_MIB:-64}"
} | tee "$out"
