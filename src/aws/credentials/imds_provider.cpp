#include "aws/credentials/imds_provider.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aws/credentials/credentials_json.hpp"
#include "aws/credentials/not_found.hpp"

namespace firehose::aws {
namespace {

constexpr const char* kTokenPath = "/latest/api/token";
constexpr const char* kRolesPath = "/latest/meta-data/iam/security-credentials/";
constexpr const char* kTokenTtlSeconds = "21600";

bool is_true(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string v = *value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true" || v == "1" || v == "yes";
}

std::optional<double> number(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  double out = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
  if (ec != std::errc() || ptr != value->data() + value->size() || out <= 0) return std::nullopt;
  return out;
}

}  // namespace

ImdsSettings ImdsSettings::resolve(const Environment& env, const std::optional<ConfigSection>& profile) {
  auto from_profile = [&](const std::string& key) -> std::optional<std::string> {
    return profile ? profile->get(key) : std::nullopt;
  };
  auto setting = [&](std::string_view variable, const std::string& key) -> std::optional<std::string> {
    if (auto value = env.get_non_empty(variable)) return value;
    return from_profile(key);
  };

  ImdsSettings settings;
  settings.disabled = is_true(env.get("AWS_EC2_METADATA_DISABLED"));
  if (auto endpoint = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
      endpoint && !endpoint->empty()) {
    settings.endpoint = *endpoint;
  } else if (auto mode = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")) {
    std::string m = *mode;
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
    if (m == "ipv6") settings.endpoint = "http://[fd00:ec2::254]";
  }
  while (!settings.endpoint.empty() && settings.endpoint.back() == '/') settings.endpoint.pop_back();
  settings.v1_disabled = is_true(setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
  if (auto attempts = number(setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"))) {
    settings.attempts = static_cast<int>(*attempts);
  }
  if (auto timeout = number(setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"))) {
    settings.timeout = std::chrono::milliseconds(static_cast<long long>(*timeout * 1000));
  }
  return settings;
}

ImdsProvider::ImdsProvider(ImdsSettings settings, HttpClientPtr http)
    : settings_(std::move(settings)), http_(std::move(http)) {}

std::string ImdsProvider::url(const std::string& path) const { return settings_.endpoint + path; }

Result<ImdsProvider::Token> ImdsProvider::fetch_token() {
  HttpRequest request;
  request.method = "PUT";
  request.url = url(kTokenPath);
  request.set_header("X-aws-ec2-metadata-token-ttl-seconds", kTokenTtlSeconds);
  std::optional<Error> unreachable;
  for (int attempt = 0; attempt < std::max(1, settings_.attempts); ++attempt) {
    auto response = http_->send(request);
    if (!response) {
      // A silent endpoint may be an IMDSv1-only proxy that drops PUTs; botocore tries v1 then.
      if (response.error().transport == TransportFailure::Timeout) return Token{};
      unreachable =
          credentials_not_found(fmt::format("no answer from {}: {}", settings_.endpoint, response.error().message));
      continue;
    }
    unreachable.reset();
    switch (response->status) {
      case 200: return Token{response->body};
      case 403:
      case 404:
      case 405: return Token{};
      case 400:
        return credentials_not_found(fmt::format("{} refused the IMDSv2 token request (HTTP 400)", settings_.endpoint));
      default: break;  // 5xx and the like: try again, then fall back to v1 as botocore does
    }
  }
  if (unreachable) return *unreachable;
  return Token{};
}

Result<HttpResponse> ImdsProvider::fetch(const std::string& path, const Token& token) {
  HttpRequest request;
  request.method = "GET";
  request.url = url(path);
  if (token.value) request.set_header("X-aws-ec2-metadata-token", *token.value);
  Result<HttpResponse> last = credentials_not_found(fmt::format("no answer from {}", settings_.endpoint));
  for (int attempt = 0; attempt < std::max(1, settings_.attempts); ++attempt) {
    last = http_->send(request);
    if (!last) {
      last = credentials_not_found(fmt::format("no answer from {}: {}", settings_.endpoint, last.error().message));
      continue;
    }
    if (last->status == 200 && !last->body.empty()) return last;
  }
  return last;
}

Result<Credentials> ImdsProvider::get() {
  if (settings_.disabled) return credentials_not_found("disabled by AWS_EC2_METADATA_DISABLED");
  auto token = fetch_token();
  if (!token) return token.error();
  if (!token->value && settings_.v1_disabled) {
    return make_error(ErrorKind::Config, "ImdsV1Disabled",
                      fmt::format("{} gave no IMDSv2 token and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED / "
                                  "ec2_metadata_v1_disabled)",
                                  settings_.endpoint));
  }

  auto roles = fetch(kRolesPath, *token);
  if (!roles) return roles.error();
  if (roles->status != 200 || roles->body.empty()) {
    return credentials_not_found(fmt::format("{} lists no instance role (HTTP {})", settings_.endpoint, roles->status));
  }
  std::string role = roles->body.substr(0, roles->body.find('\n'));
  while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();

  auto document = fetch(kRolesPath + role, *token);
  if (!document) return document.error();
  if (document->status != 200) {
    return credentials_not_found(
        fmt::format("{} gave no credentials for role {} (HTTP {})", settings_.endpoint, role, document->status));
  }
  // IMDS can answer 200 with {"Code": "...", "Message": "..."} when the role cannot be assumed.
  if (const auto doc = nlohmann::json::parse(document->body, nullptr, false); doc.is_object()) {
    const auto code = doc.find("Code");
    if (code != doc.end() && code->is_string() && code->get<std::string>() != "Success") {
      const auto message = doc.find("Message");
      return credentials_not_found(fmt::format(
          "{} could not provide role {} credentials: {} {}", settings_.endpoint, role, code->get<std::string>(),
          message != doc.end() && message->is_string() ? message->get<std::string>() : std::string()));
    }
  }
  auto creds = parse_credentials_json(
      document->body, {.session_token_key = "Token", .session_token_required = true, .expiration_required = true},
      fmt::format("{} role {}", settings_.endpoint, role));
  if (!creds) return credentials_not_found(creds.error().message);
  creds->provider = name();
  return creds;
}

}  // namespace firehose::aws
