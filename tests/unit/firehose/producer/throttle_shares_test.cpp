#include "firehose/producer/throttle_shares.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

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

// The lowest group's share raised by 1.5 standard deviations of the window's
// pooled share on that group's count (never above the pooled share).
double raised(double lowest, double pooled, double answered) {
  return std::min(pooled, lowest + 1.5 * std::sqrt(pooled * (1 - pooled) / answered));
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
  // Pooled: 300 of 2,000 throttled, 15 %.
  EXPECT_DOUBLE_EQ(s.fault_share(now, Unit::kRecords, 500), raised(0.05, 0.15, 500));
  // In pairs (1,000 answers each), from the newest: (30 %, 5 %) and (5 %, 20 %).
  EXPECT_DOUBLE_EQ(s.fault_share(now, Unit::kRecords, 1000), raised(0.125, 0.15, 1000));
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
  // 0, raised by the noise of 1,200 answers at the pooled 16 %: 1.6 %, not 29 %.
  EXPECT_DOUBLE_EQ(s.fault_share(kStart + 1250ms, Unit::kRecords, 1000), raised(0.0, 0.16, 1200));
}

// With 10 % of requests refused at random, groups of 20 hold 0 to 5 refusals:
// the lowest reads 0 or 5 % by chance. Raised by its noise, the faults' share
// is near the 10 % that every rate sees, and a recent 15-20 % is no signal.
TEST(ThrottleShares, TheLowestOfSmallGroupsIsRaisedByItsNoise) {
  auto s = shares();
  std::mt19937_64 random(7);
  std::bernoulli_distribution refused(0.1);
  for (int i = 0; i < 40; ++i) {  // 10 s of quarter-second slots of 20 requests
    for (int r = 0; r < 20; ++r) s.count(kStart + i * 250ms, false, 0, refused(random) ? 500 : 0, true);
  }
  const double faults = s.fault_share(kStart + 10s, Unit::kRequests, 20);
  EXPECT_GE(faults, 0.07);
  EXPECT_LE(faults, 0.12);
  EXPECT_FALSE(s.over_faults(0.2, 20, faults));
}

TEST(ThrottleShares, WithNothingThrottledTheFaultsShareStaysZero) {
  auto s = shares();
  for (int i = 0; i < 8; ++i) s.count(kStart + i * 250ms, true, 500, 0, true);
  EXPECT_DOUBLE_EQ(s.fault_share(kStart + 3s, Unit::kRecords, 1000), 0.0);
  EXPECT_DOUBLE_EQ(s.fault_share(kStart + 3s, Unit::kRequests, 1), 0.0);
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
