#pragma once
// Telling a quota from faults: what share of what the service answered it
// throttled, in quarter-second slots over the last `window`, counted two
// ways: records (refused one by one inside answers) and requests (refused
// whole: one event, however many records it carried, so a single 503 is not
// 500 pieces of evidence).
//
// The rate moves (slow start, decreases, the climb back), so the slots see
// several rates; the lowest share among them is what the service refuses
// *whatever the rate*: the faults' share. A throttle is evidence that the
// rate is too high only when the share exceeds that by a margin and by the
// sampling noise of the count it was measured on (over_faults()).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "firehose/producer/rate_meter.hpp"

namespace firehose::producer {

class ThrottleShares {
 public:
  struct Tally {
    double answered = 0, throttled = 0;
    double share() const { return answered > 0 ? throttled / answered : 0.0; }
  };
  enum class Unit { kRecords, kRequests };

  // A share counts as over the faults' share f when it exceeds
  // f + margin + margin_of_faults x f + 3 sd, sd = sqrt(f (1 - f) / n).
  ThrottleShares(std::chrono::seconds window, double margin, double margin_of_faults)
      : window_(window), margin_(margin), margin_of_faults_(margin_of_faults) {}

  // One answer: in a 200 (`answered`), `accepted` and `throttled` records;
  // otherwise a request refused whole, a throttle when `throttled` > 0.
  // new_request: false for the second half of an answer reported in two
  // calls (its request is counted once).
  void count(RateTime now, bool answered, std::size_t accepted, std::size_t throttled, bool new_request);

  // The last second (the slot in progress included).
  Tally recent(RateTime now, Unit unit) const;
  // The lowest share in the window's completed slots, consecutive slots taken
  // together until they hold `group` answers (at a low rate one slot holds a
  // handful). Negative: not known yet.
  double fault_share(RateTime now, Unit unit, double group) const;
  // `share`, measured on `answered` answers, is more than faults of share
  // `known` explain.
  bool over_faults(double share, double answered, double known) const;

 private:
  struct Slot {
    std::int64_t slot = 0;
    Tally records, requests;
    const Tally& of(Unit unit) const { return unit == Unit::kRecords ? records : requests; }
  };

  const std::chrono::seconds window_;
  const double margin_;
  const double margin_of_faults_;
  std::deque<Slot> slots_;
};

}  // namespace firehose::producer
