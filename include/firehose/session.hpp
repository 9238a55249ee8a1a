#pragma once
// A Session resolves, once, what every AWS tool resolves before its first
// call: profile, region, credentials (the standard chain), retry settings and
// the HTTP transport. Service clients are made from it, like boto3's Session.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "firehose/credentials.hpp"
#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"

namespace firehose {

struct SessionOptions {
  // Unset means: decided by the environment and config files, as for the AWS CLI.
  std::optional<std::string> profile;       // --profile
  std::optional<std::string> region;        // --region
  std::optional<std::string> endpoint_url;  // --endpoint-url (applies to every service client)
  std::optional<int> max_attempts;          // --max-attempts (else AWS_MAX_ATTEMPTS / profile max_attempts / 3)
  std::optional<std::string> ca_bundle;     // --ca-bundle (else AWS_CA_BUNDLE / profile ca_bundle)
  bool verify_tls = true;                   // --no-verify-ssl turns it off
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds request_timeout{60000};
  // Credentials to use instead of the chain (tests, embedding applications).
  CredentialsProviderPtr credentials;
};

class Session {
 public:
  struct Impl;

  static Result<std::shared_ptr<Session>> create(const SessionOptions& options = {});
  explicit Session(std::unique_ptr<Impl> impl);
  ~Session();

  const std::string& profile() const;
  const std::string& region() const;
  const CredentialsProviderPtr& credentials() const;
  const RetryPolicy& retry_policy() const;

  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace firehose
