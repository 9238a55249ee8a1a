#pragma once
// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN (or the legacy AWS_SECURITY_TOKEN), with an optional
// AWS_CREDENTIAL_EXPIRATION. Re-read on every get().
#include "aws/environment.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

class EnvironmentProvider : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(Environment env);

  Result<Credentials> get() override;
  std::string name() const override { return "environment"; }

 private:
  Environment env_;
};

}  // namespace firehose::aws
