// StsClient against a real moto_server: AssumeRole signed with SigV4 (checked
// by moto once signature enforcement is on) and AssumeRoleWithWebIdentity
// unsigned; STS's XML errors come back as typed Errors.
#include "aws/credentials/sts_client.hpp"

#include <gtest/gtest.h>

#include "credentials_servers.hpp"

namespace firehose::aws {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

class StsClientMotoTest : public testing::MotoTest {
 protected:
  StsClient client() const { return StsClient(moto_->url(), "us-east-1", http_); }

  HttpClientPtr http_ = make_curl_http_client();
};

TEST_F(StsClientMotoTest, AssumeRoleReturnsTemporaryCredentialsHonouringDuration) {
  Credentials caller;
  caller.access_key_id = "AKIDCALLER";
  caller.secret_access_key = "secret";
  AssumeRoleParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/reader";
  params.role_session_name = "firehose-test";
  params.duration_seconds = 1800;
  params.external_id = "ext-id with spaces&symbols";
  const auto before = system_clock::now();
  auto creds = client().assume_role(params, caller);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->access_key_id.empty());
  EXPECT_NE(creds->access_key_id, caller.access_key_id);
  EXPECT_FALSE(creds->secret_access_key.empty());
  EXPECT_FALSE(creds->session_token.empty());
  ASSERT_TRUE(creds->expiration.has_value());
  // moto sets Expiration = now + DurationSeconds; a generous band around 30 minutes.
  EXPECT_GT(*creds->expiration, before + 25min);
  EXPECT_LT(*creds->expiration, before + 35min);
}

TEST_F(StsClientMotoTest, AssumeRoleSignatureIsAcceptedWhenMotoChecksIt) {
  const Credentials user = testing::create_moto_user_and_role(*moto_, "signer", "checked");
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  AssumeRoleParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/checked";
  params.role_session_name = "signed-session";
  auto creds = client().assume_role(params, user);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->session_token.empty());

  Credentials wrong_secret = user;
  wrong_secret.secret_access_key = "not-the-secret";
  auto refused = client().assume_role(params, wrong_secret);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::Auth);
  EXPECT_EQ(refused.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_NE(refused.error().message.find("signature"), std::string::npos) << refused.error().message;
}

TEST_F(StsClientMotoTest, UnknownAccessKeyIsAnAuthErrorFromStsXml) {
  ASSERT_TRUE(moto_->set_auth_enforced(true));
  Credentials stranger;
  stranger.access_key_id = "AKIDUNKNOWN";
  stranger.secret_access_key = "secret";
  AssumeRoleParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/reader";
  params.role_session_name = "s1";
  auto refused = client().assume_role(params, stranger);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::Auth);
  EXPECT_EQ(refused.error().code, "InvalidClientTokenId");
  EXPECT_FALSE(refused.error().request_id.empty());
}

TEST_F(StsClientMotoTest, AssumeRoleWithWebIdentityIsUnsigned) {
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/web";
  params.role_session_name = "web-session";
  params.web_identity_token = "eyJhbGciOiJSUzI1NiJ9.payload+/=.signature";
  auto creds = client().assume_role_with_web_identity(params);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(creds->access_key_id.empty());
  EXPECT_FALSE(creds->session_token.empty());
  EXPECT_TRUE(creds->expiration.has_value());
}

TEST(StsClient, UnreachableEndpointIsATransportError) {
  const int port = testing::free_port();
  StsClient sts("http://127.0.0.1:" + std::to_string(port), "us-east-1", make_curl_http_client());
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/web";
  params.role_session_name = "s";
  params.web_identity_token = "t";
  auto creds = sts.assume_role_with_web_identity(params);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().kind, ErrorKind::Transport);
  EXPECT_NE(creds.error().message.find("AssumeRoleWithWebIdentity"), std::string::npos);
}

TEST(StsClient, ParsesStsErrorDocumentsAndThrottling) {
  // STS's own error shape (Error directly under ErrorResponse, RequestId beside it).
  httplib::Server server;
  std::string seen_body, seen_type, seen_auth;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    seen_body = req.body;
    seen_type = req.get_header_value("Content-Type");
    seen_auth = req.get_header_value("Authorization");
    if (req.body.find("RoleSessionName=slow") != std::string::npos) {
      res.status = 400;
      res.set_content(
          "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
          "<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>req-1</RequestId>"
          "</ErrorResponse>",
          "text/xml");
      return;
    }
    res.status = 403;
    res.set_content(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
        "<Code>AccessDenied</Code><Message>User: x is not authorized to perform: sts:AssumeRole &amp; more"
        "</Message></Error><RequestId>req-2</RequestId></ErrorResponse>",
        "text/xml");
  });
  testing::ServerThread thread(server);
  StsClient sts(thread.base_url(), "eu-west-1", make_curl_http_client());
  Credentials caller;
  caller.access_key_id = "AKID";
  caller.secret_access_key = "secret";
  caller.session_token = "tok";

  AssumeRoleParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/a b";
  params.role_session_name = "denied";
  params.duration_seconds = 900;
  auto denied = sts.assume_role(params, caller);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().kind, ErrorKind::Auth);
  EXPECT_EQ(denied.error().code, "AccessDenied");
  EXPECT_EQ(denied.error().request_id, "req-2");
  EXPECT_NE(denied.error().message.find("sts:AssumeRole & more"), std::string::npos) << denied.error().message;
  EXPECT_EQ(seen_body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%20b"
            "&RoleSessionName=denied&DurationSeconds=900");
  EXPECT_EQ(seen_type, "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_NE(seen_auth.find("/eu-west-1/sts/aws4_request"), std::string::npos) << seen_auth;

  params.role_session_name = "slow";
  auto throttled = sts.assume_role(params, caller);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().kind, ErrorKind::Throttle);
  EXPECT_EQ(throttled.error().code, "Throttling");
}

TEST(StsClient, WebIdentityRequestCarriesNoSignature) {
  httplib::Server server;
  std::string seen_body;
  bool signed_request = true;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    seen_body = req.body;
    signed_request = req.has_header("Authorization") || req.has_header("X-Amz-Date");
    res.set_content(
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
        "<AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>sec&lt;ret</SecretAccessKey>"
        "<SessionToken>tok</SessionToken><Expiration>2031-01-02T03:04:05.678Z</Expiration>"
        "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        "text/xml");
  });
  testing::ServerThread thread(server);
  StsClient sts(thread.base_url(), "us-east-1", make_curl_http_client());
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = "arn:aws:iam::123456789012:role/web";
  params.role_session_name = "pod";
  params.web_identity_token = "a.b+c/d=";
  auto creds = sts.assume_role_with_web_identity(params);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_FALSE(signed_request);
  EXPECT_EQ(seen_body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb"
            "&RoleSessionName=pod&WebIdentityToken=a.b%2Bc%2Fd%3D");
  EXPECT_EQ(creds->access_key_id, "ASIAWEB");
  EXPECT_EQ(creds->secret_access_key, "sec<ret");
  EXPECT_EQ(creds->session_token, "tok");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(creds->expiration->time_since_epoch()).count(),
            1925089445678);  // python: datetime(2031,1,2,3,4,5,678000,tzinfo=utc).timestamp()
}

TEST(StsClient, SuccessWithoutCredentialsIsAnError) {
  httplib::Server server;
  server.Post(
      "/", [](const httplib::Request&, httplib::Response& res) { res.set_content("<html>proxy</html>", "text/html"); });
  testing::ServerThread thread(server);
  StsClient sts(thread.base_url(), "us-east-1", make_curl_http_client());
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = "r";
  params.role_session_name = "s";
  params.web_identity_token = "t";
  auto creds = sts.assume_role_with_web_identity(params);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "InvalidStsResponse");
}

}  // namespace
}  // namespace firehose::aws
