#include "aws/config_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <gtest/gtest.h>
#include "firehose/logging.hpp"

namespace firehose::aws {
namespace {

TEST(ConfigFile, ParsesSectionsValuesAndNestedBlocks) {
  auto file = ConfigFile::parse(
      "# comment\n"
      "[default]\n"
      "region = eu-west-1\n"
      "Output=json\n"
      "\n"
      "[profile dev]\n"
      "role_arn = arn:aws:iam::123456789012:role/dev\n"
      "source_profile = default\n"
      "[services local]\n"
      "firehose =\n"
      "  endpoint_url = http://127.0.0.1:4573\n"
      "region = us-east-2\n");
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  const ConfigSection* def = file->section("default");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->get("region"), "eu-west-1");
  EXPECT_EQ(def->get("output"), "json");  // keys are case-insensitive
  const ConfigSection* services = file->section("services local");
  ASSERT_NE(services, nullptr);
  EXPECT_EQ(services->get_nested("firehose", "endpoint_url"), "http://127.0.0.1:4573");
  EXPECT_EQ(services->get("region"), "us-east-2");  // un-indented line ends the nested block
  EXPECT_FALSE(services->get_nested("firehose", "region").has_value());
}

TEST(ConfigFile, RejectsMalformedLinesNamingTheLine) {
  auto file = ConfigFile::parse("[default]\nthis is not a setting\n", "cfg");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::Config);
  EXPECT_NE(file.error().message.find("cfg:2"), std::string::npos);
  EXPECT_FALSE(ConfigFile::parse("region = x\n").ok());
  EXPECT_FALSE(ConfigFile::parse("[default\n").ok());
}

TEST(SharedConfig, CredentialsFileOverridesConfigAndProfilePrefixIsUsed) {
  auto config = ConfigFile::parse(
      "[default]\nregion=us-west-2\naws_access_key_id=FROMCONFIG\n"
      "[profile dev]\nregion=eu-central-1\n[dev]\nregion=wrong\n");
  auto credentials = ConfigFile::parse("[default]\naws_access_key_id=FROMCREDS\n[dev]\naws_secret_access_key=s\n");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(credentials.ok());
  auto shared = SharedConfig::from(*config, *credentials);
  auto def = shared.profile("default");
  ASSERT_TRUE(def.has_value());
  EXPECT_EQ(def->get("aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(def->get("region"), "us-west-2");
  auto dev = shared.profile("dev");
  ASSERT_TRUE(dev.has_value());
  EXPECT_EQ(dev->get("region"), "eu-central-1");  // [dev] in the config file is not a profile
  EXPECT_EQ(dev->get("aws_secret_access_key"), "s");
  EXPECT_FALSE(shared.profile("nope").has_value());
}

TEST(SharedConfig, ActiveProfileOrder) {
  EXPECT_EQ(active_profile_name(Environment::from_map({}), std::nullopt), "default");
  EXPECT_EQ(active_profile_name(Environment::from_map({{"AWS_DEFAULT_PROFILE", "b"}}), std::nullopt), "b");
  EXPECT_EQ(
      active_profile_name(Environment::from_map({{"AWS_PROFILE", "a"}, {"AWS_DEFAULT_PROFILE", "b"}}), std::nullopt),
      "a");
  EXPECT_EQ(active_profile_name(Environment::from_map({{"AWS_PROFILE", "a"}}), std::string("c")), "c");
}

TEST(SharedConfig, LoadsFilesNamedByEnvironmentAndToleratesMissingOnes) {
  auto env = Environment::from_map(
      {{"AWS_CONFIG_FILE", "/nonexistent/config"}, {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}});
  auto shared = SharedConfig::load(env);
  ASSERT_TRUE(shared.ok());
  EXPECT_FALSE(shared->profile("default").has_value());
}

// What SharedConfig::load logs, with a credentials file of this mode.
std::string warnings_for_credentials_mode(const std::filesystem::path& path, std::filesystem::perms mode) {
  std::ofstream(path) << "[default]\naws_access_key_id = AKID\naws_secret_access_key = s3cr3t\n";
  std::filesystem::permissions(path, mode);
  std::ostringstream log;
  // Through the library's public logging hook (its messages never reach spdlog's default logger).
  firehose::set_log_callback([&log](const firehose::LogMessage& m) { log << m.text << '\n'; });
  auto env = Environment::from_map(
      {{"AWS_CONFIG_FILE", "/nonexistent/config"}, {"AWS_SHARED_CREDENTIALS_FILE", path.string()}});
  const bool loaded = SharedConfig::load(env).ok() && SharedConfig::load(env).ok();  // read twice
  firehose::set_log_callback(nullptr);
  EXPECT_TRUE(loaded);
  return log.str();
}

TEST(SharedConfig, WarnsOnceWhenTheCredentialsFileIsReadableByOthers) {
  const auto dir = std::filesystem::temp_directory_path() / ("firehose-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  using std::filesystem::perms;
  const std::string open_log = warnings_for_credentials_mode(
      dir / "open", perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  EXPECT_NE(open_log.find("readable by other users (mode 0644): chmod 600"), std::string::npos) << open_log;
  EXPECT_EQ(open_log.find("readable by other users"), open_log.rfind("readable by other users")) << "once";
  EXPECT_EQ(open_log.find("s3cr3t"), std::string::npos) << open_log;
  const std::string private_log =
      warnings_for_credentials_mode(dir / "private", perms::owner_read | perms::owner_write);
  EXPECT_EQ(private_log.find("readable"), std::string::npos) << private_log;
  std::filesystem::remove_all(dir);
}

TEST(SharedConfig, DoesNotWarnAboutACredentialsFileThatIsNotARegularFile) {
  // /dev/null (mode 0666) as "no credentials file": nothing in it to protect.
  std::ostringstream log;
  firehose::set_log_callback([&log](const firehose::LogMessage& m) { log << m.text << '\n'; });
  auto env = Environment::from_map({{"AWS_CONFIG_FILE", "/dev/null"}, {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}});
  const bool loaded = SharedConfig::load(env).ok();
  firehose::set_log_callback(nullptr);
  EXPECT_TRUE(loaded);
  EXPECT_EQ(log.str().find("readable by other users"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace firehose::aws
