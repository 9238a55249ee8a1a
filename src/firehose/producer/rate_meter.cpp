#include "firehose/producer/rate_meter.hpp"

#include <algorithm>
#include <cmath>

namespace firehose::producer {
namespace {

// botocore's RateClocker: 0.5 s buckets, each new bucket's rate weighs 0.8.
constexpr double kMeterBucketSeconds = 0.5;
constexpr double kMeterSmoothing = 0.8;

}  // namespace

double seconds_between(RateTime from, RateTime to) { return std::chrono::duration<double>(to - from).count(); }

std::int64_t RateMeter::bucket_of(RateTime now) const {
  return static_cast<std::int64_t>(std::floor(seconds_between(start_, now) / kMeterBucketSeconds));
}

Rates RateMeter::rate(RateTime now) const {
  if (!started_) return {};
  const std::int64_t bucket = bucket_of(now);
  if (bucket > current_bucket_) {
    // The bucket in progress has ended: what record() will fold in.
    const double seconds = static_cast<double>(bucket - current_bucket_) * kMeterBucketSeconds;
    const Rates instant{count_.records / seconds, count_.bytes / seconds, count_.requests / seconds};
    if (buckets_closed_ == 0) return instant;
    return {kMeterSmoothing * instant.records + (1 - kMeterSmoothing) * smoothed_.records,
            kMeterSmoothing * instant.bytes + (1 - kMeterSmoothing) * smoothed_.bytes,
            kMeterSmoothing * instant.requests + (1 - kMeterSmoothing) * smoothed_.requests};
  }
  if (buckets_closed_ > 0) return smoothed_;
  // Within the first bucket the time elapsed can be a few milliseconds, in
  // which the service may have granted a whole burst allowance: dividing by
  // at least half a bucket errs low, but not so low that the climb back up
  // takes long (an estimate too high costs one more decrease a round trip
  // later; one too low costs a slow climb).
  const double elapsed = std::max(seconds_between(start_, now), kMeterBucketSeconds / 2);
  return {count_.records / elapsed, count_.bytes / elapsed, count_.requests / elapsed};
}

void RateMeter::record(RateTime now, const Rates& amount) {
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  const std::int64_t bucket = bucket_of(now);
  if (bucket > current_bucket_) {
    smoothed_ = rate(now);
    ++buckets_closed_;
    count_ = {};
    current_bucket_ = bucket;
  }
  count_.records += amount.records;
  count_.bytes += amount.bytes;
  count_.requests += amount.requests;
}

}  // namespace firehose::producer
