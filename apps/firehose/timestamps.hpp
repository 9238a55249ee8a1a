#pragma once
// How the CLI prints a time: ISO 8601 / RFC 3339 in UTC, as the AWS CLI does
// ("2024-01-02T03:04:05Z"; with milliseconds "2024-01-02T03:04:05.678Z").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace firehose::cli {

std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds = false);

// The other way, for times given on the command line: exactly
// "YYYY-MM-DDTHH:MM:SSZ", every field in its range (month 1-12, a day the
// month has, leap years included, hour 0-23, minute and second 0-59: POSIX
// time has no leap second). nullopt otherwise: timegm() alone turned
// 2026-02-30 into March 2nd and 25:61 into the next day.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text);

// The AWS CLI's form of a timestamp the service sends as epoch seconds (a
// JSON number): "2026-12-07T03:09:01.053000+00:00", rounded to the nearest
// microsecond (the double 1796612941.053 is a hair below .053).
std::string aws_cli_timestamp(double epoch_seconds);

}  // namespace firehose::cli
