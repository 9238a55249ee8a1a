#pragma once
// AWS Signature Version 4, both directions: the client signs its requests with
// it, firehose-local verifies them with the same canonicalisation. Signing is
// a pure function of the request, the credentials and a time passed in (as in
// aws-c-auth): no clock reads and no shared state, so it is testable against
// fixed vectors and safe to call from any thread.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/credentials.hpp"
#include "firehose/result.hpp"
#include "protocol/http.hpp"

namespace firehose::aws::sigv4 {

// What the signature covers, as it travels on the wire.
struct SignableRequest {
  std::string method;               // "POST"
  std::string path;                 // raw, percent-encoding as sent: "/", "/a%20b"
  std::string query;                // raw, without '?': "" or "a=1&b=2"
  std::vector<HttpHeader> headers;  // names in any case; repeated names allowed, order kept
  std::string payload_hash;         // lower-case hex SHA-256 of the body
};

struct SigningParams {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                   // empty for long-term keys
  std::string region;                          // "us-east-1"
  std::string service;                         // signing name: "firehose", "monitoring", "sts"
  std::chrono::system_clock::time_point time;  // the signing time; sub-second part ignored
  // S3 signs the path as sent, already URI-encoded once: no dot-segment
  // removal, no second encoding (sign_request sets it for service "s3").
  bool normalize_path = true;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value
  std::string amz_date;       // "20150830T123600Z"
  std::string scope;          // "20150830/us-east-1/service/aws4_request"
  // X-Amz-Date, X-Amz-Security-Token (with a session token), Authorization:
  // each replaces any same-named header of the request.
  std::vector<HttpHeader> headers_to_add;
};

// Signs like botocore's SigV4Auth: every header of the request is signed except
// hop-by-hop ones, user-agent, expect and x-amzn-trace-id; any Authorization is
// dropped; X-Amz-Date (and X-Amz-Security-Token when there is a session token)
// are replaced by the signing values before the canonical request is built.
// The request must already carry its Host header.
Signature sign(const SignableRequest& request, const SigningParams& params);

// The client's entry point: takes host, path and query from request.url, sets
// the Host header (without the scheme's default port, as curl sends it), hashes
// request.body (or uses an X-Amz-Content-SHA256 header's value, like botocore),
// signs at `now` and adds the signing headers, replacing earlier ones so that a
// retried request can be signed again (a stale X-Amz-Security-Token is removed
// when the credentials have none). For service "s3" the path is signed as
// sent (SigningParams::normalize_path false). Errors: ErrorKind::Config, code InvalidUrl
// for a URL without scheme or host or with a bad port, InvalidCredentials for
// credentials without key id or secret.
Status sign_request(HttpRequest& request, const Credentials& credentials, const std::string& region,
                    const std::string& service, std::chrono::system_clock::time_point now);

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<hex>".
struct ParsedAuthorization {
  std::string access_key_id;
  std::string date;  // scope date, YYYYMMDD
  std::string region;
  std::string service;
  std::string signature;
  std::vector<std::string> signed_headers;  // as listed by the client
};

// Errors are IncompleteSignatureException (ErrorKind::Auth, HTTP 400) with AWS's wording.
Result<ParsedAuthorization> parse_authorization(std::string_view header);

// Returns the key's secret, or nullopt when the access key id is unknown.
using SecretLookup = std::function<std::optional<std::string>(const std::string& access_key_id)>;

// Checks a received request's signature, over exactly the headers the client
// signed. `request.payload_hash` must be the hash of the body actually received.
// Errors (ErrorKind::Auth, HTTP 400, codes as AWS's JSON services answer):
//   MissingAuthenticationTokenException  no Authorization header
//   IncompleteSignatureException         malformed Authorization, no X-Amz-Date/Date,
//                                        host not signed
//   UnrecognizedClientException          unknown access key id
//   InvalidSignatureException            wrong signature, scope date != request date,
//                                        request time further than max_skew from now
Status verify(const SignableRequest& request, const SecretLookup& secret_for, std::chrono::system_clock::time_point now,
              std::chrono::seconds max_skew = std::chrono::minutes(5));

}  // namespace firehose::aws::sigv4
