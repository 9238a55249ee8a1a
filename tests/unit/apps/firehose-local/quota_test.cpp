#include "quota.hpp"

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

using Clock = TokenBucket::Clock;
using std::chrono::milliseconds;

TEST(LocalTokenBucket, BurstIsOneSecondThenRefillsAtTheRate) {
  const Clock::time_point t0{};
  TokenBucket bucket(10, t0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(bucket.try_take(1, 10, t0)) << i;
  EXPECT_FALSE(bucket.try_take(1, 10, t0));
  // 100 ms at 10/s: exactly one more.
  EXPECT_TRUE(bucket.try_take(1, 10, t0 + milliseconds(100)));
  EXPECT_FALSE(bucket.try_take(1, 10, t0 + milliseconds(100)));
  // A long pause refills only up to the burst.
  const auto later = t0 + std::chrono::seconds(60);
  EXPECT_NEAR(bucket.available(10, later), 10.0, 1e-9);
}

TEST(LocalTokenBucket, ZeroRateMeansNoLimitAndLoweringTheRateCapsSavings) {
  const Clock::time_point t0{};
  TokenBucket unlimited(0, t0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.try_take(1e9, 0, t0));
  TokenBucket bucket(100, t0);
  EXPECT_NEAR(bucket.available(5, t0), 5.0, 1e-9);
}

TEST(LocalStreamQuotas, BatchTakesWhatFitsAndThrottlesTheRest) {
  StreamQuotas quotas;
  QuotaSettings q;
  q.records = 3;
  q.requests = 100;
  q.bytes = 0;
  const Clock::time_point t0{};
  auto d = quotas.admit("s", {10, 10, 10, 10, 10}, q, t0);
  EXPECT_FALSE(d.request_throttled);
  EXPECT_EQ(d.accepted, (std::vector<bool>{true, true, true, false, false}));
  EXPECT_EQ(d.throttled_records, 2u);
  // Other streams have their own buckets.
  EXPECT_EQ(quotas.admit("other", {1, 1, 1}, q, t0).throttled_records, 0u);
  // Half a second later: 1.5 records' worth.
  auto later = quotas.admit("s", {1, 1}, q, t0 + milliseconds(500));
  EXPECT_EQ(later.accepted, (std::vector<bool>{true, false}));
}

TEST(LocalStreamQuotas, BytesQuotaLetsSmallRecordsPastABigOne) {
  StreamQuotas quotas;
  QuotaSettings q;
  q.records = 0;
  q.requests = 0;
  q.bytes = 100;
  auto d = quotas.admit("s", {60, 60, 30, 20}, q, Clock::time_point{});
  EXPECT_EQ(d.accepted, (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(d.throttled_records, 2u);
}

TEST(LocalStreamQuotas, RequestQuotaRefusesTheWholeRequestAndTakesNoRecords) {
  StreamQuotas quotas;
  QuotaSettings q;
  q.records = 10;
  q.requests = 2;
  q.bytes = 0;
  const Clock::time_point t0{};
  EXPECT_FALSE(quotas.admit("s", {1}, q, t0).request_throttled);
  EXPECT_FALSE(quotas.admit("s", {1}, q, t0).request_throttled);
  auto third = quotas.admit("s", {1, 1, 1}, q, t0);
  EXPECT_TRUE(third.request_throttled);
  EXPECT_EQ(third.throttled_records, 3u);
  EXPECT_EQ(third.accepted, (std::vector<bool>{false, false, false}));
  // Its records were not charged: 8 record tokens remain (seen with the request quota lifted).
  q.requests = 0;
  auto fourth = quotas.admit("s", std::vector<std::size_t>(9, 1), q, t0);
  EXPECT_EQ(fourth.throttled_records, 1u);
}

TEST(LocalStreamQuotas, ForgetStartsAStreamAfresh) {
  StreamQuotas quotas;
  QuotaSettings q;
  q.records = 1;
  q.requests = 0;
  q.bytes = 0;
  const Clock::time_point t0{};
  EXPECT_EQ(quotas.admit("s", {1, 1}, q, t0).throttled_records, 1u);
  quotas.forget("s");
  EXPECT_EQ(quotas.admit("s", {1}, q, t0).throttled_records, 0u);
}

}  // namespace
}  // namespace firehose::local
