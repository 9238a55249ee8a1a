#pragma once
// The container credentials endpoint (ECS task roles, EKS Pod Identity):
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI against http://169.254.170.2, or
// AWS_CONTAINER_CREDENTIALS_FULL_URI when it is https or points at a
// loopback address or one of the ECS/EKS link-local hosts. The
// Authorization header comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (re-read on each fetch, the agent rotates it) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
#include <chrono>
#include <string>

#include "aws/environment.hpp"
#include "firehose/credentials.hpp"
#include "protocol/http.hpp"

namespace firehose::aws {

struct ContainerProviderOptions {
  // botocore: 3 attempts, 1 s apart (timeouts belong to the HttpClient: 2 s there).
  int attempts = 3;
  std::chrono::milliseconds retry_delay{1000};
};

class ContainerProvider : public CredentialsProvider {
 public:
  ContainerProvider(Environment env, HttpClientPtr http, ContainerProviderOptions options = {});

  Result<Credentials> get() override;
  std::string name() const override { return "container"; }

 private:
  Environment env_;
  HttpClientPtr http_;
  ContainerProviderOptions options_;
};

// Whether AWS_CONTAINER_CREDENTIALS_FULL_URI may point at `url`: https, or a
// host that is loopback (127.0.0.0/8, ::1, localhost) or 169.254.170.2,
// 169.254.170.23, fd00:ec2::23. Errors say why not (kind Config).
Status check_container_full_uri(const std::string& url);

}  // namespace firehose::aws
