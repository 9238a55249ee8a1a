#include "core/log.hpp"

#include <cstdio>
#include <memory>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "firehose/logging.hpp"

namespace firehose {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return spdlog::level::trace;
    case LogLevel::Debug: return spdlog::level::debug;
    case LogLevel::Info: return spdlog::level::info;
    case LogLevel::Warning: return spdlog::level::warn;
    case LogLevel::Error: return spdlog::level::err;
    case LogLevel::Critical: return spdlog::level::critical;
    case LogLevel::Off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

LogLevel from_spdlog(spdlog::level::level_enum level) {
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

// The logger's one sink: the application's callback when it set one, else stderr.
class HookSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void set_callback(LogCallback callback) {
    std::lock_guard lock(mutex_);
    callback_ = std::move(callback);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (callback_) {
      callback_(LogMessage{from_spdlog(msg.level), std::string_view(msg.payload.data(), msg.payload.size()), msg.time});
      return;
    }
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  LogCallback callback_;
};

struct LibraryLogger {
  std::shared_ptr<HookSink> sink = std::make_shared<HookSink>();
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>("firehose", sink);

  LibraryLogger() {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e firehose %l %v");
    logger->set_level(spdlog::level::warn);
    // Reachable as spdlog::get("firehose") by applications that use spdlog;
    // one that registered its own "firehose" logger keeps it.
    if (!spdlog::get("firehose")) {
      try {
        spdlog::register_logger(logger);
      } catch (const spdlog::spdlog_ex&) {  // registered meanwhile by another thread: fine
      }
    }
  }
};

LibraryLogger& library_logger() {
  static LibraryLogger instance;
  return instance;
}

}  // namespace

namespace logging {
spdlog::logger& logger() { return *library_logger().logger; }
}  // namespace logging

void set_log_callback(LogCallback callback) { library_logger().sink->set_callback(std::move(callback)); }

void set_log_level(LogLevel level) { library_logger().logger->set_level(to_spdlog(level)); }

LogLevel log_level() { return from_spdlog(library_logger().logger->level()); }

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
    case LogLevel::Off: return "off";
  }
  return "off";
}

}  // namespace firehose
