#include "metrics_table.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "metrics_format.hpp"
#include "timestamps.hpp"

namespace firehose::cli::metrics {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Row {
  std::string name;
  std::string total;
  std::string peak;
  std::string values;
};

std::string number_or_dash(const std::optional<double>& value) { return value ? format_number(*value, false) : "-"; }

std::string values_of(const Series& series) {
  std::string out;
  for (const auto& value : series) {
    if (!out.empty()) out.push_back(' ');
    out += number_or_dash(value);
  }
  return out;
}

Series scaled(const Series& series, double scale) {
  Series out = series;
  for (auto& value : out) {
    if (value) *value /= scale;
  }
  return out;
}

void add_sum_row(std::vector<Row>& rows, std::string name, const Series& sums) {
  rows.push_back({std::move(name), format_number(total(sums), false), number_or_dash(peak(sums)), values_of(sums)});
}

std::vector<Row> rows_of(const StreamMetrics& m) {
  std::vector<Row> rows;
  for (const auto& view : count_views(m)) {
    add_sum_row(rows, view.name, *view.sums);
    if (view.sums == &m.incoming_bytes) add_sum_row(rows, "IncomingBytes (MiB)", scaled(m.incoming_bytes, kMiB));
  }
  rows.push_back({fmt::format("{} avg (ms)", kLatencyMetric),
                  number_or_dash(window_average(m.latency_average, m.latency_samples)),
                  number_or_dash(peak(m.latency_average)), values_of(m.latency_average)});
  rows.push_back({fmt::format("{} max (ms)", kLatencyMetric), "-", number_or_dash(peak(m.latency_maximum)),
                  values_of(m.latency_maximum)});
  for (const auto& view : limit_views(m)) {
    rows.push_back(
        {view.name, number_or_dash(latest(*view.limits)), number_or_dash(peak(*view.limits)), values_of(*view.limits)});
    const Series use = use_percent(*view.rate_sums, *view.limits, m.window.period);
    rows.push_back({fmt::format("{} use (%)", view.name), "-", number_or_dash(peak(use)), values_of(use)});
  }
  return rows;
}

std::string without_trailing_spaces(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::string render_table(const StreamMetrics& metrics) {
  std::vector<Row> rows = rows_of(metrics);
  const Row header{"metric", "total", "peak", "per period"};
  std::size_t name_width = header.name.size(), total_width = header.total.size(), peak_width = header.peak.size();
  for (const auto& row : rows) {
    name_width = std::max(name_width, row.name.size());
    total_width = std::max(total_width, row.total.size());
    peak_width = std::max(peak_width, row.peak.size());
  }
  std::string out = fmt::format("delivery stream {}: {} to {}, {} periods of {} s\n", metrics.stream,
                                iso8601_utc(metrics.window.start), iso8601_utc(metrics.window.end()),
                                metrics.window.count, metrics.window.period.count());
  rows.insert(rows.begin(), header);
  for (const auto& row : rows) {
    out += without_trailing_spaces(fmt::format("{:<{}}  {:>{}}  {:>{}}  {}", row.name, name_width, row.total,
                                               total_width, row.peak, peak_width, row.values));
    out.push_back('\n');
  }
  return out;
}

}  // namespace firehose::cli::metrics
