#pragma once
// What the profile-based providers (assume role, web identity, SSO, static
// keys, credential_process) read: the two shared files, the profile in use,
// and the files' names as the user wrote them, for messages.
#include <memory>
#include <optional>
#include <string>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

struct ProfileContext {
  std::shared_ptr<const SharedConfig> files;
  std::string profile = "default";
  std::string config_path = "~/.aws/config";
  std::string credentials_path = "~/.aws/credentials";

  // Reads the files named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
  // (default ~/.aws/...) and picks the active profile.
  static Result<ProfileContext> load(const Environment& env, const std::optional<std::string>& explicit_profile);
  // In-memory files, for tests and embedders.
  static ProfileContext from(SharedConfig files, std::string profile);

  // The merged profile (credentials file over config file), nullopt when absent.
  std::optional<ConfigSection> section() const;
  // The same files, another profile (a role's source_profile).
  ProfileContext with_profile(std::string name) const;
  // "profile NAME not found in <credentials path>, <config path>".
  std::string not_found_message() const;
};

}  // namespace firehose::aws
