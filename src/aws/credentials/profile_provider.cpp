#include "aws/credentials/profile_provider.hpp"

#include <fmt/format.h>

#include "aws/credentials/not_found.hpp"

namespace firehose::aws {

ProfileProvider::ProfileProvider(ProfileContext context, ProfileFile file)
    : context_(std::move(context)), file_(file) {}

std::string ProfileProvider::name() const {
  return file_ == ProfileFile::Credentials ? "shared-credentials-file" : "config-file";
}

Result<Credentials> ProfileProvider::get() {
  const std::string& path = file_ == ProfileFile::Credentials ? context_.credentials_path : context_.config_path;
  const ConfigSection* section = nullptr;
  if (context_.files) {
    if (file_ == ProfileFile::Credentials) {
      section = context_.files->credentials_file().section(context_.profile);
    } else {
      const ConfigFile& config = context_.files->config_file();
      section = config.section("profile " + context_.profile);
      if (section == nullptr && context_.profile == "default") section = config.section("default");
    }
  }
  if (section == nullptr) return credentials_not_found(fmt::format("profile {} not in {}", context_.profile, path));
  if (!has_static_keys(*section)) {
    return credentials_not_found(fmt::format("profile {} in {} has no aws_access_key_id", context_.profile, path));
  }
  auto creds = static_keys_from(*section, fmt::format("profile {} in {}", context_.profile, path));
  if (creds) creds->provider = name();
  return creds;
}

bool has_static_keys(const ConfigSection& section) {
  return section.get("aws_access_key_id").has_value() || section.get("aws_secret_access_key").has_value();
}

Result<Credentials> static_keys_from(const ConfigSection& section, const std::string& origin) {
  Credentials creds;
  auto access_key = section.get("aws_access_key_id");
  auto secret_key = section.get("aws_secret_access_key");
  if (!access_key || access_key->empty() || !secret_key || secret_key->empty()) {
    const bool access_key_missing = !access_key || access_key->empty();
    return make_error(ErrorKind::Config, "PartialCredentials",
                      fmt::format("{}: {} is missing or empty", origin,
                                  access_key_missing ? "aws_access_key_id" : "aws_secret_access_key"));
  }
  creds.access_key_id = std::move(*access_key);
  creds.secret_access_key = std::move(*secret_key);
  if (auto token = section.get("aws_session_token")) {
    creds.session_token = std::move(*token);
  } else if (auto legacy = section.get("aws_security_token")) {
    creds.session_token = std::move(*legacy);
  }
  return creds;
}

}  // namespace firehose::aws
