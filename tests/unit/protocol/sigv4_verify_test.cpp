// The server side: requests signed by sign_request verify, and every way of
// getting it wrong is answered with the code AWS's JSON services use.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "protocol/sigv4.hpp"
#include "protocol/sigv4_canonical.hpp"

namespace firehose::aws::sigv4 {
namespace {

using std::chrono::system_clock;
using namespace std::chrono_literals;

constexpr const char* kAccessKey = "AKIAFIREHOSELOCAL";
constexpr const char* kSecretKey = "c2VjcmV0LWtleS1mb3ItdGVzdHM";

system_clock::time_point signing_time() {
  using namespace std::chrono;
  return sys_days{year{2024} / 3 / 1} + 10h + 20min + 30s;
}

std::optional<std::string> known_keys(const std::string& key) {
  if (key == kAccessKey) return std::string(kSecretKey);
  return std::nullopt;
}

// A PutRecordBatch as the client sends it, and as the server then sees it:
// curl's own headers arrive too, unsigned.
SignableRequest signed_put(const Credentials& creds = {kAccessKey, kSecretKey, "", std::nullopt, "test"},
                           system_clock::time_point when = signing_time()) {
  HttpRequest request;
  request.url = "http://127.0.0.1:4573/";
  request.headers = {{"X-Amz-Target", "Firehose_20150804.PutRecordBatch"},
                     {"Content-Type", "application/x-amz-json-1.1"}};
  request.body = R"({"DeliveryStreamName":"s","Records":[{"Data":"aGk="}]})";
  EXPECT_TRUE(sign_request(request, creds, "us-east-1", "firehose", when).ok());
  SignableRequest received{"POST", "/", "", request.headers, crypto::sha256_hex(request.body)};
  received.headers.push_back({"User-Agent", "curl/7.88.1"});
  received.headers.push_back({"Accept", "*/*"});
  received.headers.push_back({"Content-Length", std::to_string(request.body.size())});
  return received;
}

HttpHeader* find(SignableRequest& request, std::string_view name) {
  for (HttpHeader& h : request.headers) {
    if (h.name.size() == name.size() && std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return &h;
    }
  }
  return nullptr;
}

::testing::AssertionResult is_auth_error(const Status& status, const std::string& code) {
  if (status.ok()) return ::testing::AssertionFailure() << "accepted; expected " << code;
  const Error& e = status.error();
  if (e.code != code || e.kind != ErrorKind::Auth || e.http_status != 400) {
    return ::testing::AssertionFailure() << "got " << e.code << " (kind " << to_string(e.kind) << ", HTTP "
                                         << e.http_status << "): " << e.message << "; expected " << code;
  }
  return ::testing::AssertionSuccess();
}

TEST(Sigv4Verify, AcceptsWhatSignRequestProduced) {
  const Status status = verify(signed_put(), known_keys, signing_time() + 2s);
  EXPECT_TRUE(status.ok()) << status.error().to_string();
}

TEST(Sigv4Verify, AcceptsSessionTokenRequests) {
  const SignableRequest request = signed_put({kAccessKey, kSecretKey, "FQoGZXIvYXdzE-token", std::nullopt, "test"});
  const Status status = verify(request, known_keys, signing_time());
  EXPECT_TRUE(status.ok()) << status.error().to_string();
}

TEST(Sigv4Verify, UnsignedHeadersMayChange) {
  SignableRequest request = signed_put();
  find(request, "User-Agent")->value = "something else";
  request.headers.push_back({"X-Forwarded-For", "10.0.0.1"});
  EXPECT_TRUE(verify(request, known_keys, signing_time()).ok());
}

TEST(Sigv4Verify, TamperedBodyIsAnInvalidSignature) {
  SignableRequest request = signed_put();
  request.payload_hash = crypto::sha256_hex(R"({"DeliveryStreamName":"other","Records":[]})");
  const Status status = verify(request, known_keys, signing_time());
  ASSERT_TRUE(is_auth_error(status, "InvalidSignatureException"));
  EXPECT_EQ(status.error().message,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.");
}

TEST(Sigv4Verify, TamperedSignedHeaderIsAnInvalidSignature) {
  SignableRequest request = signed_put();
  find(request, "X-Amz-Target")->value = "Firehose_20150804.DeleteDeliveryStream";
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
}

TEST(Sigv4Verify, TamperedPathOrQueryIsAnInvalidSignature) {
  SignableRequest request = signed_put();
  request.path = "/other";
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
  request = signed_put();
  request.query = "a=1";
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
}

TEST(Sigv4Verify, WrongSecretIsAnInvalidSignature) {
  const SignableRequest request = signed_put({kAccessKey, "not-the-secret", "", std::nullopt, "test"});
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
}

TEST(Sigv4Verify, TamperedSignatureIsAnInvalidSignature) {
  SignableRequest request = signed_put();
  std::string& authorization = find(request, "Authorization")->value;
  char& last = authorization.back();
  last = last == '0' ? '1' : '0';
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
  authorization.pop_back();  // a shorter signature must not compare as a prefix
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "InvalidSignatureException"));
}

TEST(Sigv4Verify, UnknownAccessKeyIsAnUnrecognizedClient) {
  const SignableRequest request = signed_put({"AKIAUNKNOWN", kSecretKey, "", std::nullopt, "test"});
  const Status status = verify(request, known_keys, signing_time());
  ASSERT_TRUE(is_auth_error(status, "UnrecognizedClientException"));
  EXPECT_EQ(status.error().message, "The security token included in the request is invalid.");
}

TEST(Sigv4Verify, MissingAuthorizationIsAMissingAuthenticationToken) {
  SignableRequest request = signed_put();
  std::erase_if(request.headers, [](const HttpHeader& h) { return h.name == "Authorization"; });
  const Status status = verify(request, known_keys, signing_time());
  ASSERT_TRUE(is_auth_error(status, "MissingAuthenticationTokenException"));
  EXPECT_EQ(status.error().message, "Missing Authentication Token");
}

TEST(Sigv4Verify, SkewBeyondTheWindowIsAnExpiredSignature) {
  const SignableRequest request = signed_put();
  EXPECT_TRUE(verify(request, known_keys, signing_time() + 5min).ok());
  EXPECT_TRUE(verify(request, known_keys, signing_time() - 5min).ok());

  Status late = verify(request, known_keys, signing_time() + 5min + 1s);
  ASSERT_TRUE(is_auth_error(late, "InvalidSignatureException"));
  EXPECT_EQ(late.error().message,
            "Signature expired: 20240301T102030Z is now earlier than 20240301T102031Z (20240301T102531Z - 5 min.)");

  Status early = verify(request, known_keys, signing_time() - 16min, 15min);
  ASSERT_TRUE(is_auth_error(early, "InvalidSignatureException"));
  EXPECT_EQ(early.error().message,
            "Signature not yet current: 20240301T102030Z is still later than 20240301T101930Z "
            "(20240301T100430Z + 15 min.)");
}

TEST(Sigv4Verify, ScopeDateMustMatchTheRequestDate) {
  SignableRequest request = signed_put();
  find(request, "X-Amz-Date")->value = "20240302T102030Z";
  const Status status = verify(request, known_keys, signing_time() + 24h);
  ASSERT_TRUE(is_auth_error(status, "InvalidSignatureException"));
  EXPECT_NE(status.error().message.find("Date in Credential scope does not match"), std::string::npos);
}

TEST(Sigv4Verify, MissingOrMalformedDateIsAnIncompleteSignature) {
  SignableRequest request = signed_put();
  std::erase_if(request.headers, [](const HttpHeader& h) { return h.name == "X-Amz-Date"; });
  Status status = verify(request, known_keys, signing_time());
  ASSERT_TRUE(is_auth_error(status, "IncompleteSignatureException"));
  EXPECT_NE(status.error().message.find("requires existence of either a 'X-Amz-Date' or a 'Date' header"),
            std::string::npos);

  request = signed_put();
  find(request, "X-Amz-Date")->value = "2024-03-01T10:20:30Z";
  ASSERT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "IncompleteSignatureException"));
}

TEST(Sigv4Verify, MalformedAuthorizationIsAnIncompleteSignature) {
  const char* malformed[] = {
      "Bearer abc",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 Credential=AKIAFIREHOSELOCAL/20240301/us-east-1/firehose/aws4_request, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIAFIREHOSELOCAL/20240301/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host;x-amz-date Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIAFIREHOSELOCAL/20240301/us-east-1/aws4_request, SignedHeaders=host, "
      "Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIAFIREHOSELOCAL/2024-03-01/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIAFIREHOSELOCAL/20240301/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host;;x-amz-date, Signature=abc",
      "AWS4-HMAC-SHA512 Credential=AKIAFIREHOSELOCAL/20240301/us-east-1/firehose/aws4_request, "
      "SignedHeaders=host, Signature=abc",
  };
  for (const char* value : malformed) {
    SCOPED_TRACE(value);
    SignableRequest request = signed_put();
    find(request, "Authorization")->value = value;
    EXPECT_TRUE(is_auth_error(verify(request, known_keys, signing_time()), "IncompleteSignatureException"));
    EXPECT_FALSE(parse_authorization(value).ok());
  }
}

TEST(Sigv4Verify, HostMustBeSigned) {
  SignableRequest request = signed_put();
  std::string& authorization = find(request, "Authorization")->value;
  const auto at = authorization.find("host;");
  ASSERT_NE(at, std::string::npos);
  authorization.erase(at, 5);
  const Status status = verify(request, known_keys, signing_time());
  ASSERT_TRUE(is_auth_error(status, "IncompleteSignatureException"));
}

TEST(Sigv4Verify, UsesExactlyTheHeadersTheClientListed) {
  // Some SDKs sign user-agent, which sign() never does: the list in the
  // Authorization header decides, not our own choice of headers.
  const std::string hash = crypto::sha256_hex("{}");
  const std::vector<HttpHeader> headers = {{"Host", "127.0.0.1:4573"},
                                           {"User-Agent", "agent/1.0"},
                                           {"X-Amz-Date", "20240301T102030Z"},
                                           {"Content-Type", "application/x-amz-json-1.1"}};
  const std::vector<std::string> names = {"host", "user-agent", "x-amz-date"};
  const detail::Computed client = detail::compute(
      {"POST", "/", "", &headers, &names, hash, "20240301T102030Z", "us-east-1", "firehose", kSecretKey});
  SignableRequest received{"POST", "/", "", headers, hash};
  received.headers.push_back(
      {"Authorization", fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, "
                                    "Signature={}",
                                    kAccessKey, client.scope, client.signed_headers, client.signature)});
  EXPECT_TRUE(verify(received, known_keys, signing_time()).ok());
  find(received, "Content-Type")->value = "text/plain";  // not signed by this client
  EXPECT_TRUE(verify(received, known_keys, signing_time()).ok());
  find(received, "User-Agent")->value = "agent/2.0";
  ASSERT_TRUE(is_auth_error(verify(received, known_keys, signing_time()), "InvalidSignatureException"));
}

TEST(Sigv4ParseAuthorization, SplitsTheParts) {
  auto parsed = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
      "SignedHeaders=host;x-amz-date,  Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->date, "20150830");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->service, "service");
  EXPECT_EQ(parsed->signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(Sigv4ParseAuthorization, ErrorsUseAwsWording) {
  auto missing = parse_authorization("Bearer abc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc");
  auto no_equals = parse_authorization("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, host");
  ASSERT_FALSE(no_equals.ok());
  EXPECT_EQ(no_equals.error().message,
            "'host' not a valid key=value pair (missing equal-sign) in Authorization header: "
            "'AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, host'.");
}

}  // namespace
}  // namespace firehose::aws::sigv4
