#pragma once
// How a provider says "this source is not configured here" as opposed to
// "this source is configured but failed": the chain moves on after the
// first and stops at the second (botocore's semantics), so a broken
// credential_process is reported instead of being masked by IMDS timeouts.
#include <string>

#include "firehose/error.hpp"

namespace firehose::aws {

inline constexpr const char* kCredentialsNotFoundCode = "CredentialsNotFound";
// A whole chain that found nothing; inside another chain it is a miss too.
inline constexpr const char* kNoCredentialsCode = "NoCredentials";

// A soft miss; `why` ends up in the chain's "tried: ..." message.
inline Error credentials_not_found(std::string why) {
  Error e;
  e.kind = ErrorKind::Config;
  e.code = kCredentialsNotFoundCode;
  e.message = std::move(why);
  return e;
}

inline bool is_credentials_not_found(const Error& error) {
  return error.code == kCredentialsNotFoundCode || error.code == kNoCredentialsCode;
}

}  // namespace firehose::aws
