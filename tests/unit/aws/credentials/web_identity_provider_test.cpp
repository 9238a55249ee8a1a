#include "aws/credentials/web_identity_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "credentials_servers.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

// A stand-in STS on loopback that records each AssumeRoleWithWebIdentity form.
class RecordingSts {
 public:
  RecordingSts() {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(req.body);
      res.set_content(
          "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
          "<AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
          "<Expiration>2031-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
          "</AssumeRoleWithWebIdentityResponse>",
          "text/xml");
    });
    thread_ = std::make_unique<testing::ServerThread>(server_);
    client_ = std::make_shared<const StsClient>(thread_->base_url(), "us-east-1", make_curl_http_client());
  }
  std::shared_ptr<const StsClient> client() const { return client_; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  std::unique_ptr<testing::ServerThread> thread_;
  std::shared_ptr<const StsClient> client_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
};

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

TEST(WebIdentityProvider, EnvironmentSettingsAndTokenReReadOnEachCall) {
  testing::TempDir dir;
  const auto token_file = dir.write("token", "first-token\n");
  RecordingSts sts;
  auto env = Environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file.string()},
                                    {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"},
                                    {"AWS_ROLE_SESSION_NAME", "pod-session"}});
  WebIdentityProvider provider(env, testing::profiles("", ""), sts.client());
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "ASIAWEB");
  EXPECT_EQ(creds->provider, "web-identity");

  dir.write("token", "rotated-token");
  ASSERT_TRUE(provider.get().ok());
  const auto bodies = sts.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_TRUE(contains(bodies[0], "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpod")) << bodies[0];
  EXPECT_TRUE(contains(bodies[0], "RoleSessionName=pod-session")) << bodies[0];
  EXPECT_TRUE(bodies[0].ends_with("WebIdentityToken=first-token")) << bodies[0];  // newline trimmed
  EXPECT_TRUE(bodies[1].ends_with("WebIdentityToken=rotated-token")) << bodies[1];
}

TEST(WebIdentityProvider, ProfileSettingsAndEnvironmentPrecedence) {
  testing::TempDir dir;
  const auto profile_token = dir.write("profile-token", "from-profile");
  const auto env_token = dir.write("env-token", "from-env");
  RecordingSts sts;
  auto context = testing::profiles("[profile eks]\nweb_identity_token_file = " + profile_token.string() +
                                       "\nrole_arn = arn:aws:iam::1:role/profile-role\nrole_session_name = p\n",
                                   "", "eks");
  ASSERT_TRUE(WebIdentityProvider(Environment::from_map({}), context, sts.client()).get().ok());

  // Each variable overrides its own setting only.
  auto env = Environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", env_token.string()}});
  ASSERT_TRUE(WebIdentityProvider(env, context, sts.client()).get().ok());
  // A role's source profile ignores the variables.
  ASSERT_TRUE(WebIdentityProvider(env, context, sts.client(), /*use_environment=*/false).get().ok());

  const auto bodies = sts.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_TRUE(contains(bodies[0], "role%2Fprofile-role") && contains(bodies[0], "RoleSessionName=p&") &&
              bodies[0].ends_with("WebIdentityToken=from-profile"))
      << bodies[0];
  EXPECT_TRUE(contains(bodies[1], "role%2Fprofile-role") && bodies[1].ends_with("WebIdentityToken=from-env"))
      << bodies[1];
  EXPECT_TRUE(bodies[2].ends_with("WebIdentityToken=from-profile")) << bodies[2];
}

TEST(WebIdentityProvider, MissesAndMisconfigurations) {
  RecordingSts sts;
  auto nothing = WebIdentityProvider(Environment::from_map({}), testing::profiles("", ""), sts.client()).get();
  ASSERT_FALSE(nothing.ok());
  EXPECT_TRUE(is_credentials_not_found(nothing.error()));
  EXPECT_TRUE(contains(nothing.error().message, "AWS_WEB_IDENTITY_TOKEN_FILE not set")) << nothing.error().message;

  testing::TempDir dir;
  const auto token = dir.write("token", "t");
  auto no_role = WebIdentityProvider(Environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()}}),
                                     testing::profiles("", ""), sts.client())
                     .get();
  ASSERT_FALSE(no_role.ok());
  EXPECT_FALSE(is_credentials_not_found(no_role.error()));
  EXPECT_TRUE(contains(no_role.error().message, "AWS_ROLE_ARN")) << no_role.error().message;

  auto unreadable =
      WebIdentityProvider(Environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir.path() / "gone").string()},
                                                 {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}),
                          testing::profiles("", ""), sts.client())
          .get();
  ASSERT_FALSE(unreadable.ok());
  EXPECT_TRUE(contains(unreadable.error().message, "cannot read web identity token file"))
      << unreadable.error().message;
  EXPECT_TRUE(sts.bodies().empty());
}

class WebIdentityProviderMotoTest : public testing::MotoTest {};

TEST_F(WebIdentityProviderMotoTest, ExchangesTheTokenAtSts) {
  testing::TempDir dir;
  const auto token = dir.write("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln\n");
  auto sts = std::make_shared<const StsClient>(moto_->url(), "us-east-1", make_curl_http_client());
  WebIdentityProvider provider(Environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()},
                                                      {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"}}),
                               testing::profiles("", ""), sts);
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->access_key_id.empty());
  EXPECT_FALSE(creds->session_token.empty());
  EXPECT_TRUE(creds->expiration.has_value());
}

}  // namespace
}  // namespace firehose::aws
