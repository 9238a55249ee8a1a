#pragma once
// A profile with role_arn: credentials from STS AssumeRole, called with the
// credentials of the profile's source_profile (which may itself assume a
// role, recursively, cycles refused) or of its credential_source
// (Environment, Ec2InstanceMetadata, EcsContainer). role_session_name,
// external_id and duration_seconds are honoured. Profiles with
// web_identity_token_file are left to the web identity provider.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials/clock.hpp"
#include "aws/credentials/profile_context.hpp"
#include "aws/credentials/sts_client.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

// Where AssumeRoleProvider gets the credentials it calls STS with.
struct RoleSourceProviders {
  // For a source_profile that does not assume a role itself (static keys,
  // web identity, credential_process: botocore's profile chain without the
  // environment). Unset: the profile's static keys only.
  std::function<CredentialsProviderPtr(const ProfileContext& source_profile)> for_profile;
  // For a credential_source name; returns nullptr for a name it does not
  // know. Unset: no credential_source is supported.
  std::function<CredentialsProviderPtr(const std::string& credential_source)> for_credential_source;
};

class AssumeRoleProvider : public CredentialsProvider {
 public:
  AssumeRoleProvider(ProfileContext context, std::shared_ptr<const StsClient> sts, RoleSourceProviders sources = {},
                     WallClock clock = system_now);

  Result<Credentials> get() override;
  std::string name() const override { return "assume-role"; }

 private:
  Result<Credentials> assume(const std::string& profile, std::vector<std::string>& visited);
  Result<Credentials> source_credentials(const std::string& profile, const ConfigSection& section,
                                         std::vector<std::string>& visited);

  ProfileContext context_;
  std::shared_ptr<const StsClient> sts_;
  RoleSourceProviders sources_;
  WallClock clock_;
};

}  // namespace firehose::aws
