#include "logging.hpp"

#include <chrono>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "firehose/logging.hpp"
#include "status_line.hpp"
#include "timestamps.hpp"

namespace firehose::cli {
namespace {

// The event being logged on this thread: sinks run on the logging thread
// (the logger is synchronous), so log_event hands its fields over here.
struct PendingEvent {
  std::string_view name;
  const nlohmann::ordered_json* fields = nullptr;
};
thread_local PendingEvent t_event;

bool g_json = false;

class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::ordered_json line = {
        {"ts", iso8601_utc(msg.time, /*with_milliseconds=*/true)},
        {"level", std::string(level.data(), level.size())},
        {"event", t_event.fields != nullptr ? std::string(t_event.name) : std::string(event::kLog)},
    };
    if (t_event.fields != nullptr) {
      for (const auto& [key, value] : t_event.fields->items()) line[key] = value;
    }
    line["message"] = std::string(msg.payload.data(), msg.payload.size());
    status_line::write(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  void flush_() override {}
};

class TextSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    status_line::write(std::string_view(formatted.data(), formatted.size()));
  }
  void flush_() override {}
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return spdlog::level::trace;
    case LogLevel::Debug: return spdlog::level::debug;
    case LogLevel::Info: return spdlog::level::info;
    case LogLevel::Warning: return spdlog::level::warn;
    case LogLevel::Error: return spdlog::level::err;
    case LogLevel::Critical: return spdlog::level::critical;
    case LogLevel::Off: break;
  }
  return spdlog::level::off;
}

LogLevel library_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return LogLevel::Trace;
    case spdlog::level::debug: return LogLevel::Debug;
    case spdlog::level::info: return LogLevel::Info;
    case spdlog::level::warn: return LogLevel::Warning;
    case spdlog::level::err: return LogLevel::Error;
    case spdlog::level::critical: return LogLevel::Critical;
    default: return LogLevel::Off;
  }
}

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  g_json = format == "json";
  std::shared_ptr<spdlog::logger> logger;
  if (g_json) {
    logger = std::make_shared<spdlog::logger>("firehose-cli", std::make_shared<JsonLinesSink>());
  } else {
    logger = std::make_shared<spdlog::logger>("firehose-cli", std::make_shared<TextSink>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  const auto threshold = spdlog::level::from_str(level == "warning" ? "warn" : level);
  logger->set_level(threshold);
  spdlog::set_default_logger(logger);
  // The library's messages (its "firehose" logger) join the CLI's, as events "log".
  set_log_level(library_level(threshold));
  set_log_callback([](const LogMessage& message) {
    spdlog::default_logger_raw()->log(message.time, spdlog::source_loc{}, to_spdlog(message.level), message.text);
  });
}

bool logging_is_json() { return g_json; }

void log_event(spdlog::level::level_enum level, std::string_view event, const nlohmann::ordered_json& fields,
               std::string_view text) {
  t_event = {event, &fields};
  spdlog::default_logger_raw()->log(level, "{}", text);
  t_event = {};
}

}  // namespace firehose::cli
