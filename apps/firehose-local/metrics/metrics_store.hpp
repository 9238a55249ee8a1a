#pragma once
// CloudWatch's data model, in memory: statistic sets per (namespace, metric,
// dimensions, period start), for the AWS/Firehose metrics firehose-local
// records and for anything a client sends with PutMetricData.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace firehose::local {

using Dimensions = std::vector<std::pair<std::string, std::string>>;  // (Name, Value), kept sorted by Name

struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
  void add(double value);
  void merge(const StatisticSet& other);
};

struct MetricKey {
  std::string name_space;
  std::string metric_name;
  Dimensions dimensions;
  auto operator<=>(const MetricKey&) const = default;
};

struct Datapoint {
  std::chrono::system_clock::time_point timestamp;  // start of the period
  StatisticSet statistics;
  std::string unit;
};

class MetricsStore {
 public:
  // `visibility_delay` emulates CloudWatch's publishing lag (--metrics-delay):
  // a sample is not returned by queries until that long after it was recorded.
  explicit MetricsStore(std::chrono::seconds visibility_delay = std::chrono::seconds(0));

  // Adds one sample to the minute containing `when`. Thread-safe, cheap: called on every request.
  void record(const MetricKey& key, double value, std::string_view unit,
              std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
  // Adds a whole statistic set (PutMetricData StatisticValues).
  void record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit,
                  std::chrono::system_clock::time_point when);

  // Datapoints aggregated into `period` buckets in [start, end), as
  // GetMetricStatistics returns them (only buckets with samples).
  std::vector<Datapoint> query(const MetricKey& key, std::chrono::system_clock::time_point start,
                               std::chrono::system_clock::time_point end, std::chrono::seconds period,
                               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

  // Metrics with any sample, filtered like ListMetrics (empty = any).
  std::vector<MetricKey> list(std::string_view name_space, std::string_view metric_name,
                              const Dimensions& dimension_filter) const;

  void set_visibility_delay(std::chrono::seconds delay);

 private:
  struct Minute {
    StatisticSet statistics;
    std::string unit;
    std::chrono::system_clock::time_point recorded_last;
  };
  mutable std::mutex mutex_;
  std::chrono::seconds visibility_delay_;
  std::map<MetricKey, std::map<std::int64_t, Minute>> series_;  // minute index -> statistics
};

}  // namespace firehose::local
