#include "metrics_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "duration_arg.hpp"
#include "metrics_format.hpp"

namespace firehose::cli::metrics {
namespace {

constexpr std::array<std::string_view, 8> kBlocks{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr std::size_t kMinChartColumns = 10;

bool spans_days(const Window& window) { return window.end() - window.start > std::chrono::hours(24); }

struct Row {
  std::string name;
  std::string figure;
  Series chart;
  std::string note;
};

Series tail(const Series& series, std::size_t count) {
  if (series.size() <= count) return series;
  return Series(series.end() - static_cast<std::ptrdiff_t>(count), series.end());
}

std::vector<Row> rows_of(const StreamMetrics& m) {
  const auto period = m.window.period;
  std::vector<Row> rows;
  for (const auto& view : count_views(m)) {
    const bool bytes = std::string_view(view.unit) == "Bytes";
    Row row{view.name, format_number(total(*view.sums), true) + (bytes ? " B" : ""), *view.sums, "no data"};
    if (auto rate = peak_per_second(*view.sums, period)) {
      row.note = fmt::format("peak {}{}/s", format_number(*rate, true), bytes ? " B" : "");
      if (bytes) row.note = format_mib(total(*view.sums)) + ", " + row.note;
    }
    rows.push_back(std::move(row));
  }
  {
    const auto average = window_average(m.latency_average, m.latency_samples);
    const auto maximum = peak(m.latency_maximum);
    rows.push_back({kLatencyMetric, average ? "avg " + format_number(*average, true) + " ms" : "avg -",
                    m.latency_average, maximum ? "max " + format_number(*maximum, true) + " ms" : "no data"});
  }
  for (const auto& view : limit_views(m)) {
    const bool bytes = std::string_view(view.unit) == "Bytes";
    const auto limit = latest(*view.limits);
    const Series use = use_percent(*view.rate_sums, *view.limits, period);
    const auto peak_use = peak(use);
    rows.push_back({view.name, limit ? format_number(*limit, true) + (bytes ? " B/s" : "/s") : "-", use,
                    peak_use ? "peak use " + format_percent(*peak_use) : "no data"});
  }
  return rows;
}

}  // namespace

std::string sparkline(const Series& values) {
  const double highest = peak(values).value_or(0);
  std::string line;
  for (const auto& value : values) {
    if (!value) {
      line.push_back(' ');
    } else if (*value <= 0 || highest <= 0) {
      line += kBlocks[0];
    } else {
      // The epsilon keeps exact fractions (3/7 of the peak) from rounding up a step.
      const double steps = std::ceil(*value / highest * 7.0 - 1e-9);
      line += kBlocks[static_cast<std::size_t>(std::clamp(steps, 1.0, 7.0))];
    }
  }
  return line;
}

std::string time_axis(const Window& window, std::chrono::seconds utc_offset) {
  const bool dated = spans_days(window);
  const std::string left = format_clock(window.start, utc_offset, dated);
  const std::string right = format_clock(window.end(), utc_offset, dated);
  if (left.size() + 1 + right.size() > window.count) return left;
  return left + std::string(window.count - left.size() - right.size(), ' ') + right;
}

std::string render_chart(const StreamMetrics& metrics, const ChartOptions& options) {
  const auto rows = rows_of(metrics);
  std::size_t name_width = 0, figure_width = 0, note_width = 0;
  for (const auto& row : rows) {
    name_width = std::max(name_width, row.name.size());
    figure_width = std::max(figure_width, row.figure.size());
    note_width = std::max(note_width, row.note.size());
  }
  const std::size_t left_width = name_width + 2 + figure_width + 2;
  std::size_t columns = metrics.window.count;
  if (options.width > 0) {
    const std::size_t fixed = left_width + 2 + note_width;
    const std::size_t fits = options.width > fixed ? options.width - fixed : 0;
    columns = std::min(columns, std::max(fits, kMinChartColumns));
  }
  Window shown = metrics.window;
  shown.start = metrics.window.period_start(metrics.window.count - columns);
  shown.count = columns;

  const bool dated = spans_days(metrics.window);
  std::string out =
      fmt::format("{}: {} periods of {}, {} to {} {}", metrics.stream, metrics.window.count,
                  format_duration(metrics.window.period), format_clock(metrics.window.start, options.utc_offset, dated),
                  format_clock(metrics.window.end(), options.utc_offset, dated), format_utc_offset(options.utc_offset));
  if (columns < metrics.window.count) out += fmt::format(" (charts: the last {})", columns);
  out += "\n\n";
  for (const auto& row : rows) {
    out += fmt::format("{:<{}}  {:>{}}  {}  {}\n", row.name, name_width, row.figure, figure_width,
                       sparkline(tail(row.chart, columns)), row.note);
  }
  out += std::string(left_width, ' ') + time_axis(shown, options.utc_offset) + "\n";
  return out;
}

}  // namespace firehose::cli::metrics
