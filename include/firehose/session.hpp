#pragma once
// A Session resolves, once, what every AWS tool resolves before its first
// call: profile, region, credentials (the standard chain), retry settings and
// the HTTP transport. Service clients are made from it, like boto3's Session.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "firehose/credentials.hpp"
#include "firehose/environment.hpp"
#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"

namespace firehose {

struct SessionOptions {
  // Unset means: decided by the environment and config files, as for the AWS CLI.
  std::optional<std::string> profile;       // else AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"
  std::optional<std::string> region;        // else AWS_REGION, AWS_DEFAULT_REGION, the profile's region
  std::optional<std::string> endpoint_url;  // applies to every service client (else AWS_ENDPOINT_URL_*, ...)
  std::optional<int> max_attempts;          // >= 1; else AWS_MAX_ATTEMPTS / profile max_attempts / 3
  std::optional<std::string> ca_bundle;     // else AWS_CA_BUNDLE / profile ca_bundle
  bool verify_tls = true;                   // false: no certificate check (insecure; tests only)
  // 0: no limit; negative values are refused by create().
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds request_timeout{60000};
  // Credentials to use instead of the chain (tests, embedding applications).
  CredentialsProviderPtr credentials;
  // The variables to read instead of the process environment (tests, or an
  // application that resolves sessions for several tenants).
  std::optional<Environment> environment;
  // What error messages call the region and endpoint_url options when a value
  // came from them or one is missing: by default these field names; a command
  // line passes its flags (the firehose CLI: "--region", "--endpoint-url").
  std::string region_option_name = "SessionOptions::region";
  std::string endpoint_url_option_name = "SessionOptions::endpoint_url";
};

class Session {
 public:
  struct Impl;

  // Resolves profile, region, credentials chain, retry settings and the TLS
  // settings once; credentials themselves are fetched at the first call.
  // Errors: Config ("NoRegion", "ProfileNotFound", "InvalidConfigValue", ...),
  // each naming the setting and where it came from.
  static Result<std::shared_ptr<Session>> create(const SessionOptions& options = {});
  // Internal: sessions are made with create().
  explicit Session(std::unique_ptr<Impl> impl);
  ~Session();

  // The profile in use ("default" when none was named).
  const std::string& profile() const;
  // The region every client of this session signs for, e.g. "eu-west-1".
  const std::string& region() const;
  // The credentials source (the chain, or SessionOptions::credentials).
  const CredentialsProviderPtr& credentials() const;
  // Attempts and backoff for single calls (firehose/retry.hpp).
  const RetryPolicy& retry_policy() const;

 private:
  // The library's own classes reach the resolved settings and the shared
  // transport through this; nothing outside the library can.
  friend class FirehoseClient;
  friend class CloudWatchClient;
  friend class S3Client;
  friend class RetryState;
  Impl& impl() const { return *impl_; }

  std::unique_ptr<Impl> impl_;
};

}  // namespace firehose
