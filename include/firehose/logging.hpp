#pragma once
// Where the library's own messages go (a retry of a single call, a refresh of
// credentials that failed, the producer's notices). By default they go to a
// spdlog logger named "firehose", writing to stderr from level Warning up; the
// library never touches spdlog's default logger, so an application's own
// logging set-up stays as it is. An application hands the messages to its
// own logging with set_log_callback (no spdlog type is needed for that); one
// that uses spdlog can also reach the logger as spdlog::get("firehose").
#include <chrono>
#include <functional>
#include <string_view>

namespace firehose {

enum class LogLevel { Trace, Debug, Info, Warning, Error, Critical, Off };

// One message of the library.
struct LogMessage {
  LogLevel level = LogLevel::Info;
  std::string_view text;  // one line, no trailing newline; valid during the callback only
  std::chrono::system_clock::time_point time;
};

using LogCallback = std::function<void(const LogMessage&)>;

// Sends every message at or above the level to `callback` instead of stderr;
// an empty callback restores stderr. Thread-safe. The callback runs on the
// thread that logs (a producer thread, the caller's) under the logger's lock:
// keep it short, and do not log through the library from it.
void set_log_callback(LogCallback callback);

// The lowest level that is logged (default LogLevel::Warning). Thread-safe.
void set_log_level(LogLevel level);

// The level in force.
LogLevel log_level();

const char* to_string(LogLevel level);  // "trace", "debug", "info", "warning", "error", "critical", "off"

}  // namespace firehose
