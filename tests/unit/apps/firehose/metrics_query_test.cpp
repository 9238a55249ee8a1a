#include "metrics_query.hpp"

#include <set>

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"
#include "protocol/cloudwatch_validation.hpp"

namespace firehose::cli::metrics {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::at;

TEST(MetricsWindow, EndsWithThePeriodContainingNow) {
  // 10 minutes back from 12:03:30 is 11:53:30, in the period 11:53-11:54: that period is shown too.
  const Window w = window_ending_at(at(3, 30), minutes(10), seconds(60));
  EXPECT_EQ(w.count, 11u);
  EXPECT_EQ(w.period, seconds(60));
  EXPECT_EQ(w.start, at(-7));
  EXPECT_EQ(w.end(), at(4));
}

TEST(MetricsWindow, NowOnABoundaryEndsThere) {
  const Window w = window_ending_at(at(4), minutes(10), seconds(60));
  EXPECT_EQ(w.count, 10u);
  EXPECT_EQ(w.start, at(-6));
  EXPECT_EQ(w.end(), at(4));
  // A millisecond later, the next period has begun (and the first one holds 11:54:00.001).
  const Window later = window_ending_at(at(4) + milliseconds(1), minutes(10), seconds(60));
  EXPECT_EQ(later.end(), at(5));
  EXPECT_EQ(later.start, at(-6));
}

TEST(MetricsWindow, PartialPeriodsOfSinceRoundUp) {
  const Window w = window_ending_at(at(3, 30), seconds(90), seconds(60));
  EXPECT_EQ(w.count, 2u);
  EXPECT_EQ(w.start, at(2));
}

TEST(MetricsWindow, LongPeriodsSitOnTheirOwnGrid) {
  // 12:03:30 is in the five-minute period 12:00-12:05, an hour before it in 11:00-11:05.
  const Window w = window_ending_at(at(3, 30), hours(1), minutes(5));
  EXPECT_EQ(w.count, 13u);
  EXPECT_EQ(w.end(), at(5));
  EXPECT_EQ(w.start, at(-60));
}

// QA's runs at 03:16:11: `--since 5m --period 5m` showed 03:15-03:20 (03:13 left out),
// `--since 1h --period 1h` 03:00-04:00 (02:16-03:00 left out).
TEST(MetricsWindow, PeriodsLongerThanAMinuteCoverAllOfSince) {
  using namespace std::chrono;
  const auto day = sys_days{year{2026} / December / 7};
  const TimePoint now = day + hours(3) + minutes(16) + seconds(11);
  const Window five = window_ending_at(now, minutes(5), minutes(5));
  EXPECT_EQ(five.start, day + hours(3) + minutes(10));
  EXPECT_EQ(five.end(), day + hours(3) + minutes(20));
  EXPECT_EQ(five.count, 2u);
  const Window hour = window_ending_at(now, hours(1), hours(1));
  EXPECT_EQ(hour.start, day + hours(2));
  EXPECT_EQ(hour.end(), day + hours(4));
  EXPECT_EQ(hour.count, 2u);
  for (const Window& w : {five, hour}) {
    EXPECT_LE(w.start, now - w.period);  // all of --since (here one period) is inside
    EXPECT_GT(w.end(), now);
    EXPECT_LE(w.end() - now, w.period);  // ends with the period now is in, not later
  }
}

TEST(MetricsRequest, OneQueryPerSeriesOnTheStreamsDimension) {
  const Window window = testing::minutes_from_noon(10);
  const auto request = metric_data_request("events", window);
  EXPECT_EQ(request.start_time, at(0));
  EXPECT_EQ(request.end_time, at(10));
  EXPECT_EQ(request.scan_by, "TimestampAscending");
  ASSERT_EQ(request.queries.size(), 10u);
  std::set<std::string> ids;
  std::set<std::pair<std::string, std::string>> asked;
  for (const auto& query : request.queries) {
    ids.insert(query.id);
    ASSERT_TRUE(query.metric_stat.has_value());
    EXPECT_EQ(query.metric_stat->metric.name_space, "AWS/Firehose");
    EXPECT_EQ(query.metric_stat->metric.dimensions,
              (std::vector<cloudwatch::Dimension>{{"DeliveryStreamName", "events"}}));
    EXPECT_EQ(query.metric_stat->period, 60);
    asked.emplace(query.metric_stat->metric.metric_name, query.metric_stat->stat);
  }
  EXPECT_EQ(ids.size(), 10u);
  const std::set<std::pair<std::string, std::string>> expected{{"IncomingBytes", "Sum"},
                                                               {"IncomingRecords", "Sum"},
                                                               {"IncomingPutRequests", "Sum"},
                                                               {"ThrottledRecords", "Sum"},
                                                               {"PutRecordBatch.Latency", "Average"},
                                                               {"PutRecordBatch.Latency", "Maximum"},
                                                               {"PutRecordBatch.Latency", "SampleCount"},
                                                               {"BytesPerSecondLimit", "Maximum"},
                                                               {"RecordsPerSecondLimit", "Maximum"},
                                                               {"PutRequestsPerSecondLimit", "Maximum"}};
  EXPECT_EQ(asked, expected);
  // A request CloudWatch accepts (ids, periods, statistics).
  EXPECT_TRUE(cloudwatch::validate_get_metric_data(request).ok());
}

cloudwatch::MetricDataResult result(std::string id, std::vector<TimePoint> times, std::vector<double> values) {
  cloudwatch::MetricDataResult r;
  r.id = std::move(id);
  r.timestamps = std::move(times);
  r.values = std::move(values);
  r.status_code = "Complete";
  return r;
}

std::string id_of(const cloudwatch::GetMetricDataRequest& request, const std::string& metric, const std::string& stat) {
  for (const auto& query : request.queries) {
    if (query.metric_stat->metric.metric_name == metric && query.metric_stat->stat == stat) return query.id;
  }
  return "";
}

TEST(MetricsAnswer, DatapointsLandInTheirPeriods) {
  const Window window = testing::minutes_from_noon(4);
  const auto request = metric_data_request("events", window);
  cloudwatch::GetMetricDataResult answer;
  // Out of order, one before the window, one at its end (excluded), one inside a period.
  answer.results.push_back(
      result(id_of(request, "IncomingRecords", "Sum"), {at(3), at(-1), at(0), at(4), at(1, 30)}, {30, 99, 10, 77, 20}));
  answer.results.push_back(result(id_of(request, "BytesPerSecondLimit", "Maximum"), {at(2)}, {5242880}));
  const StreamMetrics m = to_stream_metrics("events", window, answer);
  EXPECT_EQ(m.stream, "events");
  EXPECT_EQ(m.window.start, window.start);
  EXPECT_EQ(m.incoming_records, (Series{10.0, 20.0, std::nullopt, 30.0}));
  EXPECT_EQ(m.bytes_limit, (Series{std::nullopt, std::nullopt, 5242880.0, std::nullopt}));
  // Metrics without a result: every period empty, but every period there.
  EXPECT_EQ(m.incoming_bytes, Series(4));
  EXPECT_EQ(m.latency_average.size(), 4u);
}

TEST(MetricsAnswer, TwoDatapointsInOnePeriodCombineByStatistic) {
  const Window window = testing::minutes_from_noon(2);
  const auto request = metric_data_request("events", window);
  cloudwatch::GetMetricDataResult answer;
  answer.results.push_back(result(id_of(request, "IncomingBytes", "Sum"), {at(0), at(0, 30)}, {100, 50}));
  answer.results.push_back(result(id_of(request, "PutRecordBatch.Latency", "Maximum"), {at(1), at(1, 30)}, {7, 9}));
  const StreamMetrics m = to_stream_metrics("events", window, answer);
  EXPECT_EQ(m.incoming_bytes, (Series{150.0, std::nullopt}));
  EXPECT_EQ(m.latency_maximum, (Series{std::nullopt, 9.0}));
}

}  // namespace
}  // namespace firehose::cli::metrics
