#pragma once
// CloudWatch's data model, in memory: statistic sets per (namespace, metric,
// dimensions, minute, unit), for the AWS/Firehose metrics firehose-local
// records and for anything a client sends with PutMetricData. Storage is at
// one-minute resolution, like CloudWatch's standard-resolution metrics.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace firehose::local {

using Dimensions = std::vector<std::pair<std::string, std::string>>;  // (Name, Value), kept sorted by Name

struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
  void add(double value);
  void merge(const StatisticSet& other);  // an empty set (sample_count 0) changes nothing
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
  using TimePoint = std::chrono::system_clock::time_point;

  // `visibility_delay` emulates CloudWatch's publishing lag (--metrics-delay):
  // a sample is not returned by queries until that long after it was recorded.
  explicit MetricsStore(std::chrono::seconds visibility_delay = std::chrono::seconds(0));

  // Adds one sample to the minute containing `when`, which is also when it
  // counts as recorded (for the visibility delay). Thread-safe, cheap: called
  // on every request. An empty unit is stored as "None", as CloudWatch does;
  // dimensions in any order name the same metric.
  void record(const MetricKey& key, double value, std::string_view unit,
              std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
  // Adds a whole statistic set (PutMetricData StatisticValues), recorded at `when`.
  void record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit,
                  std::chrono::system_clock::time_point when);
  // The same, for data timestamped `when` that arrived at `recorded_at`
  // (PutMetricData with an explicit Timestamp).
  void record_set(const MetricKey& key, const StatisticSet& set, std::string_view unit, TimePoint when,
                  TimePoint recorded_at);

  // Datapoints aggregated into `period` buckets in [start, end), as
  // GetMetricStatistics returns them (only buckets with samples). Buckets
  // start at `start` rounded down to the minute; a minute belongs to the
  // bucket its start falls in. Samples of different units make separate
  // datapoints. Ordered by timestamp, then unit.
  std::vector<Datapoint> query(const MetricKey& key, std::chrono::system_clock::time_point start,
                               std::chrono::system_clock::time_point end, std::chrono::seconds period,
                               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
  // The same, only samples recorded with `unit` (empty: any unit).
  std::vector<Datapoint> query(const MetricKey& key, TimePoint start, TimePoint end, std::chrono::seconds period,
                               TimePoint now, std::string_view unit) const;

  // Metrics with any sample, filtered like ListMetrics (empty = any; a filter
  // dimension with an empty value matches any value of that name), in
  // MetricKey order. Listing ignores the visibility delay.
  std::vector<MetricKey> list(std::string_view name_space, std::string_view metric_name,
                              const Dimensions& dimension_filter) const;
  // The same, only metrics with a sample in a minute ending after `active_since` (RecentlyActive).
  std::vector<MetricKey> list(std::string_view name_space, std::string_view metric_name,
                              const Dimensions& dimension_filter, TimePoint active_since) const;

  void set_visibility_delay(std::chrono::seconds delay);
  std::chrono::seconds visibility_delay() const;

 private:
  // One minute of one unit of one metric.
  struct Cell {
    StatisticSet visible;  // samples known to be past the delay
    // Samples that may still be hidden, by the second (rounded up) they were
    // recorded in: at most delay-seconds entries, folded into `visible` as
    // later samples arrive.
    std::map<std::int64_t, StatisticSet> pending;
  };
  using Units = std::map<std::string, Cell, std::less<>>;
  using Minutes = std::map<std::int64_t, Units>;  // minute index (epoch minutes) -> units

  void add(const MetricKey& key, const StatisticSet& set, std::string_view unit, TimePoint when, TimePoint recorded_at);
  StatisticSet visible_at(const Cell& cell, TimePoint now) const;
  std::vector<MetricKey> list_matching(std::string_view name_space, std::string_view metric_name,
                                       const Dimensions& dimension_filter, std::optional<TimePoint> active_since) const;

  mutable std::mutex mutex_;
  std::chrono::seconds visibility_delay_;
  std::map<MetricKey, Minutes> series_;
};

}  // namespace firehose::local
