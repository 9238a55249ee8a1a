#include "metrics_format.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace firehose::cli::metrics {
namespace {

std::string group_thousands(std::string digits) {
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) {
    out.push_back(',');
    out.append(digits, i, 3);
  }
  return out;
}

std::string whole(double value, bool grouped) {
  const auto rounded = static_cast<std::int64_t>(std::llround(value));
  std::string digits = fmt::format("{}", rounded < 0 ? -rounded : rounded);
  if (grouped) digits = group_thousands(std::move(digits));
  return rounded < 0 ? "-" + digits : digits;
}

}  // namespace

std::string format_number(double value, bool grouped) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (std::abs(value) >= 100 || value == std::trunc(value)) return whole(value, grouped);
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

std::string format_percent(double percent) {
  if (percent > 0 && percent < 0.005) return "<0.01%";
  return format_number(percent, true) + "%";
}

std::string format_mib(double bytes) { return format_number(bytes / (1024.0 * 1024.0), true) + " MiB"; }

std::string format_clock(std::chrono::system_clock::time_point time, std::chrono::seconds utc_offset, bool with_date) {
  const auto local = std::chrono::floor<std::chrono::seconds>(time) + utc_offset;
  const std::tm fields = fmt::gmtime(std::chrono::system_clock::to_time_t(local));
  return with_date ? fmt::format("{:%m-%d %H:%M}", fields) : fmt::format("{:%H:%M}", fields);
}

std::string format_utc_offset(std::chrono::seconds utc_offset) {
  if (utc_offset.count() == 0) return "UTC";
  const auto minutes = std::abs(utc_offset.count()) / 60;
  return fmt::format("UTC{}{:02}:{:02}", utc_offset.count() < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

}  // namespace firehose::cli::metrics
