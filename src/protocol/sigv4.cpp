#include "protocol/sigv4.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "protocol/sigv4_canonical.hpp"

namespace firehose::aws::sigv4 {
namespace {

using detail::ascii_lower;
using detail::iequals;

// botocore's SIGNED_HEADERS_BLACKLIST: headers that proxies and HTTP stacks
// add, drop or rewrite on the way, so a signature over them would break.
constexpr std::array<std::string_view, 11> kUnsignedHeaders = {
    "connection",        "expect",  "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};

bool is_unsigned_header(std::string_view lower_name) {
  return std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), lower_name) != kUnsignedHeaders.end();
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void replace_header(std::vector<HttpHeader>& headers, std::string name, std::string value) {
  std::erase_if(headers, [&](const HttpHeader& h) { return iequals(h.name, name); });
  headers.push_back(HttpHeader{std::move(name), std::move(value)});
}

const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

struct UrlParts {
  std::string host_header;  // host[:port], port only when not the scheme's default
  std::string path;
  std::string query;
};

Error bad_url(const std::string& url, std::string_view why) {
  return make_error(ErrorKind::Config, "InvalidUrl", fmt::format("cannot sign a request to '{}': {}", url, why));
}

Result<UrlParts> split_url(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return bad_url(url, "no scheme");
  const std::string scheme = ascii_lower(std::string_view(url).substr(0, scheme_end));
  std::string_view rest = std::string_view(url).substr(scheme_end + 3);

  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal keeps its brackets
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unterminated IPv6 address");
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "junk after IPv6 address");
      port = after.substr(1);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad_url(url, "no host");

  UrlParts parts;
  parts.host_header = ascii_lower(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value > 65535) return bad_url(url, "invalid port");
    const bool default_port = (scheme == "http" && value == 80) || (scheme == "https" && value == 443);
    if (!default_port) parts.host_header += fmt::format(":{}", value);
  }

  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  const std::size_t question = target.find('?');
  parts.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(target.substr(question + 1));
  if (parts.path.empty()) parts.path.push_back('/');  // not = "/": g++ 12 -Wrestrict false positive
  return parts;
}

}  // namespace

Signature sign(const SignableRequest& request, const SigningParams& params) {
  Signature out;
  out.amz_date = detail::format_amz_date(params.time);

  // The headers as they will be sent: earlier signing headers give way to this signature's.
  std::vector<HttpHeader> headers;
  headers.reserve(request.headers.size() + 2);
  for (const HttpHeader& h : request.headers) {
    const std::string_view name = trim_spaces(h.name);
    if (iequals(name, "authorization") || iequals(name, "x-amz-date")) continue;
    if (!params.session_token.empty() && iequals(name, "x-amz-security-token")) continue;
    headers.push_back(h);
  }
  out.headers_to_add.push_back(HttpHeader{"X-Amz-Date", out.amz_date});
  if (!params.session_token.empty()) {
    out.headers_to_add.push_back(HttpHeader{"X-Amz-Security-Token", params.session_token});
  }
  headers.insert(headers.end(), out.headers_to_add.begin(), out.headers_to_add.end());

  std::vector<std::string> names;
  names.reserve(headers.size());
  for (const HttpHeader& h : headers) {
    std::string name = ascii_lower(trim_spaces(h.name));
    if (!is_unsigned_header(name)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  detail::Computed computed = detail::compute(detail::CanonicalInput{
      request.method, request.path, request.query, &headers, &names, request.payload_hash, out.amz_date, params.region,
      params.service, params.secret_access_key, params.normalize_path});

  out.authorization = fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", detail::kAlgorithm,
                                  params.access_key_id, computed.scope, computed.signed_headers, computed.signature);
  out.canonical_request = std::move(computed.canonical_request);
  out.string_to_sign = std::move(computed.string_to_sign);
  out.signature = std::move(computed.signature);
  out.scope = std::move(computed.scope);
  out.headers_to_add.push_back(HttpHeader{"Authorization", out.authorization});
  return out;
}

Status sign_request(HttpRequest& request, const Credentials& credentials, const std::string& region,
                    const std::string& service, std::chrono::system_clock::time_point now) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return make_error(ErrorKind::Config, "InvalidCredentials",
                      "cannot sign a request: the credentials have no access key id or no secret access key");
  }
  auto url = split_url(request.url);
  if (!url.ok()) return url.error();
  replace_header(request.headers, "Host", std::move(url->host_header));
  // A request signed before with temporary credentials carries their token;
  // re-signed with long-term keys it must not.
  if (credentials.session_token.empty()) {
    std::erase_if(request.headers, [](const HttpHeader& h) { return iequals(h.name, "x-amz-security-token"); });
  }

  SignableRequest signable;
  signable.method = request.method;
  signable.path = std::move(url->path);
  signable.query = std::move(url->query);
  signable.headers = request.headers;
  const std::string* content_sha = find_header(request.headers, "x-amz-content-sha256");
  signable.payload_hash =
      content_sha != nullptr ? std::string(trim_spaces(*content_sha)) : crypto::sha256_hex(request.body);

  SigningParams params;
  params.access_key_id = credentials.access_key_id;
  params.secret_access_key = credentials.secret_access_key;
  params.session_token = credentials.session_token;
  params.region = region;
  params.service = service;
  params.time = now;
  params.normalize_path = service != "s3";

  Signature signature = sign(signable, params);
  for (HttpHeader& h : signature.headers_to_add) replace_header(request.headers, std::move(h.name), std::move(h.value));
  return {};
}

}  // namespace firehose::aws::sigv4
