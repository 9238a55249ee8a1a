#include "aws/credentials/web_identity_provider.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "aws/credentials/not_found.hpp"

namespace firehose::aws {
namespace {

Result<std::string> read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::Config, "InvalidConfig", fmt::format("cannot read web identity token file {}", path));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string token = buffer.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) {
    return make_error(ErrorKind::Config, "InvalidConfig", fmt::format("web identity token file {} is empty", path));
  }
  return token;
}

}  // namespace

WebIdentityProvider::WebIdentityProvider(Environment env, ProfileContext context, std::shared_ptr<const StsClient> sts,
                                         bool use_environment, WallClock clock)
    : env_(std::move(env)),
      context_(std::move(context)),
      sts_(std::move(sts)),
      use_environment_(use_environment),
      clock_(std::move(clock)) {}

std::optional<std::string> WebIdentityProvider::setting(std::string_view variable, const std::string& key,
                                                        const std::optional<ConfigSection>& profile) const {
  if (use_environment_) {
    if (auto value = env_.get_non_empty(variable)) return value;
  }
  if (profile) {
    if (auto value = profile->get(key); value && !value->empty()) return value;
  }
  return std::nullopt;
}

Result<Credentials> WebIdentityProvider::get() {
  const auto profile = context_.section();
  const auto token_file = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file", profile);
  if (!token_file) {
    return credentials_not_found(
        use_environment_
            ? fmt::format("AWS_WEB_IDENTITY_TOKEN_FILE not set and profile {} has no web_identity_token_file",
                          context_.profile)
            : fmt::format("profile {} has no web_identity_token_file", context_.profile));
  }
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = setting("AWS_ROLE_ARN", "role_arn", profile).value_or("");
  if (params.role_arn.empty()) {
    return make_error(ErrorKind::Config, "InvalidConfig",
                      fmt::format("web identity token file {} is configured but no role ARN (AWS_ROLE_ARN or the "
                                  "profile's role_arn)",
                                  *token_file));
  }
  params.role_session_name = setting("AWS_ROLE_SESSION_NAME", "role_session_name", profile).value_or("");
  if (params.role_session_name.empty()) {
    const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
    params.role_session_name = fmt::format("firehose-session-{}", epoch);
  }
  auto token = read_token(*token_file);
  if (!token) return token.error();
  params.web_identity_token = std::move(token).value();

  auto creds = sts_->assume_role_with_web_identity(params);
  if (creds) creds->provider = name();
  return creds;
}

}  // namespace firehose::aws
