#include "metrics_model.hpp"

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"

namespace firehose::cli::metrics {
namespace {

using std::chrono::seconds;
constexpr auto none = std::nullopt;

TEST(MetricsModel, TotalPeakLatestSkipMissingPeriods) {
  const Series s{none, 4.0, 9.0, none, 2.0, none};
  EXPECT_EQ(total(s), 15.0);
  EXPECT_EQ(peak(s), 9.0);
  EXPECT_EQ(latest(s), 2.0);
  EXPECT_TRUE(has_datapoint(s));
  const Series empty{none, none};
  EXPECT_EQ(total(empty), 0.0);
  EXPECT_EQ(peak(empty), std::nullopt);
  EXPECT_EQ(latest(empty), std::nullopt);
  EXPECT_FALSE(has_datapoint(empty));
  EXPECT_FALSE(has_datapoint(Series{}));
}

TEST(MetricsModel, WindowAverageIsWeightedByRequests) {
  // 1 request at 100 ms and 3 at 20 ms: (100 + 60) / 4 = 40, not (100 + 20) / 2.
  EXPECT_DOUBLE_EQ(*window_average({100.0, 20.0}, {1.0, 3.0}), 40.0);
  // Without counts, each period weighs the same.
  EXPECT_DOUBLE_EQ(*window_average({100.0, 20.0}, {none, none}), 60.0);
  EXPECT_EQ(window_average({none, none}, {none, none}), std::nullopt);
}

TEST(MetricsModel, UseIsTheRatePerSecondOverTheLimit) {
  // 60 s periods: 3,000 records = 50/s; against 100/s that is 50 %.
  const Series use = use_percent({3000.0, none, 600.0}, {100.0, 100.0, 200.0}, seconds(60));
  ASSERT_EQ(use.size(), 3u);
  EXPECT_DOUBLE_EQ(*use[0], 50.0);
  EXPECT_EQ(use[1], std::nullopt);  // no traffic datapoint
  EXPECT_DOUBLE_EQ(*use[2], 5.0);   // the period's own limit
}

TEST(MetricsModel, UseFallsBackOnTheLatestLimitOfTheWindow) {
  const Series use = use_percent({120.0, 120.0, 120.0}, {none, 4.0, none}, seconds(60));
  EXPECT_DOUBLE_EQ(*use[0], 50.0);
  EXPECT_DOUBLE_EQ(*use[2], 50.0);
  const Series unknown = use_percent({120.0}, {none}, seconds(60));
  EXPECT_EQ(unknown[0], std::nullopt);
}

TEST(MetricsModel, PeakPerSecondIsTheBusiestPeriodOverItsLength) {
  EXPECT_DOUBLE_EQ(*peak_per_second({600.0, 1200.0}, seconds(300)), 4.0);
  EXPECT_EQ(peak_per_second({none}, seconds(60)), std::nullopt);
}

TEST(MetricsModel, LimitsAloneAreNotTraffic) {
  StreamMetrics m = testing::no_data(3);
  m.bytes_limit[1] = 5242880;
  EXPECT_FALSE(has_traffic(m));
  m.throttled_records[2] = 0;
  EXPECT_TRUE(has_traffic(m));
  StreamMetrics latency_only = testing::no_data(3);
  latency_only.latency_maximum[0] = 12;
  EXPECT_TRUE(has_traffic(latency_only));
}

TEST(MetricsModel, ViewsNameTheMetricsInDisplayOrder) {
  const StreamMetrics m = testing::no_data(1);
  const auto counts = count_views(m);
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_STREQ(counts[0].name, "IncomingBytes");
  EXPECT_EQ(counts[0].sums, &m.incoming_bytes);
  EXPECT_STREQ(counts[3].name, "ThrottledRecords");
  const auto limits = limit_views(m);
  ASSERT_EQ(limits.size(), 3u);
  EXPECT_STREQ(limits[0].rate_of, "IncomingBytes");
  EXPECT_STREQ(limits[1].name, "RecordsPerSecondLimit");
  EXPECT_EQ(limits[1].rate_sums, &m.incoming_records);
  EXPECT_STREQ(limits[2].name, "PutRequestsPerSecondLimit");
  EXPECT_EQ(limits[2].rate_sums, &m.incoming_put_requests);
}

}  // namespace
}  // namespace firehose::cli::metrics
