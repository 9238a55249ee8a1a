#pragma once
// How often and how patiently a failed send is tried again: the AWS SDKs'
// standard mode (capped exponential backoff with full jitter).
#include <chrono>

namespace firehose {

struct RetryPolicy {
  int max_attempts = 3;                          // attempts in all, the first one included
  std::chrono::milliseconds base_delay{1000};    // ceiling of the first retry's delay
  std::chrono::milliseconds max_backoff{20000};  // ceiling of any delay
};

}  // namespace firehose
