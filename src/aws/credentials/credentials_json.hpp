#pragma once
// The JSON credentials document shared by credential_process, the container
// endpoint and IMDS: {AccessKeyId, SecretAccessKey, <token>, Expiration}.
// They differ in the token's key ("SessionToken" for processes, "Token" for
// the metadata endpoints) and in whether Expiration is mandatory.
#include <string>
#include <string_view>

#include "firehose/credentials.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

struct CredentialsJsonFormat {
  std::string session_token_key;  // "SessionToken" or "Token"
  bool session_token_required = false;
  bool expiration_required = false;
};

// The credentials in `body`; `source` names the producer in error messages.
// Errors have kind Client and code "InvalidCredentialsDocument".
Result<Credentials> parse_credentials_json(std::string_view body, const CredentialsJsonFormat& format,
                                           const std::string& source);

}  // namespace firehose::aws
