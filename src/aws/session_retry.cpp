// The public retry helpers (firehose/retry.hpp) over the standard mode's rules
// (aws/retry.hpp) and the session's retry quota.
#include <thread>

#include "aws/retry.hpp"
#include "aws/session_impl.hpp"
#include "core/log.hpp"
#include "firehose/retry.hpp"

namespace firehose {

namespace {

const aws::UniformRandom& shared_random() {
  static const aws::UniformRandom random = aws::make_uniform_random();
  return random;
}

}  // namespace

RetryState::RetryState(const Session& session) : RetryState(session, session.retry_policy()) {}

RetryState::RetryState(const Session& session, RetryPolicy policy) : session_(session), policy_(policy) {}

std::optional<std::chrono::milliseconds> RetryState::retry_delay(const Error& error, int attempt) {
  if (!aws::may_retry(policy_, error, attempt)) return std::nullopt;
  auto cost = session_.impl().retry_quota->try_acquire(error);
  if (!cost) return std::nullopt;
  paid_ = *cost;
  return aws::retry_delay(policy_, attempt, shared_random());
}

void RetryState::succeeded() { session_.impl().retry_quota->record_success(paid_); }

void run_with_retries(const Session& session, std::string_view operation,
                      const std::function<const Error*()>& attempt_call) {
  RetryState retry(session);
  for (int attempt = 1;; ++attempt) {
    const Error* error = attempt_call();
    if (error == nullptr) {
      retry.succeeded();
      return;
    }
    const bool attempts_left = aws::may_retry(retry.policy(), *error, attempt);
    const auto delay = retry.retry_delay(*error, attempt);
    if (!delay) {
      if (attempts_left) logging::warn("{}: retry quota exhausted, not retrying {}", operation, error->code);
      return;
    }
    logging::warn("{}: attempt {}/{} failed with {} ({}); retrying in {:.3f} s", operation, attempt,
                  retry.policy().max_attempts, error->code, error->message,
                  static_cast<double>(delay->count()) / 1000.0);
    std::this_thread::sleep_for(*delay);
  }
}

bool is_throttling_error_code(std::string_view code) {
  return aws::is_throttling_error_code(aws::normalize_error_code(code));
}

}  // namespace firehose
