#include "metrics_query.hpp"

#include <algorithm>
#include <array>

#include "firehose/retry.hpp"

namespace firehose::cli::metrics {
namespace {

// How each series is combined when two datapoints land in one period (which
// CloudWatch does not do for a request on the period grid, but a service
// that aligns differently might).
enum class Merge { Add, Max, Keep };

struct QuerySpec {
  const char* id;
  const char* metric;
  const char* stat;
  Series StreamMetrics::*series;
  Merge merge;
};

constexpr std::array<QuerySpec, 10> kQueries{{
    {"incoming_bytes", "IncomingBytes", "Sum", &StreamMetrics::incoming_bytes, Merge::Add},
    {"incoming_records", "IncomingRecords", "Sum", &StreamMetrics::incoming_records, Merge::Add},
    {"incoming_put_requests", "IncomingPutRequests", "Sum", &StreamMetrics::incoming_put_requests, Merge::Add},
    {"throttled_records", "ThrottledRecords", "Sum", &StreamMetrics::throttled_records, Merge::Add},
    {"latency_average", kLatencyMetric, "Average", &StreamMetrics::latency_average, Merge::Keep},
    {"latency_maximum", kLatencyMetric, "Maximum", &StreamMetrics::latency_maximum, Merge::Max},
    {"latency_samples", kLatencyMetric, "SampleCount", &StreamMetrics::latency_samples, Merge::Add},
    {"bytes_limit", "BytesPerSecondLimit", "Maximum", &StreamMetrics::bytes_limit, Merge::Max},
    {"records_limit", "RecordsPerSecondLimit", "Maximum", &StreamMetrics::records_limit, Merge::Max},
    {"requests_limit", "PutRequestsPerSecondLimit", "Maximum", &StreamMetrics::requests_limit, Merge::Max},
}};

void merge_into(std::optional<double>& slot, double value, Merge merge) {
  if (!slot) {
    slot = value;
    return;
  }
  switch (merge) {
    case Merge::Add: *slot += value; break;
    case Merge::Max: *slot = std::max(*slot, value); break;
    case Merge::Keep: break;
  }
}

}  // namespace

Window window_ending_at(TimePoint now, std::chrono::seconds since, std::chrono::seconds period) {
  using namespace std::chrono;
  Window window;
  window.period = period;
  const auto p = period.count();
  // Down to the grid: the period `at` is in starts at or before `at`.
  const auto grid_floor = [p](TimePoint at) {
    const auto s = floor<seconds>(at.time_since_epoch()).count();
    return (s >= 0 ? s : s - (p - 1)) / p * p;
  };
  // The window starts with the period the oldest moment asked for is in (a
  // window of whole periods ending now would leave that moment out whenever
  // `now` is not on the grid: 5m of 5-minute periods at 03:16 began at 03:15),
  const auto start_s = grid_floor(now - since);
  // and ends with the period `now` is in: no later than needed to hold `now`
  // (now itself when it starts a period).
  const auto now_floor_s = grid_floor(now);
  const bool on_grid = TimePoint(seconds(now_floor_s)) == now;
  const auto end_s = on_grid ? now_floor_s : now_floor_s + p;
  window.count = static_cast<std::size_t>((end_s - start_s) / p);
  window.start = TimePoint(seconds(start_s));
  return window;
}

// snippet-start:[cpp.example_code.firehose.GetMetricData]
cloudwatch::GetMetricDataRequest metric_data_request(const std::string& stream, const Window& window) {
  cloudwatch::GetMetricDataRequest request;
  request.start_time = window.start;
  request.end_time = window.end();
  request.scan_by = "TimestampAscending";
  for (const auto& spec : kQueries) {
    cloudwatch::MetricDataQuery query;
    query.id = spec.id;
    cloudwatch::MetricStat stat;
    stat.metric.name_space = kNamespace;
    stat.metric.metric_name = spec.metric;
    stat.metric.dimensions = {{kStreamDimension, stream}};
    stat.period = static_cast<int>(window.period.count());
    stat.stat = spec.stat;
    query.metric_stat = std::move(stat);
    request.queries.push_back(std::move(query));
  }
  return request;
}

StreamMetrics to_stream_metrics(const std::string& stream, const Window& window,
                                const cloudwatch::GetMetricDataResult& result) {
  StreamMetrics metrics;
  metrics.stream = stream;
  metrics.window = window;
  for (const auto& spec : kQueries) {
    Series& series = metrics.*spec.series;
    series.assign(window.count, std::nullopt);
    auto found = std::find_if(result.results.begin(), result.results.end(),
                              [&](const cloudwatch::MetricDataResult& r) { return r.id == spec.id; });
    if (found == result.results.end()) continue;
    const std::size_t points = std::min(found->timestamps.size(), found->values.size());
    for (std::size_t i = 0; i < points; ++i) {
      const auto timestamp = found->timestamps[i];
      if (timestamp < window.start || timestamp >= window.end()) continue;
      const auto index = static_cast<std::size_t>((timestamp - window.start) / window.period);
      merge_into(series[index], found->values[i], spec.merge);
    }
  }
  return metrics;
}

Result<StreamMetrics> fetch_stream_metrics(const CloudWatchClient& client, const Session& session,
                                           const std::string& stream, const Window& window) {
  const auto request = metric_data_request(stream, window);
  auto result = call_with_retries(session, "GetMetricData", [&] { return client.get_metric_data_all(request); });
  if (!result) return result.error();
  return to_stream_metrics(stream, window, *result);
}
// snippet-end:[cpp.example_code.firehose.GetMetricData]

}  // namespace firehose::cli::metrics
