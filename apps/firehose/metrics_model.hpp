#pragma once
// What `firehose metrics` shows: a stream's AWS/Firehose metrics over a
// window of equal periods, one value (or none) per period, and the figures
// derived from them (totals, peaks, the use of each per-second limit). Pure
// data and arithmetic: fetching is metrics_query, drawing metrics_chart /
// metrics_table / metrics_json.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace firehose::cli::metrics {

using TimePoint = std::chrono::system_clock::time_point;

// `count` consecutive periods of `period`, the first starting at `start`.
struct Window {
  TimePoint start;
  std::chrono::seconds period{60};
  std::size_t count = 0;

  TimePoint end() const { return start + period * static_cast<long>(count); }
  TimePoint period_start(std::size_t index) const { return start + period * static_cast<long>(index); }
};

// One entry per period of the window, oldest first; nullopt where CloudWatch
// has no datapoint (Firehose publishes none for a minute without traffic).
using Series = std::vector<std::optional<double>>;

struct StreamMetrics {
  std::string stream;
  Window window;
  // Sums per period.
  Series incoming_bytes;
  Series incoming_records;
  Series incoming_put_requests;
  Series throttled_records;
  // PutRecordBatch.Latency (milliseconds): Average, Maximum and SampleCount per period.
  Series latency_average;
  Series latency_maximum;
  Series latency_samples;
  // The quotas in force (Maximum per period).
  Series bytes_limit;
  Series records_limit;
  Series requests_limit;
};

// A traffic metric summed per period.
struct CountView {
  const char* name;  // the CloudWatch metric name
  const char* unit;  // "Bytes" or "Count"
  const Series* sums;
};

// A *PerSecondLimit and the traffic metric whose rate it limits.
struct LimitView {
  const char* name;     // BytesPerSecondLimit, ...
  const char* unit;     // "Bytes" or "Count" (per second)
  const char* rate_of;  // IncomingBytes, ...
  const Series* limits;
  const Series* rate_sums;
};

inline constexpr const char* kLatencyMetric = "PutRecordBatch.Latency";

// IncomingBytes, IncomingRecords, IncomingPutRequests, ThrottledRecords, in that order.
std::vector<CountView> count_views(const StreamMetrics& metrics);
// BytesPerSecondLimit, RecordsPerSecondLimit, PutRequestsPerSecondLimit, in that order.
std::vector<LimitView> limit_views(const StreamMetrics& metrics);

// Sum of the datapoints (0 when there are none).
double total(const Series& series);
// The highest datapoint.
std::optional<double> peak(const Series& series);
// The most recent datapoint.
std::optional<double> latest(const Series& series);
bool has_datapoint(const Series& series);

// The average over every request of the window: period averages weighted by
// their sample counts (unweighted where a count is missing).
std::optional<double> window_average(const Series& averages, const Series& sample_counts);

// Per period, the rate (sum / period length, per second) as a percentage of
// the limit: the period's own limit, else the latest one of the window. No
// value where the period has no traffic datapoint or no limit is known.
Series use_percent(const Series& rate_sums, const Series& limits, std::chrono::seconds period);
// The highest per-second rate of the window: the busiest period's sum / period length.
std::optional<double> peak_per_second(const Series& sums, std::chrono::seconds period);

// True when a traffic metric (Incoming*, ThrottledRecords, the latency) has a
// datapoint: the limits alone do not count as data about the stream's use.
bool has_traffic(const StreamMetrics& metrics);

}  // namespace firehose::cli::metrics
