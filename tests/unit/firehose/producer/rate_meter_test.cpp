#include "firehose/producer/rate_meter.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

const RateTime kStart = RateTime{} + 1000s;

TEST(RateMeter, NothingRecordedIsNoRate) {
  RateMeter meter;
  EXPECT_EQ(meter.rate(kStart).bytes, 0);
}

TEST(RateMeter, WithinTheFirstBucketItDividesByAtLeastAQuarterSecond) {
  RateMeter meter;
  meter.record(kStart, {10, 1000, 1});
  // 1 ms in: a burst taken in 1 ms is not a rate of 1,000,000 bytes/s.
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 1ms).bytes, 4000);
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 400ms).bytes, 2500);
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 400ms).records, 25);
}

TEST(RateMeter, ClosedBucketsAreSmoothedWithTheNewOneWeighingFourFifths) {
  RateMeter meter;
  meter.record(kStart, {0, 500, 0});
  meter.record(kStart + 600ms, {0, 1000, 0});  // closes the first bucket: 1000 bytes/s
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 700ms).bytes, 1000);
  // The second bucket ends: 0.8 x 2000 + 0.2 x 1000.
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 1100ms).bytes, 1800);
}

TEST(RateMeter, AnIdleSpanCountsAsTimeWithNothingSent) {
  RateMeter meter;
  meter.record(kStart, {0, 1000, 0});
  // Two seconds later, the first bucket's 1000 bytes are spread over them.
  EXPECT_DOUBLE_EQ(meter.rate(kStart + 2s).bytes, 500);
}

TEST(RateMeter, SecondsBetweenIsSigned) {
  EXPECT_DOUBLE_EQ(seconds_between(kStart, kStart + 1500ms), 1.5);
  EXPECT_DOUBLE_EQ(seconds_between(kStart + 1s, kStart), -1.0);
}

}  // namespace
}  // namespace firehose::producer
