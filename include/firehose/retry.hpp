#pragma once
// Retries of single calls (PutRecord, DescribeDeliveryStream, ...) as the AWS
// SDKs' standard mode does them: the session's RetryPolicy (capped exponential
// backoff with full jitter) and the session's retry quota, a token bucket
// shared by every client of the session that stops retry storms during an
// outage. The producer retries per record in its own pipeline and does not
// use this.
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"
#include "firehose/session.hpp"

namespace firehose {

// Decides, for one logical call, whether a failed attempt is tried again and
// after how long. Not thread-safe (one per call); the quota it draws on is.
class RetryState {
 public:
  // With the session's policy. `session` must outlive this object.
  explicit RetryState(const Session& session);
  // With a policy of the caller's (e.g. more attempts for one operation).
  RetryState(const Session& session, RetryPolicy policy);

  // After attempt number `attempt` (1 for the first) failed with `error`: how
  // long to wait before the next attempt, or nullopt when there must be none:
  // the error is not retryable (firehose::is_retryable), the policy's attempts
  // are used up, or the session's retry quota cannot pay for another retry.
  std::optional<std::chrono::milliseconds> retry_delay(const Error& error, int attempt);

  // The call succeeded: gives back to the quota what its retries took.
  void succeeded();

  const RetryPolicy& policy() const { return policy_; }  // the policy in force

 private:
  const Session& session_;
  RetryPolicy policy_;
  int paid_ = 0;  // quota tokens taken for the latest retry
};

// The loop behind call_with_retries: runs `attempt` until it returns nullptr
// (success) or an error that RetryState says not to retry, sleeping between
// attempts. Each retry is logged as a warning on the "firehose" logger
// (firehose/logging.hpp) with `operation`, the attempt and the error code.
void run_with_retries(const Session& session, std::string_view operation, const std::function<const Error*()>& attempt);

// Calls `call` (which returns a Result<T>) until it succeeds, fails with an
// error that is not retryable, or runs out of attempts or quota; returns the
// last result. `operation` names the call in the retry log lines.
//   auto put = call_with_retries(*session, "PutRecord",
//                                [&] { return client->put_record(stream, data); });
template <class Call>
auto call_with_retries(const Session& session, std::string_view operation, Call&& call) -> decltype(call()) {
  std::optional<decltype(call())> result;
  run_with_retries(session, operation, [&]() -> const Error* {
    result.emplace(call());
    return result->ok() ? nullptr : &result->error();
  });
  return std::move(*result);
}

// True for the error codes that mean "slow down" (ThrottlingException,
// ServiceUnavailableException from Firehose, ...), with or without the
// "prefix#" and ":suffix" decorations some services add.
bool is_throttling_error_code(std::string_view code);

}  // namespace firehose
