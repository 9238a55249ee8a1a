#include "aws/credentials/environment_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "core/timestamp.hpp"

namespace firehose::aws {
namespace {

TEST(EnvironmentProvider, ReadsKeysTokenAndExpiration) {
  EnvironmentProvider provider(Environment::from_map({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                      {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                      {"AWS_SESSION_TOKEN", "token"},
                                                      {"AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z"}}));
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(creds->secret_access_key, "secret");
  EXPECT_EQ(creds->session_token, "token");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(format_iso8601(*creds->expiration), "2030-01-02T03:04:05Z");
  EXPECT_EQ(creds->provider, "environment");
}

TEST(EnvironmentProvider, LongTermKeysHaveNoTokenNorExpiration) {
  EnvironmentProvider provider(
      Environment::from_map({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}}));
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok());
  EXPECT_TRUE(creds->session_token.empty());
  EXPECT_FALSE(creds->expiration.has_value());
}

TEST(EnvironmentProvider, LegacySecurityTokenIsAccepted) {
  EnvironmentProvider provider(Environment::from_map(
      {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}, {"AWS_SECURITY_TOKEN", "legacy"}}));
  EXPECT_EQ(provider.get()->session_token, "legacy");
}

TEST(EnvironmentProvider, UnsetOrEmptyAccessKeyIsASoftMiss) {
  for (auto env : {Environment::from_map({}),
                   Environment::from_map({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "s"}})}) {
    auto creds = EnvironmentProvider(env).get();
    ASSERT_FALSE(creds.ok());
    EXPECT_TRUE(is_credentials_not_found(creds.error()));
    EXPECT_NE(creds.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  }
}

TEST(EnvironmentProvider, AccessKeyWithoutSecretIsAnError) {
  auto creds = EnvironmentProvider(Environment::from_map({{"AWS_ACCESS_KEY_ID", "AKID"}})).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().code, "PartialCredentials");
}

TEST(EnvironmentProvider, BadExpirationIsAnError) {
  auto creds = EnvironmentProvider(Environment::from_map({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                          {"AWS_SECRET_ACCESS_KEY", "s"},
                                                          {"AWS_CREDENTIAL_EXPIRATION", "tomorrow"}}))
                   .get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "InvalidCredentialExpiration");
}

}  // namespace
}  // namespace firehose::aws
