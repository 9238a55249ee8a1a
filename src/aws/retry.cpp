#include "aws/retry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>

namespace firehose::aws {
namespace {

// botocore retries/standard.py and the SDK retry-behavior reference.
constexpr std::array<std::string_view, 14> kThrottlingCodes{
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
    // Firehose answers "Slow down." with this code, as a whole-call 503 and
    // per record inside a 200: it is a request to lower the rate.
    "ServiceUnavailableException",
};

constexpr std::array<std::string_view, 8> kTransientCodes{
    "RequestTimeout",        "RequestTimeoutException", "PriorRequestNotComplete",
    "InternalFailure",  // also Firehose's other per-record failure
    "InternalServerError",   "InternalError",           "ServiceUnavailable",
    "IDPCommunicationError",  // STS web identity: the identity provider did not answer
};

constexpr std::array<std::string_view, 16> kAuthCodes{
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "AccessDeniedException",
    "AccessDenied",
    "ExpiredTokenException",
    "ExpiredToken",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "NotAuthorized",
    "RequestExpired",  // clock skew: the signature's date is too far from the server's
    "AuthFailure",
};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), normalize_error_code(code)) != codes.end();
}

Result<int> parse_max_attempts(std::string_view raw, std::string_view source) {
  int value = 0;
  const char* end = raw.data() + raw.size();
  const auto [ptr, ec] = std::from_chars(raw.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1) {
    return make_error(ErrorKind::Config, "InvalidConfigValue",
                      fmt::format("{} must be a whole number of attempts, at least 1, not '{}'", source, raw));
  }
  return value;
}

// One engine behind a mutex, shared by the copies of the std::function.
UniformRandom locked_uniform(std::uint64_t seed) {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine;
    std::uniform_real_distribution<double> distribution{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  state->engine.seed(seed);
  return [state] {
    std::lock_guard<std::mutex> lock(state->mutex);
    return state->distribution(state->engine);
  };
}

}  // namespace

Result<RetryPolicy> retry_settings_from(const Environment& env, const std::optional<ConfigSection>& profile) {
  RetryPolicy policy;
  if (auto raw = env.get_non_empty("AWS_MAX_ATTEMPTS")) {
    auto attempts = parse_max_attempts(*raw, "AWS_MAX_ATTEMPTS");
    if (!attempts) return attempts.error();
    policy.max_attempts = *attempts;
  } else if (profile) {
    if (auto raw = profile->get("max_attempts"); raw && !raw->empty()) {
      auto attempts = parse_max_attempts(*raw, "max_attempts in the profile");
      if (!attempts) return attempts.error();
      policy.max_attempts = *attempts;
    }
  }
  return policy;
}

UniformRandom make_uniform_random(std::uint64_t seed) { return locked_uniform(seed); }

UniformRandom make_uniform_random() {
  std::random_device device;
  const std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return locked_uniform(seed);
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempt, const UniformRandom& random) {
  const double cap = static_cast<double>(std::max<std::int64_t>(policy.max_backoff.count(), 0));
  const double base = static_cast<double>(std::max<std::int64_t>(policy.base_delay.count(), 0));
  // 2^62 already exceeds any cap in milliseconds; stopping there keeps the
  // arithmetic finite for absurd attempt numbers.
  const int exponent = std::clamp(failed_attempt - 1, 0, 62);
  const double ceiling = std::min(base * std::ldexp(1.0, exponent), cap);
  const double fraction = std::clamp(random ? random() : 1.0, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::floor(fraction * ceiling)));
}

bool should_retry(const Error& error) { return is_retryable(error); }

bool may_retry(const RetryPolicy& policy, const Error& error, int attempts_made) {
  return attempts_made < policy.max_attempts && should_retry(error);
}

std::string_view normalize_error_code(std::string_view code) {
  if (const auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  if (const auto hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  return code;
}

bool is_throttling_error_code(std::string_view code) { return contains(kThrottlingCodes, code); }
bool is_transient_error_code(std::string_view code) { return contains(kTransientCodes, code); }
bool is_auth_error_code(std::string_view code) { return contains(kAuthCodes, code); }

ErrorKind classify_error_code(std::string_view code, int http_status) {
  if (is_throttling_error_code(code)) return ErrorKind::Throttle;
  if (is_transient_error_code(code)) return ErrorKind::Transient;
  if (is_auth_error_code(code)) return ErrorKind::Auth;
  if (http_status == 429) return ErrorKind::Throttle;
  if (http_status == 401) return ErrorKind::Auth;
  if (http_status >= 500 && http_status <= 599) return ErrorKind::Transient;
  return ErrorKind::Client;
}

RetryQuota::RetryQuota(int capacity) : capacity_(std::max(capacity, 0)), available_(capacity_) {}

int RetryQuota::retry_cost(const Error& error) {
  const bool timed_out = error.kind == ErrorKind::Transport && error.transport == TransportFailure::Timeout;
  return timed_out ? kTimeoutRetryCost : kRetryCost;
}

std::optional<int> RetryQuota::try_acquire(const Error& error) {
  const int cost = retry_cost(error);
  std::lock_guard<std::mutex> lock(mutex_);
  if (cost > available_) return std::nullopt;
  available_ -= cost;
  return cost;
}

void RetryQuota::record_success(int paid_for_successful_retry) {
  const int refund = paid_for_successful_retry > 0 ? paid_for_successful_retry : kNoRetryRefund;
  std::lock_guard<std::mutex> lock(mutex_);
  available_ = std::min(capacity_, available_ + refund);
}

int RetryQuota::available() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return available_;
}

}  // namespace firehose::aws
