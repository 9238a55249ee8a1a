#include "firehose/producer/quota_estimator.hpp"

#include <iterator>

namespace firehose::producer {

void QuotaEstimator::accepted(RateTime handled, const Rates& amount, RateTime now) {
  auto at = accepted_by_handling_.end();
  while (at != accepted_by_handling_.begin() && std::prev(at)->first > handled) --at;
  accepted_by_handling_.insert(at, {handled, amount});
  accepted_total_.records += amount.records;
  accepted_total_.bytes += amount.bytes;
  accepted_total_.requests += amount.requests;
  while (!accepted_by_handling_.empty() && accepted_by_handling_.front().first + window_ < now) {
    accepted_by_handling_.pop_front();
  }
  while (!saturated_at_.empty() && saturated_at_.front() + window_ < now) saturated_at_.pop_front();
}

void QuotaEstimator::saturated(RateTime handled) {
  auto at = saturated_at_.end();
  while (at != saturated_at_.begin() && *std::prev(at) > handled) --at;
  saturated_at_.insert(at, handled);
}

std::optional<Rates> QuotaEstimator::measure(RateTime until, double known) const {
  if (until == RateTime::max()) return std::nullopt;
  std::optional<RateTime> from;
  for (auto it = saturated_at_.rbegin(); it != saturated_at_.rend(); ++it) {
    if (*it + span_min_ <= until) {
      from = *it;
      break;
    }
  }
  if (!from) return std::nullopt;
  Rates sum;
  for (const auto& [at, amount] : accepted_by_handling_) {
    if (at <= *from || at > until) continue;
    sum.records += amount.records;
    sum.bytes += amount.bytes;
    sum.requests += amount.requests;
  }
  const double span = seconds_between(*from, until);
  // Records refused by faults took tokens too, so the quota is accepted /
  // (1 - faults); but a faults' share measured while every slot was over the
  // quota is too high, and the rate it gives stays over the quota: no slot
  // below it then corrects the share (17 % of records throttled in 2 runs of
  // 6). Half the correction keeps the rate under the quota with a share
  // measured up to twice too high.
  const double kept = known > 0 && known < 0.9 ? 1 - known / 2 : 1.0;
  if (sum.bytes <= 0 && sum.records <= 0) return std::nullopt;
  return Rates{sum.records / span / kept, sum.bytes / span / kept, sum.requests / span};
}

}  // namespace firehose::producer
