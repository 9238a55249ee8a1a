#include "firehose/producer/adaptive_rate_limiter.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "rate_limiter_simulation.hpp"

namespace firehose::producer {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using TimePoint = AdaptiveRateLimiter::TimePoint;

// The rate send_steadily() sends at: 100 KiB every 100 ms.
constexpr double kBytesPerSecond = 1000 * 1024;

// A clock that moves only when told to; `sleep` moves it by the time asked for.
struct FakeClock {
  TimePoint t = TimePoint(std::chrono::hours(1));
  int sleeps = 0;

  RateLimiterClock clock() {
    return {[this] { return t; },
            [this](nanoseconds d) {
              ++sleeps;
              t += d;
            }};
  }
  double seconds_since(TimePoint start) const { return std::chrono::duration<double>(t - start).count(); }
};

// The adaptive core, without the slow start, without telling faults from a
// quota and without measuring the quota (each has tests of its own): every
// throttle is a signal, and a decrease starts from beta x the accepted rate.
RateLimiterOptions options_with(FakeClock& clock, RateAlgorithm algorithm = RateAlgorithm::kCubic) {
  RateLimiterOptions options;
  options.algorithm = algorithm;
  options.clock = clock.clock();
  options.slow_start.enabled = false;
  options.tell_faults_from_quota = false;
  options.measure_quota = false;
  options.first_throttle_burst_seconds = 0;
  options.floor_of_accepted = 0;
  return options;
}

// Sends `batches` requests of 100 records / 100 KiB, one every 100 ms
// (kBytesPerSecond, 1,000 records/s, 10 requests/s), all accepted.
void send_steadily(AdaptiveRateLimiter& limiter, FakeClock& clock, int batches) {
  for (int i = 0; i < batches; ++i) {
    ASSERT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero()) << "batch " << i;
    limiter.on_success(100, 100 * 1024);
    clock.t += milliseconds(100);
  }
}

// The curve the limiter follows, relative to the rate of the last throttle:
// beta at the decrease, 1 after the recovery time K.
double cubic(double t, double k, double beta = 0.7) { return 1 + (1 - beta) * std::pow((t - k) / k, 3); }
double aimd(double t, double k, double beta = 0.7) { return beta + (1 - beta) * t / k; }

// ---------------------------------------------------------------------------
// Before the first throttle

TEST(AdaptiveRateLimiter, DoesNotLimitBeforeTheFirstThrottle) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.try_acquire(500, 4 * 1024 * 1024), nanoseconds::zero());
    limiter.on_success(500, 4 * 1024 * 1024);
  }
  EXPECT_TRUE(limiter.acquire(500, 4 * 1024 * 1024, clock.t));
  EXPECT_EQ(clock.sleeps, 0);
  EXPECT_FALSE(limiter.limiting());
  EXPECT_EQ(limiter.bytes_per_second_limit(), 0);
  const RateLimits limits = limiter.limits();
  EXPECT_EQ(limits.records_per_second, 0);
  EXPECT_EQ(limits.requests_per_second, 0);
  EXPECT_EQ(limiter.decreases(), 0u);
}

TEST(AdaptiveRateLimiter, NonAdaptiveLimiterIgnoresThrottles) {
  FakeClock clock;
  RateLimiterOptions options = options_with(clock);
  options.adaptive = false;
  AdaptiveRateLimiter limiter(options);
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(100, 100, clock.t);
  EXPECT_FALSE(limiter.limiting());
  EXPECT_EQ(limiter.decreases(), 0u);
  EXPECT_EQ(limiter.try_acquire(500, 4 * 1024 * 1024), nanoseconds::zero());
}

TEST(AdaptiveRateLimiter, ThrottleOfNoRecordIsNoSignal) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(0, 100, clock.t);
  EXPECT_FALSE(limiter.limiting());
}

// ---------------------------------------------------------------------------
// Slow start

RateLimiterOptions slow_start_options(FakeClock& clock) {
  RateLimiterOptions options;
  options.clock = clock.clock();
  options.slow_start.initial_bytes_per_second = kBytesPerSecond;  // 100 KiB every 100 ms
  options.slow_start.initial_records_per_second = 1e9;
  options.slow_start.initial_requests_per_second = 1e9;
  options.slow_start.doubling_time = milliseconds(500);
  options.tell_faults_from_quota = false;
  options.measure_quota = false;
  options.first_throttle_burst_seconds = 0;
  options.floor_of_accepted = 0;
  return options;
}

TEST(AdaptiveRateLimiter, SlowStartOpensWithOneSecondOfItsInitialRate) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(slow_start_options(clock));
  EXPECT_TRUE(limiter.limiting());
  EXPECT_NEAR(limiter.bytes_per_second_limit(), kBytesPerSecond, 1e-6);
  // A second's worth at once, then the bucket is empty.
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero()) << i;
  const nanoseconds wait = limiter.try_acquire(100, 100 * 1024);
  EXPECT_GT(wait, milliseconds(90));
  EXPECT_LE(wait, milliseconds(100));
  EXPECT_EQ(limiter.decreases(), 0u);
}

TEST(AdaptiveRateLimiter, SlowStartDoublesEachDoublingTimeWithinTwiceTheRateSent) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(slow_start_options(clock));
  // Sending as fast as allowed: each doubling time the limit doubles.
  const TimePoint start = clock.t;
  double sent_bytes = 0;
  while (clock.t < start + seconds(2)) {
    const nanoseconds wait = limiter.try_acquire(10, 10 * 1024);
    if (wait == nanoseconds::zero()) {
      sent_bytes += 10 * 1024;
    } else {
      clock.t += wait;
    }
  }
  // 2 s = 4 doublings: 16 x the initial rate, and more than 2 s of the initial rate sent.
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 16 * kBytesPerSecond, 0.05 * 16 * kBytesPerSecond);
  EXPECT_GT(sent_bytes, 5 * kBytesPerSecond);

  // Idle for ten doubling times: the time alone would give 2^14 x the
  // initial rate; the rate sent holds it down instead.
  const double before_idling = limiter.bytes_per_second_limit();
  clock.t += seconds(5);
  EXPECT_LT(limiter.bytes_per_second_limit(), before_idling);
}

TEST(AdaptiveRateLimiter, FirstThrottleInSlowStartTakesTheSlowStartRateAsTheMaximumAtMost) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(slow_start_options(clock));
  // Sent and accepted at the initial rate for 3 s; the limit grew to 2x that (the sent cap).
  for (int i = 0; i < 30; ++i) {
    clock.t += milliseconds(100);
    ASSERT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero()) << i;
    limiter.on_success(100, 100 * 1024);
  }
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 2 * kBytesPerSecond, 0.05 * kBytesPerSecond);
  limiter.on_throttle(10, 100, clock.t);
  EXPECT_EQ(limiter.decreases(), 1u);
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 0.7 * kBytesPerSecond, 0.01 * kBytesPerSecond);
  // From here on the adaptive curve: CUBIC back to the maximum after the recovery time.
  clock.t += seconds(4);
  EXPECT_NEAR(limiter.bytes_per_second_limit(), kBytesPerSecond, 0.01 * kBytesPerSecond);
}

TEST(AdaptiveRateLimiter, SlowStartWithoutAThrottleEndsUnlimited) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(slow_start_options(clock));
  ASSERT_EQ(limiter.try_acquire(1, 1), nanoseconds::zero());
  clock.t += seconds(21);  // 42 doublings
  EXPECT_FALSE(limiter.limiting());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.try_acquire(500, 4 * 1024 * 1024), nanoseconds::zero());
}

// ---------------------------------------------------------------------------
// Decrease

// Records refused inside an answer are the records or bytes quota: those two
// rates go to beta x the accepted rate; the request rate is not lowered to
// what was sent (the requests quota refuses whole requests; see
// WholeRequestThrottlesBeforeAnySuccessUseTheSentRate), only kept within
// twice it.
TEST(AdaptiveRateLimiter, FirstThrottleLimitsRecordsAndBytesToBetaTimesTheAcceptedRate) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t - milliseconds(50));
  ASSERT_TRUE(limiter.limiting());
  EXPECT_EQ(limiter.decreases(), 1u);
  const RateLimits limits = limiter.limits();
  EXPECT_NEAR(limits.bytes_per_second, 0.7 * kBytesPerSecond, 1e-6);
  EXPECT_NEAR(limits.records_per_second, 0.7 * 1000, 1e-6);
  EXPECT_NEAR(limits.requests_per_second, 0.7 * 2 * 10, 1e-9);
  EXPECT_EQ(limiter.bytes_per_second_limit(), limits.bytes_per_second);
}

TEST(AdaptiveRateLimiter, ThrottledRecordsDoNotCountAsAccepted) {
  // Half of each request refused: the service accepts half of what is sent.
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  for (int i = 0; i < 30; ++i) {
    clock.t += milliseconds(100);
    ASSERT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero());
    limiter.on_success(50, 50 * 1024);
  }
  limiter.on_throttle(50, 100, clock.t);
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 0.7 * 0.5 * kBytesPerSecond, 1e-3);
}

TEST(AdaptiveRateLimiter, WholeRequestThrottlesBeforeAnySuccessUseTheSentRate) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero());
    clock.t += milliseconds(100);
  }
  limiter.on_throttle(100, 100, clock.t - milliseconds(100));
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 0.7 * kBytesPerSecond, 1e-3);
}

TEST(AdaptiveRateLimiter, ThrottlesFromRequestsSentBeforeTheDecreaseDoNotDecreaseAgain) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  // 64 requests in flight, all sent before the overload was noticed.
  std::vector<TimePoint> sent;
  for (int i = 0; i < 64; ++i) sent.push_back(clock.t - milliseconds(64 - i));
  limiter.on_throttle(500, 500, sent[0]);
  const double after_first = limiter.bytes_per_second_limit();
  for (int i = 1; i < 64; ++i) {
    clock.t += milliseconds(5);
    limiter.on_throttle(500, 500, sent[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(limiter.decreases(), 1u);
  EXPECT_GE(limiter.bytes_per_second_limit(), after_first);  // the curve only climbed

  // A request sent after the decrease and still throttled is a new signal.
  const TimePoint sent_after = clock.t;
  clock.t += milliseconds(50);
  limiter.on_throttle(1, 500, sent_after);
  EXPECT_EQ(limiter.decreases(), 2u);
  EXPECT_LT(limiter.bytes_per_second_limit(), after_first);
}

TEST(AdaptiveRateLimiter, NewMaximumIsNeverAboveTheLimitInForce) {
  // Right after the first decrease the accepted rate still says kBytesPerSecond; a
  // second throttle must start from the limit of 0.7 x that.
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);
  const double first = limiter.bytes_per_second_limit();
  const TimePoint sent_after = clock.t;
  limiter.on_throttle(10, 100, sent_after);
  EXPECT_EQ(limiter.decreases(), 2u);
  EXPECT_NEAR(limiter.bytes_per_second_limit(), 0.7 * first, 1e-3);
}

TEST(AdaptiveRateLimiter, RepeatedThrottlesStopAtTheFloors) {
  FakeClock clock;
  RateLimiterOptions options = options_with(clock);
  options.min_records_per_second = 20;
  options.min_bytes_per_second = 20 * 1024;
  options.min_requests_per_second = 2;
  AdaptiveRateLimiter limiter(options);
  send_steadily(limiter, clock, 30);
  for (int i = 0; i < 100; ++i) {
    clock.t += milliseconds(100);
    limiter.on_throttle(100, 100, clock.t);  // nothing accepted any more
    const RateLimits limits = limiter.limits();
    ASSERT_GE(limits.records_per_second, 20) << i;
    ASSERT_GE(limits.bytes_per_second, 20 * 1024) << i;
    ASSERT_GE(limits.requests_per_second, 2) << i;
  }
  EXPECT_EQ(limiter.decreases(), 100u);
  const RateLimits limits = limiter.limits();
  EXPECT_NEAR(limits.bytes_per_second, 20 * 1024, 1);
  EXPECT_NEAR(limits.requests_per_second, 2, 1e-6);
}

// ---------------------------------------------------------------------------
// Recovery

// Throttles at kBytesPerSecond, then keeps sending at the limit (so that the limit is
// not held down by a low send rate) and returns the limit after `after`.
double limit_after_recovering(RateAlgorithm algorithm, std::chrono::duration<double> after, bool keep_sending = true) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock, algorithm));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);
  const TimePoint decrease = clock.t;
  const auto end = decrease + std::chrono::duration_cast<nanoseconds>(after);
  while (keep_sending && clock.t < end) {
    const nanoseconds wait = limiter.try_acquire(100, 100 * 1024);
    clock.t = std::min(end, clock.t + (wait == nanoseconds::zero() ? milliseconds(1) : wait));
  }
  clock.t = end;
  return limiter.bytes_per_second_limit() / kBytesPerSecond;
}

TEST(AdaptiveRateLimiter, CubicClimbsBackToTheLastMaximumAndPlateausThere) {
  const double k = 4.0;  // the default recovery time
  EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kCubic, seconds(0)), 0.7, 1e-6);
  // Concave: well above the straight line from 0.7 to 1 halfway there.
  const double halfway = limit_after_recovering(RateAlgorithm::kCubic, std::chrono::duration<double>(k / 2));
  EXPECT_NEAR(halfway, cubic(k / 2, k), 1e-6);
  EXPECT_GT(halfway, 0.85 + 0.1);
  EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kCubic, std::chrono::duration<double>(k)), 1.0, 1e-6);
  // The plateau: within 1 % of the last maximum from 0.8 K to 1.2 K.
  for (double t = 0.8 * k; t <= 1.2 * k; t += 0.1 * k) {
    EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kCubic, std::chrono::duration<double>(t)), 1.0, 0.01) << t;
  }
  // Then convex probing beyond it.
  EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kCubic, std::chrono::duration<double>(2 * k)), cubic(2 * k, k),
              1e-6);
  EXPECT_GT(cubic(2 * k, k), 1.25);
}

TEST(AdaptiveRateLimiter, AimdClimbsAlongAStraightLine) {
  const double k = 4.0;
  for (double t : {0.0, k / 4, k / 2, k, 1.5 * k, 2 * k}) {
    EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kAimd, std::chrono::duration<double>(t)), aimd(t, k), 1e-6) << t;
  }
}

TEST(AdaptiveRateLimiter, AnIdleProducerDoesNotEarnALimitAboveTheLastMaximum) {
  // Three recovery times later the curve is far above 1, but nothing was sent
  // meanwhile: the limit stays at the last maximum.
  EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kCubic, seconds(12), /*keep_sending=*/false), 1.0, 1e-6);
  EXPECT_NEAR(limit_after_recovering(RateAlgorithm::kAimd, seconds(12), /*keep_sending=*/false), 1.0, 1e-6);
}

// ---------------------------------------------------------------------------
// Waiting

TEST(AdaptiveRateLimiter, AcquireSleepsUntilTokensAreDue) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);  // 0.7 MiB/s, 700 records/s, 7 requests/s; the buckets are empty
  const TimePoint start = clock.t;
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(limiter.acquire(100, 100 * 1024));
  // Seven requests of a seventh of a second's allowance each: about a second
  // (a little less, as the curve climbs meanwhile), in a few sleeps, no spinning.
  EXPECT_GT(clock.seconds_since(start), 0.9);
  EXPECT_LE(clock.seconds_since(start), 1.0);
  EXPECT_LE(clock.sleeps, 7 * 3);
}

TEST(AdaptiveRateLimiter, RequestLargerThanTheBucketPassesWhenItIsFullAndLeavesDebt) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);  // bytes: 0.7 MiB/s, holding at most 0.7 MiB
  const TimePoint start = clock.t;
  ASSERT_TRUE(limiter.acquire(1, 4 * 1024 * 1024));
  const double first = clock.seconds_since(start);
  EXPECT_GT(first, 0.9);  // filling the bucket takes about a second
  EXPECT_LE(first, 1.0);
  // The next request waits until the 4 MiB - 0.7 x 1000 KiB borrowed are paid
  // back at no more than 1000 KiB/s (the last maximum; the curve reaches it
  // after 4 s): over 3.3 s.
  ASSERT_TRUE(limiter.acquire(1, 1));
  EXPECT_GT(clock.seconds_since(start) - first, 3.3);
}

TEST(AdaptiveRateLimiter, AcquireGivesUpAtTheDeadlineWithoutTakingTokens) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);
  const TimePoint deadline = clock.t + milliseconds(20);
  EXPECT_FALSE(limiter.acquire(100, 100 * 1024, deadline));
  EXPECT_EQ(clock.t, deadline);
  // Nothing was taken: the request is due a seventh of a second after the decrease.
  const nanoseconds wait = limiter.try_acquire(100, 100 * 1024);
  EXPECT_GT(wait, milliseconds(100));
  EXPECT_LT(wait, milliseconds(143) - milliseconds(20));
}

TEST(AdaptiveRateLimiter, TryAcquireTakesNothingWhenItReturnsAWait) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  send_steadily(limiter, clock, 30);
  limiter.on_throttle(10, 100, clock.t);
  const nanoseconds first = limiter.try_acquire(100, 100 * 1024);
  ASSERT_GT(first, nanoseconds::zero());
  EXPECT_EQ(limiter.try_acquire(100, 100 * 1024), first);
  clock.t += first;
  EXPECT_EQ(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero());
  EXPECT_GT(limiter.try_acquire(100, 100 * 1024), nanoseconds::zero());
}

TEST(AdaptiveRateLimiter, CancelRefusesEveryAcquire) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(options_with(clock));
  limiter.cancel();
  EXPECT_FALSE(limiter.acquire(1, 1));
  EXPECT_EQ(limiter.try_acquire(1, 1), nanoseconds::max());
}

// Real threads and the real clock from here on; nothing is timed.

// A limiter that is limiting at exactly the floors.
// Waiting mechanics at fixed rates: every throttle a signal, only the fixed floors.
RateLimiterOptions floor_options(double records, double bytes, double requests) {
  RateLimiterOptions options;
  options.tell_faults_from_quota = false;
  options.floor_of_accepted = 0;
  options.min_records_per_second = records;
  options.min_bytes_per_second = bytes;
  options.min_requests_per_second = requests;
  return options;
}

TEST(AdaptiveRateLimiter, CancelWakesEveryBlockedAcquire) {
  AdaptiveRateLimiter limiter(floor_options(1e-6, 1e-6, 1e-6));
  limiter.on_throttle(1, 1, std::chrono::steady_clock::now());  // nothing measured: the floors, a token per ~12 days
  ASSERT_TRUE(limiter.limiting());
  constexpr int kThreads = 16;
  std::atomic<int> started{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      ++started;
      if (!limiter.acquire(1, 1024)) ++refused;
    });
  }
  while (started < kThreads) std::this_thread::yield();
  std::this_thread::sleep_for(milliseconds(50));  // let them block (the test holds either way)
  limiter.cancel();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(refused, kThreads);
}

TEST(AdaptiveRateLimiter, DeadlineReleasesABlockedAcquire) {
  AdaptiveRateLimiter limiter(floor_options(1e-6, 1e-6, 1e-6));
  limiter.on_throttle(1, 1, std::chrono::steady_clock::now());
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (!limiter.acquire(1, 1024, std::chrono::steady_clock::now() + milliseconds(30))) ++refused;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(refused, 4);
}

TEST(AdaptiveRateLimiter, ManyConcurrentAcquirersAllGetThrough) {
  // 2,000 requests/s: 64 threads x 10 requests pass in about a third of a second.
  AdaptiveRateLimiter limiter(floor_options(1e9, 1e12, 2000));
  limiter.on_throttle(1, 1, std::chrono::steady_clock::now());
  ASSERT_NEAR(limiter.limits().requests_per_second, 2000, 1e-6);
  constexpr int kThreads = 64;
  constexpr int kEach = 10;
  std::atomic<int> acquired{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) {
        if (limiter.acquire(10, 10 * 1024, std::chrono::steady_clock::now() + seconds(60))) ++acquired;
        limiter.on_success(10, 10 * 1024);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(acquired, kThreads * kEach);
}

// ---------------------------------------------------------------------------
// Simulation: a producer against a server with a Firehose-like quota, on a
// simulated clock. The numbers are printed (they are quoted in the docs); the
// assertions are only the loose properties any sane limiter must have.

struct Scenario {
  const char* name;
  simulation::Config config;
  // Throttled shares allowed over the whole run and the first 5 s. Requests
  // of one record each are the one case the fault-tolerant limiter handles
  // worse than the old one (an answer of one record is no evidence on its
  // own): docs/producer.md.
  double whole_throttled = 0.02;
  double startup_throttled = 0.10;
};

std::vector<Scenario> scenarios() {
  std::vector<Scenario> list;
  simulation::Config base;  // 5 MiB/s + 2,000 req/s, 1 s burst, 16 in flight, 500 x 1 KiB, RTT 40-80 ms
  list.push_back({"5 MiB/s, 1 s burst, 16 in flight, 500 x 1 KiB", base});
  simulation::Config many = base;
  many.senders = 64;
  list.push_back({"5 MiB/s, 1 s burst, 64 in flight, 500 x 1 KiB", many});
  simulation::Config short_burst = base;
  short_burst.server_burst_seconds = 0.25;
  list.push_back({"5 MiB/s, 0.25 s burst, 16 in flight, 500 x 1 KiB", short_burst});
  simulation::Config slow = base;
  slow.rtt_min = milliseconds(100);
  slow.rtt_jitter = milliseconds(100);
  list.push_back({"5 MiB/s, 1 s burst, 16 in flight, RTT 100-200 ms", slow});
  simulation::Config requests = base;
  requests.senders = 64;
  requests.records_per_request = 1;
  requests.rtt_min = milliseconds(10);
  requests.rtt_jitter = milliseconds(10);
  list.push_back({"2,000 req/s, 1 s burst, 64 in flight, 1 x 1 KiB", requests, 0.05, 0.25});
  return list;
}

TEST(RateLimiterSimulation, SustainsTheQuotaWithFewThrottledRecords) {
  std::printf("%-8s %-50s | %-29s | %-29s | %-29s | %s\n", "", "scenario (60 s simulated)",
              "whole run: quota, throttled", "first 5 s: quota, throttled", "from 10 s: quota, throttled", "decreases");
  for (const Scenario& scenario : scenarios()) {
    for (RateAlgorithm algorithm : {RateAlgorithm::kCubic, RateAlgorithm::kAimd}) {
      simulation::Config config = scenario.config;
      config.limiter.algorithm = algorithm;
      const simulation::Result r = simulation::run(config);
      std::printf("%-8s %-50s | %12.2f %% %12.3f %% | %12.2f %% %12.3f %% | %12.2f %% %12.3f %% | %llu\n",
                  algorithm == RateAlgorithm::kCubic ? "CUBIC" : "AIMD", scenario.name, 100 * r.whole.quota_fraction,
                  100 * r.whole.throttled_fraction, 100 * r.startup.quota_fraction, 100 * r.startup.throttled_fraction,
                  100 * r.steady.quota_fraction, 100 * r.steady.throttled_fraction,
                  static_cast<unsigned long long>(r.decreases));
      SCOPED_TRACE(scenario.name);
      EXPECT_GE(r.whole.quota_fraction, 0.85);
      EXPECT_GE(r.steady.quota_fraction, 0.85);
      EXPECT_LE(r.steady.throttled_fraction, 0.10);
      // With the slow start the start-up no longer dominates, whatever the
      // number in flight (its overshoot grows with the round trip: the first
      // throttle takes one to arrive).
      EXPECT_LE(r.whole.throttled_fraction, scenario.whole_throttled);
      EXPECT_LE(r.startup.throttled_fraction, scenario.startup_throttled);
      EXPECT_GT(r.decreases, 0u);
      EXPECT_GT(r.final_bytes_limit, 0);
    }
  }
}

// The start-up the slow start is for: a producer that opens at full speed
// empties the server's one-second burst in a fraction of a second and has
// most of its first second's records refused; with the slow start the
// first second has almost none refused, and the quota is reached within
// the first five seconds (the burst lets the start-up window exceed it).
TEST(RateLimiterSimulation, SlowStartKeepsTheFirstSecondsWithinTheQuota) {
  for (int senders : {16, 64}) {
    simulation::Config config;
    config.senders = senders;
    config.run_seconds = 30;
    config.steady_from_seconds = 5;
    simulation::Config abrupt = config;
    abrupt.limiter.slow_start.enabled = false;
    const simulation::Result slow = simulation::run(config);
    const simulation::Result fast = simulation::run(abrupt);
    std::printf(
        "%2d in flight: first second %.1f %% of the quota, %.2f %% throttled (without slow start: %.1f %%, "
        "%.2f %%); first 5 s %.1f %%, %.2f %% (%.1f %%, %.2f %%)\n",
        senders, 100 * slow.first_second.quota_fraction, 100 * slow.first_second.throttled_fraction,
        100 * fast.first_second.quota_fraction, 100 * fast.first_second.throttled_fraction,
        100 * slow.startup.quota_fraction, 100 * slow.startup.throttled_fraction, 100 * fast.startup.quota_fraction,
        100 * fast.startup.throttled_fraction);
    SCOPED_TRACE(senders);
    EXPECT_GT(fast.first_second.throttled_fraction, 0.3);  // the problem is real in the model
    EXPECT_LE(slow.first_second.throttled_fraction, 0.01);
    EXPECT_LE(slow.startup.throttled_fraction, 0.05);
    EXPECT_GE(slow.startup.quota_fraction, 0.9);
    EXPECT_GE(slow.steady.quota_fraction, 0.97);
    EXPECT_LE(slow.steady.throttled_fraction, 0.02);
  }
}

TEST(RateLimiterSimulation, IsDeterministic) {
  const simulation::Config config;
  const simulation::Result a = simulation::run(config);
  const simulation::Result b = simulation::run(config);
  EXPECT_EQ(a.whole.record_sends, b.whole.record_sends);
  EXPECT_EQ(a.whole.throttled_record_sends, b.whole.throttled_record_sends);
  EXPECT_EQ(a.decreases, b.decreases);
}

TEST(RateLimiterSimulation, WithoutALimiterTheServerThrottlesMostRecords) {
  // The control experiment: the same producer, not adaptive.
  simulation::Config config;
  config.limiter.adaptive = false;
  config.run_seconds = 5;  // the backlog of refused records grows fast
  config.steady_from_seconds = 1;
  const simulation::Result r = simulation::run(config);
  std::printf("no limiter: quota %.2f %%, throttled %.3f %%\n", 100 * r.whole.quota_fraction,
              100 * r.whole.throttled_fraction);
  EXPECT_GT(r.whole.throttled_fraction, 0.5);
}

}  // namespace
}  // namespace firehose::producer

namespace firehose::producer {
namespace {

// ---------------------------------------------------------------------------
// Telling a quota from faults

RateLimiterOptions judging_options(FakeClock& clock) {
  RateLimiterOptions options;
  options.clock = clock.clock();
  options.slow_start.enabled = false;
  return options;
}

// Sends a request of 100 records every 10 ms for `duration`, each answered
// at once with `throttled_of_100` of its records refused.
void send_with_refusals(AdaptiveRateLimiter& limiter, FakeClock& clock, std::chrono::milliseconds duration,
                        std::size_t throttled_of_100) {
  const TimePoint end = clock.t + duration;
  while (clock.t < end) {
    const nanoseconds wait = limiter.try_acquire(100, 100 * 1024);
    if (wait != nanoseconds::zero()) {
      clock.t += wait;
      continue;
    }
    const TimePoint sent = clock.t;
    clock.t += milliseconds(10);
    limiter.on_success(100 - throttled_of_100, (100 - throttled_of_100) * 1024, sent);
    if (throttled_of_100 > 0) limiter.on_throttle(throttled_of_100, 100, sent);
  }
}

TEST(AdaptiveRateLimiter, AShareRefusedAtEveryRateIsNoSignal) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(judging_options(clock));
  send_with_refusals(limiter, clock, milliseconds(5000), 10);  // 10 % refused from the start, at any rate
  EXPECT_NEAR(limiter.fault_share(), 0.1, 0.001);
  EXPECT_EQ(limiter.decreases(), 0u);
  EXPECT_FALSE(limiter.limiting());
}

TEST(AdaptiveRateLimiter, AShareRisingAboveTheFaultsIsASignal) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(judging_options(clock));
  send_with_refusals(limiter, clock, milliseconds(3000), 5);  // faults: 5 %
  ASSERT_EQ(limiter.decreases(), 0u);
  send_with_refusals(limiter, clock, milliseconds(300), 30);  // the rate now meets a quota: 30 %
  EXPECT_GE(limiter.decreases(), 1u);
  EXPECT_TRUE(limiter.limiting());
  // 5 %, raised by the noise of its group at the window's pooled share (the 30 % included).
  EXPECT_GE(limiter.fault_share(), 0.05);
  EXPECT_LE(limiter.fault_share(), 0.06);
}

// A lull longer than the window (a request stalled for 12 s, the input
// quiet) leaves too few answers to measure the faults' share. The faults
// are still there after it: taken as none, each refusal after the lull
// lowered the rate, to its floor within seconds.
TEST(AdaptiveRateLimiter, TheFaultsShareOutlastsALull) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(judging_options(clock));
  send_with_refusals(limiter, clock, milliseconds(5000), 30);  // 30 % refused at any rate
  ASSERT_EQ(limiter.decreases(), 0u);
  clock.t += seconds(12);
  send_with_refusals(limiter, clock, milliseconds(3000), 30);
  EXPECT_EQ(limiter.decreases(), 0u);
  EXPECT_NEAR(limiter.fault_share(), 0.3, 0.02);
}

TEST(AdaptiveRateLimiter, ASmallRefusedShareIsNoSignal) {
  FakeClock clock;
  AdaptiveRateLimiter limiter(judging_options(clock));
  send_with_refusals(limiter, clock, milliseconds(3000), 1);  // 1 % at any rate
  EXPECT_EQ(limiter.decreases(), 0u);
  EXPECT_FALSE(limiter.limiting());
}

TEST(AdaptiveRateLimiter, TheRateNeverFallsBelowAQuarterOfWhatWasRecentlyAccepted) {
  FakeClock clock;
  RateLimiterOptions options = judging_options(clock);
  options.tell_faults_from_quota = false;  // every throttle a signal: only the floor holds the rate
  AdaptiveRateLimiter limiter(options);
  send_with_refusals(limiter, clock, milliseconds(2000), 0);  // 100 KiB per 10 ms accepted: 10,000 KiB/s
  for (int i = 0; i < 200; ++i) {
    const TimePoint sent = clock.t;
    clock.t += milliseconds(20);
    limiter.on_throttle(100, 100, sent);  // nothing accepted any more
  }
  EXPECT_GE(limiter.decreases(), 2u);
  EXPECT_GE(limiter.bytes_per_second_limit(), 0.25 * 0.8 * 10'000 * 1024);  // the meter smooths
}

// Faults refused at any rate (issue: 1 % of "Slow down." stalled the
// producer, each one cutting the rate until it sat at the floors). With no
// quota in sight, the goodput with a share p of records refused must stay
// within 0.8 x (1 - p) of the fault-free goodput of the same producer.
TEST(RateLimiterSimulation, RandomFaultsDoNotStarveTheStream) {
  simulation::Config clean;
  clean.quota_bytes_per_second = 1e12;  // no quota: the senders and the round trip bound the rate
  clean.quota_requests_per_second = 1e9;
  clean.quota_records_per_second = 1e12;
  clean.retry_cap = std::chrono::milliseconds(1000);
  clean.run_seconds = 30;
  clean.steady_from_seconds = 5;
  const simulation::Result base = simulation::run(clean);
  ASSERT_GT(base.steady.accepted_records_per_second, 0);
  if (std::getenv("LIMITER_DEBUG") != nullptr) spdlog::set_level(spdlog::level::debug);
  for (double p : {0.01, 0.05, 0.3, 0.6}) {
    simulation::Config faulty = clean;
    faulty.fault_share = p;
    const simulation::Result r = simulation::run(faulty);
    const double ratio = r.steady.accepted_records_per_second / ((1 - p) * base.steady.accepted_records_per_second);
    std::printf("faults %4.0f %%: goodput %.3f x (1-p) x fault-free, decreases %llu, fault share %.3f\n", 100 * p,
                ratio, static_cast<unsigned long long>(r.decreases), r.fault_share);
    SCOPED_TRACE(p);
    EXPECT_GE(ratio, 0.8);
  }
}

// Requests refused whole (503s) at random, whatever the rate, are faults too.
// Their share is measured on groups of 20 requests, and the lowest group of
// such a small count reads far below the true share (with 10 % refused, a
// group of 20 has none refused one time in eight): each refusal then passed
// for the rate's fault, and the rate sank decrease after decrease
// (`firehose send` of 50,000 lines with 10 % 503s and 30 % InternalFailure
// took 49 s instead of 1 s).
TEST(RateLimiterSimulation, RandomWholeRequestRefusalsDoNotStarveTheStream) {
  simulation::Config clean;
  clean.quota_bytes_per_second = 1e12;  // no quota: the senders and the round trip bound the rate
  clean.quota_requests_per_second = 1e9;
  clean.quota_records_per_second = 1e12;
  clean.records_per_request = 20;  // many requests: retried records go in small batches
  clean.retry_cap = std::chrono::milliseconds(1000);
  clean.run_seconds = 30;
  clean.steady_from_seconds = 5;
  const simulation::Result base = simulation::run(clean);
  ASSERT_GT(base.steady.accepted_records_per_second, 0);
  // With records refused ("Slow down.") at random as well: the two faults' shares together.
  for (const auto& [p, records] : {std::pair{0.02, 0.0}, {0.1, 0.0}, {0.3, 0.0}, {0.1, 0.15}, {0.1, 0.3}}) {
    simulation::Config faulty = clean;
    faulty.request_fault_share = p;
    faulty.fault_share = records;
    const simulation::Result r = simulation::run(faulty);
    const double ratio = r.steady.accepted_records_per_second /
                         ((1 - p) * (1 - records) * base.steady.accepted_records_per_second);
    std::printf("503s %4.0f %%, records refused %4.0f %%: goodput %.3f x (1-p) x fault-free, decreases %llu\n",
                100 * p, 100 * records, ratio, static_cast<unsigned long long>(r.decreases));
    SCOPED_TRACE(p);
    SCOPED_TRACE(records);
    EXPECT_GE(ratio, 0.8);
  }
}

// Records of 60 KB at a 1 MiB/s quota: a full request (52 of them, 3 MB)
// is three seconds of the quota, and the service's bucket holds one. Such
// requests were refused in part whatever the pace, each answer lowered the
// rate again, and the stream sank to 13 % of the quota. Since a throttle the
// limiter asks for requests of half a second of its rate.
TEST(RateLimiterSimulation, RequestsLargerThanTheQuotasBurstAreNotSent) {
  for (const std::size_t record_bytes : {std::size_t{10'000}, std::size_t{60'000}}) {
    simulation::Config config;
    config.quota_bytes_per_second = 1024 * 1024;
    config.quota_requests_per_second = 1000;
    config.record_bytes = record_bytes;
    config.records_per_request = 3'000'000 / record_bytes;
    config.run_seconds = 60;
    const simulation::Result r = simulation::run(config);
    std::printf("%zu-byte records at 1 MiB/s: steady %.1f %% of the quota, %.2f %% throttled, decreases %llu\n",
                record_bytes, 100 * r.steady.quota_fraction, 100 * r.steady.throttled_fraction,
                static_cast<unsigned long long>(r.decreases));
    SCOPED_TRACE(record_bytes);
    EXPECT_GE(r.steady.quota_fraction, 0.8);
    EXPECT_LE(r.steady.throttled_fraction, 0.1);
    // The control: without the hint after a throttle, the model sinks as the producer did with
    // 60 KB records (with 10 KB ones the model's server, unlike firehose-local, still got 96 %).
    if (record_bytes == 60'000) {
      simulation::Config unbounded = config;
      unbounded.limiter.throttled_request_seconds = 0;
      EXPECT_LT(simulation::run(unbounded).steady.quota_fraction, 0.6);
    }
  }
}

// Packed records (--pack): requests of 4 records of ~1 MB. A second of a
// 5 MiB/s quota holds five records, so the faults' share, measured on groups
// of 1,000 records, is never known; the limiter once waited for it for good,
// never decreased, and the slow start doubled on: 40 % of the records ran out
// of attempts. The quota must be found with few records as well.
TEST(RateLimiterSimulation, FindsTheQuotaWithFewLargeRecords) {
  for (double p : {0.0, 0.05}) {
    simulation::Config config;
    config.records_per_request = 4;
    config.record_bytes = 1'000'000;
    config.rtt_min = std::chrono::milliseconds(20);
    config.fault_share = p;
    config.retry_cap = std::chrono::milliseconds(1000);
    config.run_seconds = 60;
    const simulation::Result r = simulation::run(config);
    std::printf("4 x 1 MB requests, faults %2.0f %%: steady %.2f %% of the quota, throttled %.2f %% (whole run %.2f %%), "
                "decreases %llu\n",
                100 * p, 100 * r.steady.quota_fraction, 100 * r.steady.throttled_fraction,
                100 * r.whole.throttled_fraction, static_cast<unsigned long long>(r.decreases));
    SCOPED_TRACE(p);
    EXPECT_GT(r.decreases, 0u);
    EXPECT_GE(r.steady.quota_fraction, 0.85 * (1 - p));
    // About 9 % in the steady state (16 % over the whole run, 99.7 % before):
    // a second of quota is five records, and each probe above it costs one.
    EXPECT_LE(r.steady.throttled_fraction, p + 0.12);
    EXPECT_LE(r.whole.throttled_fraction, p + 0.25);
  }
}

// A quota and faults at once: the quota is still found and held.
TEST(RateLimiterSimulation, QuotaIsHeldUnderRandomFaultsToo) {
  // With round trips of 40-80 ms the model reaches about 73 % (5 % faults) and
  // 62 % (30 %); on loopback (LoopbackQuotaRun) 96 % with 5 %. These bounds
  // keep what is reached from regressing (docs/producer.md).
  for (double p : {0.05, 0.3}) {
    simulation::Config config;
    config.fault_share = p;
    config.retry_cap = std::chrono::milliseconds(1000);
    config.run_seconds = 60;
    const simulation::Result r = simulation::run(config);
    std::printf(
        "quota + %2.0f %% faults: steady %.2f %% of the quota, whole run %.2f %%, decreases %llu, fault share %.3f\n",
        100 * p, 100 * r.steady.quota_fraction, 100 * r.whole.quota_fraction,
        static_cast<unsigned long long>(r.decreases), r.fault_share);
    SCOPED_TRACE(p);
    EXPECT_GE(r.steady.quota_fraction, p < 0.1 ? 0.7 : 0.6);
    EXPECT_GT(r.decreases, 0u);
  }
}

}  // namespace
}  // namespace firehose::producer

namespace firehose::producer {
namespace {

// The real-quota case as firehose-local runs it on loopback: 1 MiB/s
// and 200 requests/s, 16,000 x 1 KiB records (about 16 s), 16 in flight,
// round trips of 1-3 ms, per-record retries after 50-250 ms.
simulation::Config loopback_quota_run(double fault_share) {
  simulation::Config config;
  config.quota_bytes_per_second = 1024 * 1024;
  config.quota_requests_per_second = 200;
  config.rtt_min = std::chrono::milliseconds(1);
  config.rtt_jitter = std::chrono::milliseconds(2);
  config.retry_base = std::chrono::milliseconds(50);
  config.retry_cap = std::chrono::milliseconds(250);
  config.run_seconds = 16;
  config.steady_from_seconds = 4;
  config.fault_share = fault_share;
  return config;
}

// Issue 11's goals for this run are >= 97 % of the quota and <= 2 % of the
// records throttled, and >= 90 % of the quota with 5 % of faults too; against
// firehose-local the limiter reaches them (docs/producer.md). The model's run
// has no end to its input and counts every send of a record; it reaches
// 0.7-1.5 % throttled (3 % before the slow start asked for small requests),
// and its bounds keep that from regressing.
TEST(RateLimiterSimulation, LoopbackQuotaRun) {
  for (double p : {0.0, 0.05}) {
    for (std::uint64_t seed : {1, 2, 3}) {
      simulation::Config config = loopback_quota_run(p);
      config.seed = seed;
      if (std::getenv("SIM_TRACE") != nullptr && seed == 1) {
        config.trace_until_seconds = 16;
        spdlog::set_level(spdlog::level::debug);
      }
      if (const char* b = std::getenv("SIM_BURST")) config.limiter.burst_seconds = std::atof(b);
      const simulation::Result r = simulation::run(config);
      std::printf(
          "faults %2.0f %% seed %llu: whole %.1f %% of quota, %.2f %% throttled (faults excluded: %.2f %%); "
          "steady %.1f %%; decreases %llu\n",
          100 * p, static_cast<unsigned long long>(seed), 100 * r.whole.quota_fraction,
          100 * r.whole.throttled_fraction, 100 * (r.whole.throttled_fraction - p), 100 * r.steady.quota_fraction,
          static_cast<unsigned long long>(r.decreases));
      SCOPED_TRACE(p);
      EXPECT_GE(r.whole.quota_fraction, 0.97);
      EXPECT_GE(r.steady.quota_fraction, p > 0 ? 0.9 : 0.97);
      EXPECT_LE(r.whole.throttled_fraction - p, 0.02);
    }
  }
}

// ---------------------------------------------------------------------------
// Measuring the quota

// Right after a throttle the service's buckets are empty; between two
// throttles they took in quota x the time and gave out exactly what was
// accepted: the rate resumes at resume_fraction of that, not at beta x a
// meter's estimate.
TEST(AdaptiveRateLimiter, TheQuotaIsMeasuredBetweenTwoThrottles) {
  FakeClock clock;
  RateLimiterOptions options = options_with(clock);
  options.measure_quota = true;
  AdaptiveRateLimiter limiter(options);
  auto answer = [&](std::size_t accepted, std::size_t throttled) {
    (void)limiter.try_acquire(accepted + throttled, (accepted + throttled) * 1024);  // counts as sent when granted
    limiter.on_answer({accepted, accepted * 1024, throttled, clock.t, true});
  };
  for (int i = 0; i < 20; ++i, clock.t += milliseconds(100)) answer(200, 0);  // 2,000 records/s
  answer(50, 50);  // the first throttle: nothing to measure from yet
  EXPECT_EQ(limiter.decreases(), 1u);
  EXPECT_GT(limiter.limits().records_per_second, 1200);  // beta x the meter's ~2,000
  for (int i = 0; i < 9; ++i) {
    clock.t += milliseconds(100);
    answer(100, 0);
  }
  clock.t += milliseconds(100);
  answer(60, 40);  // 960 records accepted in the second since the first throttle
  EXPECT_EQ(limiter.decreases(), 2u);
  const RateLimits limits = limiter.limits();
  EXPECT_NEAR(limits.records_per_second, 0.97 * 960, 0.01 * 960);
  EXPECT_NEAR(limits.bytes_per_second, 0.97 * 960 * 1024, 0.01 * 960 * 1024);
  // Records refused inside answers are the records or bytes quota: the request
  // rate is not lowered to the 10 a second measured (nor to 0.97 x them).
  EXPECT_GE(limits.requests_per_second, 12);
}

// Without a throttle before it, the first one allows for a second of burst in
// what was accepted: the meter, which counts the burst, would put the rate at
// up to twice the quota.
TEST(AdaptiveRateLimiter, TheFirstThrottleAllowsForASecondOfBurst) {
  FakeClock clock;
  RateLimiterOptions options = options_with(clock);
  options.first_throttle_burst_seconds = 1.0;
  AdaptiveRateLimiter limiter(options);
  const TimePoint start = clock.t;
  send_steadily(limiter, clock, 10);  // 1,000 records in the first second
  limiter.on_throttle(50, 100, clock.t);
  ASSERT_NEAR(clock.seconds_since(start), 1.0, 1e-9);
  EXPECT_NEAR(limiter.limits().records_per_second, 0.7 * 1000 / (1.0 + 1.0), 0.02 * 350);
}

}  // namespace
}  // namespace firehose::producer
