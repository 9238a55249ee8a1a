#include "firehose/producer/accepted_floor.hpp"

#include <algorithm>
#include <vector>

namespace firehose::producer {
namespace {

// The accepted rate's window keeps a sample per this much time.
constexpr auto kSampleEvery = std::chrono::milliseconds(100);

}  // namespace

void AcceptedFloor::note(RateTime now, const Rates& rate) {
  while (!samples_.empty() && samples_.front().first + window_ < now) samples_.pop_front();
  if (!samples_.empty() && now < samples_.back().first + kSampleEvery) {
    Rates& last = samples_.back().second;
    last = {std::max(last.records, rate.records), std::max(last.bytes, rate.bytes),
            std::max(last.requests, rate.requests)};
    return;
  }
  samples_.emplace_back(now, rate);
}

Rates AcceptedFloor::floor(RateTime now) const {
  // The median, not the maximum: the first second's burst (a quota's bucket
  // starts full) would otherwise hold the floor above the quota itself.
  std::vector<Rates> recent;
  for (const auto& [at, rate] : samples_) {
    if (at + window_ >= now) recent.push_back(rate);
  }
  Rates typical{};
  if (!recent.empty()) {
    auto median = [&](double Rates::*field) {
      std::vector<double> values;
      for (const Rates& r : recent) values.push_back(r.*field);
      std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
      return values[values.size() / 2];
    };
    typical = {median(&Rates::records), median(&Rates::bytes), median(&Rates::requests)};
  }
  // And never below half the highest (bursts included): a rate that fell
  // for any reason must not drag the floor down with it.
  for (const auto& [at, rate] : samples_) {
    if (at + window_ < now) continue;
    typical.records = std::max(typical.records, 0.5 * rate.records);
    typical.bytes = std::max(typical.bytes, 0.5 * rate.bytes);
    typical.requests = std::max(typical.requests, 0.5 * rate.requests);
  }
  return {std::max(minimum_.records, fraction_ * typical.records), std::max(minimum_.bytes, fraction_ * typical.bytes),
          std::max(minimum_.requests, fraction_ * typical.requests)};
}

}  // namespace firehose::producer
