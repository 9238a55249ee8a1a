#include "aws/region.hpp"

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

SharedConfig config_with(const std::string& text) {
  auto file = ConfigFile::parse(text);
  EXPECT_TRUE(file.ok());
  return SharedConfig::from(file.ok() ? std::move(file).value() : ConfigFile{}, ConfigFile{});
}

const char* kProfiles =
    "[default]\nregion = eu-west-1\n"
    "[profile dev]\nregion = ap-southeast-2\n"
    "[profile bare]\noutput = json\n";

TEST(ResolveRegion, FlagBeatsEverything) {
  const auto env = Environment::from_map({{"AWS_REGION", "us-east-2"}, {"AWS_DEFAULT_REGION", "us-west-1"}});
  auto region = resolve_region(env, config_with(kProfiles), "dev", std::string("ca-central-1"));
  ASSERT_TRUE(region.ok()) << region.error().to_string();
  EXPECT_EQ(*region, "ca-central-1");
}

TEST(ResolveRegion, EnvironmentOrderThenProfile) {
  const SharedConfig config = config_with(kProfiles);
  EXPECT_EQ(*resolve_region(Environment::from_map({{"AWS_REGION", "us-east-2"}, {"AWS_DEFAULT_REGION", "us-west-1"}}),
                            config, "dev", std::nullopt),
            "us-east-2");
  EXPECT_EQ(*resolve_region(Environment::from_map({{"AWS_DEFAULT_REGION", "us-west-1"}}), config, "dev", std::nullopt),
            "us-west-1");
  EXPECT_EQ(*resolve_region(Environment::from_map({}), config, "dev", std::nullopt), "ap-southeast-2");
  EXPECT_EQ(*resolve_region(Environment::from_map({}), config, "default", std::nullopt), "eu-west-1");
}

TEST(ResolveRegion, EmptyValuesCountAsUnset) {
  const auto env = Environment::from_map({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", ""}});
  auto region = resolve_region(env, config_with(kProfiles), "dev", std::string());
  ASSERT_TRUE(region.ok());
  EXPECT_EQ(*region, "ap-southeast-2");
}

TEST(ResolveRegion, NoRegionAnywhereIsAConfigErrorThatSaysWhatToDo) {
  for (const std::string profile : {"bare", "missing"}) {
    auto region = resolve_region(Environment::from_map({}), config_with(kProfiles), profile, std::nullopt);
    ASSERT_FALSE(region.ok()) << profile;
    EXPECT_EQ(region.error().kind, ErrorKind::Config);
    EXPECT_EQ(region.error().code, "NoRegion");
    const std::string& message = region.error().message;
    EXPECT_NE(message.find("You must specify a region"), std::string::npos);
    for (const char* checked : {"SessionOptions::region", "AWS_REGION", "AWS_DEFAULT_REGION"}) {
      EXPECT_NE(message.find(checked), std::string::npos) << checked;
    }
    EXPECT_NE(message.find("'" + profile + "'"), std::string::npos);
  }
}

TEST(ResolveRegion, RefusesRegionsThatCannotBeAHostLabel) {
  const auto env = Environment::from_map({{"AWS_REGION", "us-east-1.evil.example"}});
  auto region = resolve_region(env, config_with(kProfiles), "dev", std::nullopt);
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().kind, ErrorKind::Config);
  EXPECT_EQ(region.error().code, "InvalidRegion");
  EXPECT_NE(region.error().message.find("AWS_REGION"), std::string::npos);
}

TEST(RegionName, HostLabelRules) {
  for (const char* good : {"us-east-1", "eu-isoe-west-1", "aws-global", "fake-region-10", "a", "US-EAST-1"}) {
    EXPECT_TRUE(is_valid_region_name(good)) << good;
  }
  for (const char* bad :
       {"", "-us-east-1", "us-east-1-", "us east 1", "us_east_1", "us-east-1/", "12345", "us-east-1.example.com"}) {
    EXPECT_FALSE(is_valid_region_name(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_region_name(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_region_name(std::string(64, 'a')));
}

// The library names its own option; an application says what its users call it.
TEST(ResolveRegion, MessagesNameTheOptionAsTheApplicationCallsIt) {
  auto by_default = resolve_region(Environment::from_map({}), config_with(kProfiles), "bare", std::string("no_such"));
  ASSERT_FALSE(by_default.ok());
  EXPECT_NE(by_default.error().message.find("(from SessionOptions::region)"), std::string::npos)
      << by_default.error().message;
  auto from_cli =
      resolve_region(Environment::from_map({}), config_with(kProfiles), "bare", std::string("no_such"), "--region");
  ASSERT_FALSE(from_cli.ok());
  EXPECT_NE(from_cli.error().message.find("(from --region)"), std::string::npos) << from_cli.error().message;
  auto missing = resolve_region(Environment::from_map({}), config_with(kProfiles), "bare", std::nullopt, "--region");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("Checked --region,"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace firehose::aws
