#include "progress.hpp"

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

ProgressCounts sample() {
  ProgressCounts c;
  c.acknowledged = 900;
  c.failed = 100;
  c.records_done = 1000;
  c.bytes_acknowledged = 2'000'000;
  c.in_flight = 3;
  c.retries = 12;
  c.throttled = 5;
  return c;
}

TEST(ProgressLine, ShowsRatesCountsAndEtaWhenTheTotalIsKnown) {
  const auto line = format_progress_line(sample(), std::chrono::seconds(2), 3000, 200);
  EXPECT_EQ(line,
            "500 rec/s 1.00 MB/s | acked 900/3000 failed 100 | in flight 3 | retries 12 | throttled 5 | 0:02 ETA 0:04");
}

TEST(ProgressLine, NoEtaWithoutATotalAndCutToTheWidth) {
  const auto line = format_progress_line(sample(), std::chrono::seconds(3725), std::nullopt, 200);
  EXPECT_EQ(line.find("ETA"), std::string::npos);
  EXPECT_NE(line.find("1:02:05"), std::string::npos);
  EXPECT_EQ(format_progress_line(sample(), std::chrono::seconds(2), 3000, 40).size(), 39u);  // never wraps
}

TEST(ProgressLine, EventFields) {
  const auto fields = progress_fields(sample(), std::chrono::milliseconds(2500), 3000);
  EXPECT_EQ(fields["records"], 1000);
  EXPECT_EQ(fields["acknowledged"], 900);
  EXPECT_EQ(fields["total"], 3000);
  EXPECT_DOUBLE_EQ(fields["elapsed_s"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(fields["records_per_s"].get<double>(), 400);
  EXPECT_FALSE(progress_fields(sample(), std::chrono::seconds(1), std::nullopt).contains("total"));
}

TEST(ProgressCountsOf, ProducerMetricsMap) {
  ProducerMetrics m;
  m.records_acknowledged = 7;
  m.records_failed = 2;
  m.records_rejected = 1;
  m.requests_in_flight = 4;
  m.records_retried = 9;
  m.records_throttled = 6;
  m.bytes_acknowledged = 70;
  const auto c = progress_counts_of(m);
  EXPECT_EQ(c.records_done, 10u);
  EXPECT_EQ(c.failed, 3u);
  EXPECT_EQ(c.in_flight, 4u);
  EXPECT_EQ(c.retries, 9u);
  EXPECT_EQ(c.throttled, 6u);
  EXPECT_EQ(c.bytes_acknowledged, 70u);
}

}  // namespace
}  // namespace firehose::cli
