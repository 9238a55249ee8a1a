// The server side of SigV4 (firehose-local): parse the Authorization header,
// recompute the signature over what the client says it signed, and answer the
// way AWS's JSON services do, codes and wording included.
#include <algorithm>

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "protocol/sigv4.hpp"
#include "protocol/sigv4_canonical.hpp"

namespace firehose::aws::sigv4 {
namespace {

using detail::iequals;

constexpr int kBadRequest = 400;

Error auth_error(std::string code, std::string message) {
  return make_error(ErrorKind::Auth, std::move(code), std::move(message), kBadRequest);
}

Error incomplete(std::string message) { return auth_error("IncompleteSignatureException", std::move(message)); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(separator, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& h : headers) {
    if (iequals(trim(h.name), name)) return &h.value;
  }
  return nullptr;
}

std::string describe_window(std::chrono::seconds skew) {
  return skew.count() % 60 == 0 ? fmt::format("{} min.", skew.count() / 60) : fmt::format("{} sec.", skew.count());
}

}  // namespace

Result<ParsedAuthorization> parse_authorization(std::string_view header) {
  const std::string_view text = trim(header);
  const std::size_t space = text.find_first_of(" \t");
  const std::string_view algorithm = text.substr(0, space);
  // Another SigV4 flavour (SigV4a, a typo) is named as such; anything else
  // ("Bearer ...") gets the list of missing parameters, as AWS answers it.
  if (algorithm != detail::kAlgorithm && algorithm.starts_with("AWS4-")) {
    return incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'.", algorithm));
  }

  std::optional<std::string_view> credential, signed_headers, signature;
  if (algorithm == detail::kAlgorithm) {
    const std::string_view params = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    for (std::string_view part : split(params, ',')) {
      part = trim(part);
      if (part.empty()) continue;
      const std::size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        return incomplete(fmt::format(
            "'{}' not a valid key=value pair (missing equal-sign) in Authorization header: '{}'.", part, text));
      }
      const std::string_view key = trim(part.substr(0, eq));
      const std::string_view value = trim(part.substr(eq + 1));
      if (key == "Credential")
        credential = value;
      else if (key == "SignedHeaders")
        signed_headers = value;
      else if (key == "Signature")
        signature = value;
    }
  }
  if (!credential || !signed_headers || !signature) {
    std::string message;
    if (!credential) message += "Authorization header requires 'Credential' parameter. ";
    if (!signature) message += "Authorization header requires 'Signature' parameter. ";
    if (!signed_headers) message += "Authorization header requires 'SignedHeaders' parameter. ";
    return incomplete(message + fmt::format("Authorization={}", text));
  }

  const std::vector<std::string_view> scope = split(*credential, '/');
  if (scope.size() != 5 || scope[0].empty() || scope[1].size() != 8 ||
      !std::all_of(scope[1].begin(), scope[1].end(), [](char c) { return c >= '0' && c <= '9'; }) || scope[2].empty() ||
      scope[3].empty() || scope[4] != "aws4_request") {
    return incomplete(fmt::format(
        "Credential should be '<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request', not '{}'.", *credential));
  }
  ParsedAuthorization parsed;
  parsed.access_key_id = std::string(scope[0]);
  parsed.date = std::string(scope[1]);
  parsed.region = std::string(scope[2]);
  parsed.service = std::string(scope[3]);
  parsed.signature = std::string(*signature);
  for (std::string_view name : split(*signed_headers, ';')) {
    if (name.empty())
      return incomplete(fmt::format("Invalid SignedHeaders '{}' in Authorization header.", *signed_headers));
    parsed.signed_headers.emplace_back(name);
  }
  if (parsed.signature.empty()) return incomplete(fmt::format("Empty Signature in Authorization header: '{}'.", text));
  return parsed;
}

Status verify(const SignableRequest& request, const SecretLookup& secret_for, std::chrono::system_clock::time_point now,
              std::chrono::seconds max_skew) {
  const std::string* authorization = find_header(request.headers, "authorization");
  if (authorization == nullptr)
    return auth_error("MissingAuthenticationTokenException", "Missing Authentication Token");
  auto parsed = parse_authorization(*authorization);
  if (!parsed.ok()) return parsed.error();

  const bool host_signed = std::any_of(parsed->signed_headers.begin(), parsed->signed_headers.end(),
                                       [](const std::string& n) { return iequals(n, "host") || n == ":authority"; });
  if (!host_signed) return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  // X-Amz-Date wins over Date, as in the signers; the string to sign uses the ISO form either way.
  std::string amz_date;
  std::optional<std::chrono::system_clock::time_point> signed_at;
  if (const std::string* value = find_header(request.headers, "x-amz-date")) {
    amz_date = std::string(trim(*value));
    signed_at = detail::parse_amz_date(amz_date);
    if (!signed_at) {
      return incomplete(fmt::format(
          "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601", amz_date));
    }
  } else if (const std::string* date = find_header(request.headers, "date")) {
    signed_at = detail::parse_http_date(*date);
    if (!signed_at) return incomplete(fmt::format("Date must be in RFC 1123 format. Got '{}'.", trim(*date)));
    amz_date = detail::format_amz_date(*signed_at);
  } else {
    return incomplete(fmt::format(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={}",
        trim(*authorization)));
  }

  if (parsed->date != std::string_view(amz_date).substr(0, 8)) {
    return auth_error("InvalidSignatureException",
                      fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                                  "from HTTP: '{}' != '{}', from '{}'.",
                                  parsed->date, amz_date.substr(0, 8), amz_date));
  }
  if (*signed_at < now - max_skew) {
    return auth_error(
        "InvalidSignatureException",
        fmt::format("Signature expired: {} is now earlier than {} ({} - {})", amz_date,
                    detail::format_amz_date(now - max_skew), detail::format_amz_date(now), describe_window(max_skew)));
  }
  if (*signed_at > now + max_skew) {
    return auth_error(
        "InvalidSignatureException",
        fmt::format("Signature not yet current: {} is still later than {} ({} + {})", amz_date,
                    detail::format_amz_date(now + max_skew), detail::format_amz_date(now), describe_window(max_skew)));
  }

  const std::optional<std::string> secret = secret_for ? secret_for(parsed->access_key_id) : std::nullopt;
  if (!secret) {
    return auth_error("UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  const detail::Computed expected = detail::compute(
      detail::CanonicalInput{request.method, request.path, request.query, &request.headers, &parsed->signed_headers,
                             request.payload_hash, amz_date, parsed->region, parsed->service, *secret});
  if (!crypto::constant_time_equals(expected.signature, parsed->signature)) {
    return auth_error("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you provided. Check your AWS "
                      "Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return {};
}

}  // namespace firehose::aws::sigv4
