#pragma once
// The quota, measured by token conservation. Right after the service
// throttles a request, its buckets are empty. Between two such moments it
// took in exactly quota x the time between them and gave all of it out (the
// buckets never filled, being emptied), so what it accepted in between —
// the answers of the requests it handled after the first moment, up to and
// including the second, each placed when the service handled it — divided by
// the time *is* the quota, to within one request's timing.
#include <chrono>
#include <deque>
#include <optional>
#include <utility>

#include "firehose/producer/rate_meter.hpp"

namespace firehose::producer {

class QuotaEstimator {
 public:
  // What is older than `window` is forgotten; two moments closer than
  // `span_min` are too close to measure between.
  QuotaEstimator(std::chrono::seconds window, std::chrono::milliseconds span_min)
      : window_(window), span_min_(span_min) {}

  // An answer's accepted amount, placed when the service handled its request
  // (answers may come back out of that order); `now` forgets what is old.
  void accepted(RateTime handled, const Rates& amount, RateTime now);
  // The service's buckets were empty when it handled a request (it throttled
  // more of it than faults explain).
  void saturated(RateTime handled);

  // The quota between the latest empty moment at least span_min before
  // `until` and `until` (itself such a moment), or nullopt when there is none
  // or nothing was accepted in between. Records refused by faults of share
  // `known` took tokens too: see the .cpp for the correction.
  std::optional<Rates> measure(RateTime until, double known) const;

  // Everything accepted since the start.
  const Rates& accepted_total() const { return accepted_total_; }

 private:
  const std::chrono::seconds window_;
  const std::chrono::milliseconds span_min_;
  std::deque<std::pair<RateTime, Rates>> accepted_by_handling_;
  std::deque<RateTime> saturated_at_;
  Rates accepted_total_{};
};

}  // namespace firehose::producer
