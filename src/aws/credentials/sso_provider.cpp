#include "aws/credentials/sso_provider.hpp"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "aws/credentials/not_found.hpp"

namespace firehose::aws {

SsoProvider::SsoProvider(ProfileContext context) : context_(std::move(context)) {}

Result<Credentials> SsoProvider::get() {
  auto section = context_.section();
  if (!section) return credentials_not_found(context_.not_found_message());
  std::vector<std::string> sso_keys;
  for (const auto& [key, value] : section->values) {
    if (key.rfind("sso_", 0) == 0) sso_keys.push_back(key);
  }
  if (sso_keys.empty()) return credentials_not_found(fmt::format("profile {} has no sso_* settings", context_.profile));
  return make_error(ErrorKind::Config, "UnsupportedCredentialSource",
                    fmt::format("profile {} is an SSO profile ({}); SSO profiles are not supported yet. Workaround: "
                                "`aws sso login --profile {}`, then `eval \"$(aws configure export-credentials "
                                "--profile {} --format env)\"`",
                                context_.profile, fmt::join(sso_keys, ", "), context_.profile, context_.profile));
}

}  // namespace firehose::aws
