#include "aws/credentials/imds_provider.hpp"

#include <atomic>

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "credentials_servers.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "AQAEAimdsTOKEN==";
constexpr const char* kRole = "instance-role";

// An instance metadata service: IMDSv2 tokens, the role list and the role's
// credentials. `token_status` decides how the token PUT is answered (0:
// hang longer than the client waits); GETs without a token are accepted only
// when `v1_allowed`.
class FakeImds {
 public:
  FakeImds() {
    server_.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        ttl_headers_.push_back(req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds"));
      }
      if (token_status == 0) {
        std::this_thread::sleep_for(2000ms);
        return;
      }
      res.status = token_status;
      if (token_status == 200) res.set_content(kToken, "text/plain");
    });
    server_.Get(R"(/latest/meta-data/iam/security-credentials/(.*))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  const std::string token = req.get_header_value("X-aws-ec2-metadata-token");
                  {
                    std::lock_guard lock(mutex_);
                    gets_.push_back(req.path + (token.empty() ? " (no token)" : " (token " + token + ")"));
                  }
                  if (token.empty() ? !v1_allowed.load() : token != kToken) {
                    res.status = 401;
                    return;
                  }
                  const std::string role = req.matches[1];
                  if (role.empty()) {
                    if (has_role)
                      res.set_content(std::string(kRole) + "\n", "text/plain");
                    else
                      res.status = 404;
                  } else if (role == kRole) {
                    res.set_content(credentials_document, "text/plain");
                  } else {
                    res.status = 404;
                  }
                });
    thread_ = std::make_unique<testing::ServerThread>(server_);
  }

  std::string endpoint() const { return thread_->base_url(); }
  std::vector<std::string> gets() {
    std::lock_guard lock(mutex_);
    return gets_;
  }
  std::vector<std::string> ttl_headers() {
    std::lock_guard lock(mutex_);
    return ttl_headers_;
  }

  std::atomic<int> token_status{200};
  std::atomic<bool> v1_allowed{false};
  std::atomic<bool> has_role{true};
  std::string credentials_document =
      R"({"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS",)"
      R"("SecretAccessKey":"secret","Token":"token","Expiration":"2031-01-01T00:00:00Z"})";

 private:
  httplib::Server server_;
  std::unique_ptr<testing::ServerThread> thread_;
  std::mutex mutex_;
  std::vector<std::string> gets_;
  std::vector<std::string> ttl_headers_;
};

ImdsProvider provider_for(const FakeImds& imds, std::map<std::string, std::string> env = {},
                          const std::string& config = "") {
  env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint();
  auto settings = ImdsSettings::resolve(Environment::from_map(env), testing::profiles(config, "").section());
  HttpOptions options;
  options.connect_timeout = 1000ms;
  options.request_timeout = 1000ms;
  return ImdsProvider(settings, make_curl_http_client(options));
}

const std::string kRolesPath = "/latest/meta-data/iam/security-credentials/";

TEST(ImdsProvider, Imdsv2TokenFlow) {
  FakeImds imds;
  auto creds = provider_for(imds).get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "ASIAIMDS");
  EXPECT_EQ(creds->secret_access_key, "secret");
  EXPECT_EQ(creds->session_token, "token");
  EXPECT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(creds->provider, "imds");
  EXPECT_EQ(imds.ttl_headers(), std::vector<std::string>{"21600"});
  const std::string with_token = std::string(" (token ") + kToken + ")";
  EXPECT_EQ(imds.gets(), (std::vector<std::string>{kRolesPath + with_token, kRolesPath + kRole + with_token}));
}

TEST(ImdsProvider, FallsBackToV1WhenTheTokenRequestIsRefused) {
  for (int status : {403, 404, 405}) {
    FakeImds imds;
    imds.token_status = status;
    imds.v1_allowed = true;
    auto creds = provider_for(imds).get();
    ASSERT_TRUE(creds.ok()) << status << ": " << creds.error().to_string();
    EXPECT_EQ(creds->access_key_id, "ASIAIMDS");
    EXPECT_EQ(imds.gets(), (std::vector<std::string>{kRolesPath + " (no token)", kRolesPath + kRole + " (no token)"}))
        << status;
  }
}

TEST(ImdsProvider, FallsBackToV1WhenTheTokenRequestTimesOut) {
  FakeImds imds;
  imds.token_status = 0;
  imds.v1_allowed = true;
  auto creds = provider_for(imds).get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(imds.gets().size(), 2u);
}

TEST(ImdsProvider, NoFallbackOnBadRequest) {
  FakeImds imds;
  imds.token_status = 400;
  imds.v1_allowed = true;
  auto creds = provider_for(imds).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_NE(creds.error().message.find("400"), std::string::npos) << creds.error().message;
  EXPECT_TRUE(imds.gets().empty());
}

TEST(ImdsProvider, V1DisabledByEnvironmentOrProfile) {
  for (bool by_env : {true, false}) {
    FakeImds imds;
    imds.token_status = 403;
    imds.v1_allowed = true;
    auto provider = by_env ? provider_for(imds, {{"AWS_EC2_METADATA_V1_DISABLED", "true"}})
                           : provider_for(imds, {}, "[default]\nec2_metadata_v1_disabled = true\n");
    auto creds = provider.get();
    ASSERT_FALSE(creds.ok());
    EXPECT_EQ(creds.error().code, "ImdsV1Disabled");
    EXPECT_TRUE(imds.gets().empty());
  }
}

TEST(ImdsProvider, DisabledMakesNoRequest) {
  FakeImds imds;
  auto creds = provider_for(imds, {{"AWS_EC2_METADATA_DISABLED", "true"}}).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_TRUE(imds.ttl_headers().empty());
}

TEST(ImdsProvider, NoRoleOrAnErrorDocumentIsASoftMiss) {
  FakeImds no_role;
  no_role.has_role = false;
  auto creds = provider_for(no_role).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));

  FakeImds failing;
  failing.credentials_document = R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role"})";
  auto refused = provider_for(failing).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(is_credentials_not_found(refused.error()));
  EXPECT_NE(refused.error().message.find("AssumeRoleUnauthorizedAccess"), std::string::npos);
}

TEST(ImdsProvider, UnreachableEndpointIsASoftMiss) {
  ImdsSettings settings;
  settings.endpoint = "http://127.0.0.1:" + std::to_string(testing::free_port());
  auto creds = ImdsProvider(settings, make_curl_http_client()).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_NE(creds.error().message.find("no answer"), std::string::npos) << creds.error().message;
}

TEST(ImdsSettings, ResolvedFromEnvironmentThenProfile) {
  auto defaults = ImdsSettings::resolve(Environment::from_map({}), std::nullopt);
  EXPECT_FALSE(defaults.disabled);
  EXPECT_EQ(defaults.endpoint, "http://169.254.169.254");
  EXPECT_FALSE(defaults.v1_disabled);
  EXPECT_EQ(defaults.attempts, 1);
  EXPECT_EQ(defaults.timeout, 1000ms);

  auto profile = testing::profiles(
                     "[default]\nec2_metadata_service_endpoint_mode = IPv6\nmetadata_service_num_attempts = 3\n"
                     "metadata_service_timeout = 2.5\nec2_metadata_v1_disabled = true\n",
                     "")
                     .section();
  auto from_profile = ImdsSettings::resolve(Environment::from_map({}), profile);
  EXPECT_EQ(from_profile.endpoint, "http://[fd00:ec2::254]");
  EXPECT_EQ(from_profile.attempts, 3);
  EXPECT_EQ(from_profile.timeout, 2500ms);
  EXPECT_TRUE(from_profile.v1_disabled);

  auto from_env =
      ImdsSettings::resolve(Environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.1.2.3/"},
                                                   {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2"},
                                                   {"AWS_EC2_METADATA_DISABLED", "TRUE"}}),
                            profile);
  EXPECT_EQ(from_env.endpoint, "http://10.1.2.3");  // an explicit endpoint beats the mode
  EXPECT_EQ(from_env.attempts, 2);
  EXPECT_TRUE(from_env.disabled);
}

}  // namespace
}  // namespace firehose::aws
