#include "quota.hpp"

#include <algorithm>

namespace firehose::local {

void TokenBucket::refill(double rate, Clock::time_point now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(rate, tokens_ + elapsed * rate);
    last_ = now;
  } else {
    // A lowered quota caps what was saved up under the old one.
    tokens_ = std::min(rate, tokens_);
  }
}

bool TokenBucket::try_take(double amount, double rate, Clock::time_point now) {
  if (rate <= 0) return true;
  refill(rate, now);
  if (tokens_ < amount) return false;
  tokens_ -= amount;
  return true;
}

double TokenBucket::available(double rate, Clock::time_point now) {
  refill(rate, now);
  return tokens_;
}

QuotaDecision StreamQuotas::admit(const std::string& stream, const std::vector<std::size_t>& record_sizes,
                                  const QuotaSettings& quotas, TokenBucket::Clock::time_point now) {
  const auto records_rate = static_cast<double>(quotas.records);
  const auto requests_rate = static_cast<double>(quotas.requests);
  const auto bytes_rate = static_cast<double>(quotas.bytes);

  QuotaDecision decision;
  decision.accepted.assign(record_sizes.size(), false);
  std::lock_guard lock(mutex_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    it = streams_
             .emplace(stream, Buckets{TokenBucket(records_rate, now), TokenBucket(requests_rate, now),
                                      TokenBucket(bytes_rate, now)})
             .first;
  }
  Buckets& buckets = it->second;
  if (!buckets.requests.try_take(1, requests_rate, now)) {
    decision.request_throttled = true;
    decision.throttled_records = record_sizes.size();
    return decision;
  }
  for (std::size_t i = 0; i < record_sizes.size(); ++i) {
    const auto size = static_cast<double>(record_sizes[i]);
    // Look before taking, so that a record refused for its size does not use up a record token.
    const bool fits = (records_rate <= 0 || buckets.records.available(records_rate, now) >= 1) &&
                      (bytes_rate <= 0 || buckets.bytes.available(bytes_rate, now) >= size);
    if (fits) {
      buckets.records.try_take(1, records_rate, now);
      buckets.bytes.try_take(size, bytes_rate, now);
      decision.accepted[i] = true;
    } else {
      ++decision.throttled_records;
    }
  }
  return decision;
}

void StreamQuotas::forget(const std::string& stream) {
  std::lock_guard lock(mutex_);
  streams_.erase(stream);
}

}  // namespace firehose::local
