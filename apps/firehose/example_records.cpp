#include "example_records.hpp"

#include <array>

#include <fmt/format.h>

namespace firehose::cli {
namespace {

constexpr std::array<const char*, 4> kAlertLevels{"Low", "Medium", "High", "Critical"};

// A value in [0, n) from the top 32 bits of `raw` (multiply-shift: no modulo
// bias worth speaking of, and the same on every platform).
std::uint64_t below(std::uint64_t raw, std::uint64_t n) { return ((raw >> 32) * n) >> 32; }

}  // namespace

void ExampleRecordGenerator::next(std::string& line) {
  const std::uint64_t address = engine_();
  const std::uint64_t time_and_level = engine_();
  // First octet 1..223: unicast, never 0.x.x.x; the other three any byte.
  const auto first = 1 + below(address, 223);
  const auto second = address & 0xff;
  const auto third = (address >> 8) & 0xff;
  const auto fourth = (address >> 16) & 0xff;
  const auto timestamp =
      kExampleBaseTimestamp + static_cast<std::int64_t>(below(time_and_level, kExampleTimestampSpread));
  const char* level = kAlertLevels[time_and_level & 3];  // the low bits: independent of the offset's high bits
  line.clear();
  fmt::format_to(std::back_inserter(line), R"({{"ip_address":"{}.{}.{}.{}","timestamp":{},"alert_level":"{}"}})", first,
                 second, third, fourth, timestamp, level);
  line.push_back('\n');
}

}  // namespace firehose::cli
