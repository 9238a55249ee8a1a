#include "aws/credentials/assume_role_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/environment_provider.hpp"
#include "aws/credentials/not_found.hpp"
#include "credentials_servers.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

using namespace std::chrono_literals;

// An STS nobody answers: for configurations that must fail before any call.
std::shared_ptr<const StsClient> unreachable_sts() {
  return std::make_shared<const StsClient>("http://127.0.0.1:" + std::to_string(testing::free_port()), "us-east-1",
                                           make_curl_http_client());
}

Result<Credentials> assume(const std::string& config, const std::string& credentials, const std::string& profile,
                           std::shared_ptr<const StsClient> sts = unreachable_sts(), RoleSourceProviders sources = {}) {
  return AssumeRoleProvider(testing::profiles(config, credentials, profile), std::move(sts), std::move(sources)).get();
}

void expect_config_error(const Result<Credentials>& creds, const std::string& fragment) {
  ASSERT_FALSE(creds.ok());
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().kind, ErrorKind::Config);
  EXPECT_NE(creds.error().message.find(fragment), std::string::npos) << creds.error().message;
}

TEST(AssumeRoleProvider, ProfilesWithoutRoleArnAreSoftMisses) {
  for (const auto& config :
       {std::string("[default]\nregion = us-east-1\n"),
        std::string("[default]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n"), std::string("")}) {
    auto creds = assume(config, "", "default");
    ASSERT_FALSE(creds.ok());
    EXPECT_TRUE(is_credentials_not_found(creds.error())) << creds.error().to_string();
  }
}

TEST(AssumeRoleProvider, SourceProfileCyclesAreRefused) {
  const std::string config =
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
      "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n";
  expect_config_error(assume(config, "", "a"), "a -> b -> c -> a");
}

TEST(AssumeRoleProvider, SelfReferenceNeedsStaticKeys) {
  expect_config_error(assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n", "", "a"), "a -> a");
}

TEST(AssumeRoleProvider, InvalidRoleConfigurations) {
  expect_config_error(assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\n", "", "a"),
                      "neither source_profile nor credential_source");
  expect_config_error(
      assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\ncredential_source = Environment\n"
             "[profile b]\naws_access_key_id = A\naws_secret_access_key = s\n",
             "", "a"),
      "both source_profile and credential_source");
  expect_config_error(assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = missing\n", "", "a"),
                      "source_profile missing of profile a does not exist");
  expect_config_error(assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Laptop\n", "", "a"),
                      "credential_source 'Laptop' is not valid");
  expect_config_error(assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\n"
                             "region = us-east-1\n",
                             "", "a"),
                      "source_profile b of profile a has no credentials");
  expect_config_error(
      assume("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
             "duration_seconds = an hour\n[profile b]\naws_access_key_id = A\naws_secret_access_key = s\n",
             "", "a"),
      "duration_seconds");
}

TEST(AssumeRoleProvider, SendsTheProfilesRoleSettings) {
  httplib::Server server;
  std::string body, authorization;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    authorization = req.get_header_value("Authorization");
    res.set_content(
        "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
        "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
        "<Expiration>2031-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
        "text/xml");
  });
  testing::ServerThread thread(server);
  auto sts = std::make_shared<const StsClient>(thread.base_url(), "us-east-1", make_curl_http_client());

  auto creds = assume(
      "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = base\nrole_session_name = me\n"
      "external_id = 42\nduration_seconds = 3600\n",
      "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n", "a", sts);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "ASIAROLE");
  EXPECT_EQ(creds->provider, "assume-role");
  EXPECT_EQ(body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa"
            "&RoleSessionName=me&DurationSeconds=3600&ExternalId=42");
  EXPECT_NE(authorization.find("Credential=AKIDBASE/"), std::string::npos) << authorization;

  // Without role_session_name, the session is named after the clock.
  const auto fixed = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  AssumeRoleProvider unnamed(
      testing::profiles("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\naws_access_key_id = "
                        "AKIDSELF\naws_secret_access_key = s\n",
                        "", "a"),
      sts, {}, [fixed] { return fixed; });
  ASSERT_TRUE(unnamed.get().ok());
  EXPECT_NE(body.find("RoleSessionName=firehose-session-1700000000"), std::string::npos) << body;
  EXPECT_NE(authorization.find("Credential=AKIDSELF/"), std::string::npos) << authorization;  // self-reference
}

class AssumeRoleProviderMotoTest : public testing::MotoTest {
 protected:
  std::shared_ptr<const StsClient> sts() const {
    return std::make_shared<const StsClient>(moto_->url(), "us-east-1", make_curl_http_client());
  }
};

TEST_F(AssumeRoleProviderMotoTest, StaticSourceProfileWithSignatureChecking) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "alice", "deployer");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  auto creds = assume("[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = keys\n",
                      "[keys]\naws_access_key_id = " + user.access_key_id +
                          "\naws_secret_access_key = " + user.secret_access_key + "\n",
                      "deploy", sts());
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->session_token.empty());
  EXPECT_TRUE(creds->expiration.has_value());

  // Wrong source keys: STS's refusal surfaces, naming the profile and role.
  auto refused = assume("[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = keys\n",
                        "[keys]\naws_access_key_id = " + user.access_key_id + "\naws_secret_access_key = wrong\n",
                        "deploy", sts());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::Auth);
  EXPECT_NE(refused.error().message.find("profile deploy"), std::string::npos) << refused.error().message;
}

TEST_F(AssumeRoleProviderMotoTest, RoleChainsThroughSourceProfilesThatAssumeRoles) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "bob", "first");
  (void)testing::create_moto_user_and_role(*moto_, "carol", "second");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  // top -> middle (assumes "first" with bob's keys) -> base (static keys).
  const std::string config =
      "[profile top]\nrole_arn = arn:aws:iam::123456789012:role/second\nsource_profile = middle\n"
      "[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/first\nsource_profile = base\n";
  auto creds = assume(config,
                      "[base]\naws_access_key_id = " + user.access_key_id +
                          "\naws_secret_access_key = " + user.secret_access_key + "\n",
                      "top", sts());
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->provider, "assume-role");
  EXPECT_FALSE(creds->session_token.empty());
}

TEST_F(AssumeRoleProviderMotoTest, CredentialSourceEnvironment) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "dave", "from-env");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  RoleSourceProviders sources;
  const auto env = Environment::from_map(
      {{"AWS_ACCESS_KEY_ID", user.access_key_id}, {"AWS_SECRET_ACCESS_KEY", user.secret_access_key}});
  sources.for_credential_source = [env](const std::string& name) -> CredentialsProviderPtr {
    return name == "Environment" ? std::make_shared<EnvironmentProvider>(env) : nullptr;
  };
  auto creds =
      assume("[default]\nrole_arn = arn:aws:iam::123456789012:role/from-env\ncredential_source = Environment\n", "",
             "default", sts(), sources);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->session_token.empty());

  // The named source finds nothing: a configuration error, not a soft miss.
  sources.for_credential_source = [](const std::string&) -> CredentialsProviderPtr {
    return std::make_shared<EnvironmentProvider>(Environment::from_map({}));
  };
  expect_config_error(assume("[default]\nrole_arn = arn:aws:iam::123456789012:role/from-env\n"
                             "credential_source = Environment\n",
                             "", "default", sts(), sources),
                      "credential_source Environment found no credentials");
}

}  // namespace
}  // namespace firehose::aws
