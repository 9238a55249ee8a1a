#include "firehose/producer/throttle_shares.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;
using Unit = ThrottleShares::Unit;

const RateTime kStart = RateTime{} + 1000s;

ThrottleShares shares() { return ThrottleShares(10s, 0.02, 0.25); }

TEST(ThrottleShares, TheLastSecondCountsRecordsAndRequestsApart) {
  auto s = shares();
  s.count(kStart, true, 90, 10, true);           // a 200 with 10 of 100 records throttled
  s.count(kStart + 100ms, false, 0, 500, true);  // a request of 500 refused whole
  const auto records = s.recent(kStart + 200ms, Unit::kRecords);
  EXPECT_EQ(records.answered, 100);
  EXPECT_EQ(records.throttled, 10);
  EXPECT_DOUBLE_EQ(records.share(), 0.1);
  const auto requests = s.recent(kStart + 200ms, Unit::kRequests);
  EXPECT_EQ(requests.answered, 2);
  EXPECT_EQ(requests.throttled, 1);                              // one event, not 500
  EXPECT_EQ(s.recent(kStart + 2s, Unit::kRecords).answered, 0);  // older than a second
}

TEST(ThrottleShares, TheSecondHalfOfAnAnswerDoesNotCountItsRequestAgain) {
  auto s = shares();
  s.count(kStart, true, 90, 0, true);
  s.count(kStart, true, 0, 10, false);
  EXPECT_EQ(s.recent(kStart, Unit::kRequests).answered, 1);
  EXPECT_EQ(s.recent(kStart, Unit::kRecords).answered, 100);
}

TEST(ThrottleShares, TheFaultsShareIsTheLowestOverGroupsOfEnoughAnswers) {
  auto s = shares();
  // Four quarter-second slots of 500 records: 20 %, 5 %, 5 %, 30 % throttled.
  const double throttled[] = {100, 25, 25, 150};
  for (int i = 0; i < 4; ++i) {
    const auto t = kStart + i * 250ms;
    s.count(t, true, 500 - static_cast<std::size_t>(throttled[i]), static_cast<std::size_t>(throttled[i]), true);
  }
  const auto now = kStart + 1s + 10ms;                        // all four slots complete
  EXPECT_LT(s.fault_share(kStart, Unit::kRecords, 1000), 0);  // nothing complete yet: unknown
  EXPECT_DOUBLE_EQ(s.fault_share(now, Unit::kRecords, 500), 0.05);
  // In pairs (1,000 answers each), from the newest: (30 %, 5 %) and (5 %, 20 %).
  EXPECT_DOUBLE_EQ(s.fault_share(now, Unit::kRecords, 1000), 0.125);
  EXPECT_LT(s.fault_share(now, Unit::kRecords, 5000), 0);  // never enough
}

TEST(ThrottleShares, TheOldestSlotsAreAGroupTooWhenTheNewestGroupsLeaveThemOut) {
  // A slow start: four clean slots of 300 records, then one of 800 with 40 %
  // throttled (the overshoot into an empty quota bucket). Grouped from the
  // newest only, the overshoot and the last clean slot make one group (29 %)
  // and the 900 clean records left are too few for another: faults of 29 %,
  // and the throttling that follows would pass for faults. Grouped from the
  // oldest, the 1,200 clean records are a group: no faults.
  auto s = shares();
  for (int i = 0; i < 4; ++i) s.count(kStart + i * 250ms, true, 300, 0, true);
  s.count(kStart + 1s, true, 480, 320, true);
  EXPECT_DOUBLE_EQ(s.fault_share(kStart + 1250ms, Unit::kRecords, 1000), 0.0);
}

TEST(ThrottleShares, SlotsOlderThanTheWindowAreForgotten) {
  auto s = shares();
  s.count(kStart, true, 0, 1000, true);  // all throttled
  s.count(kStart + 11s, true, 1000, 0, true);
  EXPECT_DOUBLE_EQ(s.fault_share(kStart + 12s, Unit::kRecords, 1000), 0.0);
}

TEST(ThrottleShares, OverFaultsNeedsTheMarginAndThreeTimesTheSamplingNoise) {
  auto s = shares();
  // Faults of 10 %: the bar on 10,000 answers is 0.1 + 0.02 + 0.025 + 3 x 0.003.
  EXPECT_FALSE(s.over_faults(0.15, 10000, 0.1));
  EXPECT_TRUE(s.over_faults(0.16, 10000, 0.1));
  // On 100 answers the noise alone is 0.09.
  EXPECT_FALSE(s.over_faults(0.2, 100, 0.1));
  // No faults measured: the noise is that of 1 %.
  EXPECT_TRUE(s.over_faults(0.05, 1000, 0));
  EXPECT_FALSE(s.over_faults(0.025, 1000, 0));
}

}  // namespace
}  // namespace firehose::producer
