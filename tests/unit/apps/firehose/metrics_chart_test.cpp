// Expected text is written from the chart's description in metrics_chart.hpp:
// name column as wide as the longest name (PutRequestsPerSecondLimit, 25),
// figures right-aligned to the widest figure, two spaces between columns.
#include "metrics_chart.hpp"

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"

namespace firehose::cli::metrics {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr auto none = std::nullopt;

std::string sp(std::size_t n) { return std::string(n, ' '); }

TEST(MetricsSparkline, EmptySeriesIsEmpty) { EXPECT_EQ(sparkline({}), ""); }

TEST(MetricsSparkline, MissingDatapointsAreBlank) { EXPECT_EQ(sparkline({none, none, none}), "   "); }

TEST(MetricsSparkline, SinglePointIsFullHeight) {
  EXPECT_EQ(sparkline({5.0}), "█");
  EXPECT_EQ(sparkline({none, 5.0, none}), " █ ");
}

TEST(MetricsSparkline, ZerosSitOnTheFloor) {
  EXPECT_EQ(sparkline({0.0, 0.0, 0.0}), "▁▁▁");
  EXPECT_EQ(sparkline({0.0, none, 8.0}), "▁ █");
}

TEST(MetricsSparkline, SevenStepsAboveZero) {
  EXPECT_EQ(sparkline({0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0}), "▁▂▃▄▅▆▇█");
  // 3/7 of the peak is exactly the third step, not rounded up to the fourth.
  EXPECT_EQ(sparkline({3.0, 7.0}), "▄█");
  // Part of a step counts as a whole one: 3.5 steps show as 4, 5.1 as 6, 1.2 as 2.
  EXPECT_EQ(sparkline({50.0, 100.0}), "▅█");
  EXPECT_EQ(sparkline({1.2, 5.1, 7.0}), "▃▇█");
}

TEST(MetricsSparkline, LargeRangeKeepsSmallValuesVisible) {
  EXPECT_EQ(sparkline({1.0, 1000.0, 1'000'000.0, 500'000.0}), "▂▂█▅");
}

TEST(MetricsTimeAxis, StartLeftEndRight) {
  EXPECT_EQ(time_axis(testing::minutes_from_noon(20), seconds(0)), "12:00" + sp(10) + "12:20");
  EXPECT_EQ(time_axis(testing::minutes_from_noon(11), seconds(0)), "12:00 12:11");
  EXPECT_EQ(time_axis(testing::minutes_from_noon(20), hours(2)), "14:00" + sp(10) + "14:20");
}

TEST(MetricsTimeAxis, OnlyTheStartWhenBothDoNotFit) {
  EXPECT_EQ(time_axis(testing::minutes_from_noon(10), seconds(0)), "12:00");
  EXPECT_EQ(time_axis(testing::minutes_from_noon(1), seconds(0)), "12:00");
}

TEST(MetricsTimeAxis, DatesForWindowsLongerThanADay) {
  Window two_days{testing::at(0), hours(1), 48};
  EXPECT_EQ(time_axis(two_days, seconds(0)), "05-01 12:00" + sp(26) + "05-03 12:00");
  Window one_day{testing::at(0), hours(1), 24};
  EXPECT_EQ(time_axis(one_day, seconds(0)), "12:00" + sp(14) + "12:00");
}

// Twelve minutes, traffic in minutes 2-4 (the limits of PutRequests unknown).
StreamMetrics busy() {
  StreamMetrics m = testing::no_data(12);
  m.incoming_bytes[2] = 600'000;
  m.incoming_bytes[3] = 1'200'000;
  m.incoming_bytes[4] = 300'000;
  m.incoming_records[2] = 600;
  m.incoming_records[3] = 1200;
  m.incoming_records[4] = 300;
  m.incoming_put_requests[2] = 6;
  m.incoming_put_requests[3] = 12;
  m.incoming_put_requests[4] = 3;
  m.throttled_records[3] = 50;
  m.latency_average[2] = 20;
  m.latency_average[3] = 40;
  m.latency_average[4] = 10;
  m.latency_samples[2] = 6;
  m.latency_samples[3] = 12;
  m.latency_samples[4] = 3;
  m.latency_maximum[2] = 50;
  m.latency_maximum[3] = 90;
  m.latency_maximum[4] = 25;
  for (std::size_t i : {2, 3, 4}) {
    m.bytes_limit[i] = 5'242'880;
    m.records_limit[i] = 500'000;
  }
  return m;
}

TEST(MetricsChart, BusyWindow) {
  // Figures: 2,100,000 bytes (2.0027 MiB), busiest minute 1,200,000 B = 20,000 B/s;
  // latency (20*6 + 40*12 + 10*3) / 21 = 30 ms; byte use 20,000 / 5,242,880 = 0.38 %;
  // record use 20 / 500,000 = 0.004 %. Widest figure: "5,242,880 B/s" (13).
  const std::string expected =
      "events: 12 periods of 1m, 12:00 to 12:12 UTC\n"
      "\n"
      "IncomingBytes" +
      sp(16) + "2,100,000 B" + sp(4) + "▅█▃" + sp(9) + "2 MiB, peak 20,000 B/s\n" + "IncomingRecords" + sp(20) +
      "2,100" + sp(4) + "▅█▃" + sp(9) + "peak 20/s\n" + "IncomingPutRequests" + sp(19) + "21" + sp(4) + "▅█▃" + sp(9) +
      "peak 0.2/s\n" + "ThrottledRecords" + sp(22) + "50" + sp(5) + "█" + sp(10) + "peak 0.83/s\n" +
      "PutRecordBatch.Latency" + sp(9) + "avg 30 ms" + sp(4) + "▅█▃" + sp(9) + "max 90 ms\n" + "BytesPerSecondLimit" +
      sp(8) + "5,242,880 B/s" + sp(4) + "▅█▃" + sp(9) + "peak use 0.38%\n" + "RecordsPerSecondLimit" + sp(10) +
      "500,000/s" + sp(4) + "▅█▃" + sp(9) + "peak use <0.01%\n" + "PutRequestsPerSecondLimit" + sp(14) + "-" + sp(16) +
      "no data\n" + sp(42) + "12:00  12:12\n";
  EXPECT_EQ(render_chart(busy()), expected);
}

TEST(MetricsChart, LabelsOnTheLocalClock) {
  ChartOptions options;
  options.utc_offset = hours(2);
  const std::string text = render_chart(busy(), options);
  EXPECT_EQ(text.substr(0, text.find('\n')), "events: 12 periods of 1m, 14:00 to 14:12 UTC+02:00");
  EXPECT_TRUE(text.ends_with("\n" + sp(42) + "14:00  14:12\n")) << text;
}

TEST(MetricsChart, NarrowTerminalChartsTheLatestPeriods) {
  // 42 columns of names and figures, 2 + 22 of notes: 60 leaves no room, so the
  // charts keep their minimum of 10 periods, the latest ones.
  ChartOptions options;
  options.width = 60;
  const std::string text = render_chart(busy(), options);
  EXPECT_EQ(text.substr(0, text.find('\n')), "events: 12 periods of 1m, 12:00 to 12:12 UTC (charts: the last 10)");
  EXPECT_NE(text.find("\nIncomingBytes" + sp(16) + "2,100,000 B" + sp(2) + "▅█▃" + sp(9) + "2 MiB, peak"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nThrottledRecords" + sp(22) + "50" + sp(3) + "█" + sp(10) + "peak"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\n" + sp(42) + "12:02\n")) << text;
  // Wide enough: every period.
  options.width = 200;
  EXPECT_EQ(render_chart(busy(), options), render_chart(busy()));
}

TEST(MetricsChart, NoDataAtAll) {
  const std::string expected =
      "events: 3 periods of 1m, 12:00 to 12:03 UTC\n"
      "\n"
      "IncomingBytes" +
      sp(16) + "0 B" + sp(7) + "no data\n" + "IncomingRecords" + sp(16) + "0" + sp(7) + "no data\n" +
      "IncomingPutRequests" + sp(12) + "0" + sp(7) + "no data\n" + "ThrottledRecords" + sp(15) + "0" + sp(7) +
      "no data\n" + "PutRecordBatch.Latency" + sp(5) + "avg -" + sp(7) + "no data\n" + "BytesPerSecondLimit" + sp(12) +
      "-" + sp(7) + "no data\n" + "RecordsPerSecondLimit" + sp(10) + "-" + sp(7) + "no data\n" +
      "PutRequestsPerSecondLimit" + sp(6) + "-" + sp(7) + "no data\n" + sp(34) + "12:00\n";
  EXPECT_EQ(render_chart(testing::no_data(3)), expected);
}

TEST(MetricsChart, AllZeroTrafficIsAFloorLine) {
  StreamMetrics m = testing::no_data(2);
  m.incoming_records = {0.0, 0.0};
  const std::string text = render_chart(m);
  // Figures are 5 wide ("avg -"): "0" right-aligned, the sparkline, then the peak rate.
  EXPECT_NE(text.find("\nIncomingRecords" + sp(16) + "0  ▁▁  peak 0/s\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace firehose::cli::metrics
