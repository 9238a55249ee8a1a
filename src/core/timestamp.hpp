#pragma once
// ISO-8601 timestamps as credential sources write them: STS
// ("2024-05-01T12:00:00Z", "...:00.123Z"), IMDS and container endpoints, and
// credential_process scripts (which often print "+00:00" offsets).
#include <chrono>
#include <string>
#include <string_view>

#include "firehose/result.hpp"

namespace firehose::aws {

// Accepts YYYY-MM-DD(T| )HH:MM:SS[.fraction](Z|+HH:MM|-HH:MM|+HHMM).
Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" in UTC, second precision.
// With milliseconds: "2024-01-02T03:04:05.678Z".
std::string format_iso8601(std::chrono::system_clock::time_point time, bool with_milliseconds = false);

}  // namespace firehose::aws
