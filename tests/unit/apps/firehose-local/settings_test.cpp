#include "settings.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::local {
namespace {

Result<Settings> parse(std::vector<const char*> args, std::string* help_out = nullptr) {
  args.insert(args.begin(), "firehose-local");
  std::string help;
  auto result = parse_command_line(static_cast<int>(args.size()), args.data(), help);
  if (help_out != nullptr) *help_out = help;
  return result;
}

TEST(LocalSettings, DefaultsMatchTheServiceQuotasAndDocumentedValues) {
  auto s = parse({});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->host, "127.0.0.1");
  EXPECT_EQ(s->region, "us-east-1");
  EXPECT_EQ(s->account_id, "123456789012");
  EXPECT_EQ(s->runtime.quotas.records, 500000u);
  EXPECT_EQ(s->runtime.quotas.requests, 2000u);
  EXPECT_EQ(s->runtime.quotas.bytes, 5u * 1024 * 1024);
  EXPECT_EQ(s->runtime.create_delay, std::chrono::milliseconds(500));
  EXPECT_FALSE(s->seed.has_value());
  EXPECT_TRUE(s->credentials.empty());
  EXPECT_EQ(s->sink, Sink::Spool);
}

TEST(LocalSettings, ParsesEveryKindOfFlag) {
  auto s = parse({"--port",
                  "0",
                  "--fail-records",
                  "0.25",
                  "--fail-records-code",
                  "InternalFailure",
                  "--latency-ms",
                  "20:5",
                  "--credentials",
                  "AK1:s1,AK2:s:2",
                  "--create-delay",
                  "1.5",
                  "--quota-bytes",
                  "1024",
                  "--fail-requests-status",
                  "503",
                  "--sink",
                  "discard",
                  "--seed",
                  "42",
                  "--stall-seconds",
                  "0.25"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->port, 0);
  EXPECT_DOUBLE_EQ(s->runtime.faults.fail_records, 0.25);
  EXPECT_EQ(s->runtime.faults.fail_records_code, RecordFailureCode::InternalFailure);
  EXPECT_EQ(s->runtime.faults.latency, std::chrono::milliseconds(20));
  EXPECT_EQ(s->runtime.faults.latency_jitter, std::chrono::milliseconds(5));
  ASSERT_EQ(s->credentials.size(), 2u);
  EXPECT_EQ(s->credentials[1].first, "AK2");
  EXPECT_EQ(s->credentials[1].second, "s:2");  // only the first colon separates
  EXPECT_EQ(s->runtime.create_delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(s->runtime.quotas.bytes, 1024u);
  EXPECT_EQ(s->runtime.faults.fail_requests_status, RequestFailureStatus::Unavailable503);
  EXPECT_EQ(s->sink, Sink::Discard);
  EXPECT_EQ(s->seed, 42u);
  EXPECT_EQ(s->runtime.faults.stall, std::chrono::milliseconds(250));
}

TEST(LocalSettings, RejectsBadValuesWithOneLineNamingTheOption) {
  struct Case {
    std::vector<const char*> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--fail-records", "1.5"}, "--fail-records"},
      {{"--fail-records", "-0.1"}, "--fail-records"},
      {{"--reset-after", "abc"}, "--reset-after"},
      {{"--port", "70000"}, "--port"},
      {{"--account-id", "12345"}, "--account-id"},
      {{"--credentials", "nocolon"}, "--credentials"},
      {{"--credentials", "AK:"}, "--credentials"},
      {{"--latency-ms", "10:x"}, "--latency-ms"},
      {{"--sink", "s3"}, "--sink"},
      {{"--fail-records-code", "Throttling"}, "--fail-records-code"},
      {{"--fail-requests-status", "502"}, "--fail-requests-status"},
      {{"--quota-records", "-1"}, "--quota-records"},
      {{"--region", "US East"}, "--region"},
      {{"--max-connections", "0"}, "--max-connections"},
      {{"--header-timeout", "0"}, "--header-timeout"},
      {{"--header-timeout", "soon"}, "--header-timeout"},
  };
  for (const Case& c : cases) {
    auto s = parse(c.args);
    ASSERT_FALSE(s.ok()) << c.args[0] << " " << c.args[1];
    EXPECT_NE(s.error().message.find(c.expected), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos) << s.error().message;
  }
}

TEST(LocalSettings, LogLevelTakesBothSpellingsOfWarnAndError) {
  // `--log-level warning` was refused (the firehose CLI's own spelling).
  for (const auto& [given, kept] : std::vector<std::pair<const char*, const char*>>{
           {"warning", "warn"}, {"warn", "warn"}, {"err", "error"}, {"error", "error"}, {"debug", "debug"}}) {
    auto s = parse({"--log-level", given});
    ASSERT_TRUE(s.ok()) << given << ": " << s.error().message;
    EXPECT_EQ(s->log_level, kept);
  }
  auto loud = parse({"--log-level", "loud"});
  ASSERT_FALSE(loud.ok());
  EXPECT_NE(loud.error().message.find("--log-level"), std::string::npos) << loud.error().message;
}

// The limits against hostile clients (docs/firehose-local.md, Connections).
TEST(LocalSettings, ConnectionLimits) {
  auto defaults = parse({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_connections, 1000u);
  EXPECT_EQ(defaults->header_timeout, std::chrono::seconds(10));
  auto set = parse({"--max-connections", "20", "--header-timeout", "2.5"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->max_connections, 20u);
  EXPECT_EQ(set->header_timeout, std::chrono::milliseconds(2500));
}

// HTTPS (docs/firehose-local.md, HTTPS): the certificate and its key go together.
TEST(LocalSettings, TlsCertificateAndKeyGoTogether) {
  EXPECT_TRUE(parse({})->tls_cert.empty());
  for (const auto& args : {std::vector<const char*>{"--tls-cert", "cert.pem"}, {"--tls-key", "key.pem"}}) {
    auto alone = parse(args);
    ASSERT_FALSE(alone.ok()) << args[0];
    EXPECT_NE(alone.error().message.find("--tls-cert and --tls-key go together"), std::string::npos)
        << alone.error().message;
  }
  auto both = parse({"--tls-cert", "cert.pem", "--tls-key", "key.pem"});
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->tls_cert, "cert.pem");
  EXPECT_EQ(both->tls_key, "key.pem");
}

TEST(LocalSettings, UnknownFlagIsAnError) {
  auto s = parse({"--fail-everything", "1"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidSetting");
}

TEST(LocalSettings, HelpListsTheOptions) {
  std::string help;
  auto s = parse({"--help"}, &help);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "Help");
  EXPECT_NE(help.find("--reset-after"), std::string::npos);
  EXPECT_NE(help.find("--quota-bytes"), std::string::npos);
}

TEST(LocalSettings, ConfigFileUsesTheFlagNamesAndFlagsWin) {
  const auto file = std::filesystem::temp_directory_path() / "firehose-local-settings-test.json";
  std::ofstream(file) << R"({"fail-records": 0.3, "quota-bytes": 5242880, "latency-ms": "7", "seed": 9,
                              "region": "eu-west-1"})";
  auto s = parse({"--config", file.c_str(), "--region", "us-west-2"});
  std::filesystem::remove(file);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_DOUBLE_EQ(s->runtime.faults.fail_records, 0.3);
  EXPECT_EQ(s->runtime.quotas.bytes, 5242880u);
  EXPECT_EQ(s->runtime.faults.latency, std::chrono::milliseconds(7));
  EXPECT_EQ(s->seed, 9u);
  EXPECT_EQ(s->region, "us-west-2");
}

TEST(LocalSettings, ConfigFileErrorsNameTheFile) {
  const auto file = std::filesystem::temp_directory_path() / "firehose-local-settings-bad.json";
  std::ofstream(file) << R"({"fail-records": 2})";
  auto s = parse({"--config", file.c_str()});
  std::filesystem::remove(file);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("firehose-local-settings-bad.json"), std::string::npos);
  EXPECT_NE(s.error().message.find("--fail-records"), std::string::npos);

  auto missing = parse({"--config", "/nonexistent/firehose-local.json"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/firehose-local.json"), std::string::npos);
}

TEST(LocalSettings, RuntimeChangesAreAllOrNothingAndRefuseStartupOptions) {
  Settings s;
  EXPECT_TRUE(apply_settings_json(s, nlohmann::json{{"fail-records", 0.5}, {"quota-requests", 3}}, true).ok());
  EXPECT_DOUBLE_EQ(s.runtime.faults.fail_records, 0.5);
  EXPECT_EQ(s.runtime.quotas.requests, 3u);

  // One bad entry: nothing changes.
  auto bad = apply_settings_json(s, nlohmann::json{{"fail-records", 0.1}, {"reset-after", 3}}, true);
  EXPECT_FALSE(bad.ok());
  EXPECT_DOUBLE_EQ(s.runtime.faults.fail_records, 0.5);

  auto startup = apply_settings_json(s, nlohmann::json{{"port", 1}}, true);
  ASSERT_FALSE(startup.ok());
  EXPECT_NE(startup.error().message.find("start-up"), std::string::npos);
  EXPECT_FALSE(apply_settings_json(s, nlohmann::json::array(), true).ok());
  EXPECT_FALSE(apply_settings_json(s, nlohmann::json{{"fail-records", nlohmann::json::array()}}, true).ok());
}

TEST(LocalSettings, ConsoleWriteIsAFlagOffByDefaultAndNotChangeableAtRuntime) {
  auto plain = parse({});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->console_write);
  EXPECT_EQ(settings_to_json(*plain).at("console-write"), false);
  auto flagged = parse({"--console-write", "--port", "0"});
  ASSERT_TRUE(flagged.ok()) << flagged.error().message;
  EXPECT_TRUE(flagged->console_write);
  EXPECT_EQ(flagged->port, 0) << "the flag takes no value: the next option is read as usual";
  EXPECT_FALSE(parse({"--console-write", "yes"}).ok()) << "a stray value is an unknown argument";
  auto off = parse({"--console-write=false"});
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->console_write) << "an explicit false is off, not 'given'";
  auto on = parse({"--console-write=true"});
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_TRUE(on->console_write);
  EXPECT_FALSE(parse({"--console-write=maybe"}).ok());
  Settings from_config;
  ASSERT_TRUE(apply_settings_json(from_config, {{"console-write", true}}, false).ok());
  EXPECT_TRUE(from_config.console_write);
  // The console cannot make itself writable: a start-up option only.
  auto at_runtime = apply_settings_json(from_config, {{"console-write", false}}, true);
  ASSERT_FALSE(at_runtime.ok());
  EXPECT_NE(at_runtime.error().message.find("--console-write"), std::string::npos);
}

TEST(LocalSettings, JsonViewRoundTripsThroughTheSameNames) {
  Settings s;
  ASSERT_TRUE(apply_setting(s, "latency-ms", "5:2").ok());
  ASSERT_TRUE(apply_setting(s, "credentials", "AK:secret").ok());
  const nlohmann::json view = settings_to_json(s);
  EXPECT_EQ(view.at("latency-ms"), "5:2");
  EXPECT_EQ(view.at("credentials"), nlohmann::json::array({"AK"}));
  EXPECT_EQ(view.dump().find("secret"), std::string::npos);
  // Every runtime option shown can be fed back unchanged.
  nlohmann::json runtime = nlohmann::json::object();
  for (const OptionInfo& option : option_table()) {
    if (option.runtime) runtime[option.name] = view.at(option.name);
  }
  Settings copy;
  ASSERT_TRUE(apply_settings_json(copy, runtime, true).ok());
  EXPECT_EQ(settings_to_json(copy).at("latency-ms"), "5:2");
}

}  // namespace
}  // namespace firehose::local
