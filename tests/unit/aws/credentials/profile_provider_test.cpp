#include "aws/credentials/profile_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

using testing::profiles;

TEST(ProfileProvider, ReadsKeysFromTheCredentialsFile) {
  auto context =
      profiles("", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\naws_session_token = t\n", "dev");
  ProfileProvider provider(context, ProfileFile::Credentials);
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "AKIDDEV");
  EXPECT_EQ(creds->secret_access_key, "s");
  EXPECT_EQ(creds->session_token, "t");
  EXPECT_EQ(creds->provider, "shared-credentials-file");
  EXPECT_FALSE(creds->expiration.has_value());
}

TEST(ProfileProvider, EachInstanceReadsOnlyItsFile) {
  auto context = profiles("[profile dev]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = s\n", "", "dev");
  auto from_credentials = ProfileProvider(context, ProfileFile::Credentials).get();
  ASSERT_FALSE(from_credentials.ok());
  EXPECT_TRUE(is_credentials_not_found(from_credentials.error()));
  EXPECT_NE(from_credentials.error().message.find("~/.aws/credentials"), std::string::npos);

  auto from_config = ProfileProvider(context, ProfileFile::Config).get();
  ASSERT_TRUE(from_config.ok());
  EXPECT_EQ(from_config->access_key_id, "FROMCONFIG");
  EXPECT_EQ(from_config->provider, "config-file");
}

TEST(ProfileProvider, ConfigFileDefaultProfileWithOrWithoutPrefix) {
  for (const char* header : {"[default]", "[profile default]"}) {
    auto context = profiles(std::string(header) + "\naws_access_key_id = A\naws_secret_access_key = s\n", "");
    auto creds = ProfileProvider(context, ProfileFile::Config).get();
    ASSERT_TRUE(creds.ok()) << header;
    EXPECT_EQ(creds->access_key_id, "A");
  }
}

TEST(ProfileProvider, ProfileWithoutKeysIsASoftMiss) {
  auto context = profiles("[default]\nregion = eu-west-1\n", "");
  auto creds = ProfileProvider(context, ProfileFile::Config).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
}

TEST(ProfileProvider, HalfAKeyPairIsAnError) {
  auto context = profiles("", "[default]\naws_access_key_id = A\n");
  auto creds = ProfileProvider(context, ProfileFile::Credentials).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "PartialCredentials");
  EXPECT_NE(creds.error().message.find("aws_secret_access_key"), std::string::npos);
}

TEST(ProfileProvider, MessagesNameTheConfiguredPaths) {
  testing::TempDir dir;
  const auto config = dir.write("config", "[profile other]\nregion = us-east-1\n");
  const auto credentials = dir.write("credentials", "");
  auto env = Environment::from_map({{"AWS_CONFIG_FILE", config.string()},
                                    {"AWS_SHARED_CREDENTIALS_FILE", credentials.string()},
                                    {"AWS_PROFILE", "nope"}});
  auto context = ProfileContext::load(env, std::nullopt);
  ASSERT_TRUE(context.ok()) << context.error().to_string();
  EXPECT_EQ(context->profile, "nope");
  EXPECT_EQ(context->not_found_message(), "profile nope not found in " + credentials.string() + ", " + config.string());
  auto creds = ProfileProvider(*context, ProfileFile::Config).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.error().message.find(config.string()), std::string::npos);
}

}  // namespace
}  // namespace firehose::aws
