// firehose-local's CloudWatch endpoint: requests built by the client's
// protocol code, answers read by the client's parsers; errors in the
// query-compatible shape; GetMetricData and ListMetrics paging; and the
// library's CloudWatchClient talking to it over HTTP.
#include "metrics/cloudwatch_api.hpp"

#include <cctype>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "aws/credentials/credentials_servers.hpp"
#include "aws/json_protocol.hpp"
#include "aws/service_client.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "protocol/cloudwatch.hpp"

namespace firehose::local {
namespace {

namespace cw = firehose::cloudwatch;
using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::int64_t kJan2024 = 1704067200;  // 2024-01-01T00:00:00Z
TimePoint at(std::int64_t seconds_after) { return TimePoint(seconds(kJan2024 + seconds_after)); }
const TimePoint kNow = at(3600);

const std::string* find_header(const ApiResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(),
                                                [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return &value;
    }
  }
  return nullptr;
}

// What the client library makes of an error answer.
Error client_view(const ApiResponse& response) {
  aws::HttpResponse http;
  http.status = response.status;
  http.body = response.body;
  http.headers.push_back({"content-type", response.content_type});
  for (const auto& [name, value] : response.headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    http.headers.push_back({lower, value});
  }
  return aws::json_protocol::error_from_response(http);
}

class CloudWatchApiTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view operation, const std::string& body, TimePoint now = kNow) {
    return api_.handle(operation, body, now);
  }

  void put(const cw::PutMetricDataRequest& request, TimePoint now = kNow) {
    const auto response = call("PutMetricData", cw::put_metric_data_body(request), now);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, "{}");
  }

  static cw::PutMetricDataRequest values(const std::string& metric,
                                         const std::vector<std::pair<TimePoint, double>>& points,
                                         const std::string& unit = "Count") {
    cw::PutMetricDataRequest request;
    request.name_space = "App";
    for (const auto& [time, value] : points) {
      cw::MetricDatum datum;
      datum.metric_name = metric;
      datum.dimensions = {{"Stage", "prod"}};
      datum.timestamp = time;
      datum.value = value;
      datum.unit = unit;
      request.metric_data.push_back(datum);
    }
    return request;
  }

  static cw::GetMetricStatisticsRequest statistics(const std::string& metric, std::vector<std::string> stats,
                                                   int period = 60) {
    cw::GetMetricStatisticsRequest request;
    request.name_space = "App";
    request.metric_name = metric;
    request.dimensions = {{"Stage", "prod"}};
    request.start_time = at(0);
    request.end_time = at(600);
    request.period = period;
    request.statistics = std::move(stats);
    return request;
  }

  cw::GetMetricStatisticsResult get_statistics(const cw::GetMetricStatisticsRequest& request, TimePoint now = kNow) {
    const auto response = call("GetMetricStatistics", cw::get_metric_statistics_body(request), now);
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/x-amz-json-1.0");
    auto parsed = cw::parse_get_metric_statistics_response(response.body);
    EXPECT_TRUE(parsed.ok()) << response.body;
    return parsed.ok() ? *parsed : cw::GetMetricStatisticsResult{};
  }

  cw::GetMetricDataResult get_data(const cw::GetMetricDataRequest& request) {
    const auto response = call("GetMetricData", cw::get_metric_data_body(request));
    EXPECT_EQ(response.status, 200) << response.body;
    auto parsed = cw::parse_get_metric_data_response(response.body);
    EXPECT_TRUE(parsed.ok()) << response.body;
    return parsed.ok() ? *parsed : cw::GetMetricDataResult{};
  }

  MetricsStore store_;
  CloudWatchApi api_{store_};
};

TEST_F(CloudWatchApiTest, PutThenGetMetricStatisticsPerMinute) {
  put(values("Latency", {{at(10), 4}, {at(20), 8}, {at(70), 1}}, "Milliseconds"));
  const auto result = get_statistics(statistics("Latency", {"Sum", "Average", "SampleCount", "Minimum", "Maximum"}));
  EXPECT_EQ(result.label, "Latency");
  ASSERT_EQ(result.datapoints.size(), 2u);
  const auto& first = result.datapoints[0];
  EXPECT_EQ(first.timestamp, at(0));
  EXPECT_EQ(first.sum, 12.0);
  EXPECT_EQ(first.average, 6.0);
  EXPECT_EQ(first.sample_count, 2.0);
  EXPECT_EQ(first.minimum, 4.0);
  EXPECT_EQ(first.maximum, 8.0);
  EXPECT_EQ(first.unit, "Milliseconds");
  EXPECT_EQ(result.datapoints[1].timestamp, at(60));
  EXPECT_EQ(result.datapoints[1].sum, 1.0);
}

TEST_F(CloudWatchApiTest, OnlyRequestedStatisticsAreAnswered) {
  put(values("M", {{at(0), 3}}));
  const auto response = call("GetMetricStatistics", cw::get_metric_statistics_body(statistics("M", {"Sum"})));
  const json body = json::parse(response.body);
  ASSERT_EQ(body["Datapoints"].size(), 1u);
  EXPECT_EQ(body["Datapoints"][0], json::parse(R"({"Timestamp": 1704067200, "Sum": 3.0, "Unit": "Count"})"));
}

TEST_F(CloudWatchApiTest, StatisticSetsAndValueCountsAreAggregated) {
  cw::PutMetricDataRequest request;
  request.name_space = "App";
  cw::MetricDatum set;
  set.metric_name = "M";
  set.dimensions = {{"Stage", "prod"}};
  set.timestamp = at(5);
  set.statistic_values = cw::StatisticSet{4, 20, 2, 9};
  cw::MetricDatum histogram = set;
  histogram.statistic_values.reset();
  histogram.values = {1, 3, 50};
  histogram.counts = {2, 1, 0};  // 50 never occurred
  request.metric_data = {set, histogram};
  put(request);
  const auto result = get_statistics(statistics("M", {"Sum", "SampleCount", "Minimum", "Maximum", "Average"}));
  ASSERT_EQ(result.datapoints.size(), 1u);
  EXPECT_EQ(result.datapoints[0].sample_count, 4.0 + 3.0);
  EXPECT_EQ(result.datapoints[0].sum, 20.0 + 1 + 1 + 3);
  EXPECT_EQ(result.datapoints[0].minimum, 1.0);
  EXPECT_EQ(result.datapoints[0].maximum, 9.0);
  EXPECT_DOUBLE_EQ(*result.datapoints[0].average, 25.0 / 7.0);
  EXPECT_EQ(result.datapoints[0].unit, "None") << "no unit given";
}

TEST_F(CloudWatchApiTest, FirehoseMetricsRecordedByTheServerAreQueryable) {
  const MetricKey incoming{"AWS/Firehose", "IncomingRecords", {{"DeliveryStreamName", "orders"}}};
  for (int minute = 0; minute < 10; ++minute) store_.record(incoming, minute + 1, "Count", at(minute * 60 + 30));
  // The AWS example: Sum over the last ten minutes.
  cw::GetMetricStatisticsRequest request;
  request.name_space = "AWS/Firehose";
  request.metric_name = "IncomingRecords";
  request.dimensions = {{"DeliveryStreamName", "orders"}};
  request.start_time = at(0);
  request.end_time = at(600);
  request.period = 600;
  request.statistics = {"Sum"};
  const auto result = get_statistics(request);
  ASSERT_EQ(result.datapoints.size(), 1u);
  EXPECT_EQ(result.datapoints[0].sum, 55.0);
  request.dimensions = {{"DeliveryStreamName", "other"}};
  EXPECT_TRUE(get_statistics(request).datapoints.empty());
}

TEST_F(CloudWatchApiTest, UnitFilterAndMixedUnits) {
  put(values("M", {{at(0), 1}}, "Bytes"));
  put(values("M", {{at(1), 2}}, "Kilobytes"));
  auto request = statistics("M", {"Sum"});
  EXPECT_EQ(get_statistics(request).datapoints.size(), 2u) << "one datapoint per unit";
  request.unit = "Kilobytes";
  const auto kilobytes = get_statistics(request);
  ASSERT_EQ(kilobytes.datapoints.size(), 1u);
  EXPECT_EQ(kilobytes.datapoints[0].sum, 2.0);
  request.unit = "Seconds";
  EXPECT_TRUE(get_statistics(request).datapoints.empty());
}

TEST_F(CloudWatchApiTest, PercentilesOnlyWhereTheStoredSetDeterminesThem) {
  put(values("M", {{at(0), 7}, {at(10), 7}, {at(60), 1}, {at(70), 2}}));
  auto request = statistics("M", {});
  request.extended_statistics = {"p90", "p50"};
  const auto result = get_statistics(request);
  ASSERT_EQ(result.datapoints.size(), 2u);
  EXPECT_EQ(result.datapoints[0].extended_statistics, (std::map<std::string, double>{{"p50", 7}, {"p90", 7}}));
  EXPECT_TRUE(result.datapoints[1].extended_statistics.empty()) << "1 and 2: no percentile without raw values";
}

TEST_F(CloudWatchApiTest, PeriodRules) {
  put(values("M", {{at(0), 1}}));
  auto bad = call("GetMetricStatistics", cw::get_metric_statistics_body(statistics("M", {"Sum"}, 61)));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(client_view(bad).code, "InvalidParameterValue");
  EXPECT_EQ(client_view(bad).message, "The parameter Period must be a multiple of 60.");
  // A high-resolution period is valid but firehose-local keeps minutes only.
  auto request = statistics("M", {"Sum"}, 10);
  request.end_time = at(60);
  EXPECT_TRUE(get_statistics(request).datapoints.empty());
  auto wide = statistics("M", {"Sum"});
  wide.end_time = at(86400 + 60);
  auto too_many = call("GetMetricStatistics", cw::get_metric_statistics_body(wide));
  EXPECT_EQ(client_view(too_many).code, "InvalidParameterCombination");
}

TEST_F(CloudWatchApiTest, ErrorsHaveTheQueryCompatibleShape) {
  auto request = values("M", {{at(0), 1}});
  request.name_space = "AWS/Firehose";
  const auto response = call("PutMetricData", cw::put_metric_data_body(request));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/x-amz-json-1.0");
  const json body = json::parse(response.body);
  EXPECT_EQ(body["__type"], "InvalidParameterValueException");
  EXPECT_EQ(body["message"], "The value AWS/Firehose for parameter Namespace is invalid.");
  ASSERT_NE(find_header(response, "x-amzn-query-error"), nullptr);
  EXPECT_EQ(*find_header(response, "x-amzn-query-error"), "InvalidParameterValue;Sender");

  const Error seen = client_view(response);
  EXPECT_EQ(seen.code, "InvalidParameterValue") << "the query code, as botocore reports it";
  EXPECT_EQ(seen.kind, ErrorKind::Client);
  EXPECT_EQ(seen.http_status, 400);

  const auto missing = call("PutMetricData", R"({"MetricData": [{"MetricName": "M", "Value": 1}]})");
  EXPECT_EQ(json::parse(missing.body)["__type"], "MissingRequiredParameterException");
  EXPECT_EQ(client_view(missing).code, "MissingParameter");
  const auto malformed = call("PutMetricData", "{nope");
  EXPECT_EQ(client_view(malformed).code, "SerializationException");
}

TEST_F(CloudWatchApiTest, UnknownOperations) {
  const auto response = call("PutMetricAlarm", "{}");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(client_view(response).code, "UnknownOperationException");
  EXPECT_NE(client_view(response).message.find("PutMetricAlarm"), std::string::npos);
  // The whole target is accepted too.
  EXPECT_EQ(call("GraniteServiceVersion20100801.ListMetrics", "{}").status, 200);
  EXPECT_EQ(call("Firehose_20150804.ListMetrics", "{}").status, 400);
}

TEST_F(CloudWatchApiTest, PutMetricDataLimitsThatNeedTheServer) {
  auto old = values("M", {{kNow - std::chrono::hours(24 * 15), 1}});
  EXPECT_EQ(client_view(call("PutMetricData", cw::put_metric_data_body(old))).code, "InvalidParameterValue");
  auto future = values("M", {{kNow + std::chrono::hours(3), 1}});
  EXPECT_EQ(client_view(call("PutMetricData", cw::put_metric_data_body(future))).code, "InvalidParameterValue");

  std::string huge =
      R"({"Namespace": "App", "MetricData": [{"MetricName": ")" + std::string(1024 * 1024, 'x') + R"(", "Value": 1}]})";
  const auto too_large = call("PutMetricData", huge);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(client_view(too_large).code, "RequestEntityTooLarge");
  EXPECT_TRUE(store_.list("", "", {}).empty()) << "nothing from refused calls is stored";

  // Without a Timestamp the data counts at arrival.
  cw::PutMetricDataRequest untimed = values("M", {{at(0), 5}});
  untimed.metric_data[0].timestamp.reset();
  put(untimed, at(125));
  auto request = statistics("M", {"Sum"});
  ASSERT_EQ(get_statistics(request).datapoints.size(), 1u);
  EXPECT_EQ(get_statistics(request).datapoints[0].timestamp, at(120));
}

TEST_F(CloudWatchApiTest, VisibilityDelayHidesFreshData) {
  store_.set_visibility_delay(seconds(60));
  put(values("M", {{at(0), 1}}), at(5));
  EXPECT_TRUE(get_statistics(statistics("M", {"Sum"}), at(5)).datapoints.empty());
  EXPECT_TRUE(get_statistics(statistics("M", {"Sum"}), at(64)).datapoints.empty());
  EXPECT_EQ(get_statistics(statistics("M", {"Sum"}), at(65)).datapoints.size(), 1u);
}

// ---- GetMetricData ----

class GetMetricDataTest : public CloudWatchApiTest {
 protected:
  void SetUp() override {
    // a: minutes 0-9 valued 100+m; b: 200+m; c: minutes 2 and 5 only.
    for (int m = 0; m < 10; ++m) {
      put(values("A", {{at(m * 60), 100.0 + m}}));
      put(values("B", {{at(m * 60 + 30), 200.0 + m}}));
    }
    put(values("C", {{at(120), 2}, {at(300), 5}}));
  }

  static cw::MetricDataQuery query(const std::string& id, const std::string& metric, const std::string& stat = "Sum") {
    cw::MetricDataQuery q;
    q.id = id;
    q.metric_stat = cw::MetricStat{{"App", metric, {{"Stage", "prod"}}}, 60, stat, ""};
    return q;
  }

  static cw::GetMetricDataRequest request_abc() {
    cw::GetMetricDataRequest request;
    request.queries = {query("a", "A"), query("b", "B"), query("c", "C")};
    request.start_time = at(0);
    request.end_time = at(600);
    return request;
  }

  // Follows NextToken, checking every page, and merges results by id.
  std::map<std::string, std::vector<std::pair<TimePoint, double>>> all_pages(cw::GetMetricDataRequest request,
                                                                             int* pages) {
    std::map<std::string, std::vector<std::pair<TimePoint, double>>> merged;
    *pages = 0;
    for (;;) {
      const auto page = get_data(request);
      ++*pages;
      std::size_t count = 0;
      for (const auto& r : page.results) {
        count += r.values.size();
        for (std::size_t i = 0; i < r.values.size(); ++i) merged[r.id].emplace_back(r.timestamps[i], r.values[i]);
        if (page.next_token.empty()) {
          EXPECT_EQ(r.status_code, "Complete") << r.id;
        }
      }
      if (request.max_datapoints) {
        EXPECT_LE(count, static_cast<std::size_t>(*request.max_datapoints));
      }
      if (page.next_token.empty() || *pages > 100) break;
      request.next_token = page.next_token;
    }
    return merged;
  }
};

TEST_F(GetMetricDataTest, OnePageNewestFirstByDefault) {
  const auto result = get_data(request_abc());
  EXPECT_TRUE(result.next_token.empty());
  ASSERT_EQ(result.results.size(), 3u);
  const auto& a = result.results[0];
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.label, "A") << "the default label is the metric name";
  EXPECT_EQ(a.status_code, "Complete");
  ASSERT_EQ(a.values.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a.timestamps[i], at((9 - i) * 60));
    EXPECT_EQ(a.values[i], 109.0 - i);
  }
  EXPECT_EQ(result.results[2].values, (std::vector<double>{5, 2}));
}

TEST_F(GetMetricDataTest, ScanByTimestampAscending) {
  auto request = request_abc();
  request.scan_by = "TimestampAscending";
  const auto result = get_data(request);
  EXPECT_EQ(result.results[2].timestamps, (std::vector<TimePoint>{at(120), at(300)}));
  EXPECT_EQ(result.results[0].values.front(), 100.0);
}

TEST_F(GetMetricDataTest, PagesCoverEverythingOnceWithinMaxDatapoints) {
  for (const char* scan_by : {"TimestampDescending", "TimestampAscending"}) {
    auto request = request_abc();
    request.scan_by = scan_by;
    const auto whole = get_data(request);
    request.max_datapoints = 7;
    int pages = 0;
    auto merged = all_pages(request, &pages);
    EXPECT_EQ(pages, 4) << "22 datapoints, 7 per page";
    for (const auto& r : whole.results) {
      std::vector<std::pair<TimePoint, double>> expected;
      for (std::size_t i = 0; i < r.values.size(); ++i) expected.emplace_back(r.timestamps[i], r.values[i]);
      EXPECT_EQ(merged[r.id], expected) << scan_by << " " << r.id;
    }
  }
}

TEST_F(GetMetricDataTest, PagesWalkTimeAcrossQueries) {
  auto request = request_abc();
  request.max_datapoints = 5;
  const auto first = get_data(request);
  ASSERT_FALSE(first.next_token.empty());
  // Newest first over all queries: minutes 9 (a, b), 8 (a, b), 7 (a).
  EXPECT_EQ(first.results[0].timestamps, (std::vector<TimePoint>{at(540), at(480), at(420)}));
  EXPECT_EQ(first.results[1].timestamps, (std::vector<TimePoint>{at(540), at(480)}));
  EXPECT_TRUE(first.results[2].timestamps.empty());
  for (const auto& r : first.results) EXPECT_EQ(r.status_code, "PartialData") << r.id;
}

TEST_F(GetMetricDataTest, DataArrivingBetweenPagesIsNotRepeated) {
  auto request = request_abc();
  request.max_datapoints = 4;
  const auto first = get_data(request);
  put(values("A", {{at(540), 1000}}));  // into a minute already returned
  request.next_token = first.next_token;
  const auto second = get_data(request);
  for (const auto& t : second.results[0].timestamps) EXPECT_LT(t, at(480)) << "continues after the last item";
}

TEST_F(GetMetricDataTest, TokensBelongToTheirRequest) {
  auto request = request_abc();
  request.max_datapoints = 3;
  const auto first = get_data(request);
  ASSERT_FALSE(first.next_token.empty());

  auto other = request;
  other.end_time = at(540);
  other.next_token = first.next_token;
  const auto refused = call("GetMetricData", cw::get_metric_data_body(other));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(client_view(refused).code, "InvalidNextToken");
  EXPECT_EQ(json::parse(refused.body)["__type"], "InvalidNextToken");

  other = request;
  other.next_token = "garbage";
  EXPECT_EQ(client_view(call("GetMetricData", cw::get_metric_data_body(other))).code, "InvalidNextToken");

  // A different page size is still the same request.
  auto bigger = request;
  bigger.max_datapoints = 100;
  bigger.next_token = first.next_token;
  EXPECT_EQ(call("GetMetricData", cw::get_metric_data_body(bigger)).status, 200);
}

TEST_F(GetMetricDataTest, StatisticsLabelsAndReturnData) {
  cw::GetMetricDataRequest request;
  request.queries = {query("avg", "A", "Average"), query("n", "A", "SampleCount"), query("hidden", "B")};
  request.queries[0].label = "mean of A";
  request.queries[0].metric_stat->period = 300;
  request.queries[2].return_data = false;
  request.start_time = at(0);
  request.end_time = at(600);
  request.scan_by = "TimestampAscending";
  const auto result = get_data(request);
  ASSERT_EQ(result.results.size(), 2u) << "ReturnData=false is not returned";
  EXPECT_EQ(result.results[0].label, "mean of A");
  EXPECT_EQ(result.results[0].values, (std::vector<double>{102, 107}));
  EXPECT_EQ(result.results[0].timestamps, (std::vector<TimePoint>{at(0), at(300)}));
  EXPECT_EQ(result.results[1].values, std::vector<double>(10, 1.0));
}

TEST_F(GetMetricDataTest, WhatFirehoseLocalDoesNotComputeIsRefused) {
  auto request = request_abc();
  request.queries[1].metric_stat.reset();
  request.queries[1].expression = "a * 2";
  auto response = call("GetMetricData", cw::get_metric_data_body(request));
  EXPECT_EQ(client_view(response).code, "ValidationError");
  EXPECT_NE(client_view(response).message.find("expressions"), std::string::npos);

  request = request_abc();
  request.queries[0].metric_stat->stat = "tm99";
  response = call("GetMetricData", cw::get_metric_data_body(request));
  EXPECT_EQ(client_view(response).code, "ValidationError");
  EXPECT_NE(client_view(response).message.find("tm99"), std::string::npos);

  request = request_abc();
  request.end_time = request.start_time;
  response = call("GetMetricData", cw::get_metric_data_body(request));
  EXPECT_EQ(client_view(response).message, "The parameter StartTime must not equal parameter EndTime.");
}

// ---- ListMetrics ----

TEST_F(CloudWatchApiTest, ListMetricsFiltersAndPages) {
  for (int i = 0; i < 1201; ++i) {
    store_.record({"Many", "M", {{"N", fmt::format("{:04}", i)}}}, 1, "Count", at(0));
  }
  store_.record({"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "orders"}}}, 1, "Bytes", kNow);

  cw::ListMetricsRequest request;
  request.name_space = "Many";
  std::set<std::string> seen;
  int pages = 0;
  for (;;) {
    const auto response = call("ListMetrics", cw::list_metrics_body(request));
    ASSERT_EQ(response.status, 200) << response.body;
    auto page = cw::parse_list_metrics_response(response.body);
    ASSERT_TRUE(page.ok());
    ++pages;
    EXPECT_LE(page->metrics.size(), 500u);
    for (const auto& metric : page->metrics) {
      EXPECT_EQ(metric.name_space, "Many");
      EXPECT_TRUE(seen.insert(metric.dimensions.at(0).value).second) << "listed twice";
    }
    if (page->next_token.empty()) break;
    request.next_token = page->next_token;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 1201u);

  cw::ListMetricsRequest filtered;
  filtered.dimensions = {{"DeliveryStreamName", std::nullopt}};
  auto page = cw::parse_list_metrics_response(call("ListMetrics", cw::list_metrics_body(filtered)).body);
  ASSERT_EQ(page->metrics.size(), 1u);
  EXPECT_EQ(page->metrics[0], (cw::Metric{"AWS/Firehose", "IncomingBytes", {{"DeliveryStreamName", "orders"}}}));

  cw::ListMetricsRequest recent;
  recent.recently_active = "PT3H";
  page = cw::parse_list_metrics_response(call("ListMetrics", cw::list_metrics_body(recent), at(4 * 3600)).body);
  ASSERT_EQ(page->metrics.size(), 1u) << "only the metric with data in the last three hours";

  cw::ListMetricsRequest bad;
  bad.next_token = "bogus";
  const auto refused = call("ListMetrics", cw::list_metrics_body(bad));
  EXPECT_EQ(client_view(refused).code, "InvalidParameterValue");
}

// ---- the library's client over HTTP ----

class FixedCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Credentials{"AKIDLOCAL", "secret", "", std::nullopt, "fixed"}; }
  std::string name() const override { return "fixed"; }
};

TEST_F(CloudWatchApiTest, CloudWatchClientTalksToIt) {
  httplib::Server server;
  std::mutex mutex;
  std::vector<std::string> query_modes;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      query_modes.push_back(req.get_header_value("x-amzn-query-mode"));
    }
    const auto answer = api_.handle(req.get_header_value("X-Amz-Target"), req.body, kNow);
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    res.set_content(answer.body, answer.content_type);
  });
  aws::testing::ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  CloudWatchClient client(
      std::make_shared<aws::ServiceClient>(aws::ServiceEndpoint{thread.base_url(), "us-east-1", "monitoring"},
                                           std::make_shared<FixedCredentials>(), aws::make_curl_http_client()));

  auto put_status = client.put_metric_data(values("Latency", {{at(0), 3}, {at(60), 4}, {at(120), 5}}));
  ASSERT_TRUE(put_status.ok()) << put_status.error().to_string();

  auto stats = client.get_metric_statistics(statistics("Latency", {"Sum", "Maximum"}, 120));
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  ASSERT_EQ(stats->datapoints.size(), 2u);
  EXPECT_EQ(stats->datapoints[0].sum, 7.0);
  EXPECT_EQ(stats->datapoints[0].maximum, 4.0);

  cw::GetMetricDataRequest data;
  cw::MetricDataQuery q;
  q.id = "lat";
  q.metric_stat = cw::MetricStat{{"App", "Latency", {{"Stage", "prod"}}}, 60, "Sum", ""};
  data.queries = {q};
  data.start_time = at(0);
  data.end_time = at(600);
  data.max_datapoints = 1;  // three pages
  auto all = client.get_metric_data_all(data);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->results.size(), 1u);
  EXPECT_EQ(all->results[0].values, (std::vector<double>{5, 4, 3}));
  EXPECT_EQ(all->results[0].status_code, "Complete");
  EXPECT_TRUE(all->next_token.empty());

  auto metrics = client.list_all_metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.error().to_string();
  ASSERT_EQ(metrics->size(), 1u);
  EXPECT_EQ((*metrics)[0].metric_name, "Latency");

  // A server-side refusal comes back with the query code and the HTTP status.
  cw::ListMetricsRequest bad;
  bad.next_token = "bogus";
  auto refused = client.list_metrics(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "InvalidParameterValue");
  EXPECT_EQ(refused.error().http_status, 400);

  std::lock_guard lock(mutex);
  ASSERT_FALSE(query_modes.empty());
  for (const auto& mode : query_modes) EXPECT_EQ(mode, "true");
}

}  // namespace
}  // namespace firehose::local
