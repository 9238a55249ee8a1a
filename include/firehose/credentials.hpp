#pragma once
// AWS credentials and the provider interface every source implements
// (environment, profiles, STS, process, container, IMDS, and the chain).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "firehose/result.hpp"

namespace firehose {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                                        // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration;  // temporary credentials only
  std::string provider;  // which provider produced them, for logs ("environment", "assume-role", ...)
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Thread-safe. Returns current credentials, refreshing them when needed.
  virtual Result<Credentials> get() = 0;
  // Short name used in logs and in the "nothing found, tried: ..." error.
  virtual std::string name() const = 0;
};

using CredentialsProviderPtr = std::shared_ptr<CredentialsProvider>;

}  // namespace firehose
