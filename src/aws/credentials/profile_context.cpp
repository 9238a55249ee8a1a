#include "aws/credentials/profile_context.hpp"

#include <fmt/format.h>

namespace firehose::aws {

Result<ProfileContext> ProfileContext::load(const Environment& env,
                                            const std::optional<std::string>& explicit_profile) {
  auto files = SharedConfig::load(env);
  if (!files) return files.error();
  ProfileContext context;
  context.files = std::make_shared<const SharedConfig>(std::move(files).value());
  context.profile = active_profile_name(env, explicit_profile);
  if (auto path = env.get_non_empty("AWS_CONFIG_FILE")) context.config_path = *path;
  if (auto path = env.get_non_empty("AWS_SHARED_CREDENTIALS_FILE")) context.credentials_path = *path;
  return context;
}

ProfileContext ProfileContext::from(SharedConfig files, std::string profile) {
  ProfileContext context;
  context.files = std::make_shared<const SharedConfig>(std::move(files));
  context.profile = std::move(profile);
  return context;
}

std::optional<ConfigSection> ProfileContext::section() const {
  if (!files) return std::nullopt;
  return files->profile(profile);
}

ProfileContext ProfileContext::with_profile(std::string name) const {
  ProfileContext other = *this;
  other.profile = std::move(name);
  return other;
}

std::string ProfileContext::not_found_message() const {
  return fmt::format("profile {} not found in {}, {}", profile, credentials_path, config_path);
}

}  // namespace firehose::aws
