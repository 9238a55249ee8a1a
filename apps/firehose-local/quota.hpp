#pragma once
// Direct PUT quotas per stream, as token buckets: records/s, requests/s and
// bytes/s, each holding at most one second's worth (the burst). A request
// takes one request token; then each record, in order, takes one record token
// and its size in byte tokens, or is throttled if either bucket is short.
// Throttled requests and records take nothing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "settings.hpp"

namespace firehose::local {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // Starts full (a new stream may burst at once).
  TokenBucket(double rate, Clock::time_point now) : tokens_(rate), last_(now) {}
  // Refills at `rate` per second up to `rate` (the burst), then takes `amount`
  // if that many tokens are there. A rate of 0 means no limit.
  bool try_take(double amount, double rate, Clock::time_point now);
  double available(double rate, Clock::time_point now);

 private:
  void refill(double rate, Clock::time_point now);
  double tokens_;
  Clock::time_point last_;
};

// Which records of a request fit the quotas.
struct QuotaDecision {
  bool request_throttled = false;  // over requests/s: the whole request is refused
  std::vector<bool> accepted;      // per record (all false when the request is throttled)
  std::size_t throttled_records = 0;
};

class StreamQuotas {
 public:
  // For a single PutRecord, the one record's fate decides the request's.
  QuotaDecision admit(const std::string& stream, const std::vector<std::size_t>& record_sizes,
                      const QuotaSettings& quotas, TokenBucket::Clock::time_point now);
  // A deleted stream starts afresh when created again.
  void forget(const std::string& stream);

 private:
  struct Buckets {
    TokenBucket records;
    TokenBucket requests;
    TokenBucket bytes;
  };
  std::mutex mutex_;
  std::map<std::string, Buckets, std::less<>> streams_;
};

}  // namespace firehose::local
