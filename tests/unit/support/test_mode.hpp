#pragma once
// FIREHOSE_TEST_SHORT (set by scripts/sanitizer-tests.sh): the sanitizer runs
// of the unit tests, where each round of a property test costs several times
// its Release time, make a quarter of the rounds. The Release run makes all.
#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace firehose::testing {

inline int property_rounds(int full) {
  const char* short_mode = std::getenv("FIREHOSE_TEST_SHORT");
  const bool is_short = short_mode != nullptr && std::string_view(short_mode) != "" && std::string_view(short_mode) != "0";
  return is_short ? std::max(1, full / 4) : full;
}

}  // namespace firehose::testing
