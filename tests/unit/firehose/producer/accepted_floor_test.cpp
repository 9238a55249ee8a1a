#include "firehose/producer/accepted_floor.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

const RateTime kStart = RateTime{} + 1000s;

AcceptedFloor floor_of_quarter() { return AcceptedFloor(10s, 0.25, Rates{1, 1024, 0.5}); }

TEST(AcceptedFloor, WithoutSamplesItIsTheMinimum) {
  const auto f = floor_of_quarter().floor(kStart);
  EXPECT_EQ(f.records, 1);
  EXPECT_EQ(f.bytes, 1024);
  EXPECT_EQ(f.requests, 0.5);
}

TEST(AcceptedFloor, AQuarterOfTheMedianSample) {
  auto floor = floor_of_quarter();
  floor.note(kStart, {0, 400'000, 0});
  floor.note(kStart + 200ms, {0, 1'000'000, 0});
  floor.note(kStart + 400ms, {0, 1'100'000, 0});
  EXPECT_DOUBLE_EQ(floor.floor(kStart + 1s).bytes, 250'000);
}

TEST(AcceptedFloor, NeverBelowHalfTheHighestSample) {
  auto floor = floor_of_quarter();
  floor.note(kStart, {0, 4'000'000, 0});  // the first second's burst
  floor.note(kStart + 200ms, {0, 1'000'000, 0});
  floor.note(kStart + 400ms, {0, 1'000'000, 0});
  EXPECT_DOUBLE_EQ(floor.floor(kStart + 1s).bytes, 0.25 * 2'000'000);
}

TEST(AcceptedFloor, SamplesCloserThanATenthOfASecondAreOneTheirMaximum) {
  auto floor = floor_of_quarter();
  floor.note(kStart, {0, 1'000'000, 0});
  floor.note(kStart + 50ms, {0, 3'000'000, 0});
  floor.note(kStart + 200ms, {0, 100'000, 0});
  // Samples 3,000,000 and 100,000: median 3,000,000 (the upper of two).
  EXPECT_DOUBLE_EQ(floor.floor(kStart + 300ms).bytes, 750'000);
}

TEST(AcceptedFloor, SamplesOlderThanTheWindowNoLongerHoldItUp) {
  auto floor = floor_of_quarter();
  floor.note(kStart, {0, 4'000'000, 0});
  EXPECT_DOUBLE_EQ(floor.floor(kStart + 11s).bytes, 1024);
  floor.note(kStart + 11s, {0, 8'000, 0});
  EXPECT_DOUBLE_EQ(floor.floor(kStart + 11s).bytes, 2'000);
}

}  // namespace
}  // namespace firehose::producer
