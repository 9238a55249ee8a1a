#pragma once
// How the CLI prints a time: ISO 8601 / RFC 3339 in UTC, as the AWS CLI does
// ("2024-01-02T03:04:05Z"; with milliseconds "2024-01-02T03:04:05.678Z").
#include <chrono>
#include <string>

namespace firehose::cli {

std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds = false);

}  // namespace firehose::cli
