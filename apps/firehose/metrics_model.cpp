#include "metrics_model.hpp"

#include <algorithm>

namespace firehose::cli::metrics {

std::vector<CountView> count_views(const StreamMetrics& m) {
  return {{"IncomingBytes", "Bytes", &m.incoming_bytes},
          {"IncomingRecords", "Count", &m.incoming_records},
          {"IncomingPutRequests", "Count", &m.incoming_put_requests},
          {"ThrottledRecords", "Count", &m.throttled_records}};
}

std::vector<LimitView> limit_views(const StreamMetrics& m) {
  return {{"BytesPerSecondLimit", "Bytes", "IncomingBytes", &m.bytes_limit, &m.incoming_bytes},
          {"RecordsPerSecondLimit", "Count", "IncomingRecords", &m.records_limit, &m.incoming_records},
          {"PutRequestsPerSecondLimit", "Count", "IncomingPutRequests", &m.requests_limit, &m.incoming_put_requests}};
}

double total(const Series& series) {
  double sum = 0;
  for (const auto& value : series) sum += value.value_or(0);
  return sum;
}

std::optional<double> peak(const Series& series) {
  std::optional<double> highest;
  for (const auto& value : series) {
    if (value && (!highest || *value > *highest)) highest = value;
  }
  return highest;
}

std::optional<double> latest(const Series& series) {
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    if (*it) return *it;
  }
  return std::nullopt;
}

bool has_datapoint(const Series& series) {
  return std::any_of(series.begin(), series.end(), [](const auto& value) { return value.has_value(); });
}

std::optional<double> window_average(const Series& averages, const Series& sample_counts) {
  double weighted = 0;
  double weight = 0;
  for (std::size_t i = 0; i < averages.size(); ++i) {
    if (!averages[i]) continue;
    const double n = i < sample_counts.size() && sample_counts[i] ? *sample_counts[i] : 1.0;
    weighted += *averages[i] * n;
    weight += n;
  }
  if (weight <= 0) return std::nullopt;
  return weighted / weight;
}

Series use_percent(const Series& rate_sums, const Series& limits, std::chrono::seconds period) {
  const auto fallback = latest(limits);
  Series use(rate_sums.size());
  for (std::size_t i = 0; i < rate_sums.size(); ++i) {
    const auto limit = i < limits.size() && limits[i] ? limits[i] : fallback;
    if (!rate_sums[i] || !limit || *limit <= 0 || period.count() <= 0) continue;
    use[i] = *rate_sums[i] / static_cast<double>(period.count()) / *limit * 100.0;
  }
  return use;
}

std::optional<double> peak_per_second(const Series& sums, std::chrono::seconds period) {
  const auto highest = peak(sums);
  if (!highest || period.count() <= 0) return std::nullopt;
  return *highest / static_cast<double>(period.count());
}

bool has_traffic(const StreamMetrics& m) {
  for (const auto& view : count_views(m)) {
    if (has_datapoint(*view.sums)) return true;
  }
  return has_datapoint(m.latency_average) || has_datapoint(m.latency_maximum);
}

}  // namespace firehose::cli::metrics
