// S3's SigV4 rule: the path is signed as sent (encoded once, not normalised).
// Checked against the example of AWS's S3 documentation ("Signature
// calculations for the Authorization header: transferring payload in a single
// chunk", GET Object) and against what botocore's S3SigV4Auth signs.
#include <gtest/gtest.h>

#include <chrono>

#include "protocol/sigv4.hpp"

namespace firehose::aws::sigv4 {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

system_clock::time_point may_24_2013() {
  using namespace std::chrono;
  return sys_days{year{2013} / May / 24};
}

TEST(Sigv4S3, SignsTheDocumentationsGetObjectExample) {
  HttpRequest request;
  request.method = "GET";
  request.url = "https://examplebucket.s3.amazonaws.com/test.txt";
  request.set_header("Range", "bytes=0-9");
  request.set_header("x-amz-content-sha256", std::string(kEmptySha256));
  Credentials credentials;
  credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  ASSERT_TRUE(sign_request(request, credentials, "us-east-1", "s3", may_24_2013()).ok());
  EXPECT_EQ(*request.header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Sigv4S3, SignsTheDocumentationsListObjectsExample) {
  HttpRequest request;
  request.method = "GET";
  request.url = "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J";
  request.set_header("x-amz-content-sha256", std::string(kEmptySha256));
  Credentials credentials;
  credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  ASSERT_TRUE(sign_request(request, credentials, "us-east-1", "s3", may_24_2013()).ok());
  EXPECT_NE(request.header("Authorization")
                ->find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos)
      << *request.header("Authorization");
}

TEST(Sigv4S3, ThePathIsSignedAsSentForS3Only) {
  SignableRequest request;
  request.method = "GET";
  request.path = "/my-bucket/2026/a%20b/./c%2Bd.gz";  // botocore's S3SigV4Auth signs exactly this
  request.headers = {{"host", "127.0.0.1:5000"}};
  request.payload_hash = std::string(kEmptySha256);
  SigningParams params;
  params.access_key_id = "AKID";
  params.secret_access_key = "secret";
  params.region = "us-east-1";
  params.service = "s3";
  params.time = may_24_2013();
  params.normalize_path = false;
  const std::string as_sent = "GET\n/my-bucket/2026/a%20b/./c%2Bd.gz\n\n";
  EXPECT_EQ(sign(request, params).canonical_request.substr(0, as_sent.size()), as_sent);
  // Elsewhere: dot segments removed and escapes encoded again.
  params.normalize_path = true;
  const std::string normalised = "GET\n/my-bucket/2026/a%2520b/c%252Bd.gz\n\n";
  EXPECT_EQ(sign(request, params).canonical_request.substr(0, normalised.size()), normalised);
}

}  // namespace
}  // namespace firehose::aws::sigv4
