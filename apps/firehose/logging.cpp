#include "logging.hpp"

#include <chrono>
#include <mutex>

#include <fmt/chrono.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "status_line.hpp"

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

std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(time)), ms);
}

class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::ordered_json line = {
        {"ts", rfc3339_ms(msg.time)},
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

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  g_json = format == "json";
  std::shared_ptr<spdlog::logger> logger;
  if (g_json) {
    logger = std::make_shared<spdlog::logger>("firehose", std::make_shared<JsonLinesSink>());
  } else {
    logger = std::make_shared<spdlog::logger>("firehose", std::make_shared<TextSink>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  logger->set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
  spdlog::set_default_logger(logger);
}

bool logging_is_json() { return g_json; }

void log_event(spdlog::level::level_enum level, std::string_view event, const nlohmann::ordered_json& fields,
               std::string_view text) {
  t_event = {event, &fields};
  spdlog::default_logger_raw()->log(level, "{}", text);
  t_event = {};
}

}  // namespace firehose::cli
