#include "aws/credentials/chain_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/environment_provider.hpp"
#include "aws/credentials/not_found.hpp"
#include "aws/credentials/profile_provider.hpp"
#include "aws/credentials/sso_provider.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

// Answers with a fixed outcome and counts how often it was asked.
class FixedProvider : public CredentialsProvider {
 public:
  FixedProvider(std::string name, Result<Credentials> outcome) : name_(std::move(name)), outcome_(std::move(outcome)) {}
  Result<Credentials> get() override {
    ++calls;
    return outcome_;
  }
  std::string name() const override { return name_; }
  int calls = 0;

 private:
  std::string name_;
  Result<Credentials> outcome_;
};

TEST(ChainProvider, FirstProviderWithCredentialsWins) {
  auto env = std::make_shared<EnvironmentProvider>(Environment::from_map({}));
  auto file = std::make_shared<ProfileProvider>(
      testing::profiles("", "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n"),
      ProfileFile::Credentials);
  Credentials later;
  later.access_key_id = "LATER";
  auto after = std::make_shared<FixedProvider>("after", later);
  ChainProvider chain({env, file, after});
  auto creds = chain.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "FROMFILE");
  EXPECT_EQ(creds->provider, "shared-credentials-file");
  EXPECT_EQ(after->calls, 0);
}

TEST(ChainProvider, NothingFoundListsEveryProviderAndWhy) {
  ChainProvider chain({std::make_shared<EnvironmentProvider>(Environment::from_map({})),
                       std::make_shared<ProfileProvider>(testing::profiles("", ""), ProfileFile::Credentials),
                       std::make_shared<FixedProvider>("custom", credentials_not_found("nothing here"))});
  auto creds = chain.get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().kind, ErrorKind::Config);
  EXPECT_EQ(creds.error().code, "NoCredentials");
  const std::string& message = creds.error().message;
  const auto env_at = message.find("environment: AWS_ACCESS_KEY_ID not set");
  const auto file_at = message.find("shared-credentials-file: profile default not in ~/.aws/credentials");
  const auto custom_at = message.find("custom: nothing here");
  ASSERT_NE(env_at, std::string::npos) << message;
  ASSERT_NE(file_at, std::string::npos) << message;
  ASSERT_NE(custom_at, std::string::npos) << message;
  EXPECT_LT(env_at, file_at);
  EXPECT_LT(file_at, custom_at);
}

TEST(ChainProvider, AConfiguredButFailingProviderStopsTheChain) {
  auto broken = std::make_shared<FixedProvider>(
      "broken", make_error(ErrorKind::Config, "CredentialProcessFailed", "exited with status 1"));
  Credentials later;
  later.access_key_id = "LATER";
  auto after = std::make_shared<FixedProvider>("after", later);
  ChainProvider chain({broken, after});
  auto creds = chain.get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "CredentialProcessFailed");
  EXPECT_EQ(creds.error().message, "broken: exited with status 1");
  EXPECT_EQ(after->calls, 0);
}

TEST(SsoProvider, SsoProfilesAreReportedAsUnsupported) {
  auto context = testing::profiles(
      "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n", "", "corp");
  auto creds = SsoProvider(context).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_NE(creds.error().message.find("SSO profiles are not supported yet"), std::string::npos);
  EXPECT_NE(creds.error().message.find("sso_session"), std::string::npos);

  auto plain = SsoProvider(testing::profiles("[default]\nregion = us-east-1\n", "")).get();
  ASSERT_FALSE(plain.ok());
  EXPECT_TRUE(is_credentials_not_found(plain.error()));
}

}  // namespace
}  // namespace firehose::aws
