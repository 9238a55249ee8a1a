#pragma once
// Static keys (aws_access_key_id, aws_secret_access_key, aws_session_token)
// of a profile in one of the two shared files. The chain has one instance
// per file because botocore consults the credentials file before
// credential_process and the config file after it.
#include "aws/config_file.hpp"
#include "aws/credentials/profile_context.hpp"
#include "firehose/credentials.hpp"

namespace firehose::aws {

enum class ProfileFile { Credentials, Config };

class ProfileProvider : public CredentialsProvider {
 public:
  ProfileProvider(ProfileContext context, ProfileFile file);

  Result<Credentials> get() override;
  // "shared-credentials-file" or "config-file", as botocore names them.
  std::string name() const override;

 private:
  ProfileContext context_;
  ProfileFile file_;
};

// True when the section names either static key (a partial pair is an error later, not a miss).
bool has_static_keys(const ConfigSection& section);

// The static keys of a section; `origin` names it in errors ("profile dev in ~/.aws/config").
Result<Credentials> static_keys_from(const ConfigSection& section, const std::string& origin);

}  // namespace firehose::aws
