#pragma once
// Logs go to stderr: readable lines for people, or one JSON object per line
// for machines (--log-format json). The library logs through spdlog's default
// logger, so this is the one place that decides where they go.
#include <string>

namespace firehose::cli {

void setup_logging(const std::string& level, const std::string& format);

}  // namespace firehose::cli
