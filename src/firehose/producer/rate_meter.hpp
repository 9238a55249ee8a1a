#pragma once
// What the rate limiter measures with: an amount of records, bytes and
// requests (or their rates per second), and a meter of the rate at which
// amounts go by.
#include <chrono>
#include <cstdint>

namespace firehose::producer {

using RateTime = std::chrono::steady_clock::time_point;

struct Rates {
  double records = 0, bytes = 0, requests = 0;
};

double seconds_between(RateTime from, RateTime to);

// Counts amounts in fixed half-second buckets and smooths the per-bucket
// rate exponentially, each new bucket weighing 0.8 (botocore's RateClocker).
class RateMeter {
 public:
  void record(RateTime now, const Rates& amount);
  // Per second. Within the first bucket, what was counted over the time
  // elapsed (at least a quarter of a second).
  Rates rate(RateTime now) const;

 private:
  std::int64_t bucket_of(RateTime now) const;
  bool started_ = false;
  RateTime start_{};
  std::int64_t current_bucket_ = 0;
  Rates count_{};
  Rates smoothed_{};
  int buckets_closed_ = 0;
};

}  // namespace firehose::producer
