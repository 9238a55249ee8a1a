// The CloudWatch protocol module in both directions: what the client sends
// is what the server parser reads back, what the server answers is what the
// client parser reads; bodies match what botocore sends; the parameter rules
// answer with CloudWatch's codes and parameter paths.
#include "protocol/cloudwatch.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/cloudwatch_errors.hpp"
#include "protocol/cloudwatch_validation.hpp"

namespace firehose::cloudwatch {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at_ms(std::int64_t epoch_ms) { return TimePoint(milliseconds(epoch_ms)); }
TimePoint at_s(std::int64_t epoch_s) { return TimePoint(seconds(epoch_s)); }

constexpr std::int64_t kJan2024 = 1704067200;  // 2024-01-01T00:00:00Z

PutMetricDataRequest sample_put() {
  PutMetricDataRequest request;
  request.name_space = "App/Orders";
  MetricDatum single;
  single.metric_name = "Latency";
  single.dimensions = {{"Stage", "prod"}, {"Api", "checkout"}};
  single.timestamp = at_ms(kJan2024 * 1000 + 250);
  single.value = 12.5;
  single.unit = "Milliseconds";
  single.storage_resolution = 60;
  MetricDatum set;
  set.metric_name = "Bytes";
  set.statistic_values = StatisticSet{4, 100, 10, 40};
  set.unit = "Bytes";
  MetricDatum histogram;
  histogram.metric_name = "Size";
  histogram.timestamp = at_s(kJan2024 + 60);
  histogram.values = {1, 2.5, 1e10};
  histogram.counts = {3, 1, 2};
  request.metric_data = {single, set, histogram};
  return request;
}

// ---- client request -> server parser ----

TEST(CloudWatchProtocolTest, PutMetricDataRoundTripsThroughTheServerParser) {
  const PutMetricDataRequest sent = sample_put();
  auto parsed = parse_put_metric_data_request(put_metric_data_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, PutMetricDataBodyHasBotocoreShape) {
  // What boto3 1.43 sent for the same call (captured from a loopback server):
  // {"Namespace": "NS", "MetricData": [{"MetricName": "M", "Dimensions": [{"Name": "d", "Value": "v"}],
  //  "Timestamp": 1704067200, "Value": 1.5, "Unit": "Count"}, {"MetricName": "M2", "StatisticValues":
  //  {"SampleCount": 2, "Sum": 3, "Minimum": 1, "Maximum": 2}}]}
  const json botocore = json::parse(
      R"({"Namespace": "NS", "MetricData": [{"MetricName": "M", "Dimensions": [{"Name": "d", "Value": "v"}],
          "Timestamp": 1704067200, "Value": 1.5, "Unit": "Count"}, {"MetricName": "M2", "StatisticValues":
          {"SampleCount": 2, "Sum": 3, "Minimum": 1, "Maximum": 2}}]})");
  PutMetricDataRequest request;
  request.name_space = "NS";
  MetricDatum first;
  first.metric_name = "M";
  first.dimensions = {{"d", "v"}};
  first.timestamp = at_s(kJan2024);
  first.value = 1.5;
  first.unit = "Count";
  MetricDatum second;
  second.metric_name = "M2";
  second.statistic_values = StatisticSet{2, 3, 1, 2};
  request.metric_data = {first, second};
  const json ours = json::parse(put_metric_data_body(request));
  EXPECT_EQ(ours, botocore);
  EXPECT_TRUE(ours["MetricData"][0]["Timestamp"].is_number_integer()) << "whole seconds travel as an integer";
}

TEST(CloudWatchProtocolTest, GetMetricStatisticsBodyHasBotocoreShape) {
  const json botocore = json::parse(R"({"Namespace": "NS", "MetricName": "M", "StartTime": 1704067200,
      "EndTime": 1704067800, "Period": 60, "Statistics": ["Sum"]})");
  GetMetricStatisticsRequest request;
  request.name_space = "NS";
  request.metric_name = "M";
  request.start_time = at_s(kJan2024);
  request.end_time = at_s(kJan2024 + 600);
  request.period = 60;
  request.statistics = {"Sum"};
  EXPECT_EQ(json::parse(get_metric_statistics_body(request)), botocore);
}

TEST(CloudWatchProtocolTest, GetMetricDataBodyHasBotocoreShape) {
  const json botocore = json::parse(R"({"MetricDataQueries": [{"Id": "q1", "MetricStat": {"Metric":
      {"Namespace": "NS", "MetricName": "M", "Dimensions": []}, "Period": 60, "Stat": "Sum"}, "ReturnData": true}],
      "StartTime": 1704067200, "EndTime": 1704067500, "ScanBy": "TimestampDescending"})");
  GetMetricDataRequest request;
  MetricDataQuery query;
  query.id = "q1";
  query.metric_stat = MetricStat{{"NS", "M", {}}, 60, "Sum", ""};
  query.return_data = true;
  request.queries = {query};
  request.start_time = at_s(kJan2024);
  request.end_time = at_s(kJan2024 + 300);
  request.scan_by = "TimestampDescending";
  EXPECT_EQ(json::parse(get_metric_data_body(request)), botocore);
}

TEST(CloudWatchProtocolTest, FractionalTimestampsKeepTheirMilliseconds) {
  GetMetricStatisticsRequest request;
  request.name_space = "NS";
  request.metric_name = "M";
  request.start_time = at_ms(kJan2024 * 1000 + 500);
  request.end_time = at_ms(kJan2024 * 1000 + 60'123);
  request.statistics = {"Sum"};
  const json body = json::parse(get_metric_statistics_body(request));
  EXPECT_DOUBLE_EQ(body["StartTime"].get<double>(), 1704067200.5);
  EXPECT_DOUBLE_EQ(body["EndTime"].get<double>(), 1704067260.123);
  auto parsed = parse_get_metric_statistics_request(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->start_time, request.start_time);
  EXPECT_EQ(parsed->end_time, request.end_time);
}

TEST(CloudWatchProtocolTest, EpochSecondsConversions) {
  EXPECT_DOUBLE_EQ(to_epoch_seconds(at_ms(1500)), 1.5);
  EXPECT_DOUBLE_EQ(to_epoch_seconds(at_ms(-1500)), -1.5);
  EXPECT_EQ(from_epoch_seconds(1704067200.123), at_ms(1704067200123));
  EXPECT_EQ(from_epoch_seconds(0.0004), at_ms(0));
}

TEST(CloudWatchProtocolTest, GetMetricStatisticsRequestRoundTrips) {
  GetMetricStatisticsRequest sent;
  sent.name_space = "AWS/Firehose";
  sent.metric_name = "IncomingRecords";
  sent.dimensions = {{"DeliveryStreamName", "orders"}};
  sent.start_time = at_s(kJan2024);
  sent.end_time = at_s(kJan2024 + 3600);
  sent.period = 300;
  sent.extended_statistics = {"p99", "p50.5"};
  sent.unit = "Count";
  auto parsed = parse_get_metric_statistics_request(get_metric_statistics_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, GetMetricDataRequestRoundTrips) {
  GetMetricDataRequest sent;
  MetricDataQuery metric;
  metric.id = "incoming";
  metric.metric_stat = MetricStat{{"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "s"}}}, 60, "Sum", "Bytes"};
  metric.label = "bytes in";
  metric.return_data = false;
  MetricDataQuery expression;
  expression.id = "rate";
  expression.expression = "incoming / 60";
  expression.period = 60;
  sent.queries = {metric, expression};
  sent.start_time = at_s(kJan2024);
  sent.end_time = at_s(kJan2024 + 600);
  sent.next_token = "opaque-token";
  sent.scan_by = "TimestampAscending";
  sent.max_datapoints = 10;
  auto parsed = parse_get_metric_data_request(get_metric_data_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, ListMetricsRequestRoundTrips) {
  ListMetricsRequest sent;
  sent.name_space = "AWS/Firehose";
  sent.metric_name = "IncomingBytes";
  sent.dimensions = {{"DeliveryStreamName", std::nullopt}, {"Other", std::string("x")}};
  sent.next_token = "t";
  sent.recently_active = "PT3H";
  const json body = json::parse(list_metrics_body(sent));
  EXPECT_FALSE(body["Dimensions"][0].contains("Value")) << "a name-only filter sends no Value";
  auto parsed = parse_list_metrics_request(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
  EXPECT_EQ(list_metrics_body({}), "{}");
}

TEST(CloudWatchProtocolTest, EntityMetricDataEntriesJoinMetricData) {
  auto parsed = parse_put_metric_data_request(R"({"Namespace": "NS",
      "MetricData": [{"MetricName": "A", "Value": 1}],
      "EntityMetricData": [{"Entity": {"KeyAttributes": {"Type": "Service"}},
                            "MetricData": [{"MetricName": "B", "Value": 2}]}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->metric_data.size(), 2u);
  EXPECT_EQ(parsed->metric_data[1].metric_name, "B");
  EXPECT_EQ(parsed->metric_data[1].value, 2.0);
}

// ---- server response -> client parser ----

TEST(CloudWatchProtocolTest, GetMetricStatisticsResponseRoundTrips) {
  GetMetricStatisticsResult sent;
  sent.label = "IncomingRecords";
  Datapoint full;
  full.timestamp = at_s(kJan2024);
  full.sample_count = 3;
  full.average = 2;
  full.sum = 6;
  full.minimum = 1;
  full.maximum = 3;
  full.unit = "Count";
  Datapoint percentile;
  percentile.timestamp = at_ms(kJan2024 * 1000 + 60'500);
  percentile.unit = "None";
  percentile.extended_statistics = {{"p99", 7.25}, {"p50", 1}};
  sent.datapoints = {full, percentile};
  auto parsed = parse_get_metric_statistics_response(get_metric_statistics_response_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, GetMetricDataResponseRoundTrips) {
  GetMetricDataResult sent;
  MetricDataResult first{"q1", "IncomingBytes", {at_s(kJan2024 + 60), at_s(kJan2024)}, {10, 0.5}, "PartialData", {}};
  MetricDataResult second{"q2", "empty", {}, {}, "Complete", {{"Warning", "no data"}}};
  sent.results = {first, second};
  sent.next_token = "next";
  sent.messages = {{"MaxMetricsExceeded", "too many"}};
  auto parsed = parse_get_metric_data_response(get_metric_data_response_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, ListMetricsResponseRoundTrips) {
  ListMetricsResult sent;
  sent.metrics = {{"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "a"}}}, {"NS", "M", {}}};
  sent.next_token = "more";
  auto parsed = parse_list_metrics_response(list_metrics_response_body(sent));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sent);
}

TEST(CloudWatchProtocolTest, ClientReadsMotoAnswers) {
  // Bodies moto 5.2.1 answered in JSON 1.0 mode.
  auto stats = parse_get_metric_statistics_response(
      R"({"Label": "M", "Datapoints": [{"Timestamp": 1795415940, "SampleCount": 2.0, "Average": 2.0, "Sum": 4.0, "Unit": "Count"}]})");
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  ASSERT_EQ(stats->datapoints.size(), 1u);
  EXPECT_EQ(stats->datapoints[0].timestamp, at_s(1795415940));
  EXPECT_EQ(stats->datapoints[0].sum, 4.0);
  EXPECT_FALSE(stats->datapoints[0].minimum.has_value());

  auto data = parse_get_metric_data_response(
      R"({"MetricDataResults": [{"Id": "q1", "Label": "M Sum", "Timestamps": [1795415940], "Values": [4.0], "StatusCode": "Complete"}]})");
  ASSERT_TRUE(data.ok()) << data.error().to_string();
  ASSERT_EQ(data->results.size(), 1u);
  EXPECT_EQ(data->results[0].label, "M Sum");
  EXPECT_TRUE(data->next_token.empty());

  auto list = parse_list_metrics_response(
      R"({"Metrics": [{"Namespace": "NS", "MetricName": "M", "Dimensions": [{"Name": "d", "Value": "v"}]}, {"Namespace": "NS", "MetricName": "M2", "Dimensions": []}]})");
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->metrics.size(), 2u);
  EXPECT_EQ(list->metrics[0].dimensions, (std::vector<Dimension>{{"d", "v"}}));
}

TEST(CloudWatchProtocolTest, ClientAcceptsIsoTimestampsLikeBotocore) {
  auto stats =
      parse_get_metric_statistics_response(R"({"Datapoints": [{"Timestamp": "2024-01-01T00:01:00Z", "Sum": 1}]})");
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->datapoints[0].timestamp, at_s(kJan2024 + 60));
}

// Found by fuzzing (tests/fuzz/fuzz_cloudwatch_protocol): epoch seconds past
// the year 2262 overflowed the nanosecond time point (undefined behaviour).
TEST(CloudWatchProtocolTest, TimestampsBeyondWhatATimePointHoldsAreRefused) {
  for (const char* body : {R"({"Datapoints": [{"Timestamp": 9699999999, "Sum": 1}]})",
                           R"({"Datapoints": [{"Timestamp": -9699999999, "Sum": 1}]})",
                           R"({"Datapoints": [{"Timestamp": "2470-05-01T12:00:00Z", "Sum": 1}]})"}) {
    auto parsed = parse_get_metric_statistics_response(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, "MalformedResponse") << body;
  }
  auto far = parse_get_metric_statistics_response(R"({"Datapoints": [{"Timestamp": 8999999999, "Sum": 1}]})");
  ASSERT_TRUE(far.ok()) << far.error().to_string();
  EXPECT_EQ(far->datapoints[0].timestamp, at_s(8999999999));
  auto request = parse_get_metric_statistics_request(
      R"({"Namespace": "n", "MetricName": "m", "StartTime": 1e10, "EndTime": 1e10, "Period": 60,
          "Statistics": ["Sum"]})");
  EXPECT_FALSE(request.ok());
}

TEST(CloudWatchProtocolTest, ClientRefusesUnreadableAnswers) {
  for (const char* body : {"", "[]", R"({"Datapoints": {}})", R"({"Datapoints": [{"Sum": "1"}]})",
                           R"({"Datapoints": [{"Timestamp": "yesterday"}]})"}) {
    auto parsed = parse_get_metric_statistics_response(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, "MalformedResponse") << body;
    EXPECT_EQ(parsed.error().kind, ErrorKind::Transient) << body;
  }
  auto mismatched =
      parse_get_metric_data_response(R"({"MetricDataResults": [{"Id": "q", "Timestamps": [1, 2], "Values": [1]}]})");
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.error().message.find("2 timestamps for 1 values"), std::string::npos)
      << mismatched.error().message;
}

// ---- server parser errors ----

TEST(CloudWatchProtocolTest, ServerReportsStructuralErrorsAsTheServiceDoes) {
  struct Case {
    const char* body;
    std::string_view code;
    const char* message_part;
  };
  const Case cases[] = {
      {"not json", kSerializationException, "not a JSON object"},
      {R"({"MetricName": "M", "StartTime": 1, "EndTime": 2, "Period": 60})", kMissingParameter,
       "The parameter Namespace is required."},
      {R"({"Namespace": "N", "MetricName": "M", "StartTime": 1, "EndTime": 2, "Period": "60"})",
       kSerializationException, "Period must be an integer"},
      {R"({"Namespace": "N", "MetricName": "M", "StartTime": 1, "EndTime": 2, "Period": 60.5})",
       kSerializationException, "Period must be an integer"},
      {R"({"Namespace": "N", "MetricName": "M", "StartTime": "2024-01-01T00:00:00Z", "EndTime": 2, "Period": 60})",
       kSerializationException, "StartTime must be a timestamp"},
      {R"({"Namespace": "N", "MetricName": "M", "StartTime": 1, "EndTime": 2})", kMissingParameter,
       "The parameter Period is required."},
      {R"({"Namespace": "N", "MetricName": "M", "Dimensions": [{"Name": "d"}], "StartTime": 1, "EndTime": 2,
           "Period": 60})",
       kMissingParameter, "The parameter Dimensions.member.1.Value is required."},
      {R"({"Namespace": "N", "MetricName": "M", "StartTime": 1, "EndTime": 2, "Period": 60, "Statistics": "Sum"})",
       kSerializationException, "Statistics must be a list"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_get_metric_statistics_request(c.body);
    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.error().code, c.code) << c.body;
    EXPECT_EQ(parsed.error().http_status, 400) << c.body;
    EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos) << parsed.error().message;
  }
}

TEST(CloudWatchProtocolTest, MissingMembersAreNamedWithQueryStylePaths) {
  auto put = parse_put_metric_data_request(
      R"({"Namespace": "N", "MetricData": [{"MetricName": "A", "Value": 1}, {"Value": 2}]})");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, kMissingParameter);
  EXPECT_EQ(put.error().message, "The parameter MetricData.member.2.MetricName is required.");

  auto set = parse_put_metric_data_request(
      R"({"Namespace": "N", "MetricData": [{"MetricName": "A", "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1}}]})");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message, "The parameter MetricData.member.1.StatisticValues.Maximum is required.");

  // GetMetricData says ValidationError for what the others call MissingParameter.
  auto data = parse_get_metric_data_request(
      R"({"MetricDataQueries": [{"Id": "a", "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "M"}, "Stat": "Sum"}}],
          "StartTime": 1, "EndTime": 2})");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, kValidationError);
  EXPECT_EQ(data.error().message, "The parameter MetricDataQueries.member.1.MetricStat.Period is required.");
}

TEST(CloudWatchProtocolTest, EmptyBodyIsAnEmptyRequest) {
  auto list = parse_list_metrics_request("");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, ListMetricsRequest{});
}

// ---- error codes ----

TEST(CloudWatchProtocolTest, QueryCodesMapToTheModelsExceptionShapes) {
  EXPECT_EQ(error_type(kInvalidParameterValue), "InvalidParameterValueException");
  EXPECT_EQ(error_type(kMissingParameter), "MissingRequiredParameterException");
  EXPECT_EQ(error_type(kInvalidParameterCombination), "InvalidParameterCombinationException");
  EXPECT_EQ(error_type(kInternalServiceError), "InternalServiceFault");
  EXPECT_EQ(error_type(kValidationError), "ValidationError");
  EXPECT_EQ(error_status(kInternalServiceError), 500);
  EXPECT_EQ(error_status(kRequestEntityTooLarge), 413);
  EXPECT_EQ(service_error(kInternalServiceError, "x").kind, ErrorKind::Transient);
  EXPECT_EQ(service_error(kInvalidParameterValue, "x").kind, ErrorKind::Client);
}

// ---- parameter rules ----

TEST(CloudWatchValidationTest, StatisticNames) {
  EXPECT_EQ(parse_statistic("Sum")->kind, Statistic::Sum);
  EXPECT_EQ(parse_statistic("SampleCount")->kind, Statistic::SampleCount);
  EXPECT_EQ(parse_statistic("p99")->kind, Statistic::Percentile);
  EXPECT_DOUBLE_EQ(parse_statistic("p99")->percentile, 99);
  EXPECT_DOUBLE_EQ(parse_statistic("p99.95")->percentile, 99.95);
  EXPECT_DOUBLE_EQ(parse_statistic("p0")->percentile, 0);
  EXPECT_DOUBLE_EQ(parse_statistic("p100")->percentile, 100);
  for (const char* bad : {"sum", "Median", "p", "p100.1", "p-1", "p9e1", "p99.", "p.5", "p 9", "P99", ""}) {
    EXPECT_FALSE(parse_statistic(bad).has_value()) << bad;
  }
}

TEST(CloudWatchValidationTest, Periods) {
  for (int ok : {1, 5, 10, 20, 30, 60, 120, 300, 86400}) EXPECT_TRUE(is_valid_period(ok)) << ok;
  for (int bad : {0, -60, 2, 15, 45, 61, 90}) EXPECT_FALSE(is_valid_period(bad)) << bad;
}

TEST(CloudWatchValidationTest, RequestedPeriodsCountFromTheMinuteBoundary) {
  EXPECT_EQ(requested_periods(at_s(kJan2024), at_s(kJan2024 + 86400), 60), 1440);
  EXPECT_EQ(requested_periods(at_s(kJan2024), at_s(kJan2024 + 86401), 60), 1441);
  // 00:00:30 is rounded down to 00:00:00: [00:00, 00:02:00.5) needs three minutes.
  EXPECT_EQ(requested_periods(at_s(kJan2024 + 30), at_ms((kJan2024 + 120) * 1000 + 500), 60), 3);
  EXPECT_EQ(requested_periods(at_s(kJan2024 + 7), at_s(kJan2024 + 20), 5), 3);  // 00:05, 00:10, 00:15
  EXPECT_EQ(requested_periods(at_s(kJan2024 + 60), at_s(kJan2024), 60), 0);
}

GetMetricStatisticsRequest valid_statistics_request() {
  GetMetricStatisticsRequest request;
  request.name_space = "AWS/Firehose";
  request.metric_name = "IncomingRecords";
  request.dimensions = {{"DeliveryStreamName", "orders"}};
  request.start_time = at_s(kJan2024);
  request.end_time = at_s(kJan2024 + 600);
  request.period = 60;
  request.statistics = {"Sum"};
  return request;
}

void expect_refused(const Status& status, std::string_view code, std::string_view message_part) {
  ASSERT_FALSE(status.ok()) << "expected " << code;
  EXPECT_EQ(status.error().code, code) << status.error().message;
  EXPECT_EQ(status.error().http_status, 400);
  EXPECT_NE(status.error().message.find(message_part), std::string::npos) << status.error().message;
}

TEST(CloudWatchValidationTest, GetMetricStatisticsRules) {
  EXPECT_TRUE(validate_get_metric_statistics(valid_statistics_request()).ok());

  auto r = valid_statistics_request();
  r.period = 61;
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The parameter Period must be a multiple of 60.");
  r.period = 30;  // high resolution
  r.end_time = r.start_time + std::chrono::minutes(5);
  EXPECT_TRUE(validate_get_metric_statistics(r).ok());
  r.period = 0;
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "Period must be greater than 0");

  r = valid_statistics_request();
  r.end_time = r.start_time;
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The parameter StartTime must be less than the parameter EndTime.");

  r = valid_statistics_request();
  r.statistics.clear();
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterCombination,
                 "Must specify either Statistics or ExtendedStatistics");
  r.statistics = {"Sum"};
  r.extended_statistics = {"p99"};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterCombination, "mutually exclusive");
  r.statistics.clear();
  r.extended_statistics = {"p99", "Sum"};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "ExtendedStatistics.member.2");
  r.extended_statistics = std::vector<std::string>(11, "p50");
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The collection ExtendedStatistics must not have a size greater than 10.");

  r = valid_statistics_request();
  r.statistics = {"Sum", "Median"};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The parameter Statistics.member.2 must be a value in the set");
  r.statistics = {"Sum", "Average", "Minimum", "Maximum", "SampleCount", "Sum"};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The collection Statistics must not have a size greater than 5.");

  r = valid_statistics_request();
  r.unit = "Furlongs";
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The parameter Unit must be a value in the set");

  r = valid_statistics_request();
  r.name_space.clear();
  expect_refused(validate_get_metric_statistics(r), kMissingParameter, "The parameter Namespace is required.");
  r = valid_statistics_request();
  r.metric_name = std::string(256, 'm');
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "MetricName must not be longer than 255");
  r = valid_statistics_request();
  r.dimensions.assign(31, {"d", "v"});
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue,
                 "The collection Dimensions must not have a size greater than 30.");
  r.dimensions = {{"d", "v"}, {"d", "w"}};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "duplicate dimension names");
  r.dimensions = {{":colon", "v"}};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "Dimensions.member.1.Name");
  r.dimensions = {{"d", "tab\there"}};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "Dimensions.member.1.Value");
  r.dimensions = {{"d", "   "}};
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterValue, "Dimensions.member.1.Value");
}

TEST(CloudWatchValidationTest, GetMetricStatisticsAllowsAtMost1440Datapoints) {
  auto r = valid_statistics_request();
  r.end_time = r.start_time + std::chrono::hours(24);
  EXPECT_TRUE(validate_get_metric_statistics(r).ok());
  r.end_time += seconds(1);
  expect_refused(validate_get_metric_statistics(r), kInvalidParameterCombination,
                 "You have requested up to 1441 datapoints, which exceeds the limit of 1440.");
  r.period = 120;
  EXPECT_TRUE(validate_get_metric_statistics(r).ok());
}

PutMetricDataRequest one_value(double value) {
  PutMetricDataRequest request;
  request.name_space = "App";
  MetricDatum datum;
  datum.metric_name = "M";
  datum.value = value;
  request.metric_data = {datum};
  return request;
}

TEST(CloudWatchValidationTest, PutMetricDataRules) {
  EXPECT_TRUE(validate_put_metric_data(sample_put()).ok());

  auto r = sample_put();
  r.metric_data.assign(1001, one_value(1).metric_data[0]);
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "The collection MetricData must not have a size greater than 1000.");
  r.metric_data.resize(1000);
  EXPECT_TRUE(validate_put_metric_data(r).ok());
  r.metric_data.clear();
  expect_refused(validate_put_metric_data(r), kMissingParameter, "The parameter MetricData is required.");

  r = sample_put();
  r.name_space = "AWS/Firehose";
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "The value AWS/Firehose for parameter Namespace is invalid.");
  r.name_space = ":ns";
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue, "parameter Namespace is invalid");

  r = sample_put();
  r.metric_data[1].dimensions.assign(31, {"d", "v"});
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "The collection MetricData.member.2.Dimensions must not have a size greater than 30.");

  r = sample_put();
  r.metric_data[0].statistic_values = StatisticSet{1, 1, 1, 1};
  expect_refused(validate_put_metric_data(r), kInvalidParameterCombination,
                 "MetricData.member.1.Value, MetricData.member.1.StatisticValues are mutually exclusive");
  r.metric_data[0].statistic_values.reset();
  r.metric_data[0].value.reset();
  expect_refused(validate_put_metric_data(r), kInvalidParameterCombination,
                 "At least one of the parameters MetricData.member.1.Value");

  r = sample_put();
  r.metric_data[1].statistic_values = StatisticSet{0, 0, 0, 0};
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "MetricData.member.2.StatisticValues.SampleCount must be greater than 0");
  r.metric_data[1].statistic_values = StatisticSet{2, 3, 2, 1};
  expect_refused(validate_put_metric_data(r), kInvalidParameterCombination, "StatisticValues.Maximum must be greater");

  r = sample_put();
  r.metric_data[2].values.assign(151, 1.0);
  r.metric_data[2].counts.clear();
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "The collection MetricData.member.3.Values must not have a size greater than 150.");
  r.metric_data[2].values.assign(150, 1.0);
  EXPECT_TRUE(validate_put_metric_data(r).ok());
  r.metric_data[2].counts = {1, 2};
  expect_refused(validate_put_metric_data(r), kInvalidParameterCombination, "must be of the same size");
  r.metric_data[2].values = {1, 2};
  r.metric_data[2].counts = {1, -2};
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue, "MetricData.member.3.Counts.member.2");

  r = sample_put();
  r.metric_data[0].unit = "Count/Minute";
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "MetricData.member.1.Unit must be a value in the set");
  r = sample_put();
  r.metric_data[0].storage_resolution = 30;
  expect_refused(validate_put_metric_data(r), kInvalidParameterValue,
                 "The parameter MetricData.member.1.StorageResolution must be a value in the set [ 1, 60 ].");
}

TEST(CloudWatchValidationTest, ValuesMustLieWithinCloudWatchsRange) {
  for (double ok : {0.0, -0.0, 1.0, -1e100, 0x1p360, -0x1p360, 0x1p-360}) {
    EXPECT_TRUE(validate_put_metric_data(one_value(ok)).ok()) << ok;
  }
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                     0x1p361, -0x1p361, 0x1p-361, 1e-200}) {
    expect_refused(validate_put_metric_data(one_value(bad)), kInvalidParameterValue, "MetricData.member.1.Value");
  }
}

TEST(CloudWatchValidationTest, PutMetricDataTimestampWindow) {
  const TimePoint now = at_s(kJan2024);
  auto r = one_value(1);
  r.metric_data[0].timestamp = now - std::chrono::hours(24 * 14);
  EXPECT_TRUE(validate_put_metric_data_timestamps(r, now).ok());
  r.metric_data[0].timestamp = now - std::chrono::hours(24 * 14) - seconds(1);
  expect_refused(validate_put_metric_data_timestamps(r, now), kInvalidParameterValue, "two weeks in the past");
  r.metric_data[0].timestamp = now + std::chrono::hours(2);
  EXPECT_TRUE(validate_put_metric_data_timestamps(r, now).ok());
  r.metric_data[0].timestamp = now + std::chrono::hours(2) + seconds(1);
  expect_refused(validate_put_metric_data_timestamps(r, now), kInvalidParameterValue, "two hours in the future");
}

GetMetricDataRequest valid_data_request() {
  GetMetricDataRequest request;
  MetricDataQuery query;
  query.id = "m1";
  query.metric_stat = MetricStat{{"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "s"}}}, 60, "Sum", ""};
  request.queries = {query};
  request.start_time = at_s(kJan2024);
  request.end_time = at_s(kJan2024 + 600);
  return request;
}

TEST(CloudWatchValidationTest, GetMetricDataRules) {
  EXPECT_TRUE(validate_get_metric_data(valid_data_request()).ok());

  auto r = valid_data_request();
  r.end_time = r.start_time;
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "The parameter StartTime must not equal parameter EndTime.");
  r.end_time = r.start_time - seconds(60);
  expect_refused(validate_get_metric_data(r), kValidationError, "StartTime must be less than");

  r = valid_data_request();
  r.queries.push_back(r.queries[0]);
  expect_refused(validate_get_metric_data(r), kValidationError, "m1 is repeated");
  r = valid_data_request();
  r.queries[0].id = "M1";
  expect_refused(validate_get_metric_data(r), kValidationError, "MetricDataQueries.member.1.Id is invalid");
  r.queries[0].id = "m-1";
  expect_refused(validate_get_metric_data(r), kValidationError, "MetricDataQueries.member.1.Id is invalid");

  r = valid_data_request();
  r.queries[0].expression = "m1 * 2";
  expect_refused(validate_get_metric_data(r), kValidationError, "mutually exclusive");
  r.queries[0].metric_stat.reset();
  EXPECT_TRUE(validate_get_metric_data(r).ok()) << "an expression alone is a valid query";
  r.queries[0].expression.clear();
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "The parameter MetricDataQueries.member.1.MetricStat is required.");

  r = valid_data_request();
  r.queries[0].metric_stat->period = 90;
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60");
  r = valid_data_request();
  r.queries[0].metric_stat->stat.clear();
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "MetricDataQueries.member.1.MetricStat.Stat is required");
  r = valid_data_request();
  r.queries[0].metric_stat->stat = "tm99";  // CloudWatch knows more statistics than firehose-local computes
  EXPECT_TRUE(validate_get_metric_data(r).ok());
  r = valid_data_request();
  r.queries[0].metric_stat->metric.name_space.clear();
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is required.");

  r = valid_data_request();
  r.scan_by = "Newest";
  expect_refused(validate_get_metric_data(r), kValidationError, "ScanBy");
  r = valid_data_request();
  r.max_datapoints = 0;
  expect_refused(validate_get_metric_data(r), kValidationError, "MaxDatapoints");
  r = valid_data_request();
  r.queries.clear();
  expect_refused(validate_get_metric_data(r), kValidationError, "The parameter MetricDataQueries is required.");
  r = valid_data_request();
  for (int i = 0; i < 500; ++i) {
    auto query = r.queries[0];
    query.id = "q" + std::to_string(i);
    r.queries.push_back(query);
  }
  expect_refused(validate_get_metric_data(r), kValidationError,
                 "The collection MetricDataQueries must not have a size greater than 500.");
}

TEST(CloudWatchValidationTest, ListMetricsRules) {
  EXPECT_TRUE(validate_list_metrics({}).ok());
  ListMetricsRequest r;
  r.dimensions.assign(11, {"d", std::nullopt});
  expect_refused(validate_list_metrics(r), kInvalidParameterValue,
                 "The collection Dimensions must not have a size greater than 10.");
  r.dimensions = {{"", std::nullopt}};
  expect_refused(validate_list_metrics(r), kMissingParameter, "The parameter Dimensions.member.1.Name is required.");
  r.dimensions = {{"d", std::string()}};
  expect_refused(validate_list_metrics(r), kMissingParameter, "Dimensions.member.1.Value is required");
  r.dimensions.clear();
  r.recently_active = "PT1H";
  expect_refused(validate_list_metrics(r), kInvalidParameterValue, "RecentlyActive");
  r.recently_active = "PT3H";
  EXPECT_TRUE(validate_list_metrics(r).ok());
}

}  // namespace
}  // namespace firehose::cloudwatch
