#include "example_records.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

namespace firehose::cli {
namespace {

// Weights in percent, in this order: a draw in [0, 100) picks the first whose running sum exceeds it.
constexpr std::array<std::pair<const char*, std::uint32_t>, 4> kAlertLevels{
    {{"Low", 40}, {"Medium", 30}, {"High", 20}, {"Critical", 10}}};

// splitmix32's step: advances `state`, returns the mixed value.
std::uint32_t splitmix32(std::uint32_t& state) {
  state += 0x9e3779b9U;
  std::uint32_t z = state;
  z = (z ^ (z >> 16)) * 0x21f0aaadU;
  z = (z ^ (z >> 15)) * 0x735a2d97U;
  return z ^ (z >> 15);
}

}  // namespace

ExampleRecordGenerator::ExampleRecordGenerator(std::uint64_t seed) {
  // As generate-data.js: the low 32 bits seed a, the high 32 bits are mixed in before b and c.
  std::uint32_t state = static_cast<std::uint32_t>(seed);
  a_ = splitmix32(state);
  state ^= static_cast<std::uint32_t>(seed >> 32);
  b_ = splitmix32(state);
  c_ = splitmix32(state);
  for (int i = 0; i < 12; ++i) next_raw();  // the first outputs discarded, as sfc32's author recommends
}

std::uint32_t ExampleRecordGenerator::next_raw() {
  const std::uint32_t t = a_ + b_ + counter_++;
  a_ = b_ ^ (b_ >> 9);
  b_ = c_ + (c_ << 3);
  c_ = ((c_ << 21) | (c_ >> 11)) + t;
  return t;
}

std::uint32_t ExampleRecordGenerator::below(std::uint32_t n) {
  constexpr std::uint64_t kRange = std::uint64_t{1} << 32;
  const std::uint64_t limit = kRange - kRange % n;
  for (;;) {
    const std::uint32_t x = next_raw();
    if (x < limit) return x % n;
  }
}

void ExampleRecordGenerator::next(std::string& line) {
  const std::uint32_t first = 1 + below(223);
  const std::uint32_t second = below(256);
  const std::uint32_t third = below(256);
  const std::uint32_t fourth = below(256);
  std::uint32_t pick = below(100);
  const char* level = kAlertLevels[0].first;
  for (const auto& [name, weight] : kAlertLevels) {
    if (pick < weight) {
      level = name;
      break;
    }
    pick -= weight;
  }
  line.clear();
  fmt::format_to(std::back_inserter(line), R"({{"ip_address":"{}.{}.{}.{}","timestamp":{},"alert_level":"{}"}})", first,
                 second, third, fourth, timestamp_, level);
  line.push_back('\n');
  timestamp_ += below(3);
}

}  // namespace firehose::cli
