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

// Flags given in seconds as numbers (--record-ttl 0.5, --cli-read-timeout 30)
// are checked against [0 or 0.001, kLongestSeconds] by CLI11 and converted
// here, rounded up: 0.0001 s became 0 ms, which libcurl reads as "no timeout",
// and 1e300 s overflowed into a negative time-to-live.
inline constexpr double kLongestSeconds = 31'536'000;  // a year
std::chrono::milliseconds milliseconds_of_seconds(double seconds);

// The shortest exact form: 600 s -> "10m", 90 s -> "90s", 86400 s -> "1d".
std::string format_duration(std::chrono::seconds duration);

}  // namespace firehose::cli
