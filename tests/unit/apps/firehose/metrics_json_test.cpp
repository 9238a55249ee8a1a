#include "metrics_json.hpp"

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"

namespace firehose::cli::metrics {
namespace {

using Json = nlohmann::ordered_json;
constexpr auto none = std::nullopt;

StreamMetrics sample() {
  StreamMetrics m = testing::no_data(3);
  m.incoming_bytes = {1'048'576.0, 524'288.0, none};
  m.incoming_records = {10.0, 5.0, none};
  m.throttled_records = {none, 4.0, none};
  m.latency_average = {100.0, none, 50.0};
  m.latency_maximum = {150.0, none, none};
  m.latency_samples = {2.0, none, 1.0};
  m.bytes_limit = {5'242'880.0, 5'242'880.0, none};
  return m;
}

TEST(MetricsJson, TopLevel) {
  const Json doc = to_json(sample());
  EXPECT_EQ(doc["delivery_stream_name"], "events");
  EXPECT_EQ(doc["start"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc["end"], "2024-05-01T12:03:00Z");
  EXPECT_EQ(doc["period_seconds"], 60);
  EXPECT_EQ(doc["has_data"], true);
  std::vector<std::string> names;
  for (const auto& [name, _] : doc["metrics"].items()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"IncomingBytes", "IncomingRecords", "IncomingPutRequests",
                                             "ThrottledRecords", "PutRecordBatch.Latency", "BytesPerSecondLimit",
                                             "RecordsPerSecondLimit", "PutRequestsPerSecondLimit"}));
}

TEST(MetricsJson, SumsListOnlyPeriodsWithDatapoints) {
  const Json doc = to_json(sample());
  const Json& records = doc["metrics"]["IncomingRecords"];
  EXPECT_EQ(records["statistic"], "Sum");
  EXPECT_EQ(records["unit"], "Count");
  EXPECT_EQ(records["timestamps"], Json({"2024-05-01T12:00:00Z", "2024-05-01T12:01:00Z"}));
  EXPECT_EQ(records["values"], Json({10, 5}));
  EXPECT_TRUE(records["total"].is_number_integer());
  EXPECT_EQ(records["total"], 15);
  EXPECT_EQ(records["peak"], 10);
  EXPECT_DOUBLE_EQ(records["peak_per_second"].get<double>(), 10.0 / 60);
  EXPECT_FALSE(records.contains("total_mib"));

  const Json& bytes = doc["metrics"]["IncomingBytes"];
  EXPECT_EQ(bytes["unit"], "Bytes");
  EXPECT_EQ(bytes["total"], 1'572'864);
  EXPECT_DOUBLE_EQ(bytes["total_mib"].get<double>(), 1.5);

  const Json& throttled = doc["metrics"]["ThrottledRecords"];
  EXPECT_EQ(throttled["timestamps"], Json({"2024-05-01T12:01:00Z"}));
  EXPECT_EQ(throttled["total"], 4);

  const Json& requests = doc["metrics"]["IncomingPutRequests"];
  EXPECT_EQ(requests["timestamps"], Json::array());
  EXPECT_EQ(requests["values"], Json::array());
  EXPECT_EQ(requests["total"], 0);
  EXPECT_TRUE(requests["peak"].is_null());
  EXPECT_TRUE(requests["peak_per_second"].is_null());
}

TEST(MetricsJson, LatencyAveragesAndMaximaSideBySide) {
  const Json latency = to_json(sample())["metrics"]["PutRecordBatch.Latency"];
  EXPECT_EQ(latency["unit"], "Milliseconds");
  EXPECT_EQ(latency["timestamps"], Json({"2024-05-01T12:00:00Z", "2024-05-01T12:02:00Z"}));
  EXPECT_EQ(latency["average"], Json({100, 50}));
  EXPECT_EQ(latency["maximum"], Json({150, nullptr}));
  EXPECT_DOUBLE_EQ(latency["window_average"].get<double>(), 250.0 / 3);  // (100*2 + 50*1) / 3
  EXPECT_EQ(latency["window_maximum"], 150);
}

TEST(MetricsJson, LimitsWithTheirUse) {
  const Json doc = to_json(sample());
  const Json& bytes = doc["metrics"]["BytesPerSecondLimit"];
  EXPECT_EQ(bytes["statistic"], "Maximum");
  EXPECT_EQ(bytes["unit"], "Bytes/Second");
  EXPECT_EQ(bytes["values"], Json({5'242'880, 5'242'880}));
  EXPECT_EQ(bytes["limit"], 5'242'880);
  EXPECT_EQ(bytes["rate_metric"], "IncomingBytes");
  EXPECT_DOUBLE_EQ(bytes["peak_per_second"].get<double>(), 1'048'576.0 / 60);
  EXPECT_DOUBLE_EQ(bytes["use_percent"].get<double>(), 1'048'576.0 / 60 / 5'242'880 * 100);
  EXPECT_EQ(bytes["use_timestamps"], Json({"2024-05-01T12:00:00Z", "2024-05-01T12:01:00Z"}));
  ASSERT_EQ(bytes["use_percent_values"].size(), 2u);
  EXPECT_DOUBLE_EQ(bytes["use_percent_values"][1].get<double>(), 524'288.0 / 60 / 5'242'880 * 100);

  const Json& requests = doc["metrics"]["PutRequestsPerSecondLimit"];
  EXPECT_EQ(requests["unit"], "Count/Second");
  EXPECT_EQ(requests["rate_metric"], "IncomingPutRequests");
  EXPECT_TRUE(requests["limit"].is_null());
  EXPECT_TRUE(requests["use_percent"].is_null());
  EXPECT_EQ(requests["use_percent_values"], Json::array());
}

TEST(MetricsJson, NoData) {
  const Json doc = to_json(testing::no_data(2));
  EXPECT_EQ(doc["has_data"], false);
  EXPECT_EQ(doc["metrics"]["IncomingBytes"]["total"], 0);
  EXPECT_EQ(doc["metrics"]["IncomingBytes"]["total_mib"], 0.0);
  EXPECT_TRUE(doc["metrics"]["PutRecordBatch.Latency"]["window_average"].is_null());
  EXPECT_EQ(doc["metrics"]["PutRecordBatch.Latency"]["timestamps"], Json::array());
}

}  // namespace
}  // namespace firehose::cli::metrics
