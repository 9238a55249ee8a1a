#include "config.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config_file.hpp"
#include "exit_codes.hpp"

namespace firehose::cli {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("firehose-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "firehose");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes $XDG_CONFIG_HOME/firehose/config.toml.
  void write_xdg(const std::string& text) { std::ofstream(dir_ / "firehose" / "config.toml") << text; }
  std::string xdg_file() const { return (dir_ / "firehose" / "config.toml").string(); }

  Environment env(std::map<std::string, std::string> values = {}) const {
    values["XDG_CONFIG_HOME"] = dir_.string();
    values["HOME"] = "/nonexistent";
    return Environment::from_map(std::move(values));
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsWithoutAnySource) {
  auto s = resolve_send_settings({}, env());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->max_batch_records.value, 500u);
  EXPECT_EQ(s->max_batch_bytes.value, 4u * 1024 * 1024);
  EXPECT_EQ(s->max_in_flight.value, 16);
  EXPECT_EQ(s->linger_ms.value, 100);
  EXPECT_FALSE(s->max_attempts.value.has_value());
  EXPECT_FALSE(s->log_format.value.has_value());
  EXPECT_EQ(s->max_in_flight.source, "default");
  EXPECT_EQ(s->config_file, "");
}

TEST_F(ConfigTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  write_xdg("delivery_stream = \"from-file\"\nmax_in_flight = 3\nlinger_ms = 7\nmax_batch_records = 100\n");
  SettingsFlags flags;
  flags.max_in_flight = 5;
  auto s = resolve_send_settings(
      flags, env({{"FIREHOSE_MAX_IN_FLIGHT", "4"}, {"FIREHOSE_LINGER_MS", "9"}, {"FIREHOSE_DELIVERY_STREAM", "env"}}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->config_file, xdg_file());
  EXPECT_EQ(s->max_in_flight.value, 5);
  EXPECT_EQ(s->max_in_flight.source, "--max-in-flight");
  EXPECT_EQ(s->linger_ms.value, 9);
  EXPECT_EQ(s->linger_ms.source, "FIREHOSE_LINGER_MS");
  EXPECT_EQ(s->delivery_stream.value, "env");
  EXPECT_EQ(s->max_batch_records.value, 100u);
  EXPECT_EQ(s->max_batch_records.source, xdg_file() + ": max_batch_records");
  EXPECT_EQ(s->max_batch_bytes.source, "default");
}

TEST_F(ConfigTest, ExplicitConfigFileWinsOverTheXdgOne) {
  write_xdg("max_in_flight = 3\n");
  const auto other = (dir_ / "other.toml").string();
  std::ofstream(other) << "max_in_flight = 8\n";
  SettingsFlags flags;
  flags.config_file = other;
  auto s = resolve_send_settings(flags, env());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->max_in_flight.value, 8);
  EXPECT_EQ(s->config_file, other);
}

TEST_F(ConfigTest, MaxAttemptsOnePrecedenceIncludingAwsMaxAttempts) {
  write_xdg("max_attempts = 6\n");
  EXPECT_EQ(*resolve_send_settings({}, env())->max_attempts.value, 6);
  EXPECT_EQ(*resolve_send_settings({}, env({{"AWS_MAX_ATTEMPTS", "2"}}))->max_attempts.value, 2);
  auto both = resolve_send_settings({}, env({{"AWS_MAX_ATTEMPTS", "2"}, {"FIREHOSE_MAX_ATTEMPTS", "4"}}));
  EXPECT_EQ(*both->max_attempts.value, 4);
  EXPECT_EQ(both->max_attempts.source, "FIREHOSE_MAX_ATTEMPTS");
  SettingsFlags flags;
  flags.max_attempts = 9;
  auto flag = resolve_send_settings(flags, env({{"AWS_MAX_ATTEMPTS", "2"}, {"FIREHOSE_MAX_ATTEMPTS", "4"}}));
  EXPECT_EQ(*flag->max_attempts.value, 9);
  ProducerOptions options;
  apply_to(*flag, options);
  EXPECT_EQ(options.retry.max_attempts, 9);
}

TEST_F(ConfigTest, BeyondAServiceLimitIsRefusedWithExit2NamingTheLimit) {
  auto records = resolve_send_settings({}, env({{"FIREHOSE_MAX_BATCH_RECORDS", "501"}}));
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().code, kSettingBeyondLimit);
  EXPECT_EQ(exit_code_for_settings(records.error()), kUsage);
  EXPECT_NE(records.error().message.find("FIREHOSE_MAX_BATCH_RECORDS"), std::string::npos);
  EXPECT_NE(records.error().message.find("500 records"), std::string::npos);

  write_xdg("max_batch_bytes = 5242880\n");
  auto bytes = resolve_send_settings({}, env());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(exit_code_for_settings(bytes.error()), kUsage);
  EXPECT_NE(bytes.error().message.find(xdg_file() + ": max_batch_bytes"), std::string::npos);
  EXPECT_NE(bytes.error().message.find("4 MiB"), std::string::npos);

  SettingsFlags flags;
  flags.max_batch_records = 1000;
  auto flag = resolve_send_settings(flags, env());
  ASSERT_FALSE(flag.ok());
  EXPECT_NE(flag.error().message.find("--max-batch-records"), std::string::npos);
}

TEST_F(ConfigTest, MalformedValuesNameTheVariableOrKeyAndTheirSource) {
  for (const char* bad : {"", "12x", "1.5", " 3", "-1"}) {
    auto s = resolve_send_settings({}, env({{"FIREHOSE_MAX_IN_FLIGHT", bad}}));
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().message.find("FIREHOSE_MAX_IN_FLIGHT"), std::string::npos) << s.error().message;
    EXPECT_EQ(exit_code_for_settings(s.error()), kConfig) << bad;
  }
  auto level = resolve_send_settings({}, env({{"FIREHOSE_LOG_FORMAT", "yaml"}}));
  ASSERT_FALSE(level.ok());
  EXPECT_NE(level.error().message.find("FIREHOSE_LOG_FORMAT=\"yaml\""), std::string::npos);

  write_xdg("max_in_flight = \"many\"\n");
  auto typed = resolve_send_settings({}, env());
  ASSERT_FALSE(typed.ok());
  EXPECT_NE(typed.error().message.find("max_in_flight must be an integer"), std::string::npos);
  EXPECT_NE(typed.error().message.find(xdg_file()), std::string::npos);

  write_xdg("max_in_flite = 3\n");
  auto unknown = resolve_send_settings({}, env());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown key 'max_in_flite'"), std::string::npos);

  write_xdg("max_in_flight = = 3\n");
  auto syntax = resolve_send_settings({}, env());
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find("line 1"), std::string::npos) << syntax.error().message;
}

TEST_F(ConfigTest, AMissingExplicitConfigFileIsAUsageError) {
  SettingsFlags flags;
  flags.config_file = (dir_ / "missing.toml").string();
  auto s = resolve_send_settings(flags, env());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(exit_code_for_settings(s.error()), kUsage);
  EXPECT_NE(s.error().message.find("missing.toml"), std::string::npos);
}

TEST_F(ConfigTest, TheXdgFileIsOptionalAndHomeIsTheFallback) {
  EXPECT_FALSE(config_file_path({}, env()).has_value());  // nothing written
  std::filesystem::create_directories(dir_ / "home" / ".config" / "firehose");
  std::ofstream(dir_ / "home" / ".config" / "firehose" / "config.toml") << "linger_ms = 1\n";
  auto home_env = Environment::from_map({{"HOME", (dir_ / "home").string()}});
  EXPECT_EQ(config_file_path({}, home_env), (dir_ / "home" / ".config" / "firehose" / "config.toml").string());
  EXPECT_EQ(resolve_send_settings({}, home_env)->linger_ms.value, 1);
}

TEST_F(ConfigTest, LogLevelsTakeBothSpellingsOfWarningAndError) {
  // `--log-level warn` was refused (firehose-local's own spelling), as was FIREHOSE_LOG_LEVEL=err.
  SettingsFlags flags;
  flags.log_level = "warn";
  auto from_flag = resolve_send_settings(flags, env());
  ASSERT_TRUE(from_flag.ok()) << from_flag.error().message;
  EXPECT_EQ(from_flag->log_level.value, "warning");
  auto from_env = resolve_send_settings({}, env({{"FIREHOSE_LOG_LEVEL", "err"}}));
  ASSERT_TRUE(from_env.ok()) << from_env.error().message;
  EXPECT_EQ(from_env->log_level.value, "error");
  write_xdg("log_level = \"warn\"\n");
  auto from_file = resolve_send_settings({}, env());
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;
  EXPECT_EQ(from_file->log_level.value, "warning");
  for (const char* level : {"trace", "debug", "info", "warning", "error", "off"}) {
    EXPECT_EQ(canonical_log_level(level), level);
  }
  EXPECT_FALSE(canonical_log_level("verbose").has_value());
  EXPECT_FALSE(canonical_log_level("WARN").has_value());
  flags.log_level = "loud";
  EXPECT_FALSE(resolve_send_settings(flags, env()).ok());
}

}  // namespace
}  // namespace firehose::cli
