#pragma once
// Calls a single-request operation until it succeeds, fails for good, or runs
// out of attempts: the standard mode's loop for the single-call commands. The
// producer does not use it: it retries per record in its own retrier stage.
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "aws/retry.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

// `call` returns a Result<...>. Each retry is logged (warning) with the attempt,
// the delay and the error code.
template <class Call>
auto call_with_retries(const RetryPolicy& policy, std::string_view operation, Call&& call,
                       RetryQuota* quota = nullptr, const UniformRandom& random = make_uniform_random())
    -> decltype(call()) {
  int paid = 0;
  for (int attempt = 1;; ++attempt) {
    auto result = call();
    if (result.ok()) {
      if (quota != nullptr) quota->record_success(paid);
      return result;
    }
    const Error& error = result.error();
    if (!may_retry(policy, error, attempt)) return result;
    if (quota != nullptr) {
      auto cost = quota->try_acquire(error);
      if (!cost) {
        spdlog::warn("{}: retry quota exhausted, not retrying {}", operation, error.code);
        return result;
      }
      paid = *cost;
    }
    const auto delay = retry_delay(policy, attempt, random);
    spdlog::warn("{}: attempt {}/{} failed with {} ({}); retrying in {:.3f} s", operation, attempt,
                 policy.max_attempts, error.code, error.message, static_cast<double>(delay.count()) / 1000.0);
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace firehose::aws
