// MetricsStore: per-minute storage aggregated into periods the way
// GetMetricStatistics answers, the visibility delay, ListMetrics filters and
// concurrent use.
#include "metrics/metrics_store.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = MetricsStore::TimePoint;

constexpr std::int64_t kJan2024 = 1704067200;  // 2024-01-01T00:00:00Z, a minute boundary
TimePoint at(std::int64_t seconds_after) { return TimePoint(seconds(kJan2024 + seconds_after)); }

const MetricKey kIncoming{"AWS/Firehose", "IncomingRecords", {{"DeliveryStreamName", "orders"}}};

TEST(MetricsStoreTest, StatisticSetAddAndMerge) {
  StatisticSet set;
  set.add(5);
  set.add(-2);
  set.add(9);
  EXPECT_EQ(set.sample_count, 3);
  EXPECT_EQ(set.sum, 12);
  EXPECT_EQ(set.minimum, -2);
  EXPECT_EQ(set.maximum, 9);

  StatisticSet empty;
  empty.merge(set);
  EXPECT_EQ(empty.minimum, -2) << "merging into an empty set takes the other's extremes";
  set.merge(StatisticSet{});
  EXPECT_EQ(set.sample_count, 3) << "an empty set changes nothing";
  set.merge(StatisticSet{2, 100, 40, 60});
  EXPECT_EQ(set.sample_count, 5);
  EXPECT_EQ(set.sum, 112);
  EXPECT_EQ(set.minimum, -2);
  EXPECT_EQ(set.maximum, 60);
}

TEST(MetricsStoreTest, AggregatesMinutesIntoPeriodsFromTheRoundedStart) {
  MetricsStore store;
  store.record(kIncoming, 1, "Count", at(10));        // minute 0
  store.record(kIncoming, 2, "Count", at(70));        // minute 1
  store.record(kIncoming, 4, "Count", at(299));       // minute 4
  store.record(kIncoming, 8, "Count", at(300));       // minute 5
  store.record(kIncoming, 16, "Count", at(60 * 11));  // minute 11

  // Start 00:00:30 is rounded down to 00:00; 5-minute buckets 00:00, 00:05, 00:10.
  const auto points = store.query(kIncoming, at(30), at(60 * 15), minutes(5), at(3600));
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].timestamp, at(0));
  EXPECT_EQ(points[0].statistics.sum, 7);
  EXPECT_EQ(points[0].statistics.sample_count, 3);
  EXPECT_EQ(points[0].statistics.minimum, 1);
  EXPECT_EQ(points[0].statistics.maximum, 4);
  EXPECT_EQ(points[0].unit, "Count");
  EXPECT_EQ(points[1].timestamp, at(300));
  EXPECT_EQ(points[1].statistics.sum, 8);
  EXPECT_EQ(points[2].timestamp, at(600));
  EXPECT_EQ(points[2].statistics.sum, 16);

  // Buckets follow the start: from 00:01 they are 00:01, 00:06 (empty, left out) and 00:11.
  const auto shifted = store.query(kIncoming, at(60), at(60 * 15), minutes(5), at(3600));
  ASSERT_EQ(shifted.size(), 2u);
  EXPECT_EQ(shifted[0].timestamp, at(60));
  EXPECT_EQ(shifted[0].statistics.sum, 2 + 4 + 8);
  EXPECT_EQ(shifted[1].timestamp, at(660));
  EXPECT_EQ(shifted[1].statistics.sum, 16);
}

TEST(MetricsStoreTest, OnlyPeriodsWithSamplesAreReturnedAndEndIsExclusive) {
  MetricsStore store;
  store.record(kIncoming, 3, "Count", at(0));
  store.record(kIncoming, 5, "Count", at(180));
  const auto points = store.query(kIncoming, at(0), at(180), minutes(1), at(3600));
  ASSERT_EQ(points.size(), 1u) << "00:03 is not before the end; 00:01 and 00:02 are empty";
  EXPECT_EQ(points[0].statistics.sum, 3);
  EXPECT_EQ(store.query(kIncoming, at(0), at(181), minutes(1), at(3600)).size(), 2u);
  EXPECT_TRUE(store.query(kIncoming, at(60), at(60), minutes(1), at(3600)).empty());
  EXPECT_TRUE(store.query(kIncoming, at(0), at(600), seconds(0), at(3600)).empty());
}

TEST(MetricsStoreTest, UnitsAreKeptApartAndCanBeFiltered) {
  MetricsStore store;
  const MetricKey key{"App", "Size", {}};
  store.record(key, 10, "Bytes", at(5));
  store.record(key, 2, "Kilobytes", at(6));
  store.record(key, 1, "", at(7));
  const auto all = store.query(key, at(0), at(60), minutes(1), at(3600));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].unit, "Bytes");
  EXPECT_EQ(all[1].unit, "Kilobytes");
  EXPECT_EQ(all[2].unit, "None") << "no unit is stored as None";
  const auto bytes = store.query(key, at(0), at(60), minutes(1), at(3600), "Bytes");
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0].statistics.sum, 10);
  EXPECT_EQ(store.query(key, at(0), at(60), minutes(1), at(3600), "None").size(), 1u);
  EXPECT_TRUE(store.query(key, at(0), at(60), minutes(1), at(3600), "Count").empty());
}

TEST(MetricsStoreTest, DimensionOrderDoesNotNameADifferentMetric) {
  MetricsStore store;
  const MetricKey ab{"App", "M", {{"a", "1"}, {"b", "2"}}};
  const MetricKey ba{"App", "M", {{"b", "2"}, {"a", "1"}}};
  store.record(ab, 1, "Count", at(0));
  store.record(ba, 2, "Count", at(0));
  const auto points = store.query(ab, at(0), at(60), minutes(1), at(60));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].statistics.sum, 3);
  EXPECT_EQ(store.query(ba, at(0), at(60), minutes(1), at(60)).size(), 1u);
  EXPECT_EQ(store.list("App", "", {}).size(), 1u);
  // A different dimension set is a different metric.
  EXPECT_TRUE(store.query({"App", "M", {{"a", "1"}}}, at(0), at(60), minutes(1), at(60)).empty());
}

TEST(MetricsStoreTest, RecordSetAddsWholeStatisticSets) {
  MetricsStore store;
  store.record_set(kIncoming, StatisticSet{4, 100, 10, 40}, "Count", at(0));
  store.record(kIncoming, 50, "Count", at(1));
  store.record_set(kIncoming, StatisticSet{}, "Count", at(2));  // empty: ignored
  const auto points = store.query(kIncoming, at(0), at(60), minutes(1), at(60));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].statistics.sample_count, 5);
  EXPECT_EQ(points[0].statistics.sum, 150);
  EXPECT_EQ(points[0].statistics.minimum, 10);
  EXPECT_EQ(points[0].statistics.maximum, 50);
}

TEST(MetricsStoreTest, SamplesStayHiddenForTheVisibilityDelay) {
  MetricsStore store(seconds(60));
  store.record(kIncoming, 1, "Count", at(10));
  EXPECT_TRUE(store.query(kIncoming, at(0), at(600), minutes(1), at(10)).empty());
  EXPECT_TRUE(store.query(kIncoming, at(0), at(600), minutes(1), at(69)).empty());
  auto points = store.query(kIncoming, at(0), at(600), minutes(1), at(70));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].statistics.sum, 1);

  // A later sample in the same minute is hidden on its own schedule.
  store.record(kIncoming, 2, "Count", at(40));
  points = store.query(kIncoming, at(0), at(600), minutes(1), at(99));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].statistics.sum, 1);
  points = store.query(kIncoming, at(0), at(600), minutes(1), at(100));
  EXPECT_EQ(points[0].statistics.sum, 3);
  EXPECT_EQ(store.visibility_delay(), seconds(60));
}

TEST(MetricsStoreTest, VisibilityIsCountedFromArrivalNotFromTheDataTimestamp) {
  MetricsStore store(seconds(120));
  // Data for 00:00 that arrived at 00:30 (PutMetricData with a past Timestamp).
  store.record_set(kIncoming, StatisticSet{1, 5, 5, 5}, "Count", at(0), at(1800));
  EXPECT_TRUE(store.query(kIncoming, at(0), at(60), minutes(1), at(1800 + 119)).empty());
  EXPECT_EQ(store.query(kIncoming, at(0), at(60), minutes(1), at(1800 + 120)).size(), 1u);
}

TEST(MetricsStoreTest, ContinuousTrafficKeepsExactTotalsAcrossTheDelay) {
  MetricsStore store(seconds(30));
  // One sample every second for ten minutes: older ones are folded as newer arrive.
  for (int s = 0; s < 600; ++s) store.record(kIncoming, 1, "Count", at(s));
  const auto at_end = store.query(kIncoming, at(0), at(600), minutes(10), at(599));
  ASSERT_EQ(at_end.size(), 1u);
  EXPECT_EQ(at_end[0].statistics.sample_count, 600 - 30) << "the last 30 seconds are still hidden";
  const auto later = store.query(kIncoming, at(0), at(600), minutes(10), at(630));
  EXPECT_EQ(later[0].statistics.sample_count, 600);
}

TEST(MetricsStoreTest, ChangingTheDelayAppliesToSamplesNotYetShown) {
  MetricsStore store(seconds(300));
  store.record(kIncoming, 1, "Count", at(0));
  EXPECT_TRUE(store.query(kIncoming, at(0), at(60), minutes(1), at(10)).empty());
  store.set_visibility_delay(seconds(0));
  EXPECT_EQ(store.query(kIncoming, at(0), at(60), minutes(1), at(10)).size(), 1u);
  store.record(kIncoming, 2, "Count", at(20));
  const auto points = store.query(kIncoming, at(0), at(60), minutes(1), at(20));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].statistics.sum, 3);
}

TEST(MetricsStoreTest, ListFiltersLikeListMetrics) {
  MetricsStore store;
  store.record(kIncoming, 1, "Count", at(0));
  store.record({"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "orders"}}}, 1, "Bytes", at(0));
  store.record({"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "clicks"}}}, 1, "Bytes", at(0));
  store.record({"App", "Latency", {{"DeliveryStreamName", "orders"}, {"Stage", "prod"}}}, 1, "", at(0));
  store.record({"App", "Plain", {}}, 1, "", at(0));

  EXPECT_EQ(store.list("", "", {}).size(), 5u);
  EXPECT_EQ(store.list("AWS/Firehose", "", {}).size(), 3u);
  EXPECT_EQ(store.list("AWS/Firehose", "IncomingBytes", {}).size(), 2u);
  EXPECT_EQ(store.list("", "", {{"DeliveryStreamName", ""}}).size(), 4u) << "name only: any value";
  const auto orders = store.list("", "", {{"DeliveryStreamName", "orders"}});
  ASSERT_EQ(orders.size(), 3u) << "a metric with more dimensions than the filter matches too";
  EXPECT_EQ(store.list("", "", {{"DeliveryStreamName", "orders"}, {"Stage", ""}}).size(), 1u);
  EXPECT_TRUE(store.list("", "", {{"Stage", "dev"}}).empty());
  EXPECT_TRUE(store.list("Nope", "", {}).empty());

  // Listed in MetricKey order (what ListMetrics pages rely on).
  const auto all = store.list("", "", {});
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

TEST(MetricsStoreTest, ListCanKeepOnlyRecentlyActiveMetrics) {
  MetricsStore store;
  store.record({"App", "Old", {}}, 1, "", at(0));
  store.record({"App", "New", {}}, 1, "", at(4 * 3600));
  const auto recent = store.list("", "", {}, at(4 * 3600 - 3 * 3600));
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].metric_name, "New");
  // The old metric's minute ended at 00:01: active "since 00:00:59" still includes it.
  EXPECT_EQ(store.list("", "", {}, at(59)).size(), 2u);
  EXPECT_EQ(store.list("", "", {}, at(60)).size(), 1u);
}

TEST(MetricsStoreTest, ConcurrentRecordsAndQueriesLoseNothing) {
  MetricsStore store;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      (void)store.query(kIncoming, at(0), at(600), minutes(1), at(600));
      (void)store.list("AWS/Firehose", "", {});
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&store, t] {
      const MetricKey own{"App", "PerThread", {{"Thread", std::to_string(t)}}};
      for (int i = 0; i < kPerThread; ++i) {
        store.record(kIncoming, 1, "Count", at(i % 600));
        store.record(own, i, "Count", at(i % 600));
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();

  const auto total = store.query(kIncoming, at(0), at(600), minutes(10), at(600));
  ASSERT_EQ(total.size(), 1u);
  EXPECT_EQ(total[0].statistics.sample_count, kThreads * kPerThread);
  EXPECT_EQ(total[0].statistics.sum, kThreads * kPerThread);
  EXPECT_EQ(store.list("App", "PerThread", {}).size(), static_cast<std::size_t>(kThreads));
  const auto own = store.query({"App", "PerThread", {{"Thread", "0"}}}, at(0), at(600), minutes(10), at(600));
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].statistics.maximum, kPerThread - 1);
  EXPECT_EQ(own[0].statistics.sum, static_cast<double>(kPerThread) * (kPerThread - 1) / 2);
}

}  // namespace
}  // namespace firehose::local
