#include "firehose/producer/concurrency_tuner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;
using Clock = ConcurrencyTuner::Clock;

constexpr std::size_t kCallBytes = 500 * 1024;

// An endpoint as the tuner sees it: answers arrive at `calls_per_second(limit)`,
// each finishing kCallBytes; `noise` spreads each gap uniformly by +-noise.
struct TunerRun {
  double seconds = 0;
  double bytes = 0;
  double limit_seconds = 0;  // the limit integrated over time
  int final_limit = 0;
  int highest_limit = 0;
};

TunerRun drive(ConcurrencyTuner& tuner, double seconds, const std::function<double(int)>& calls_per_second,
          double noise = 0, bool bottleneck = true, unsigned seed = 1) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> spread(1 - noise, 1 + noise);
  TunerRun run;
  Clock::time_point now = Clock::time_point{} + 1000s;
  double elapsed = 0;
  while (elapsed < seconds) {
    const int limit = tuner.limit();
    const double gap = spread(random) / calls_per_second(limit);
    elapsed += gap;
    now += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(gap));
    run.bytes += kCallBytes;
    run.limit_seconds += limit * gap;
    tuner.on_call(now, kCallBytes, bottleneck);
    run.highest_limit = std::max(run.highest_limit, tuner.limit());
  }
  run.seconds = elapsed;
  run.final_limit = tuner.limit();
  return run;
}

// Far away: every call in flight adds its share (50 ms a call).
double latency_bound(int limit) { return limit / 0.050; }
// Bound by CPU: two calls keep it busy, more only queue.
double cpu_bound(int limit) { return std::min(limit, 2) * 200.0; }

TEST(ConcurrencyTuner, StartsAtThreeWithinTheMaximum) {
  EXPECT_EQ(ConcurrencyTuner(ConcurrencyTunerOptions{}).limit(), 3);
  ConcurrencyTunerOptions two;
  two.max = 2;
  EXPECT_EQ(ConcurrencyTuner(two).limit(), 2);
}

TEST(ConcurrencyTuner, AgainstADistantEndpointItClimbsToTheMaximumAndStaysNearIt) {
  ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
  const TunerRun start = drive(tuner, 10, latency_bound);
  EXPECT_EQ(start.highest_limit, 16);
  // After the climb, probes below cost little: at least 97 % of what 16 in flight deliver.
  const TunerRun steady = drive(tuner, 300, latency_bound);
  EXPECT_GE(steady.bytes / steady.seconds, 0.97 * latency_bound(16) * kCallBytes);
  EXPECT_EQ(steady.final_limit, 16);
}

TEST(ConcurrencyTuner, AgainstAnEndpointBoundByCpuItKeepsFewInFlight) {
  ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
  drive(tuner, 10, cpu_bound);
  const TunerRun steady = drive(tuner, 120, cpu_bound);
  EXPECT_LE(steady.highest_limit, 6);
  EXPECT_LE(steady.limit_seconds / steady.seconds, 4.0);
  EXPECT_GE(steady.bytes / steady.seconds, 0.97 * cpu_bound(16) * kCallBytes);
}

TEST(ConcurrencyTuner, FindsAKneeBetweenTheBounds) {
  // Eight calls in flight reach the endpoint's capacity.
  auto knee = [](int limit) { return std::min(limit, 8) / 0.050; };
  ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
  drive(tuner, 20, knee);
  const TunerRun steady = drive(tuner, 120, knee);
  EXPECT_GE(steady.bytes / steady.seconds, 0.95 * knee(16) * kCallBytes);
  EXPECT_LE(steady.limit_seconds / steady.seconds, 12.0);
}

TEST(ConcurrencyTuner, NoisyAnswersStillFindTheMaximumOfADistantEndpoint) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
    drive(tuner, 20, latency_bound, 0.3, true, seed);
    const TunerRun steady = drive(tuner, 120, latency_bound, 0.3, true, seed);
    EXPECT_GE(steady.bytes / steady.seconds, 0.93 * latency_bound(16) * kCallBytes) << "seed " << seed;
  }
}

TEST(ConcurrencyTuner, NoisyAnswersDoNotWalkACpuBoundRunUp) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
    const TunerRun run = drive(tuner, 120, cpu_bound, 0.3, true, seed);
    EXPECT_LE(run.limit_seconds / run.seconds, 5.0) << "seed " << seed;
    EXPECT_LE(run.highest_limit, 8) << "seed " << seed;
  }
}

TEST(ConcurrencyTuner, WhenTheSendersAreNotTheBottleneckTheLimitStays) {
  // A quota, the slow start or a slow input: the rate limiter or the input
  // holds the rate, whatever the limit.
  ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
  const TunerRun run = drive(tuner, 60, latency_bound, 0, /*bottleneck=*/false);
  EXPECT_EQ(run.highest_limit, 3);
  EXPECT_EQ(run.final_limit, 3);
}

TEST(ConcurrencyTuner, EpochsWhereTheSendersAreNotTheBottleneckDoNotJudgeAProbe) {
  ConcurrencyTuner tuner(ConcurrencyTunerOptions{});
  Clock::time_point now = Clock::time_point{} + 1000s;
  // Epochs of 16 answers over 256 ms, each answer finishing kCallBytes.
  auto epoch = [&](bool bottleneck, std::chrono::milliseconds gap) {
    bool changed = false;
    for (int i = 0; i < 16; ++i) {
      now += gap;
      changed = tuner.on_call(now, kCallBytes, bottleneck) || changed;
    }
    return changed;
  };
  tuner.on_call(now, kCallBytes, true);  // opens the first epoch
  EXPECT_FALSE(epoch(true, 16ms));       // counts
  EXPECT_TRUE(epoch(true, 16ms));        // counts, and starts a probe up
  EXPECT_EQ(tuner.limit(), 4);
  EXPECT_FALSE(epoch(true, 16ms));  // settles
  // Far slower, but the rate limiter held the senders back: no verdict.
  EXPECT_FALSE(epoch(false, 160ms));
  EXPECT_EQ(tuner.limit(), 4);
  // The probe is judged on the next epoch that counts: no faster than
  // before it, so it goes back.
  EXPECT_TRUE(epoch(true, 16ms));
  EXPECT_EQ(tuner.limit(), 3);
}

TEST(ConcurrencyTuner, AFixedLimitNeverMoves) {
  ConcurrencyTunerOptions fixed;
  fixed.min = fixed.initial = fixed.max = 16;
  ConcurrencyTuner tuner(fixed);
  const TunerRun run = drive(tuner, 60, cpu_bound);
  EXPECT_EQ(run.highest_limit, 16);
  EXPECT_EQ(run.final_limit, 16);
}

}  // namespace
}  // namespace firehose::producer
