#pragma once
// credential_process: a profile names a command whose stdout is a JSON
// document {Version: 1, AccessKeyId, SecretAccessKey, SessionToken?,
// Expiration?}. The command runs on every get(); caching is the chain's.
#include <chrono>

#include "aws/credentials/profile_context.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

class ProcessProvider : public CredentialsProvider {
 public:
  // The command is killed after `timeout` (the session's request timeout).
  explicit ProcessProvider(ProfileContext context,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000));

  Result<Credentials> get() override;
  std::string name() const override { return "process"; }

 private:
  ProfileContext context_;
  std::chrono::milliseconds timeout_;
};

}  // namespace firehose::aws
