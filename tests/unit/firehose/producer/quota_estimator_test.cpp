#include "firehose/producer/quota_estimator.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

const RateTime kStart = RateTime{} + 1000s;

QuotaEstimator estimator() { return QuotaEstimator(10s, 200ms); }

TEST(QuotaEstimator, WhatWasAcceptedBetweenTwoEmptyMomentsOverTheTimeIsTheQuota) {
  auto q = estimator();
  q.saturated(kStart);
  // 2 s of requests of 100 KiB, ten a second, handled after the first empty moment.
  for (int i = 1; i <= 20; ++i) q.accepted(kStart + i * 100ms, {100, 100 * 1024, 1}, kStart + i * 100ms);
  q.accepted(kStart - 50ms, {100, 100 * 1024, 1}, kStart + 2s);  // handled before: not counted
  const auto quota = q.measure(kStart + 2s, 0);
  ASSERT_TRUE(quota);
  EXPECT_DOUBLE_EQ(quota->bytes, 1000 * 1024);
  EXPECT_DOUBLE_EQ(quota->records, 1000);
  EXPECT_DOUBLE_EQ(quota->requests, 10);
  EXPECT_DOUBLE_EQ(q.accepted_total().records, 2100);
}

TEST(QuotaEstimator, RecordsRefusedByFaultsTookTokensTooHalfCorrected) {
  auto q = estimator();
  q.saturated(kStart);
  q.accepted(kStart + 1s, {900, 900, 1}, kStart + 1s);
  const auto quota = q.measure(kStart + 1s, 0.2);  // / (1 - 0.2 / 2)
  ASSERT_TRUE(quota);
  EXPECT_DOUBLE_EQ(quota->records, 1000);
  EXPECT_DOUBLE_EQ(quota->requests, 1);  // requests are not refused by record faults
}

TEST(QuotaEstimator, NoEarlierEmptyMomentFarEnoughBackMeansNoMeasurement) {
  auto q = estimator();
  q.accepted(kStart + 100ms, {10, 10, 1}, kStart + 100ms);
  EXPECT_FALSE(q.measure(kStart + 1s, 0));  // no empty moment at all
  q.saturated(kStart + 900ms);
  EXPECT_FALSE(q.measure(kStart + 1s, 0));      // 100 ms back: under span_min
  EXPECT_FALSE(q.measure(RateTime::max(), 0));  // when the throttled request was handled is unknown
}

TEST(QuotaEstimator, TheLatestEmptyMomentFarEnoughBackIsTheStart) {
  auto q = estimator();
  q.saturated(kStart);
  q.saturated(kStart + 1s);
  q.accepted(kStart + 500ms, {100, 100, 1}, kStart + 2s);
  q.accepted(kStart + 1500ms, {100, 100, 1}, kStart + 2s);
  const auto quota = q.measure(kStart + 2s, 0);  // from kStart + 1 s
  ASSERT_TRUE(quota);
  EXPECT_DOUBLE_EQ(quota->records, 100);
}

TEST(QuotaEstimator, NothingAcceptedInBetweenIsNoMeasurement) {
  auto q = estimator();
  q.saturated(kStart);
  EXPECT_FALSE(q.measure(kStart + 1s, 0));
}

TEST(QuotaEstimator, WhatIsOlderThanTheWindowIsForgotten) {
  auto q = estimator();
  q.saturated(kStart);
  q.accepted(kStart + 1s, {100, 100, 1}, kStart + 1s);
  q.accepted(kStart + 12s, {100, 100, 1}, kStart + 12s);  // forgets both
  EXPECT_FALSE(q.measure(kStart + 12s, 0));
  EXPECT_DOUBLE_EQ(q.accepted_total().records, 200);  // the total is since the start
}

}  // namespace
}  // namespace firehose::producer
