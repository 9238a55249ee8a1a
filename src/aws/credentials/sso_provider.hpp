#pragma once
// IAM Identity Center (SSO) profiles hold its place in the chain only: a
// profile with sso_* settings stops the chain with an explanation rather
// than silently falling through to other sources.
#include "aws/credentials/profile_context.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

class SsoProvider : public CredentialsProvider {
 public:
  explicit SsoProvider(ProfileContext context);

  Result<Credentials> get() override;
  std::string name() const override { return "sso"; }

 private:
  ProfileContext context_;
};

}  // namespace firehose::aws
