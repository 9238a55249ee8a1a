#include "aws/credentials/assume_role_provider.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "aws/credentials/chain_provider.hpp"
#include "aws/credentials/not_found.hpp"
#include "aws/credentials/profile_provider.hpp"

namespace firehose::aws {
namespace {

Error invalid_config(std::string message) { return make_error(ErrorKind::Config, "InvalidConfig", std::move(message)); }

// role_arn without web_identity_token_file: what botocore assumes with AssumeRole.
bool assumes_role(const ConfigSection& section) {
  return section.get("role_arn").has_value() && !section.get("web_identity_token_file").has_value();
}

Result<std::optional<int>> duration_of(const ConfigSection& section, const std::string& profile) {
  auto text = section.get("duration_seconds");
  if (!text || text->empty()) return std::optional<int>{};
  int value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value <= 0) {
    return invalid_config(fmt::format("profile {}: duration_seconds '{}' is not a positive integer", profile, *text));
  }
  return std::optional<int>{value};
}

}  // namespace

AssumeRoleProvider::AssumeRoleProvider(ProfileContext context, std::shared_ptr<const StsClient> sts,
                                       RoleSourceProviders sources, WallClock clock)
    : context_(std::move(context)), sts_(std::move(sts)), sources_(std::move(sources)), clock_(std::move(clock)) {
  if (!sources_.for_profile) {
    sources_.for_profile = [](const ProfileContext& source) -> CredentialsProviderPtr {
      return std::make_shared<ChainProvider>(
          std::vector<CredentialsProviderPtr>{std::make_shared<ProfileProvider>(source, ProfileFile::Credentials),
                                              std::make_shared<ProfileProvider>(source, ProfileFile::Config)});
    };
  }
}

Result<Credentials> AssumeRoleProvider::get() {
  auto section = context_.section();
  if (!section) return credentials_not_found(context_.not_found_message());
  if (!section->get("role_arn"))
    return credentials_not_found(fmt::format("profile {} has no role_arn", context_.profile));
  if (!assumes_role(*section)) {
    return credentials_not_found(
        fmt::format("profile {} has web_identity_token_file (the web identity provider's)", context_.profile));
  }
  std::vector<std::string> visited{context_.profile};
  auto creds = assume(context_.profile, visited);
  if (creds) creds->provider = name();
  return creds;
}

Result<Credentials> AssumeRoleProvider::assume(const std::string& profile, std::vector<std::string>& visited) {
  const auto section = context_.with_profile(profile).section();
  if (!section) return invalid_config(context_.with_profile(profile).not_found_message());

  auto source = source_credentials(profile, *section, visited);
  if (!source) return source.error();

  AssumeRoleParams params;
  params.role_arn = section->get("role_arn").value_or("");
  params.role_session_name = section->get("role_session_name").value_or("");
  if (params.role_session_name.empty()) {
    const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
    params.role_session_name = fmt::format("firehose-session-{}", epoch);
  }
  params.external_id = section->get("external_id");
  auto duration = duration_of(*section, profile);
  if (!duration) return duration.error();
  params.duration_seconds = *duration;

  auto creds = sts_->assume_role(params, *source);
  if (!creds) {
    Error error = creds.error();
    error.message = fmt::format("profile {} (role {}): {}", profile, params.role_arn, error.message);
    return error;
  }
  return creds;
}

Result<Credentials> AssumeRoleProvider::source_credentials(const std::string& profile, const ConfigSection& section,
                                                           std::vector<std::string>& visited) {
  const auto source_profile = section.get("source_profile");
  const auto credential_source = section.get("credential_source");
  if (source_profile && credential_source) {
    return invalid_config(fmt::format("profile {} has both source_profile and credential_source", profile));
  }
  if (!source_profile && !credential_source) {
    return invalid_config(
        fmt::format("profile {} has role_arn but neither source_profile nor credential_source", profile));
  }

  if (credential_source) {
    CredentialsProviderPtr provider =
        sources_.for_credential_source ? sources_.for_credential_source(*credential_source) : nullptr;
    if (!provider) {
      return invalid_config(fmt::format(
          "profile {}: credential_source '{}' is not valid (expected Environment, Ec2InstanceMetadata or EcsContainer)",
          profile, *credential_source));
    }
    auto creds = provider->get();
    if (!creds && is_credentials_not_found(creds.error())) {
      return invalid_config(fmt::format("profile {}: credential_source {} found no credentials: {}", profile,
                                        *credential_source, creds.error().message));
    }
    return creds;
  }

  const std::string& source_name = *source_profile;
  const auto source_section = context_.with_profile(source_name).section();
  if (!source_section) {
    return invalid_config(fmt::format("source_profile {} of profile {} does not exist", source_name, profile));
  }
  const bool seen = std::find(visited.begin(), visited.end(), source_name) != visited.end();
  // A profile may name itself as source to use its own static keys; any other repeat is a loop.
  if (seen && !(source_name == profile && has_static_keys(*source_section))) {
    visited.push_back(source_name);
    return invalid_config(fmt::format("source_profile loop: {}", fmt::join(visited, " -> ")));
  }
  visited.push_back(source_name);

  if (has_static_keys(*source_section) || !assumes_role(*source_section)) {
    auto creds = sources_.for_profile(context_.with_profile(source_name))->get();
    if (!creds && is_credentials_not_found(creds.error())) {
      return invalid_config(fmt::format("source_profile {} of profile {} has no credentials: {}", source_name, profile,
                                        creds.error().message));
    }
    return creds;
  }
  return assume(source_name, visited);
}

}  // namespace firehose::aws
