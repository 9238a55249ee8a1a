// Session::create refuses option values no setting could mean.
#include <gtest/gtest.h>

#include "firehose/session.hpp"

namespace firehose {
namespace {

SessionOptions offline_options() {
  SessionOptions options;
  options.region = "us-east-1";
  options.environment = Environment::from_map({});  // nothing from this machine
  return options;
}

void expect_refused(const SessionOptions& options, const std::string& option_name) {
  auto session = Session::create(options);
  ASSERT_FALSE(session.ok()) << option_name;
  EXPECT_EQ(session.error().code, "InvalidConfigValue");
  EXPECT_NE(session.error().message.find(option_name), std::string::npos) << session.error().message;
}

TEST(SessionOptions, AttemptsBelowOneAreRefused) {
  for (int attempts : {0, -1}) {
    auto options = offline_options();
    options.max_attempts = attempts;
    expect_refused(options, "SessionOptions::max_attempts");
  }
}

TEST(SessionOptions, NegativeTimeoutsAreRefusedAndZeroMeansNoLimit) {
  auto options = offline_options();
  options.connect_timeout = std::chrono::milliseconds(-1);
  expect_refused(options, "SessionOptions::connect_timeout");
  options = offline_options();
  options.request_timeout = std::chrono::milliseconds(-5);
  expect_refused(options, "SessionOptions::request_timeout");
  options = offline_options();
  options.connect_timeout = std::chrono::milliseconds(0);
  options.request_timeout = std::chrono::milliseconds(0);
  options.max_attempts = 1;
  EXPECT_TRUE(Session::create(options).ok());
}

}  // namespace
}  // namespace firehose
