#include "request_auth.hpp"

#include <strings.h>

#include <fmt/format.h>

#include "core/crypto.hpp"

namespace firehose::local {
namespace {

const std::string* authorization_of(const aws::sigv4::SignableRequest& request) {
  for (const auto& header : request.headers) {
    if (header.name.size() == 13 && strncasecmp(header.name.c_str(), "authorization", 13) == 0) return &header.value;
  }
  return nullptr;
}

Error invalid_signature(std::string message) {
  return make_error(ErrorKind::Auth, "InvalidSignatureException", std::move(message), 400);
}

}  // namespace

RequestAuthenticator::RequestAuthenticator(std::vector<std::pair<std::string, std::string>> credentials,
                                           std::string region)
    : credentials_(std::move(credentials)), region_(std::move(region)) {}

Status RequestAuthenticator::check(const aws::sigv4::SignableRequest& request, std::string_view service,
                                   std::chrono::system_clock::time_point now) const {
  const std::string* authorization = authorization_of(request);
  if (!checking()) {
    if (authorization == nullptr) return {};
    auto parsed = aws::sigv4::parse_authorization(*authorization);
    if (!parsed.ok()) return parsed.error();
    return {};
  }
  if (authorization != nullptr) {
    // The scope is checked before the signature, as the service does: a
    // request signed for another region or service is refused for that.
    auto parsed = aws::sigv4::parse_authorization(*authorization);
    if (!parsed.ok()) return parsed.error();
    if (parsed->region != region_) {
      return invalid_signature(
          fmt::format("Credential should be scoped to a valid region, not '{}'. ", parsed->region));
    }
    if (parsed->service != service) {
      return invalid_signature(fmt::format("Credential should be scoped to correct service: '{}'. ", service));
    }
  }
  const auto secret_for = [this](const std::string& key) -> std::optional<std::string> {
    for (const auto& [id, secret] : credentials_) {
      if (aws::crypto::constant_time_equals(id, key)) return secret;
    }
    return std::nullopt;
  };
  return aws::sigv4::verify(request, secret_for, now);
}

}  // namespace firehose::local
