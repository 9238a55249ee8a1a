#pragma once
// Web identity (EKS IRSA and the like): a token file plus a role ARN,
// exchanged at STS AssumeRoleWithWebIdentity (unsigned). Each setting comes
// from its environment variable (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
// AWS_ROLE_SESSION_NAME) or else from the profile (web_identity_token_file,
// role_arn, role_session_name), as in botocore. The token file is read on
// every get(): the platform rotates it.
#include <memory>

#include "aws/credentials/clock.hpp"
#include "aws/credentials/profile_context.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/environment.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

class WebIdentityProvider : public CredentialsProvider {
 public:
  // use_environment = false ignores the variables: a role's source profile
  // must be resolved from the profile alone (botocore's disable_env_vars).
  WebIdentityProvider(Environment env, ProfileContext context, std::shared_ptr<const StsClient> sts,
                      bool use_environment = true, WallClock clock = system_now);

  Result<Credentials> get() override;
  std::string name() const override { return "web-identity"; }

 private:
  std::optional<std::string> setting(std::string_view variable, const std::string& key,
                                     const std::optional<ConfigSection>& profile) const;

  Environment env_;
  ProfileContext context_;
  std::shared_ptr<const StsClient> sts_;
  bool use_environment_;
  WallClock clock_;
};

}  // namespace firehose::aws
