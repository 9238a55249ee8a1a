#include "firehose/producer/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace firehose::producer {
namespace {

constexpr std::uint64_t kLargest = (std::uint64_t{1} << LatencyHistogram::kRangeBits) - 1;

double to_milliseconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e6; }

}  // namespace

std::size_t LatencyHistogram::bucket_index(std::uint64_t nanoseconds) {
  const std::uint64_t value = std::min(nanoseconds, kLargest);
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  // The leading one and the kSubBucketBits bits after it pick the bucket.
  const int shift = std::bit_width(value) - 1 - kSubBucketBits;
  return static_cast<std::size_t>(shift) * kSubBuckets + static_cast<std::size_t>(value >> shift);
}

std::uint64_t LatencyHistogram::bucket_lower_bound(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::size_t shift = index / kSubBuckets - 1;
  return static_cast<std::uint64_t>(index % kSubBuckets + kSubBuckets) << shift;
}

std::uint64_t LatencyHistogram::bucket_width(std::size_t index) {
  if (index < kSubBuckets) return 1;
  return std::uint64_t{1} << (index / kSubBuckets - 1);
}

void LatencyHistogram::record(std::chrono::nanoseconds duration) {
  const std::uint64_t value = duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0;
  buckets_[bucket_index(value)].fetch_add(1, std::memory_order_relaxed);
  std::uint64_t seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

std::array<std::uint64_t, LatencyHistogram::kBucketCount> LatencyHistogram::snapshot(std::uint64_t& total) const {
  std::array<std::uint64_t, kBucketCount> copy{};
  total = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    copy[i] = buckets_[i].load(std::memory_order_relaxed);
    total += copy[i];
  }
  return copy;
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

std::chrono::nanoseconds LatencyHistogram::max() const {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(max_.load(std::memory_order_relaxed)));
}

std::uint64_t LatencyHistogram::percentile_of(const std::array<std::uint64_t, kBucketCount>& buckets,
                                              std::uint64_t total, double fraction, std::uint64_t max) {
  if (total == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += buckets[i];
    if (seen >= rank) {
      // The middle of the bucket, but never above the largest value recorded
      // (a single slow request must not read as slower than it was).
      return std::min(bucket_lower_bound(i) + bucket_width(i) / 2, max);
    }
  }
  return max;  // unreachable while the buckets sum to total
}

std::chrono::nanoseconds LatencyHistogram::percentile(double fraction) const {
  std::uint64_t total = 0;
  const auto buckets = snapshot(total);
  const std::uint64_t max = max_.load(std::memory_order_relaxed);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(percentile_of(buckets, total, fraction, max)));
}

LatencySummary LatencyHistogram::summary() const {
  std::uint64_t total = 0;
  const auto buckets = snapshot(total);
  const std::uint64_t max = max_.load(std::memory_order_relaxed);
  LatencySummary summary;
  summary.count = total;
  if (total == 0) return summary;
  summary.p50_ms = to_milliseconds(percentile_of(buckets, total, 0.50, max));
  summary.p90_ms = to_milliseconds(percentile_of(buckets, total, 0.90, max));
  summary.p99_ms = to_milliseconds(percentile_of(buckets, total, 0.99, max));
  summary.max_ms = to_milliseconds(max);
  return summary;
}

LatencyHistogram::Counts LatencyHistogram::counts() const {
  Counts counts;
  counts.buckets.resize(kBucketCount);
  for (std::size_t i = 0; i < kBucketCount; ++i) counts.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  // After the buckets, so that every value they count (but one whose record()
  // is still running) is at most max_ns, the bound between() clamps to.
  counts.max_ns = max_.load(std::memory_order_relaxed);
  return counts;
}

LatencyHistogram::IntervalStatistics LatencyHistogram::between(const Counts& earlier, const Counts& later) {
  IntervalStatistics statistics;
  bool first = true;
  for (std::size_t i = 0; i < later.buckets.size(); ++i) {
    const std::uint64_t before = i < earlier.buckets.size() ? earlier.buckets[i] : 0;
    if (later.buckets[i] <= before) continue;
    const std::uint64_t added = later.buckets[i] - before;
    const double value = to_milliseconds(std::min(bucket_lower_bound(i) + bucket_width(i) / 2, later.max_ns));
    statistics.count += added;
    statistics.sum_ms += value * static_cast<double>(added);
    if (first) statistics.minimum_ms = value;
    statistics.maximum_ms = value;  // buckets ascend
    first = false;
  }
  return statistics;
}

}  // namespace firehose::producer
