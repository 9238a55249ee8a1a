#include "duration_arg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace firehose::cli {
namespace {

Error invalid(std::string_view text) {
  return make_error(ErrorKind::Client, "InvalidDuration",
                    fmt::format("'{}' is not a duration: a whole number with s, m, h or d (seconds if none)", text));
}

}  // namespace

Result<std::chrono::seconds> parse_duration_or_zero(std::string_view text) {
  std::int64_t unit = 1;
  std::string_view digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 's':
        unit = 1;
        digits.remove_suffix(1);
        break;
      case 'm':
        unit = 60;
        digits.remove_suffix(1);
        break;
      case 'h':
        unit = 3600;
        digits.remove_suffix(1);
        break;
      case 'd':
        unit = 86400;
        digits.remove_suffix(1);
        break;
      default: break;
    }
  }
  if (digits.empty() || digits.size() > 9) return invalid(text);  // 9 digits of days still fit in int64 seconds
  std::int64_t count = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return invalid(text);
    count = count * 10 + (c - '0');
  }
  return std::chrono::seconds(count * unit);
}

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  auto parsed = parse_duration_or_zero(text);
  if (parsed && parsed->count() == 0) {
    return make_error(ErrorKind::Client, "InvalidDuration", fmt::format("'{}': the duration must not be zero", text));
  }
  return parsed;
}

std::string format_duration(std::chrono::seconds duration) {
  const auto s = duration.count();
  if (s != 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
  if (s != 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
  if (s != 0 && s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

std::chrono::milliseconds milliseconds_of_seconds(double seconds) {
  const double clamped = std::clamp(seconds, 0.0, kLongestSeconds);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(clamped * 1000)));
}

}  // namespace firehose::cli
