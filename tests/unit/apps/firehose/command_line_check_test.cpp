#include "command_line_check.hpp"

#include <gtest/gtest.h>

#include "exit_codes.hpp"

namespace firehose::cli {
namespace {

TEST(ClosestName, SuggestsTyposOnly) {
  const std::vector<std::string> commands{"put-record", "put-record-batch", "send", "metrics", "workflow"};
  EXPECT_EQ(closest_name("put-records", commands), "put-record");
  EXPECT_EQ(closest_name("metrcs", commands), "metrics");
  EXPECT_EQ(closest_name("--delivery-steam-name", {"--delivery-stream-name", "--dead-letter"}),
            "--delivery-stream-name");
  EXPECT_FALSE(closest_name("deploy", commands).has_value());
  EXPECT_FALSE(closest_name("x", {}).has_value());
}

class CommandLineCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    app.add_option("--region", region);
    app.add_flag("--no-verify-ssl", flag);
    auto* put = app.add_subcommand("put-record", "one record");
    put->add_option("--delivery-stream-name", stream);
    put->add_option("--data", data);
    app.add_subcommand("send", "send lines");
  }
  std::optional<int> check(std::vector<const char*> words) {
    words.insert(words.begin(), "firehose");
    return check_command_line(app, static_cast<int>(words.size()), words.data());
  }
  CLI::App app{"test", "firehose"};
  std::string region, stream, data;
  bool flag = false;
};

TEST_F(CommandLineCheck, KnownWordsAreLeftToTheParser) {
  EXPECT_FALSE(check({"--region", "put-records", "put-record", "--delivery-stream-name", "s", "--data", "--x"}));
  EXPECT_FALSE(check({"--no-verify-ssl", "send", "file.ndjson", "--region=eu-west-1"}));
  EXPECT_FALSE(check({}));
}

TEST_F(CommandLineCheck, UnknownCommandsAndOptionsAreUsageErrors) {
  EXPECT_EQ(check({"put-records", "--delivery-stream-name", "s"}), kUsage);
  EXPECT_EQ(check({"put-record", "--delivery-steam-name", "s"}), kUsage);
  EXPECT_EQ(check({"--regoin", "x", "send"}), kUsage);
  EXPECT_EQ(check({"help", "sned"}), kUsage);
}

TEST_F(CommandLineCheck, HelpAndHelpOfACommand) {
  EXPECT_EQ(check({"help"}), kSuccess);
  EXPECT_EQ(check({"help", "put-record"}), kSuccess);
}

}  // namespace
}  // namespace firehose::cli
