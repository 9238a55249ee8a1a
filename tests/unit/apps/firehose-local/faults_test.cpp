#include "faults.hpp"

#include <cmath>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

struct Tally {
  int stalls = 0, fail500 = 0, fail503 = 0, reset_before = 0, reset_after = 0;
  int record_failures = 0, unavailable = 0, internal = 0;
  std::vector<std::chrono::milliseconds> latencies;
};

Tally run(std::uint64_t seed, const FaultSettings& settings, int requests, int records_per_request) {
  FaultInjector injector(seed);
  Tally t;
  for (int i = 0; i < requests; ++i) {
    RequestPlan plan = injector.plan(settings);
    t.stalls += plan.faults.stall.count() > 0;
    if (plan.faults.fail_status) (*plan.faults.fail_status == 500 ? t.fail500 : t.fail503)++;
    t.reset_before += plan.faults.reset_before;
    t.reset_after += plan.faults.reset_after;
    t.latencies.push_back(plan.faults.latency);
    for (int r = 0; r < records_per_request; ++r) {
      if (auto code = plan.records.next()) {
        ++t.record_failures;
        (*code == "InternalFailure" ? t.internal : t.unavailable)++;
      }
    }
  }
  return t;
}

// |observed - expected| within 5 standard deviations of a binomial count.
void expect_rate(int observed, int trials, double rate, const char* what) {
  const double mean = trials * rate;
  const double sd = std::sqrt(trials * rate * (1 - rate));
  EXPECT_LE(std::abs(observed - mean), 5 * sd + 1) << what << ": " << observed << " of " << trials;
}

TEST(LocalFaults, SameSeedSameDecisions) {
  FaultSettings s;
  s.fail_records = 0.3;
  s.fail_records_code = RecordFailureCode::Mix;
  s.fail_requests = 0.1;
  s.reset_after = 0.2;
  s.latency_jitter = std::chrono::milliseconds(50);
  const Tally a = run(7, s, 300, 20);
  const Tally b = run(7, s, 300, 20);
  EXPECT_EQ(a.record_failures, b.record_failures);
  EXPECT_EQ(a.internal, b.internal);
  EXPECT_EQ(a.fail500, b.fail500);
  EXPECT_EQ(a.reset_after, b.reset_after);
  EXPECT_EQ(a.latencies, b.latencies);
  const Tally c = run(8, s, 300, 20);
  EXPECT_NE(a.latencies, c.latencies);
}

TEST(LocalFaults, RatesAreWithinStatisticalBounds) {
  FaultSettings s;
  s.fail_records = 0.3;
  s.fail_records_code = RecordFailureCode::Mix;
  s.fail_requests = 0.1;
  s.fail_requests_status = RequestFailureStatus::Mix;
  s.reset_before = 0.05;
  s.reset_after = 0.2;
  s.stall_rate = 0.01;
  const int requests = 20000;
  const int records = 10;
  const Tally t = run(12345, s, requests, records);
  expect_rate(t.record_failures, requests * records, 0.3, "record failures");
  expect_rate(t.internal, t.record_failures, 0.5, "InternalFailure share");
  expect_rate(t.fail500 + t.fail503, requests, 0.1, "request failures");
  expect_rate(t.fail500, t.fail500 + t.fail503, 0.5, "500 share");
  expect_rate(t.reset_before, requests, 0.05, "reset before");
  expect_rate(t.reset_after, requests, 0.2, "reset after");
  expect_rate(t.stalls, requests, 0.01, "stalls");
}

TEST(LocalFaults, ZeroAndOneAreNeverAndAlways) {
  FaultSettings never;
  const Tally none = run(1, never, 2000, 5);
  EXPECT_EQ(none.record_failures + none.fail500 + none.fail503 + none.reset_after + none.reset_before + none.stalls, 0);
  FaultSettings always;
  always.fail_records = 1;
  always.fail_records_code = RecordFailureCode::InternalFailure;
  always.reset_after = 1;
  always.fail_requests = 1;
  always.fail_requests_status = RequestFailureStatus::InternalError500;
  const Tally all = run(1, always, 200, 5);
  EXPECT_EQ(all.record_failures, 1000);
  EXPECT_EQ(all.internal, 1000);
  EXPECT_EQ(all.reset_after, 200);
  EXPECT_EQ(all.fail500, 200);
}

TEST(LocalFaults, ChangingOneRateDoesNotReshuffleTheOthers) {
  FaultSettings a;
  a.reset_after = 0.3;
  FaultSettings b = a;
  b.fail_records = 0.5;
  b.latency_jitter = std::chrono::milliseconds(100);
  FaultInjector first(99), second(99);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(first.plan(a).faults.reset_after, second.plan(b).faults.reset_after) << i;
  }
}

TEST(LocalFaults, LatencyIsFixedPlusJitterWithinBounds) {
  FaultSettings s;
  s.latency = std::chrono::milliseconds(20);
  s.latency_jitter = std::chrono::milliseconds(10);
  const Tally t = run(3, s, 2000, 0);
  std::set<long> seen;
  for (auto l : t.latencies) {
    EXPECT_GE(l.count(), 20);
    EXPECT_LE(l.count(), 30);
    seen.insert(static_cast<long>(l.count()));
  }
  EXPECT_EQ(seen.size(), 11u);  // every value 20..30 occurs
}

TEST(LocalFaults, SleepIsCutShortByInterrupt) {
  FaultInjector injector(1);
  EXPECT_TRUE(injector.sleep_for(std::chrono::milliseconds(1)));
  injector.interrupt();
  EXPECT_FALSE(injector.sleep_for(std::chrono::hours(1)));
}

// The fault-matrix soak (tests/integration/test_fault_matrix.py) relies on its
// seed: each life of its server (killed and restarted once) makes at least 30
// put calls in the short run, and every request fault kind must occur in them,
// counted the way the server counts them (a failed request is not also reset).
TEST(LocalFaults, TheSoakSeedMeetsEveryRequestFaultWithinTwentyCalls) {
  const FaultSettings s{.fail_records = 0.05,  // the soak's FAULTS
                        .fail_records_code = RecordFailureCode::Mix,
                        .fail_requests = 0.04,
                        .fail_requests_status = RequestFailureStatus::Mix,
                        .reset_before = 0.02,
                        .reset_after = 0.02,
                        .latency = std::chrono::milliseconds(2),
                        .latency_jitter = std::chrono::milliseconds(6),
                        .stall_rate = 0.01,
                        .stall = std::chrono::seconds(2)};
  FaultInjector injector(1026);
  std::set<std::string> seen;
  for (int call = 0; call < 20; ++call) {
    const RequestFaults f = injector.plan(s).faults;
    if (f.stall.count() > 0) seen.insert("stall");
    if (f.fail_status) seen.insert(*f.fail_status == 500 ? "500" : "503");
    else if (f.reset_before) seen.insert("reset before");
    else if (f.reset_after) seen.insert("reset after");
  }
  EXPECT_EQ(seen, (std::set<std::string>{"500", "503", "reset after", "reset before", "stall"}));
}

}  // namespace
}  // namespace firehose::local
