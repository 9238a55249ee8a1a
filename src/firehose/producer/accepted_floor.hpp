#pragma once
// The rate limiter's floor tied to what the service accepts: never below a
// fraction of the typical accepted rate of the last `window` (the median of
// its samples, and at least half the highest), in the spirit of BBR's
// bottleneck-bandwidth filter. Whatever lowered the rate, the service was
// taking this much a moment ago; fixed minimums stay as a last resort.
#include <chrono>
#include <deque>
#include <utility>

#include "firehose/producer/rate_meter.hpp"

namespace firehose::producer {

class AcceptedFloor {
 public:
  AcceptedFloor(std::chrono::seconds window, double fraction, Rates minimum)
      : window_(window), fraction_(fraction), minimum_(minimum) {}

  // A sample of the accepted rate; samples less than 100 ms apart are one
  // (their maximum).
  void note(RateTime now, const Rates& rate);
  // fraction x the typical accepted rate, at least the minimum.
  Rates floor(RateTime now) const;

 private:
  const std::chrono::seconds window_;
  const double fraction_;
  const Rates minimum_;
  std::deque<std::pair<RateTime, Rates>> samples_;
};

}  // namespace firehose::producer
