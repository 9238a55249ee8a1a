// The library's logger (src/aws/log.cpp) and its public hook (firehose/logging.hpp).
#include "core/log.hpp"

#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "firehose/logging.hpp"
#include "firehose/retry.hpp"
#include "firehose/session.hpp"

namespace firehose {
namespace {

struct Seen {
  LogLevel level;
  std::string text;
};

// Collects the library's messages; restores the defaults afterwards.
class LogHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_level_ = log_level();
    set_log_callback([this](const LogMessage& message) {
      std::lock_guard lock(mutex_);
      seen_.push_back({message.level, std::string(message.text)});
    });
  }
  void TearDown() override {
    set_log_callback({});
    set_log_level(previous_level_);
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  LogLevel previous_level_ = LogLevel::Warning;
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

TEST_F(LogHookTest, MessagesAtOrAboveTheLevelReachTheCallback) {
  set_log_level(LogLevel::Warning);
  logging::info("not shown {}", 1);
  logging::warn("retrying {} in {} ms", "PutRecord", 250);
  logging::error("dead-letter file: {}", "disk full");
  const auto messages = seen();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].level, LogLevel::Warning);
  EXPECT_EQ(messages[0].text, "retrying PutRecord in 250 ms");
  EXPECT_EQ(messages[1].level, LogLevel::Error);

  set_log_level(LogLevel::Debug);
  EXPECT_EQ(log_level(), LogLevel::Debug);
  logging::debug("now shown");
  EXPECT_EQ(seen().back().text, "now shown");
}

TEST_F(LogHookTest, NeverWritesToSpdlogsDefaultLogger) {
  std::ostringstream captured;
  auto application =
      std::make_shared<spdlog::logger>("application", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(application);
  logging::warn("a library message, to the callback");
  set_log_callback({});  // the library's own stderr sink, still not the default logger
  logging::warn("a library message, to stderr");
  spdlog::set_default_logger(previous);
  EXPECT_EQ(captured.str(), "");
  ASSERT_EQ(seen().size(), 1u);
  // Applications that use spdlog find the library's logger by its name.
  ASSERT_NE(spdlog::get("firehose"), nullptr);
  EXPECT_EQ(spdlog::get("firehose").get(), &logging::logger());
}

TEST_F(LogHookTest, ARetriedCallIsLoggedThroughTheHook) {
  SessionOptions options;
  options.region = "us-east-1";
  options.max_attempts = 2;
  options.endpoint_url = "http://127.0.0.1:9";
  auto session = Session::create(options);
  ASSERT_TRUE(session.ok()) << session.error().to_string();
  int calls = 0;
  auto result = call_with_retries(**session, "PutRecord", [&]() -> Result<int> {
    ++calls;
    Error error = make_error(ErrorKind::Throttle, "ThrottlingException", "Rate exceeded", 400);
    return error;
  });
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(calls, 2);
  const auto messages = seen();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].level, LogLevel::Warning);
  EXPECT_NE(messages[0].text.find("PutRecord: attempt 1/2 failed with ThrottlingException"), std::string::npos)
      << messages[0].text;
}

TEST(LogLevelNames, AreTheCliSpellings) {
  EXPECT_STREQ(to_string(LogLevel::Warning), "warning");
  EXPECT_STREQ(to_string(LogLevel::Off), "off");
}

}  // namespace
}  // namespace firehose
