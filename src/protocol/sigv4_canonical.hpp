#pragma once
// The canonical forms SigV4 hashes (URI, query, headers, dates) and the
// signature computation over them: shared by signing (sigv4.cpp) and
// verification (sigv4_verify.cpp), so both sides canonicalise identically.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/http.hpp"

namespace firehose::aws::sigv4::detail {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string ascii_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Path with dot segments and empty segments removed (as botocore does for all
// services but S3), then every byte but unreserved characters and '/'
// percent-encoded. The raw path's own escapes are encoded again ('%' -> %25),
// which is what SigV4 asks for outside S3.
std::string canonical_uri(std::string_view raw_path);

// Pairs percent-decoded ('+' read as a space, as servers read query strings),
// re-encoded per RFC 3986 with upper-case hex, sorted by key then value.
std::string canonical_query(std::string_view raw_query);

// Leading/trailing whitespace removed, inner runs (including the line breaks of
// folded values) collapsed to one space.
std::string canonical_header_value(std::string_view value);

// "name:value\n" for each of `names` (lower-case, in the given order); values of
// repeated headers are joined with ',' in request order.
std::string canonical_headers(const std::vector<HttpHeader>& headers, const std::vector<std::string>& names);

// "20150830T123600Z"
std::string format_amz_date(std::chrono::system_clock::time_point time);
std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text);
// IMF-fixdate, the Date header's form: "Sun, 30 Aug 2015 12:36:00 GMT".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

struct CanonicalInput {
  std::string_view method;
  std::string_view path;
  std::string_view query;
  const std::vector<HttpHeader>* headers;  // the request's headers, signing headers included
  const std::vector<std::string>* signed_names;
  std::string_view payload_hash;
  std::string_view amz_date;
  std::string_view region;
  std::string_view service;
  std::string_view secret_access_key;
  // False for S3: the path is signed as sent (encoded once by the caller, dot
  // and empty segments kept), as botocore's S3SigV4Auth does.
  bool normalize_path = true;
};

struct Computed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string scope;
  std::string signed_headers;  // names joined with ';'
  std::string signature;
};

Computed compute(const CanonicalInput& input);

}  // namespace firehose::aws::sigv4::detail
