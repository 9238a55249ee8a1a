#include "aws/credentials/environment_provider.hpp"

#include <fmt/format.h>

#include "aws/credentials/not_found.hpp"
#include "core/timestamp.hpp"

namespace firehose::aws {

EnvironmentProvider::EnvironmentProvider(Environment env) : env_(std::move(env)) {}

Result<Credentials> EnvironmentProvider::get() {
  auto access_key = env_.get_non_empty("AWS_ACCESS_KEY_ID");
  if (!access_key) return credentials_not_found("AWS_ACCESS_KEY_ID not set");
  auto secret_key = env_.get_non_empty("AWS_SECRET_ACCESS_KEY");
  if (!secret_key) {
    return make_error(ErrorKind::Config, "PartialCredentials",
                      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  Credentials creds;
  creds.access_key_id = std::move(*access_key);
  creds.secret_access_key = std::move(*secret_key);
  if (auto token = env_.get_non_empty("AWS_SESSION_TOKEN")) {
    creds.session_token = std::move(*token);
  } else if (auto legacy = env_.get_non_empty("AWS_SECURITY_TOKEN")) {
    creds.session_token = std::move(*legacy);
  }
  if (auto expiration = env_.get_non_empty("AWS_CREDENTIAL_EXPIRATION")) {
    auto parsed = parse_iso8601(*expiration);
    if (!parsed) {
      return make_error(ErrorKind::Config, "InvalidCredentialExpiration",
                        fmt::format("AWS_CREDENTIAL_EXPIRATION: {}", parsed.error().message));
    }
    creds.expiration = *parsed;
  }
  creds.provider = name();
  return creds;
}

}  // namespace firehose::aws
