#include "timestamps.hpp"

#include <cmath>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace firehose::cli {

std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds) {
  // UTC through fmt's own calendar (the library's formatter is not public API).
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time);
  const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(ms)));
  std::string text = fmt::format("{:%Y-%m-%dT%H:%M:%S}", utc);
  if (with_milliseconds) text += fmt::format(".{:03}", (ms.time_since_epoch() % std::chrono::seconds(1)).count());
  text.push_back('Z');
  return text;
}

namespace {

// The number in text[at, at + digits), when every one of those is a digit.
std::optional<int> digits_at(std::string_view text, std::size_t at, std::size_t digits) {
  int value = 0;
  for (std::size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text) {
  using namespace std::chrono;
  constexpr std::string_view kShape = "YYYY-MM-DDTHH:MM:SSZ";
  if (text.size() != kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool separator = kShape[i] == '-' || kShape[i] == ':' || kShape[i] == 'T' || kShape[i] == 'Z';
    if (separator && text[i] != kShape[i]) return std::nullopt;
  }
  const auto y = digits_at(text, 0, 4), mo = digits_at(text, 5, 2), d = digits_at(text, 8, 2);
  const auto h = digits_at(text, 11, 2), mi = digits_at(text, 14, 2), s = digits_at(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  return sys_days{date} + hours(*h) + minutes(*mi) + seconds(*s);
}

std::string aws_cli_timestamp(double epoch_seconds) {
  // Rounded in one step: whole seconds and the fraction taken apart first
  // truncated .053 to .052999 (and a fraction that rounds up to a whole
  // second must carry into the seconds).
  const auto micros = std::llround(epoch_seconds * 1e6);
  const auto time = std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(micros));
  const auto whole = std::chrono::floor<std::chrono::seconds>(time);
  const auto fraction = (time - whole).count();
  // Python's isoformat(), which the AWS CLI prints, leaves out a zero fraction.
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}{}+00:00", fmt::gmtime(std::chrono::system_clock::to_time_t(whole)),
                     fraction == 0 ? std::string() : fmt::format(".{:06d}", fraction));
}

}  // namespace firehose::cli
