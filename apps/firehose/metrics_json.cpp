#include "metrics_json.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "timestamps.hpp"

namespace firehose::cli::metrics {
namespace {

using Json = nlohmann::ordered_json;

// Counts arrive as doubles; scripts compare them with integers.
Json number(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::abs(value) < 9007199254740992.0) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

Json number(const std::optional<double>& value) { return value ? number(*value) : Json(nullptr); }

// The value of period `index`, null without a datapoint.
Json number_at(const Series& series, std::size_t index) {
  if (index >= series.size() || !series[index]) return nullptr;
  return number(*series[index]);
}

// The datapoints of a series: their periods' start times and their values.
void add_points(Json& out, const Window& window, const Series& series, const char* timestamps_key,
                const char* values_key) {
  Json times = Json::array();
  Json values = Json::array();
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!series[i]) continue;
    times.push_back(iso8601_utc(window.period_start(i)));
    values.push_back(number(*series[i]));
  }
  out[timestamps_key] = std::move(times);
  out[values_key] = std::move(values);
}

Json latency_json(const StreamMetrics& m) {
  Json out = {{"unit", "Milliseconds"}};
  Json times = Json::array(), averages = Json::array(), maxima = Json::array();
  for (std::size_t i = 0; i < m.window.count; ++i) {
    Json average = number_at(m.latency_average, i);
    Json maximum = number_at(m.latency_maximum, i);
    if (average.is_null() && maximum.is_null()) continue;
    times.push_back(iso8601_utc(m.window.period_start(i)));
    averages.push_back(std::move(average));
    maxima.push_back(std::move(maximum));
  }
  out["timestamps"] = std::move(times);
  out["average"] = std::move(averages);
  out["maximum"] = std::move(maxima);
  out["window_average"] = number(window_average(m.latency_average, m.latency_samples));
  out["window_maximum"] = number(peak(m.latency_maximum));
  return out;
}

}  // namespace

Json to_json(const StreamMetrics& m) {
  Json doc = {{"delivery_stream_name", m.stream},
              {"start", iso8601_utc(m.window.start)},
              {"end", iso8601_utc(m.window.end())},
              {"period_seconds", m.window.period.count()},
              {"has_data", has_traffic(m)}};
  Json metrics = Json::object();
  for (const auto& view : count_views(m)) {
    Json entry = {{"statistic", "Sum"}, {"unit", view.unit}};
    add_points(entry, m.window, *view.sums, "timestamps", "values");
    entry["total"] = number(total(*view.sums));
    if (view.sums == &m.incoming_bytes) entry["total_mib"] = total(*view.sums) / (1024.0 * 1024.0);
    entry["peak"] = number(peak(*view.sums));
    entry["peak_per_second"] = number(peak_per_second(*view.sums, m.window.period));
    metrics[view.name] = std::move(entry);
  }
  metrics[kLatencyMetric] = latency_json(m);
  for (const auto& view : limit_views(m)) {
    Json entry = {{"statistic", "Maximum"}, {"unit", std::string(view.unit) + "/Second"}};
    add_points(entry, m.window, *view.limits, "timestamps", "values");
    entry["limit"] = number(latest(*view.limits));
    entry["rate_metric"] = view.rate_of;
    entry["peak_per_second"] = number(peak_per_second(*view.rate_sums, m.window.period));
    const Series use = use_percent(*view.rate_sums, *view.limits, m.window.period);
    entry["use_percent"] = number(peak(use));
    add_points(entry, m.window, use, "use_timestamps", "use_percent_values");
    metrics[view.name] = std::move(entry);
  }
  doc["metrics"] = std::move(metrics);
  return doc;
}

}  // namespace firehose::cli::metrics
