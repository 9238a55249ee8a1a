#include "aws/credentials/container_provider.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "aws/credentials/credentials_json.hpp"
#include "aws/credentials/not_found.hpp"

namespace firehose::aws {
namespace {

constexpr const char* kEcsHost = "http://169.254.170.2";

Error config_error(std::string message) {
  return make_error(ErrorKind::Config, "InvalidContainerCredentialsConfig", std::move(message));
}

struct UrlParts {
  std::string scheme;
  std::string host;  // without brackets for IPv6
};

std::optional<UrlParts> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return std::nullopt;
  UrlParts parts;
  for (char c : url.substr(0, scheme_end))
    parts.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    parts.host = authority.substr(1, close - 1);
  } else {
    parts.host = authority.substr(0, authority.find(':'));
  }
  for (char& c : parts.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (parts.host.empty()) return std::nullopt;
  return parts;
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

// Compared as addresses, so "fd00:ec2:0::23" matches too.
bool is_container_link_local(const std::string& host) {
  for (const char* allowed : {"169.254.170.2", "169.254.170.23"}) {
    in_addr a{}, b{};
    if (inet_pton(AF_INET, host.c_str(), &a) == 1 && inet_pton(AF_INET, allowed, &b) == 1 && a.s_addr == b.s_addr) {
      return true;
    }
  }
  in6_addr a{}, b{};
  return inet_pton(AF_INET6, host.c_str(), &a) == 1 && inet_pton(AF_INET6, "fd00:ec2::23", &b) == 1 &&
         std::memcmp(&a, &b, sizeof a) == 0;
}

Result<std::optional<std::string>> authorization_token(const Environment& env) {
  std::optional<std::string> token;
  if (auto path = env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) return config_error(fmt::format("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {}", *path));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    token = buffer.str();
    // Files written by tools often end in a newline; it is not part of the token.
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  } else if (auto value = env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = std::move(value);
  }
  if (token && token->find_first_of("\r\n") != std::string::npos) {
    return config_error("the container authorization token contains a line break");
  }
  return token;
}

Error http_error(const std::string& url, const HttpResponse& response) {
  const ErrorKind kind = response.status >= 500 || response.status == 429   ? ErrorKind::Transient
                         : response.status == 401 || response.status == 403 ? ErrorKind::Auth
                                                                            : ErrorKind::Client;
  std::string body = response.body.substr(0, 512);
  return make_error(kind, fmt::format("HTTP{}", response.status),
                    fmt::format("container credentials endpoint {} answered HTTP {}{}{}", url, response.status,
                                body.empty() ? "" : ": ", body),
                    response.status);
}

}  // namespace

Status check_container_full_uri(const std::string& url) {
  const auto parts = split_url(url);
  if (!parts) return config_error(fmt::format("AWS_CONTAINER_CREDENTIALS_FULL_URI '{}' is not a URL", url));
  if (parts->scheme == "https") return {};
  if (parts->scheme != "http") {
    return config_error(fmt::format("AWS_CONTAINER_CREDENTIALS_FULL_URI '{}' must be http or https", url));
  }
  if (is_loopback(parts->host) || is_container_link_local(parts->host)) return {};
  return config_error(fmt::format(
      "AWS_CONTAINER_CREDENTIALS_FULL_URI host '{}' is not allowed over http: use https, a loopback address or one "
      "of 169.254.170.2, 169.254.170.23, fd00:ec2::23",
      parts->host));
}

ContainerProvider::ContainerProvider(Environment env, HttpClientPtr http, ContainerProviderOptions options)
    : env_(std::move(env)), http_(std::move(http)), options_(options) {}

Result<Credentials> ContainerProvider::get() {
  std::string url;
  if (auto relative = env_.get_non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = kEcsHost + (relative->front() == '/' ? *relative : "/" + *relative);
  } else if (auto full = env_.get_non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    if (auto allowed = check_container_full_uri(*full); !allowed) return allowed.error();
    url = *full;
  } else {
    return credentials_not_found(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set");
  }

  Error last_error;
  const int attempts = std::max(1, options_.attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(options_.retry_delay);
    auto token = authorization_token(env_);
    if (!token) return token.error();

    HttpRequest request;
    request.method = "GET";
    request.url = url;
    request.set_header("Accept", "application/json");
    if (*token) request.set_header("Authorization", **token);

    auto response = http_->send(request);
    if (!response) {
      last_error = response.error();
      last_error.message = fmt::format("container credentials endpoint {}: {}", url, last_error.message);
      if (last_error.kind != ErrorKind::Transport) return last_error;
      continue;
    }
    if (response->status != 200) {
      last_error = http_error(url, *response);
      if (last_error.kind != ErrorKind::Transient) return last_error;
      continue;
    }
    auto creds = parse_credentials_json(response->body, {.session_token_key = "Token"},
                                        fmt::format("container credentials endpoint {}", url));
    if (creds) creds->provider = name();
    return creds;
  }
  return last_error;
}

}  // namespace firehose::aws
