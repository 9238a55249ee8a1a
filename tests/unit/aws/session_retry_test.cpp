// The public retry helpers (firehose/retry.hpp, src/aws/session_retry.cpp):
// the session's policy, its shared retry quota, and the loop around one call.
#include "firehose/retry.hpp"

#include <gtest/gtest.h>

#include "firehose/session.hpp"

namespace firehose {
namespace {

std::shared_ptr<Session> offline_session(int max_attempts = 3) {
  SessionOptions options;
  options.region = "us-east-1";
  options.max_attempts = max_attempts;
  options.environment = Environment::from_map({});  // nothing from this machine
  auto session = Session::create(options);
  EXPECT_TRUE(session.ok()) << session.error().to_string();
  return session.value();
}

Error throttled() { return make_error(ErrorKind::Throttle, "ThrottlingException", "Rate exceeded", 400); }

TEST(RetryState, RetryableErrorsWaitWithinTheCeilingUntilTheAttemptsAreUsedUp) {
  auto session = offline_session(3);
  RetryState retry(*session);
  EXPECT_EQ(retry.policy().max_attempts, 3);
  auto first = retry.retry_delay(throttled(), 1);
  ASSERT_TRUE(first.has_value());
  EXPECT_LE(*first, retry.policy().base_delay);
  EXPECT_TRUE(retry.retry_delay(throttled(), 2).has_value());
  EXPECT_FALSE(retry.retry_delay(throttled(), 3).has_value()) << "three attempts in all";
}

TEST(RetryState, ErrorsThatAreNotRetryableStopAtOnce) {
  auto session = offline_session();
  RetryState retry(*session);
  EXPECT_FALSE(retry.retry_delay(make_error(ErrorKind::Client, "ResourceNotFoundException", "no stream", 400), 1));
  Error tls = make_error(ErrorKind::Transport, "TlsError", "certificate verify failed");
  tls.transport = TransportFailure::Tls;
  EXPECT_FALSE(retry.retry_delay(tls, 1));
}

TEST(RetryState, TheSessionsQuotaStopsARetryStormAndSuccessesRefillIt) {
  auto session = offline_session();
  // Attempts to spare: only the quota (500 tokens, 5 a retry) can stop this.
  RetryState retry(*session, RetryPolicy{1000, std::chrono::milliseconds(1), std::chrono::milliseconds(1)});
  int retries = 0;
  while (retry.retry_delay(throttled(), retries + 1)) ++retries;
  EXPECT_EQ(retries, 100);
  // Another call of the same session meets the same empty bucket...
  RetryState other(*session);
  EXPECT_FALSE(other.retry_delay(throttled(), 1));
  // ...until successes give tokens back (a first-attempt success refunds 1).
  for (int i = 0; i < 5; ++i) RetryState(*session).succeeded();
  EXPECT_TRUE(other.retry_delay(throttled(), 1));
}

TEST(CallWithRetries, ReturnsTheFirstSuccessOrTheLastFailure) {
  auto session = offline_session(3);
  int calls = 0;
  auto succeeded = call_with_retries(*session, "PutRecord", [&]() -> Result<int> {
    if (++calls < 2) return throttled();
    return 42;
  });
  ASSERT_TRUE(succeeded.ok());
  EXPECT_EQ(*succeeded, 42);
  EXPECT_EQ(calls, 2);

  calls = 0;
  auto refused = call_with_retries(*session, "PutRecord", [&]() -> Result<int> {
    ++calls;
    return make_error(ErrorKind::Client, "InvalidArgumentException", "bad", 400);
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "InvalidArgumentException");
  EXPECT_EQ(calls, 1) << "a client error is not sent again";
}

TEST(IsThrottlingErrorCode, KnowsFirehosesSlowDownAndIgnoresDecorations) {
  EXPECT_TRUE(is_throttling_error_code("ThrottlingException"));
  EXPECT_TRUE(is_throttling_error_code("ServiceUnavailableException"));
  EXPECT_TRUE(is_throttling_error_code("com.amazon#ThrottlingException:http://internal"));
  EXPECT_FALSE(is_throttling_error_code("InternalFailure"));
  EXPECT_FALSE(is_throttling_error_code("ResourceNotFoundException"));
}

}  // namespace
}  // namespace firehose
