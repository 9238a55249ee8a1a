#include "aws/credentials/sts_client.hpp"

#include <array>

#include <fmt/format.h>

#include "aws/credentials/xml_text.hpp"
#include "core/timestamp.hpp"
#include "protocol/sigv4.hpp"

namespace firehose::aws {
namespace {

constexpr const char* kVersion = "2011-06-15";

// application/x-www-form-urlencoded with RFC 3986 escaping (space as %20),
// which STS and every SDK accept.
std::string form_encode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

void add_field(std::string& form, std::string_view key, std::string_view value) {
  if (!form.empty()) form += '&';
  form += form_encode(key);
  form += '=';
  form += form_encode(value);
}

bool is_auth_code(std::string_view code) {
  constexpr std::array codes = {"AccessDenied",
                                "AccessDeniedException",
                                "InvalidClientTokenId",
                                "SignatureDoesNotMatch",
                                "IncompleteSignature",
                                "ExpiredToken",
                                "ExpiredTokenException",
                                "InvalidIdentityToken",
                                "IDPRejectedClaim",
                                "MissingAuthenticationToken",
                                "UnrecognizedClientException"};
  for (const char* c : codes) {
    if (code == c) return true;
  }
  return false;
}

bool is_throttle_code(std::string_view code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "TooManyRequestsException";
}

Error sts_error(const std::string& action, const std::string& endpoint, const HttpResponse& response) {
  const std::string_view body = response.body;
  const auto error_block = xml_element_content(body, "Error");
  const std::string_view scope = error_block ? *error_block : body;
  std::string code = xml_element_text(scope, "Code").value_or("");
  std::string message = xml_element_text(scope, "Message").value_or("");
  if (code.empty()) code = fmt::format("HTTP{}", response.status);
  if (message.empty()) message = fmt::format("HTTP {} without an STS error document", response.status);

  ErrorKind kind = ErrorKind::Client;
  if (is_throttle_code(code) || response.status == 429) {
    kind = ErrorKind::Throttle;
  } else if (response.status >= 500 || code == "IDPCommunicationError") {
    kind = ErrorKind::Transient;
  } else if (is_auth_code(code) || response.status == 401 || response.status == 403) {
    kind = ErrorKind::Auth;
  }
  Error error =
      make_error(kind, std::move(code), fmt::format("STS {} at {}: {}", action, endpoint, message), response.status);
  if (auto id = xml_element_text(body, "RequestId")) {
    error.request_id = *id;
  } else if (const std::string* header = response.header("x-amzn-requestid")) {
    error.request_id = *header;
  }
  return error;
}

Result<Credentials> parse_credentials(const std::string& action, const std::string& endpoint,
                                      const HttpResponse& response) {
  const auto block = xml_element_content(response.body, "Credentials");
  auto invalid = [&](const std::string& why) {
    return make_error(ErrorKind::Transient, "InvalidStsResponse",
                      fmt::format("STS {} at {}: {}", action, endpoint, why), response.status);
  };
  if (!block) return invalid("the answer has no <Credentials>");
  Credentials creds;
  creds.access_key_id = xml_element_text(*block, "AccessKeyId").value_or("");
  creds.secret_access_key = xml_element_text(*block, "SecretAccessKey").value_or("");
  creds.session_token = xml_element_text(*block, "SessionToken").value_or("");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty() || creds.session_token.empty()) {
    return invalid("the answer lacks AccessKeyId, SecretAccessKey or SessionToken");
  }
  const auto expiration = xml_element_text(*block, "Expiration");
  if (!expiration) return invalid("the answer has no Expiration");
  auto parsed = parse_iso8601(*expiration);
  if (!parsed) return invalid(parsed.error().message);
  creds.expiration = *parsed;
  return creds;
}

}  // namespace

StsClient::StsClient(std::string endpoint, std::string region, HttpClientPtr http, WallClock clock)
    : endpoint_(std::move(endpoint)), region_(std::move(region)), http_(std::move(http)), clock_(std::move(clock)) {}

Result<Credentials> StsClient::assume_role(const AssumeRoleParams& params, const Credentials& caller) const {
  std::string form;
  add_field(form, "Action", "AssumeRole");
  add_field(form, "Version", kVersion);
  add_field(form, "RoleArn", params.role_arn);
  add_field(form, "RoleSessionName", params.role_session_name);
  if (params.duration_seconds) add_field(form, "DurationSeconds", std::to_string(*params.duration_seconds));
  if (params.external_id) add_field(form, "ExternalId", *params.external_id);
  return call("AssumeRole", std::move(form), &caller);
}

Result<Credentials> StsClient::assume_role_with_web_identity(const AssumeRoleWithWebIdentityParams& params) const {
  std::string form;
  add_field(form, "Action", "AssumeRoleWithWebIdentity");
  add_field(form, "Version", kVersion);
  add_field(form, "RoleArn", params.role_arn);
  add_field(form, "RoleSessionName", params.role_session_name);
  add_field(form, "WebIdentityToken", params.web_identity_token);
  if (params.duration_seconds) add_field(form, "DurationSeconds", std::to_string(*params.duration_seconds));
  return call("AssumeRoleWithWebIdentity", std::move(form), nullptr);
}

Result<Credentials> StsClient::call(const std::string& action, std::string form, const Credentials* signer) const {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_;
  // A bare "https://host" gets the "/" path the signature and the server expect.
  if (const auto scheme_end = request.url.find("://");
      scheme_end != std::string::npos && request.url.find('/', scheme_end + 3) == std::string::npos) {
    request.url += '/';
  }
  request.set_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = std::move(form);
  if (signer != nullptr) {
    if (auto signed_ok = sigv4::sign_request(request, *signer, region_, "sts", clock_()); !signed_ok) {
      return signed_ok.error();
    }
  }
  auto response = http_->send(request);
  if (!response) {
    Error error = response.error();
    error.message = fmt::format("STS {} at {}: {}", action, endpoint_, error.message);
    return error;
  }
  if (response->status < 200 || response->status >= 300) return sts_error(action, endpoint_, *response);
  return parse_credentials(action, endpoint_, *response);
}

}  // namespace firehose::aws
