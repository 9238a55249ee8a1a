#pragma once
// credential_process: a profile names a command whose stdout is a JSON
// document {Version: 1, AccessKeyId, SecretAccessKey, SessionToken?,
// Expiration?}. The command runs on every get(); caching is the chain's.
#include "aws/credentials/profile_context.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

class ProcessProvider : public CredentialsProvider {
 public:
  explicit ProcessProvider(ProfileContext context);

  Result<Credentials> get() override;
  std::string name() const override { return "process"; }

 private:
  ProfileContext context_;
};

}  // namespace firehose::aws
