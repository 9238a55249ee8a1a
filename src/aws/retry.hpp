#pragma once
// The AWS SDKs' "standard" retry mode: which errors are retried, how long to
// wait before the next attempt (capped exponential backoff with full jitter),
// and the per-client retry quota that stops retry storms during an outage.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"
#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"

namespace firehose::aws {

using firehose::RetryPolicy;  // the public struct (firehose/retry_policy.hpp)

// The policy with max_attempts from AWS_MAX_ATTEMPTS, else the profile's
// `max_attempts`, else the default; anything but a whole number >= 1 is a
// Config error "InvalidConfigValue" naming its source.
Result<RetryPolicy> retry_settings_from(const Environment& env, const std::optional<ConfigSection>& profile);

// A source of numbers uniformly distributed in [0, 1).
using UniformRandom = std::function<double()>;
// Deterministic: std::mt19937_64 seeded with `seed`. Safe to share between threads.
UniformRandom make_uniform_random(std::uint64_t seed);
// Seeded from std::random_device. Safe to share between threads.
UniformRandom make_uniform_random();

// How long to wait before the retry that follows attempt number
// `failed_attempt` (1 for the first retry): random * min(base * 2^(n-1), max_backoff).
// Values of `random` outside [0, 1] are clamped; an empty `random` gives the
// full ceiling.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempt, const UniformRandom& random);

// True when another attempt is allowed after `attempts_made` attempts that
// ended in `error`: the error is retryable and attempts remain.
bool may_retry(const RetryPolicy& policy, const Error& error, int attempts_made);

// Whether an error is worth sending again: throttles, transient service
// errors and transport failures, but not a TLS failure (a certificate that
// failed verification fails the same way next time).
bool should_retry(const Error& error);

// The code without the decorations some services add: "a.b#Code:http://..." -> "Code".
std::string_view normalize_error_code(std::string_view code);
// The SDKs' throttling codes, plus ServiceUnavailableException, which Firehose
// uses to say "Slow down." (the SDKs treat it as merely transient).
bool is_throttling_error_code(std::string_view code);
// The SDKs' transient codes plus the internal-error codes of AWS services.
bool is_transient_error_code(std::string_view code);
// Codes that mean the credentials or the signature were refused.
bool is_auth_error_code(std::string_view code);

// Classifies a service error from its code (normalised here) and HTTP status:
// throttling code -> Throttle; transient code -> Transient; auth code -> Auth;
// then by status: 429 -> Throttle, 401 -> Auth, 5xx -> Transient; else Client.
ErrorKind classify_error_code(std::string_view code, int http_status);

// The standard mode's retry quota: a bucket of tokens shared by every request
// of a client. A retry costs tokens, a success gives some back; when the bucket
// cannot pay, the error is returned instead of retried. Thread-safe.
class RetryQuota {
 public:
  static constexpr int kDefaultCapacity = 500;
  static constexpr int kRetryCost = 5;
  static constexpr int kTimeoutRetryCost = 10;
  static constexpr int kNoRetryRefund = 1;

  explicit RetryQuota(int capacity = kDefaultCapacity);
  RetryQuota(const RetryQuota&) = delete;
  RetryQuota& operator=(const RetryQuota&) = delete;

  // What a retry after `error` costs: more after a timeout, whose request may
  // still be running on the server.
  static int retry_cost(const Error& error);

  // Pays for one retry after `error`: the tokens taken (keep them for
  // record_success), or nullopt when the bucket cannot pay: do not retry.
  std::optional<int> try_acquire(const Error& error);

  // A request succeeded. `paid_for_successful_retry` is what try_acquire took
  // for the attempt that succeeded, or 0 when the first attempt succeeded
  // (which refunds kNoRetryRefund). The bucket never exceeds its capacity.
  void record_success(int paid_for_successful_retry);

  int available() const;
  int capacity() const { return capacity_; }

 private:
  const int capacity_;
  mutable std::mutex mutex_;
  int available_;
};

}  // namespace firehose::aws
