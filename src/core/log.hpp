#pragma once
// The library's logger: spdlog's logger named "firehose" (never the default
// logger), whose one sink hands each message to the application's callback
// (firehose/logging.hpp) or writes it to stderr. Every message of the library
// goes through these functions.
#include <utility>

#include <spdlog/logger.h>

namespace firehose::logging {

spdlog::logger& logger();

template <class... Args>
void trace(fmt::format_string<Args...> format, Args&&... args) {
  logger().trace(format, std::forward<Args>(args)...);
}
template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  logger().debug(format, std::forward<Args>(args)...);
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  logger().info(format, std::forward<Args>(args)...);
}
template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  logger().warn(format, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  logger().error(format, std::forward<Args>(args)...);
}

}  // namespace firehose::logging
