#pragma once
// The CloudWatch API's request and response shapes this project uses
// (PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics), as plain
// structs. Field names follow the service model (botocore's cloudwatch
// 2010-08-01); times are system_clock time points, which travel as epoch
// seconds (millisecond precision) on the wire.
#include <chrono>
#include <compare>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace firehose::cloudwatch {

using TimePoint = std::chrono::system_clock::time_point;

struct Dimension {
  std::string name;   // 1..255 characters, not starting with ':'
  std::string value;  // 1..1024 characters
  auto operator<=>(const Dimension&) const = default;
};

struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
  bool operator==(const StatisticSet&) const = default;
};

// One PutMetricData entry. Exactly one of value, statistic_values and values
// carries the data.
struct MetricDatum {
  std::string metric_name;
  std::vector<Dimension> dimensions;   // at most 30
  std::optional<TimePoint> timestamp;  // unset: the time the service receives it
  std::optional<double> value;
  std::optional<StatisticSet> statistic_values;
  std::vector<double> values;             // at most 150 distinct values...
  std::vector<double> counts;             // ...each occurring counts[i] times (empty: once each)
  std::string unit;                       // a StandardUnit ("Count", "Bytes", ...); empty: not sent ("None")
  std::optional<int> storage_resolution;  // 1 or 60
  bool operator==(const MetricDatum&) const = default;
};

struct PutMetricDataRequest {
  std::string name_space;
  std::vector<MetricDatum> metric_data;  // 1..1000
  bool operator==(const PutMetricDataRequest&) const = default;
};

struct GetMetricStatisticsRequest {
  std::string name_space;
  std::string metric_name;
  std::vector<Dimension> dimensions;
  TimePoint start_time;                          // inclusive
  TimePoint end_time;                            // exclusive
  int period = 60;                               // seconds: a multiple of 60 (or 1, 5, 10, 20, 30 for high resolution)
  std::vector<std::string> statistics;           // SampleCount|Average|Sum|Minimum|Maximum, 1..5
  std::vector<std::string> extended_statistics;  // percentiles "p99", "p99.9", 1..10; exclusive with statistics
  std::string unit;                              // empty: any unit
  bool operator==(const GetMetricStatisticsRequest&) const = default;
};

// One aggregation period; only the statistics that were asked for are set.
struct Datapoint {
  TimePoint timestamp;  // start of the period
  std::optional<double> sample_count;
  std::optional<double> average;
  std::optional<double> sum;
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::string unit;
  std::map<std::string, double> extended_statistics;  // "p99" -> value
  bool operator==(const Datapoint&) const = default;
};

struct GetMetricStatisticsResult {
  std::string label;
  std::vector<Datapoint> datapoints;  // in no particular order (as CloudWatch says)
  bool operator==(const GetMetricStatisticsResult&) const = default;
};

struct Metric {
  std::string name_space;
  std::string metric_name;
  std::vector<Dimension> dimensions;
  bool operator==(const Metric&) const = default;
};

struct MetricStat {
  Metric metric;
  int period = 60;
  std::string stat;  // a statistic name or a percentile ("Sum", "p99")
  std::string unit;  // empty: any unit
  bool operator==(const MetricStat&) const = default;
};

struct MetricDataQuery {
  std::string id;                         // starts with a lower-case letter; letters, digits, '_'
  std::optional<MetricStat> metric_stat;  // exactly one of metric_stat and expression
  std::string expression;
  std::string label;
  std::optional<bool> return_data;  // unset: true
  std::optional<int> period;        // for expressions
  bool operator==(const MetricDataQuery&) const = default;
};

struct GetMetricDataRequest {
  std::vector<MetricDataQuery> queries;  // MetricDataQueries, 1..500
  TimePoint start_time;
  TimePoint end_time;
  std::string next_token;
  std::string scan_by;                // TimestampDescending (the default) | TimestampAscending
  std::optional<int> max_datapoints;  // unset: 100,800
  bool operator==(const GetMetricDataRequest&) const = default;
};

struct MessageData {
  std::string code;
  std::string value;
  bool operator==(const MessageData&) const = default;
};

struct MetricDataResult {
  std::string id;
  std::string label;
  std::vector<TimePoint> timestamps;  // timestamps[i] goes with values[i]
  std::vector<double> values;
  std::string status_code;  // Complete | PartialData | InternalError | Forbidden
  std::vector<MessageData> messages;
  bool operator==(const MetricDataResult&) const = default;
};

struct GetMetricDataResult {
  std::vector<MetricDataResult> results;  // MetricDataResults
  std::string next_token;                 // empty: last page
  std::vector<MessageData> messages;
  bool operator==(const GetMetricDataResult&) const = default;
};

// A ListMetrics dimension filter: the metric must have a dimension with this
// name, and with this value when one is given.
struct DimensionFilter {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const DimensionFilter&) const = default;
};

struct ListMetricsRequest {
  std::string name_space;                   // empty: any
  std::string metric_name;                  // empty: any
  std::vector<DimensionFilter> dimensions;  // at most 10
  std::string next_token;
  std::string recently_active;  // "PT3H" or empty
  bool operator==(const ListMetricsRequest&) const = default;
};

struct ListMetricsResult {
  std::vector<Metric> metrics;
  std::string next_token;  // empty: last page
  bool operator==(const ListMetricsResult&) const = default;
};

}  // namespace firehose::cloudwatch
