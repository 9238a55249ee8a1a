#include "aws/credentials/process_provider.hpp"

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "core/timestamp.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

namespace fs = std::filesystem;

class ProcessProviderTest : public ::testing::Test {
 protected:
  // A profile whose credential_process runs `script` (a /bin/sh script) with `args`.
  ProcessProvider provider_running(const std::string& script, const std::string& args = "") {
    const auto path = dir_.write("creds.sh", "#!/bin/sh\n" + script,
                                 fs::perms::owner_read | fs::perms::owner_write | fs::perms::owner_exec);
    return ProcessProvider(
        testing::profiles("[profile p]\ncredential_process = " + path.string() + " " + args + "\n", "", "p"));
  }

  testing::TempDir dir_;
};

TEST_F(ProcessProviderTest, ParsesTemporaryCredentials) {
  auto provider = provider_running(R"(printf '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "secret", )"
                                   R"("SessionToken": "token", "Expiration": "2031-05-06T07:08:09Z"}')"
                                   "\n");
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "AKIDPROC");
  EXPECT_EQ(creds->secret_access_key, "secret");
  EXPECT_EQ(creds->session_token, "token");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(format_iso8601(*creds->expiration), "2031-05-06T07:08:09Z");
  EXPECT_EQ(creds->provider, "process");
}

TEST_F(ProcessProviderTest, PassesArgumentsThroughTheShell) {
  // The script echoes its arguments back as the key id: quoting must survive /bin/sh -c.
  auto provider = provider_running(R"(printf '{"Version":1,"AccessKeyId":"%s|%s","SecretAccessKey":"s"}' "$1" "$2")",
                                   "'two words' second");
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "two words|second");
  EXPECT_TRUE(creds->session_token.empty());
  EXPECT_FALSE(creds->expiration.has_value());
}

TEST_F(ProcessProviderTest, NonZeroExitReportsStatusAndStderr) {
  auto provider = provider_running("echo 'token expired, run login' >&2\nexit 3\n");
  auto creds = provider.get();
  ASSERT_FALSE(creds.ok());
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().code, "CredentialProcessFailed");
  EXPECT_NE(creds.error().message.find("status 3"), std::string::npos) << creds.error().message;
  EXPECT_NE(creds.error().message.find("token expired, run login"), std::string::npos) << creds.error().message;
}

TEST_F(ProcessProviderTest, BadJsonIsAnError) {
  auto creds = provider_running("echo 'AccessKeyId=AKID'\n").get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "CredentialProcessFailed");
  EXPECT_NE(creds.error().message.find("JSON"), std::string::npos) << creds.error().message;
}

TEST_F(ProcessProviderTest, WrongVersionOrMissingKeyIsAnError) {
  auto wrong_version = provider_running(R"(echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}')"
                                        "\n")
                           .get();
  ASSERT_FALSE(wrong_version.ok());
  EXPECT_NE(wrong_version.error().message.find("Version"), std::string::npos);

  auto missing_secret = provider_running(R"(echo '{"Version": 1, "AccessKeyId": "A"}')"
                                         "\n")
                            .get();
  ASSERT_FALSE(missing_secret.ok());
  EXPECT_NE(missing_secret.error().message.find("SecretAccessKey"), std::string::npos);

  auto bad_expiration =
      provider_running(R"(echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "soon"}')"
                       "\n")
          .get();
  ASSERT_FALSE(bad_expiration.ok());
}

TEST_F(ProcessProviderTest, LargeStderrDoesNotBlockTheCommand) {
  // More than a pipe buffer (64 KiB) on stderr before stdout is written.
  auto creds = provider_running(
                   "head -c 300000 /dev/zero | tr '\\0' x >&2\n"
                   R"(echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}')"
                   "\n")
                   .get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "A");
}

TEST(ProcessProvider, ProfileWithoutCredentialProcessIsASoftMiss) {
  auto creds = ProcessProvider(testing::profiles("[default]\nregion = us-east-1\n", "")).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_NE(creds.error().message.find("credential_process"), std::string::npos);
}

}  // namespace
}  // namespace firehose::aws
