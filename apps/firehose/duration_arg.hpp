#pragma once
// Durations on the command line: "90" (seconds), "90s", "10m", "2h", "1d".
#include <chrono>
#include <string>
#include <string_view>

#include "firehose/result.hpp"

namespace firehose::cli {

// A whole, positive number of seconds, minutes, hours or days (no suffix:
// seconds). Anything else (empty, 0, "1.5m", "10 m", "5w") is an error naming
// the text.
Result<std::chrono::seconds> parse_duration(std::string_view text);

// The same, zero included ("0", "0s"): for waits, where zero means "do not wait".
Result<std::chrono::seconds> parse_duration_or_zero(std::string_view text);

// The shortest exact form: 600 s -> "10m", 90 s -> "90s", 86400 s -> "1d".
std::string format_duration(std::chrono::seconds duration);

}  // namespace firehose::cli
