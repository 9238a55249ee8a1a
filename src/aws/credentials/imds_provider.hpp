#pragma once
// EC2 instance metadata (IMDS): the instance role's credentials. IMDSv2
// first (PUT /latest/api/token, then GETs carrying the token); IMDSv1 (no
// token) only when the token request answers 403/404/405 or times out, as
// botocore does, and never when v1 is disabled. A 400 to the token request
// means the request itself is wrong: no fallback. IMDS being unreachable is
// a soft miss (the chain's last resort on machines that are not EC2).
#include <chrono>
#include <optional>
#include <string>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"
#include "firehose/credentials.hpp"
#include "protocol/http.hpp"

namespace firehose::aws {

struct ImdsSettings {
  bool disabled = false;  // AWS_EC2_METADATA_DISABLED=true
  std::string endpoint = "http://169.254.169.254";
  bool v1_disabled = false;                 // AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled
  int attempts = 1;                         // AWS_METADATA_SERVICE_NUM_ATTEMPTS (botocore default 1)
  std::chrono::milliseconds timeout{1000};  // AWS_METADATA_SERVICE_TIMEOUT, for the HttpClient

  // From the environment, then the profile (ec2_metadata_service_endpoint,
  // ec2_metadata_service_endpoint_mode = IPv6, ec2_metadata_v1_disabled,
  // metadata_service_num_attempts, metadata_service_timeout).
  static ImdsSettings resolve(const Environment& env, const std::optional<ConfigSection>& profile);
};

class ImdsProvider : public CredentialsProvider {
 public:
  // `http` should time out quickly (settings.timeout): off EC2 nothing answers.
  ImdsProvider(ImdsSettings settings, HttpClientPtr http);

  Result<Credentials> get() override;
  std::string name() const override { return "imds"; }

 private:
  struct Token {
    std::optional<std::string> value;  // nullopt: use IMDSv1
  };
  Result<Token> fetch_token();
  Result<HttpResponse> fetch(const std::string& path, const Token& token);
  std::string url(const std::string& path) const;

  ImdsSettings settings_;
  HttpClientPtr http_;
};

}  // namespace firehose::aws
