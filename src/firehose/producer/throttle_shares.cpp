#include "firehose/producer/throttle_shares.hpp"

#include <algorithm>
#include <cmath>

namespace firehose::producer {
namespace {

// The throttled share is measured over the last second, in quarter-second slots.
constexpr auto kShareSlot = std::chrono::milliseconds(250);
constexpr std::int64_t kRecentSlots = 4;
// How far the lowest group's share is taken to read below the faults' share
// by chance, in standard deviations: about the expected lowest of the 10-20
// groups a window holds.
constexpr double kNoiseOfTheLowest = 1.5;

std::int64_t slot_of(RateTime now) { return now.time_since_epoch() / kShareSlot; }

}  // namespace

void ThrottleShares::count(RateTime now, bool answered, std::size_t accepted, std::size_t throttled, bool new_request) {
  const std::int64_t slot = slot_of(now);
  if (slots_.empty() || slots_.back().slot != slot) slots_.push_back({slot, {}, {}});
  Slot& current = slots_.back();
  if (new_request) current.requests.answered += 1;
  if (answered) {
    current.records.answered += static_cast<double>(accepted + throttled);
    current.records.throttled += static_cast<double>(throttled);
  } else if (throttled > 0) {
    current.requests.throttled += 1;
  }
  const std::int64_t kept = window_ / kShareSlot;
  while (slots_.front().slot <= slot - kept) slots_.pop_front();
}

ThrottleShares::Tally ThrottleShares::recent(RateTime now, Unit unit) const {
  const std::int64_t slot = slot_of(now);
  Tally sum;
  for (const Slot& s : slots_) {
    if (s.slot <= slot - kRecentSlots) continue;
    sum.answered += s.of(unit).answered;
    sum.throttled += s.of(unit).throttled;
  }
  return sum;
}

double ThrottleShares::fault_share(RateTime now, Unit unit, double group) const {
  // Whatever is refused even at the slowest rate of the window is refused
  // whatever the rate. Slots are grouped twice, from the newest and from the
  // oldest, and the lowest share of either grouping counts: grouped only from
  // the newest, the first seconds' groups straddled the slow start's clean
  // records and its overshoot into the quota (the oldest few hundred records,
  // too few for a group, were left out), the faults' share read 10 % with no
  // fault at all, and the throttling that followed passed for faults (2-3 %
  // of a loopback quota run's records throttled instead of about 1 %).
  //
  // The lowest of several groups' shares also reads low by chance: with 10 %
  // of requests refused at random, a group of 20 has none refused one time
  // in eight, and every refusal then passed for the rate's fault (the rate
  // sank to a few percent of what the service took). So the lowest share is
  // raised by the noise of its count (kNoiseOfTheLowest standard deviations
  // of the window's pooled share on that many answers), never above the
  // pooled share itself: with no faults the pooled share is the quota's
  // throttling alone, and with faults alone it is their share.
  const std::int64_t slot = slot_of(now);
  Tally lowest{-1, 0};
  Tally pooled;
  for (const Slot& s : slots_) {
    if (s.slot >= slot) continue;
    pooled.answered += s.of(unit).answered;
    pooled.throttled += s.of(unit).throttled;
  }
  auto group_from = [&](auto begin, auto end) {
    Tally sum;
    for (auto it = begin; it != end; ++it) {
      if (it->slot >= slot) continue;  // the slot in progress
      sum.answered += it->of(unit).answered;
      sum.throttled += it->of(unit).throttled;
      if (sum.answered < group) continue;
      if (lowest.answered < 0 || sum.share() < lowest.share()) lowest = sum;
      sum = {};
    }
  };
  group_from(slots_.rbegin(), slots_.rend());
  group_from(slots_.begin(), slots_.end());
  if (lowest.answered < 0) return -1;
  const double p = pooled.share();
  const double noise = std::sqrt(p * (1 - p) / lowest.answered);
  return std::min(p, lowest.share() + kNoiseOfTheLowest * noise);
}

bool ThrottleShares::over_faults(double share, double answered, double known) const {
  // A share measured on n answers is noisy (binomial: sd = sqrt(f (1 - f) / n));
  // three of those on top of the margin keep 1 % of faults from looking
  // like 3 % in one answer.
  const double noise = 3 * std::sqrt(std::max(known, 0.01) * (1 - known) / std::max(answered, 1.0));
  return share > known + margin_ + margin_of_faults_ * known + noise;
}

}  // namespace firehose::producer
