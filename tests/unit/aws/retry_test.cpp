#include "aws/retry.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

using std::chrono::milliseconds;

UniformRandom constant(double value) {
  return [value] { return value; };
}

// ---------------------------------------------------------------------------
// Backoff

TEST(RetryDelay, CeilingDoublesFromOneSecondUpToTwenty) {
  const RetryPolicy policy;
  // With the largest random draw the delay is the ceiling itself.
  const std::vector<std::pair<int, milliseconds>> expected{
      {1, milliseconds(1000)},  {2, milliseconds(2000)},   {3, milliseconds(4000)},
      {4, milliseconds(8000)},  {5, milliseconds(16000)},  {6, milliseconds(20000)},
      {7, milliseconds(20000)}, {64, milliseconds(20000)}, {1000, milliseconds(20000)},
  };
  for (const auto& [attempt, ceiling] : expected) {
    EXPECT_EQ(retry_delay(policy, attempt, constant(1.0)), ceiling) << attempt;
    EXPECT_EQ(retry_delay(policy, attempt, constant(0.0)), milliseconds(0)) << attempt;
  }
  EXPECT_EQ(retry_delay(policy, 3, constant(0.25)), milliseconds(1000));
  EXPECT_EQ(retry_delay(policy, 1, constant(0.5)), milliseconds(500));
}

TEST(RetryDelay, AttemptsBelowOneUseTheFirstCeiling) {
  EXPECT_EQ(retry_delay(RetryPolicy{}, 0, constant(1.0)), milliseconds(1000));
  EXPECT_EQ(retry_delay(RetryPolicy{}, -5, constant(1.0)), milliseconds(1000));
}

TEST(RetryDelay, BaseAndCapAreConfigurable) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(50);
  policy.max_backoff = milliseconds(300);
  EXPECT_EQ(retry_delay(policy, 1, constant(1.0)), milliseconds(50));
  EXPECT_EQ(retry_delay(policy, 3, constant(1.0)), milliseconds(200));
  EXPECT_EQ(retry_delay(policy, 4, constant(1.0)), milliseconds(300));
  EXPECT_EQ(retry_delay(policy, 4, constant(0.5)), milliseconds(150));
}

TEST(RetryDelay, OutOfRangeRandomValuesAreClamped) {
  EXPECT_EQ(retry_delay(RetryPolicy{}, 2, constant(7.0)), milliseconds(2000));
  EXPECT_EQ(retry_delay(RetryPolicy{}, 2, constant(-3.0)), milliseconds(0));
  EXPECT_EQ(retry_delay(RetryPolicy{}, 2, UniformRandom{}), milliseconds(2000));
}

TEST(RetryDelay, FullJitterStaysWithinBoundsAndSpreads) {
  const RetryPolicy policy;
  const UniformRandom random = make_uniform_random(42);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const milliseconds ceiling = std::min(milliseconds(1000LL << (attempt - 1)), milliseconds(20000));
    std::set<long long> seen;
    for (int i = 0; i < 200; ++i) {
      const milliseconds delay = retry_delay(policy, attempt, random);
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay, ceiling) << attempt;
      seen.insert(delay.count());
    }
    // Full jitter: the draws cover the range rather than cluster at the top.
    EXPECT_GT(seen.size(), 100U) << attempt;
    EXPECT_LT(*seen.begin(), ceiling.count() / 4) << attempt;
    EXPECT_GT(*seen.rbegin(), ceiling.count() * 3 / 4) << attempt;
  }
}

TEST(UniformRandom, SeededSourcesAreReproducibleAndInRange) {
  const UniformRandom a = make_uniform_random(7);
  const UniformRandom b = make_uniform_random(7);
  const UniformRandom c = make_uniform_random(8);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
    differs_from_other_seed |= x != c();
  }
  EXPECT_TRUE(differs_from_other_seed);
  const UniformRandom unseeded = make_uniform_random();
  const double y = unseeded();
  EXPECT_GE(y, 0.0);
  EXPECT_LT(y, 1.0);
}

TEST(UniformRandom, SharedBetweenThreads) {
  const UniformRandom random = make_uniform_random(1);
  std::atomic<int> out_of_range{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        const double x = random();
        if (x < 0.0 || x >= 1.0) ++out_of_range;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(out_of_range.load(), 0);
}

// ---------------------------------------------------------------------------
// Settings

ConfigSection profile_with(std::map<std::string, std::string> values) {
  ConfigSection section;
  section.values = std::move(values);
  return section;
}

TEST(RetrySettings, DefaultsMatchStandardMode) {
  auto policy = retry_settings_from(Environment::from_map({}), std::nullopt);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->max_attempts, 3);
  EXPECT_EQ(policy->base_delay, milliseconds(1000));
  EXPECT_EQ(policy->max_backoff, milliseconds(20000));
}

TEST(RetrySettings, EnvironmentBeatsProfile) {
  const auto profile = profile_with({{"max_attempts", "7"}});
  auto from_profile = retry_settings_from(Environment::from_map({}), profile);
  ASSERT_TRUE(from_profile.ok());
  EXPECT_EQ(from_profile->max_attempts, 7);
  auto from_env = retry_settings_from(Environment::from_map({{"AWS_MAX_ATTEMPTS", "10"}}), profile);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->max_attempts, 10);
  auto empty_env = retry_settings_from(Environment::from_map({{"AWS_MAX_ATTEMPTS", ""}}), profile);
  ASSERT_TRUE(empty_env.ok());
  EXPECT_EQ(empty_env->max_attempts, 7);
  auto one = retry_settings_from(Environment::from_map({{"AWS_MAX_ATTEMPTS", "1"}}), std::nullopt);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->max_attempts, 1);
}

TEST(RetrySettings, InvalidValuesAreConfigErrorsNamingTheSource) {
  for (const char* bad : {"0", "-1", "three", "3x", " 3", "99999999999999999999"}) {
    auto policy = retry_settings_from(Environment::from_map({{"AWS_MAX_ATTEMPTS", bad}}), std::nullopt);
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_EQ(policy.error().kind, ErrorKind::Config);
    EXPECT_EQ(policy.error().code, "InvalidConfigValue");
    EXPECT_NE(policy.error().message.find("AWS_MAX_ATTEMPTS"), std::string::npos);
  }
  auto from_profile = retry_settings_from(Environment::from_map({}), profile_with({{"max_attempts", "lots"}}));
  ASSERT_FALSE(from_profile.ok());
  EXPECT_NE(from_profile.error().message.find("max_attempts"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Classification

Error error_of(ErrorKind kind, TransportFailure transport = TransportFailure::None) {
  Error error = make_error(kind, "X", "x");
  error.transport = transport;
  return error;
}

TEST(ShouldRetry, FollowsTheErrorKind) {
  EXPECT_TRUE(should_retry(error_of(ErrorKind::Throttle)));
  EXPECT_TRUE(should_retry(error_of(ErrorKind::Transient)));
  EXPECT_TRUE(should_retry(error_of(ErrorKind::Transport, TransportFailure::Reset)));
  EXPECT_FALSE(should_retry(error_of(ErrorKind::Client)));
  EXPECT_FALSE(should_retry(error_of(ErrorKind::Auth)));
  EXPECT_FALSE(should_retry(error_of(ErrorKind::Config)));
  EXPECT_FALSE(should_retry(error_of(ErrorKind::Transport, TransportFailure::Tls)));
}

TEST(ShouldRetry, MayRetryCountsAttempts) {
  RetryPolicy policy;  // 3 attempts
  const Error throttle = error_of(ErrorKind::Throttle);
  EXPECT_TRUE(may_retry(policy, throttle, 1));
  EXPECT_TRUE(may_retry(policy, throttle, 2));
  EXPECT_FALSE(may_retry(policy, throttle, 3));
  EXPECT_FALSE(may_retry(policy, error_of(ErrorKind::Client), 1));
  policy.max_attempts = 1;
  EXPECT_FALSE(may_retry(policy, throttle, 1));
}

TEST(ErrorCodes, NormalisationDropsNamespacesAndSuffixes) {
  EXPECT_EQ(normalize_error_code("ThrottlingException"), "ThrottlingException");
  EXPECT_EQ(normalize_error_code("com.amazonaws.firehose#ResourceNotFoundException"), "ResourceNotFoundException");
  EXPECT_EQ(normalize_error_code("ServiceUnavailableException:http://internal.amazon.com/coral/com.amazon.coral/"),
            "ServiceUnavailableException");
  EXPECT_EQ(normalize_error_code("aws.protocoltests#ThrottlingException:http://x/y#z"), "ThrottlingException");
  EXPECT_EQ(normalize_error_code(""), "");
}

TEST(ErrorCodes, ClassificationTable) {
  struct Case {
    const char* code;
    int status;
    ErrorKind expected;
  };
  const std::vector<Case> cases{
      // The SDKs' throttling codes.
      {"Throttling", 400, ErrorKind::Throttle},
      {"ThrottlingException", 400, ErrorKind::Throttle},
      {"ThrottledException", 400, ErrorKind::Throttle},
      {"RequestThrottledException", 400, ErrorKind::Throttle},
      {"TooManyRequestsException", 429, ErrorKind::Throttle},
      {"ProvisionedThroughputExceededException", 400, ErrorKind::Throttle},
      {"TransactionInProgressException", 400, ErrorKind::Throttle},
      {"RequestLimitExceeded", 400, ErrorKind::Throttle},
      {"BandwidthLimitExceeded", 400, ErrorKind::Throttle},
      {"LimitExceededException", 400, ErrorKind::Throttle},
      {"RequestThrottled", 400, ErrorKind::Throttle},
      {"SlowDown", 503, ErrorKind::Throttle},
      {"EC2ThrottledException", 400, ErrorKind::Throttle},
      // Firehose's "Slow down.", as a call error and per record inside a 200.
      {"ServiceUnavailableException", 503, ErrorKind::Throttle},
      {"ServiceUnavailableException", 200, ErrorKind::Throttle},
      {"com.amazonaws.firehose#ServiceUnavailableException", 503, ErrorKind::Throttle},
      // Transient codes.
      {"RequestTimeout", 400, ErrorKind::Transient},
      {"RequestTimeoutException", 408, ErrorKind::Transient},
      {"PriorRequestNotComplete", 400, ErrorKind::Transient},
      {"InternalFailure", 500, ErrorKind::Transient},
      {"InternalFailure", 200, ErrorKind::Transient},
      {"InternalServerError", 500, ErrorKind::Transient},
      {"ServiceUnavailable", 503, ErrorKind::Transient},
      // Credentials and signatures.
      {"InvalidSignatureException", 400, ErrorKind::Auth},
      {"SignatureDoesNotMatch", 403, ErrorKind::Auth},
      {"UnrecognizedClientException", 400, ErrorKind::Auth},
      {"AccessDeniedException", 400, ErrorKind::Auth},
      {"ExpiredTokenException", 400, ErrorKind::Auth},
      {"IncompleteSignature", 400, ErrorKind::Auth},
      {"IncompleteSignatureException", 400, ErrorKind::Auth},
      {"MissingAuthenticationToken", 403, ErrorKind::Auth},
      {"MissingAuthenticationTokenException", 403, ErrorKind::Auth},
      {"InvalidClientTokenId", 403, ErrorKind::Auth},
      // Unknown codes fall back on the status.
      {"SomethingNew", 500, ErrorKind::Transient},
      {"SomethingNew", 502, ErrorKind::Transient},
      {"", 504, ErrorKind::Transient},
      {"", 599, ErrorKind::Transient},
      {"", 429, ErrorKind::Throttle},
      {"", 401, ErrorKind::Auth},
      {"ResourceNotFoundException", 400, ErrorKind::Client},
      {"InvalidArgumentException", 400, ErrorKind::Client},
      {"ResourceInUseException", 400, ErrorKind::Client},
      {"SomethingNew", 403, ErrorKind::Client},
      {"SomethingNew", 404, ErrorKind::Client},
      {"", 0, ErrorKind::Client},
      // Codes are case-sensitive, as in the SDKs.
      {"throttlingexception", 400, ErrorKind::Client},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify_error_code(c.code, c.status), c.expected)
        << c.code << " " << c.status << " -> " << to_string(classify_error_code(c.code, c.status));
  }
}

// ---------------------------------------------------------------------------
// Retry quota

TEST(RetryQuota, RetriesCostFiveUntilTheBucketIsEmpty) {
  RetryQuota quota;
  EXPECT_EQ(quota.capacity(), 500);
  EXPECT_EQ(quota.available(), 500);
  const Error throttle = error_of(ErrorKind::Throttle);
  for (int i = 0; i < 100; ++i) {
    auto paid = quota.try_acquire(throttle);
    ASSERT_TRUE(paid.has_value()) << i;
    EXPECT_EQ(*paid, 5);
  }
  EXPECT_EQ(quota.available(), 0);
  EXPECT_FALSE(quota.try_acquire(throttle).has_value());
  EXPECT_EQ(quota.available(), 0);
}

TEST(RetryQuota, TimeoutsCostTen) {
  RetryQuota quota(25);
  const Error timeout = error_of(ErrorKind::Transport, TransportFailure::Timeout);
  EXPECT_EQ(RetryQuota::retry_cost(timeout), 10);
  EXPECT_EQ(RetryQuota::retry_cost(error_of(ErrorKind::Transport, TransportFailure::Reset)), 5);
  EXPECT_EQ(RetryQuota::retry_cost(error_of(ErrorKind::Transient)), 5);
  EXPECT_EQ(quota.try_acquire(timeout), 10);
  EXPECT_EQ(quota.try_acquire(timeout), 10);
  EXPECT_FALSE(quota.try_acquire(timeout).has_value());             // 5 left: not enough for a timeout retry
  EXPECT_EQ(quota.try_acquire(error_of(ErrorKind::Transient)), 5);  // but enough for an ordinary one
  EXPECT_EQ(quota.available(), 0);
}

TEST(RetryQuota, SuccessRefundsTheRetryCostOrOne) {
  RetryQuota quota;
  const Error timeout = error_of(ErrorKind::Transport, TransportFailure::Timeout);
  const auto first = quota.try_acquire(error_of(ErrorKind::Throttle));
  const auto second = quota.try_acquire(timeout);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(quota.available(), 485);
  quota.record_success(*second);  // the timeout retry succeeded
  EXPECT_EQ(quota.available(), 495);
  quota.record_success(0);  // a first attempt succeeded
  EXPECT_EQ(quota.available(), 496);
  for (int i = 0; i < 10; ++i) quota.record_success(0);
  EXPECT_EQ(quota.available(), 500);  // never above capacity
  quota.record_success(5);
  EXPECT_EQ(quota.available(), 500);
}

TEST(RetryQuota, EmptyBucketRefillsThroughSuccesses) {
  RetryQuota quota(10);
  const Error throttle = error_of(ErrorKind::Throttle);
  ASSERT_TRUE(quota.try_acquire(throttle));
  ASSERT_TRUE(quota.try_acquire(throttle));
  EXPECT_FALSE(quota.try_acquire(throttle));
  for (int i = 0; i < 4; ++i) quota.record_success(0);
  EXPECT_FALSE(quota.try_acquire(throttle));  // 4 < 5
  quota.record_success(0);
  EXPECT_TRUE(quota.try_acquire(throttle));
}

TEST(RetryQuota, ConcurrentAcquisitionsNeverOverdraw) {
  RetryQuota quota;
  const Error throttle = error_of(ErrorKind::Throttle);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (quota.try_acquire(throttle)) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 100);  // 500 / 5, out of 400 tries
  EXPECT_EQ(quota.available(), 0);

  threads.clear();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) quota.record_success(5);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(quota.available(), 500);
}

}  // namespace
}  // namespace firehose::aws
