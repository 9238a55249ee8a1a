#include "firehose/producer/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// The nearest-rank percentile of exact values, the definition the histogram approximates.
std::int64_t exact_percentile(std::vector<std::int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto rank =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))));
  return values[rank - 1];
}

void expect_within_error(nanoseconds reported, std::int64_t exact, const char* what) {
  const double allowed =
      static_cast<double>(exact) * LatencyHistogram::kMaxRelativeError + 1;  // +1 ns: integer buckets
  EXPECT_LE(std::abs(static_cast<double>(reported.count() - exact)), allowed)
      << what << ": reported " << reported.count() << " ns, exact " << exact << " ns";
}

// Uniform in [0, 1) from the raw generator (portable across standard libraries).
double uniform(std::mt19937_64& generator) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; }

TEST(LatencyHistogram, EmptyHistogramReportsZeros) {
  const LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.max(), nanoseconds(0));
  EXPECT_EQ(histogram.percentile(0.5), nanoseconds(0));
  const LatencySummary summary = histogram.summary();
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p50_ms, 0);
  EXPECT_EQ(summary.p90_ms, 0);
  EXPECT_EQ(summary.p99_ms, 0);
  EXPECT_EQ(summary.max_ms, 0);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedWidth) {
  // Every bucket starts where the previous ended, and is at most 1/32 of its start wide.
  std::uint64_t expected_lower = 0;
  std::size_t index = 0;
  for (; LatencyHistogram::bucket_lower_bound(index) < (std::uint64_t{1} << LatencyHistogram::kRangeBits); ++index) {
    const std::uint64_t lower = LatencyHistogram::bucket_lower_bound(index);
    const std::uint64_t width = LatencyHistogram::bucket_width(index);
    ASSERT_EQ(lower, expected_lower) << index;
    ASSERT_GE(width, 1u);
    if (lower >= 32) {
      ASSERT_LE(width * 32, lower) << index;
    }
    ASSERT_EQ(LatencyHistogram::bucket_index(lower), index);
    ASSERT_EQ(LatencyHistogram::bucket_index(lower + width - 1), index);
    expected_lower = lower + width;
    if (index > 100'000) FAIL() << "runaway";
  }
  EXPECT_EQ(expected_lower, std::uint64_t{1} << LatencyHistogram::kRangeBits);
  // Longer durations land in the last bucket.
  EXPECT_EQ(LatencyHistogram::bucket_index(std::uint64_t{1} << 50), index - 1);
}

TEST(LatencyHistogram, SingleValuesAcrossTheRangeComeBackWithinTheError) {
  // From 1 microsecond to 10 minutes, in steps of 7 %.
  for (double value = 1000; value <= 600e9; value *= 1.07) {
    LatencyHistogram histogram;
    const auto ns = static_cast<std::int64_t>(value);
    histogram.record(nanoseconds(ns));
    EXPECT_EQ(histogram.count(), 1u);
    EXPECT_EQ(histogram.max(), nanoseconds(ns));
    for (double fraction : {0.0, 0.5, 0.99, 1.0})
      expect_within_error(histogram.percentile(fraction), ns, "single value");
  }
}

TEST(LatencyHistogram, UniformMillisecondsGiveTheirPercentiles) {
  LatencyHistogram histogram;
  std::vector<std::int64_t> values;
  for (int ms = 1; ms <= 1000; ++ms) {
    histogram.record(milliseconds(ms));
    values.push_back(nanoseconds(milliseconds(ms)).count());
  }
  EXPECT_EQ(histogram.count(), 1000u);
  const LatencySummary summary = histogram.summary();
  EXPECT_EQ(summary.count, 1000u);
  EXPECT_NEAR(summary.p50_ms, 500, 500 * LatencyHistogram::kMaxRelativeError);
  EXPECT_NEAR(summary.p90_ms, 900, 900 * LatencyHistogram::kMaxRelativeError);
  EXPECT_NEAR(summary.p99_ms, 990, 990 * LatencyHistogram::kMaxRelativeError);
  EXPECT_EQ(summary.max_ms, 1000);
  for (double fraction : {0.001, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    expect_within_error(histogram.percentile(fraction), exact_percentile(values, fraction), "uniform");
  }
}

TEST(LatencyHistogram, LogNormalLatenciesMatchTheExactPercentiles) {
  // Latencies of a typical service: median ~20 ms, a long tail.
  std::mt19937_64 generator(7);
  LatencyHistogram histogram;
  std::vector<std::int64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    // Box-Muller from two uniforms.
    const double normal = std::sqrt(-2 * std::log(1 - uniform(generator))) * std::cos(2 * M_PI * uniform(generator));
    const auto ns = static_cast<std::int64_t>(20e6 * std::exp(1.2 * normal));
    histogram.record(nanoseconds(ns));
    values.push_back(ns);
  }
  for (double fraction : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    expect_within_error(histogram.percentile(fraction), exact_percentile(values, fraction), "log-normal");
  }
  const LatencySummary summary = histogram.summary();
  EXPECT_EQ(summary.max_ms, static_cast<double>(*std::max_element(values.begin(), values.end())) / 1e6);
}

TEST(LatencyHistogram, TwoClustersSplitAtTheRightRank) {
  // 98 fast requests and 2 slow ones: p90 is fast, p99 slow.
  LatencyHistogram histogram;
  for (int i = 0; i < 98; ++i) histogram.record(microseconds(800));
  for (int i = 0; i < 2; ++i) histogram.record(std::chrono::seconds(3));
  const LatencySummary summary = histogram.summary();
  EXPECT_NEAR(summary.p50_ms, 0.8, 0.8 * LatencyHistogram::kMaxRelativeError);
  EXPECT_NEAR(summary.p90_ms, 0.8, 0.8 * LatencyHistogram::kMaxRelativeError);
  EXPECT_NEAR(summary.p99_ms, 3000, 3000 * LatencyHistogram::kMaxRelativeError);
  EXPECT_EQ(summary.max_ms, 3000);
}

TEST(LatencyHistogram, PercentileNeverExceedsTheMaximum) {
  LatencyHistogram histogram;
  histogram.record(nanoseconds(1'000'001'000));  // at the bottom of its bucket
  EXPECT_LE(histogram.percentile(1.0), histogram.max());
  EXPECT_LE(histogram.summary().p99_ms, histogram.summary().max_ms);
}

TEST(LatencyHistogram, NegativeDurationsCountAsZeroAndHugeOnesAreClamped) {
  LatencyHistogram histogram;
  histogram.record(nanoseconds(-5));
  EXPECT_EQ(histogram.percentile(1.0), nanoseconds(0));
  const auto hour = std::chrono::hours(1);
  histogram.record(hour);
  EXPECT_EQ(histogram.count(), 2u);
  EXPECT_EQ(histogram.max(), hour);  // max is exact
  const auto top = histogram.percentile(1.0);
  EXPECT_GT(top, std::chrono::minutes(18));  // the end of the range
  EXPECT_LT(top, hour);
}

TEST(LatencyHistogram, FractionsOutsideZeroToOneAreClamped) {
  LatencyHistogram histogram;
  histogram.record(milliseconds(1));
  histogram.record(milliseconds(100));
  EXPECT_EQ(histogram.percentile(-1), histogram.percentile(0));
  EXPECT_EQ(histogram.percentile(7), histogram.percentile(1));
}

TEST(LatencyHistogram, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram histogram;
  constexpr int kThreads = 8;
  constexpr int kEach = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&histogram, t] {
      // Thread t records 1..kEach microseconds, plus its own maximum.
      for (int i = 1; i <= kEach; ++i) histogram.record(microseconds(i));
      histogram.record(milliseconds(1000 + t));
    });
  }
  // A reader alongside the writers sees a consistent, growing count.
  std::uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t now = histogram.count();
    EXPECT_GE(now, last);
    last = now;
    const LatencySummary summary = histogram.summary();
    EXPECT_LE(summary.p50_ms, summary.p99_ms + 1e-9);
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(histogram.count(), static_cast<std::uint64_t>(kThreads) * (kEach + 1));
  EXPECT_EQ(histogram.max(), milliseconds(1000 + kThreads - 1));
  // Same distribution as one thread recording it once.
  LatencyHistogram single;
  for (int i = 1; i <= kEach; ++i) single.record(microseconds(i));
  single.record(milliseconds(1000));
  EXPECT_EQ(histogram.percentile(0.5), single.percentile(0.5));
  EXPECT_EQ(histogram.percentile(0.9), single.percentile(0.9));
}

TEST(LatencyHistogram, CountsTakenAtTwoMomentsGiveTheIntervalBetweenThem) {
  LatencyHistogram histogram;
  const LatencyHistogram::Counts empty = histogram.counts();
  for (int ms : {50, 60, 70}) histogram.record(milliseconds(ms));
  const LatencyHistogram::Counts first = histogram.counts();
  std::mt19937_64 generator(11);
  std::vector<std::int64_t> second_values;
  for (int i = 0; i < 10'000; ++i) {
    const auto ns = static_cast<std::int64_t>(1e6 + uniform(generator) * 39e6);  // 1 to 40 ms
    histogram.record(nanoseconds(ns));
    second_values.push_back(ns);
  }
  const LatencyHistogram::Counts second = histogram.counts();

  const auto exact_ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto near = [](double actual, double exact) {
    EXPECT_NEAR(actual, exact, exact * LatencyHistogram::kMaxRelativeError + 1e-6);
  };
  // Before anything was recorded: empty. An empty Counts{} reads as all zeros.
  const auto none = LatencyHistogram::between(empty, empty);
  EXPECT_EQ(none.count, 0u);
  EXPECT_EQ(none.sum_ms, 0);
  const auto from_start = LatencyHistogram::between(LatencyHistogram::Counts{}, first);
  EXPECT_EQ(from_start.count, 3u);
  near(from_start.sum_ms, 180);
  near(from_start.minimum_ms, 50);
  near(from_start.maximum_ms, 70);
  EXPECT_LE(from_start.maximum_ms, 70);  // never above the largest value recorded

  // The second interval does not see the first one's 50-70 ms values.
  const auto interval = LatencyHistogram::between(first, second);
  EXPECT_EQ(interval.count, second_values.size());
  double exact_sum = 0;
  for (auto ns : second_values) exact_sum += exact_ms(ns);
  near(interval.sum_ms, exact_sum);
  near(interval.minimum_ms, exact_ms(*std::min_element(second_values.begin(), second_values.end())));
  near(interval.maximum_ms, exact_ms(*std::max_element(second_values.begin(), second_values.end())));
  EXPECT_LE(interval.minimum_ms * static_cast<double>(interval.count), interval.sum_ms);
  EXPECT_GE(interval.maximum_ms * static_cast<double>(interval.count), interval.sum_ms);

  // Nothing recorded since: an empty interval.
  EXPECT_EQ(LatencyHistogram::between(second, histogram.counts()).count, 0u);
}

}  // namespace
}  // namespace firehose::producer
