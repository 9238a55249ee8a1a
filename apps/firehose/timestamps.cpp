#include "timestamps.hpp"

#include <fmt/format.h>

namespace firehose::cli {

std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto days = floor<std::chrono::days>(ms);
  const year_month_day date{days};
  const hh_mm_ss clock{ms - days};
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                                 static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                                 clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  if (with_milliseconds) text += fmt::format(".{:03}", clock.subseconds().count());
  text.push_back('Z');
  return text;
}

}  // namespace firehose::cli
