#include "timestamps.hpp"

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

}  // namespace firehose::cli
