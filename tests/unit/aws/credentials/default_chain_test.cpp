#include "aws/credentials/default_chain.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "credentials_servers.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

namespace fs = std::filesystem;

// Options whose every source is local: IMDS off, STS on an address nobody serves.
DefaultChainOptions local_options(std::map<std::string, std::string> env, const std::string& config = "",
                                  const std::string& credentials = "",
                                  std::optional<std::string> explicit_profile = std::nullopt) {
  env.emplace("AWS_EC2_METADATA_DISABLED", "true");
  DefaultChainOptions options;
  options.env = Environment::from_map(env);
  options.explicit_profile = explicit_profile;
  options.profiles = testing::profiles(config, credentials, active_profile_name(options.env, explicit_profile));
  const int port = testing::free_port();
  options.sts_endpoint = [port](const std::string&) -> Result<std::string> {
    return "http://127.0.0.1:" + std::to_string(port);
  };
  return options;
}

std::vector<std::string> names(const std::vector<CredentialsProviderPtr>& providers) {
  std::vector<std::string> out;
  for (const auto& p : providers) out.push_back(p->name());
  return out;
}

Result<Credentials> resolve(DefaultChainOptions options) {
  auto chain = make_default_credentials_chain(std::move(options));
  if (!chain) return chain.error();
  return (*chain)->get();
}

// A credential_process script that prints fixed keys and counts its runs in `counter`.
std::string process_command(const testing::TempDir& dir, const std::string& key_id, const std::string& secret = "s",
                            const std::string& extra_json = "") {
  const auto counter = dir.path() / "runs";
  const auto script =
      dir.write("proc-" + key_id + ".sh",
                "#!/bin/sh\necho run >> '" + counter.string() + "'\n" + "printf '{\"Version\":1,\"AccessKeyId\":\"" +
                    key_id + "\",\"SecretAccessKey\":\"" + secret + "\"" + extra_json + "}'\n",
                fs::perms::owner_all);
  return script.string();
}

int process_runs(const testing::TempDir& dir) {
  std::ifstream in(dir.path() / "runs");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

TEST(DefaultChain, ProvidersInBotocoreOrder) {
  auto providers = make_default_credentials_providers(local_options({}));
  ASSERT_TRUE(providers.ok()) << providers.error().to_string();
  EXPECT_EQ(names(*providers),
            (std::vector<std::string>{"environment", "assume-role", "web-identity", "sso", "shared-credentials-file",
                                      "process", "config-file", "container", "imds"}));

  auto explicit_profile = make_default_credentials_providers(local_options({}, "", "", "default"));
  ASSERT_TRUE(explicit_profile.ok());
  EXPECT_EQ(names(*explicit_profile).front(), "assume-role");
}

TEST(DefaultChain, EnvironmentWinsUnlessAProfileIsNamedExplicitly) {
  const std::map<std::string, std::string> env = {
      {"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_PROFILE", "dev"}};
  const std::string credentials = "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n";

  auto via_aws_profile = resolve(local_options(env, "", credentials));
  ASSERT_TRUE(via_aws_profile.ok()) << via_aws_profile.error().to_string();
  EXPECT_EQ(via_aws_profile->access_key_id, "AKIDENV");

  auto via_flag = resolve(local_options(env, "", credentials, "dev"));
  ASSERT_TRUE(via_flag.ok()) << via_flag.error().to_string();
  EXPECT_EQ(via_flag->access_key_id, "AKIDDEV");
  EXPECT_EQ(via_flag->provider, "shared-credentials-file");
}

TEST(DefaultChain, CredentialsFileThenProcessThenConfigFile) {
  testing::TempDir dir;
  const std::string config_keys = "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n";
  const std::string process = "credential_process = " + process_command(dir, "AKIDPROC") + "\n";
  const std::string file_keys = "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n";

  auto all = resolve(local_options({}, "[default]\n" + config_keys + process, file_keys));
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  EXPECT_EQ(all->access_key_id, "AKIDFILE");
  EXPECT_EQ(process_runs(dir), 0);

  auto no_file = resolve(local_options({}, "[default]\n" + config_keys + process, ""));
  ASSERT_TRUE(no_file.ok()) << no_file.error().to_string();
  EXPECT_EQ(no_file->access_key_id, "AKIDPROC");
  EXPECT_EQ(no_file->provider, "process");

  auto config_only = resolve(local_options({}, "[default]\n" + config_keys, ""));
  ASSERT_TRUE(config_only.ok()) << config_only.error().to_string();
  EXPECT_EQ(config_only->access_key_id, "AKIDCONFIG");
  EXPECT_EQ(config_only->provider, "config-file");
}

TEST(DefaultChain, ContainerComesAfterTheFiles) {
  httplib::Server server;
  server.Get("/creds", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"s","Token":"t",)"
                    R"("Expiration":"2031-01-01T00:00:00Z"})",
                    "application/json");
  });
  testing::ServerThread thread(server);
  const std::map<std::string, std::string> env = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", thread.base_url() + "/creds"}};

  auto from_container = resolve(local_options(env));
  ASSERT_TRUE(from_container.ok()) << from_container.error().to_string();
  EXPECT_EQ(from_container->provider, "container");

  auto from_config =
      resolve(local_options(env, "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n"));
  ASSERT_TRUE(from_config.ok());
  EXPECT_EQ(from_config->access_key_id, "AKIDCONFIG");
}

TEST(DefaultChain, NothingFoundListsEveryProviderInOrder) {
  auto creds = resolve(local_options({}));
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().kind, ErrorKind::Config);
  EXPECT_EQ(creds.error().code, "NoCredentials");
  const std::string& message = creds.error().message;
  std::size_t previous = 0;
  for (const char* fragment :
       {"environment: AWS_ACCESS_KEY_ID not set",
        "assume-role: profile default not found in ~/.aws/credentials, "
        "~/.aws/config",
        "web-identity: AWS_WEB_IDENTITY_TOKEN_FILE not set", "sso: ", "shared-credentials-file: ", "process: ",
        "config-file: ", "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "imds: disabled by AWS_EC2_METADATA_DISABLED"}) {
    const auto at = message.find(fragment, previous);
    ASSERT_NE(at, std::string::npos) << fragment << "\nin: " << message;
    previous = at;
  }
}

TEST(DefaultChain, SsoProfilesSayTheyAreNotSupported) {
  auto creds = resolve(local_options({},
                                     "[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = "
                                     "us-east-1\nsso_account_id = 1\nsso_role_name = r\n"));
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.error().message.find("SSO profiles are not supported yet"), std::string::npos)
      << creds.error().message;
}

TEST(DefaultChain, NamedProfileThatDoesNotExistIsAnError) {
  auto chain = make_default_credentials_chain(local_options({{"AWS_PROFILE", "typo"}}));
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.error().code, "ProfileNotFound");
  EXPECT_NE(chain.error().message.find("typo"), std::string::npos);
}

TEST(DefaultChain, LoadsTheFilesNamedByTheEnvironment) {
  testing::TempDir dir;
  const auto config = dir.write("config", "[profile ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s\n");
  DefaultChainOptions options;
  options.env = Environment::from_map({{"AWS_CONFIG_FILE", config.string()},
                                       {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string()},
                                       {"AWS_EC2_METADATA_DISABLED", "true"}});
  options.explicit_profile = "ci";
  auto creds = resolve(options);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "AKIDCI");

  dir.write("config", "[profile ci\n");
  auto broken = make_default_credentials_chain(options);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "InvalidConfigFile");
}

TEST(DefaultChain, TemporaryCredentialsAreCachedUntilTheRefreshWindow) {
  testing::TempDir dir;
  const std::string command =
      process_command(dir, "AKIDTEMP", "s", R"(,"SessionToken":"t","Expiration":"2099-01-01T00:00:00Z")");
  auto chain = make_default_credentials_chain(local_options({}, "[default]\ncredential_process = " + command + "\n"));
  ASSERT_TRUE(chain.ok()) << chain.error().to_string();
  for (int i = 0; i < 3; ++i) {
    auto creds = (*chain)->get();
    ASSERT_TRUE(creds.ok()) << creds.error().to_string();
    EXPECT_EQ(creds->session_token, "t");
  }
  EXPECT_EQ(process_runs(dir), 1);
  (*chain)->invalidate();
  ASSERT_TRUE((*chain)->get().ok());
  EXPECT_EQ(process_runs(dir), 2);
}

TEST(DefaultChain, DefaultStsEndpoint) {
  EXPECT_EQ(default_sts_endpoint("eu-west-1").value(), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(default_sts_endpoint("cn-north-1").value(), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_FALSE(default_sts_endpoint("").ok());
  EXPECT_FALSE(default_sts_endpoint("evil.com/").ok());
}

class DefaultChainMotoTest : public testing::MotoTest {
 protected:
  DefaultChainOptions moto_options(std::map<std::string, std::string> env, const std::string& config,
                                   const std::string& credentials = "",
                                   std::optional<std::string> explicit_profile = std::nullopt) {
    auto options = local_options(std::move(env), config, credentials, std::move(explicit_profile));
    options.region = "eu-central-1";
    options.sts_endpoint = [this](const std::string& region) -> Result<std::string> {
      sts_region_ = region;
      return moto_->url();
    };
    return options;
  }
  std::string sts_region_;
};

TEST_F(DefaultChainMotoTest, AssumeRoleComesBeforeTheProfilesOwnKeys) {
  auto creds = resolve(moto_options({},
                                    "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
                                    "source_profile = admin\naws_access_key_id = AKIDSELF\naws_secret_access_key = s\n",
                                    "", "admin"));
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->provider, "assume-role");
  EXPECT_NE(creds->access_key_id, "AKIDSELF");
  EXPECT_EQ(sts_region_, "eu-central-1");
}

TEST_F(DefaultChainMotoTest, WebIdentityFromTheEnvironmentComesBeforeStaticKeys) {
  testing::TempDir dir;
  const auto token = dir.write("token", "header.payload.signature");
  auto creds = resolve(moto_options(
      {{"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"}}, "",
      "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n"));
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->provider, "web-identity");
}

TEST_F(DefaultChainMotoTest, SourceProfileWithCredentialProcessUnderSignatureChecking) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "proc-user", "proc-role");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  testing::TempDir dir;
  const std::string command = process_command(dir, user.access_key_id, user.secret_access_key);
  auto creds = resolve(moto_options({},
                                    "[profile work]\nrole_arn = arn:aws:iam::123456789012:role/proc-role\n"
                                    "source_profile = tool\n[profile tool]\ncredential_process = " +
                                        command + "\n",
                                    "", "work"));
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->provider, "assume-role");
  EXPECT_EQ(process_runs(dir), 1);
}

TEST_F(DefaultChainMotoTest, CredentialSourceEcsContainerUnderSignatureChecking) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "task-user", "task-role");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  httplib::Server server;
  server.Get("/task", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"AccessKeyId":")" + user.access_key_id + R"(","SecretAccessKey":")" + user.secret_access_key + R"("})",
        "application/json");
  });
  testing::ServerThread thread(server);
  auto creds = resolve(moto_options({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", thread.base_url() + "/task"}},
                                    "[default]\nrole_arn = arn:aws:iam::123456789012:role/task-role\n"
                                    "credential_source = EcsContainer\n"));
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->provider, "assume-role");
}

}  // namespace
}  // namespace firehose::aws
