#pragma once
// A histogram of durations for the producer's latency metrics: recording is
// lock-free (a few relaxed atomic additions, no allocation), so any number of
// sender and callback threads can record while another thread reads
// percentiles.
//
// Buckets are logarithmic, HdrHistogram style: below 2^kSubBucketBits ns one
// bucket per nanosecond, above that every power of two is split into
// 2^kSubBucketBits equal buckets. A bucket is then at most 1/32 of its lower
// bound wide, and a percentile, reported at the bucket's middle, is within
// kMaxRelativeError (1.6 %) of the exact one. Range: 0 to 2^40 ns (18 min);
// longer durations count as 2^40 ns (max() still reports them exactly).
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "firehose/producer_metrics.hpp"

namespace firehose::producer {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 5;
  static constexpr int kRangeBits = 40;                                     // 2^40 ns, about 18.3 minutes
  static constexpr double kMaxRelativeError = 1.0 / (2 << kSubBucketBits);  // half a bucket: 1/64

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  // Thread-safe, lock-free. Negative durations count as zero.
  void record(std::chrono::nanoseconds duration);

  // Readers see every record() that happened before the call, and may or may
  // not see those that run concurrently with it.
  std::uint64_t count() const;
  std::chrono::nanoseconds max() const;
  // The nearest-rank percentile: the smallest recorded value (to within
  // kMaxRelativeError) that at least `fraction` of the values do not exceed.
  // `fraction` is clamped to [0, 1]; zero when nothing was recorded.
  std::chrono::nanoseconds percentile(double fraction) const;
  // count, p50, p90, p99 and max, in milliseconds.
  LatencySummary summary() const;

  // The bucket counts at one moment. Two of them give the statistics of what
  // was recorded in between (the metrics publisher's per-interval statistic
  // sets) without adding anything to record(): no running sum or minimum to
  // keep, and no reset racing with writers.
  struct Counts {
    std::vector<std::uint64_t> buckets;  // empty: taken before anything was recorded (all zeros)
    std::uint64_t max_ns = 0;            // the largest value recorded before the copy
  };
  Counts counts() const;

  // What was recorded between `earlier` and `later` (counts() of the same
  // histogram, in that order). Each value counts as the middle of its bucket
  // (never above later.max_ns), so sum, minimum and maximum are within
  // kMaxRelativeError of the exact ones, and minimum <= sum / count <= maximum.
  struct IntervalStatistics {
    std::uint64_t count = 0;
    double sum_ms = 0;
    double minimum_ms = 0;
    double maximum_ms = 0;
  };
  static IntervalStatistics between(const Counts& earlier, const Counts& later);

  // Bucket arithmetic, exposed for tests.
  static std::size_t bucket_index(std::uint64_t nanoseconds);
  static std::uint64_t bucket_lower_bound(std::size_t index);
  static std::uint64_t bucket_width(std::size_t index);

 private:
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
  static constexpr std::size_t kBucketCount = (kRangeBits - kSubBucketBits + 1) * kSubBuckets;

  std::array<std::uint64_t, kBucketCount> snapshot(std::uint64_t& total) const;
  static std::uint64_t percentile_of(const std::array<std::uint64_t, kBucketCount>& buckets, std::uint64_t total,
                                     double fraction, std::uint64_t max);

  // No separate count: one atomic addition less per record; readers sum.
  std::array<std::atomic<std::uint64_t>, kBucketCount> buckets_{};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace firehose::producer
