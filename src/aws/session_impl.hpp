#pragma once
// What a Session holds: the resolved settings and the shared transport,
// credentials and retry quota that every service client of it uses.
#include <memory>
#include <mutex>
#include <string>

#include "aws/config_file.hpp"
#include "aws/endpoint.hpp"
#include "aws/environment.hpp"
#include "aws/retry.hpp"
#include "aws/service_client.hpp"
#include "firehose/session.hpp"
#include "protocol/http.hpp"

namespace firehose {

struct Session::Impl {
  aws::Environment env = aws::Environment::process();
  aws::SharedConfig config;
  SessionOptions options;
  std::string profile;
  std::string region;
  CredentialsProviderPtr credentials;
  aws::HttpClientPtr http;
  RetryPolicy retry;
  std::shared_ptr<aws::RetryQuota> retry_quota = std::make_shared<aws::RetryQuota>();

  // Where `service` is reached (configured endpoint or the rule set's default).
  Result<aws::ResolvedEndpoint> endpoint(const aws::ServiceDescriptor& service) const;
  // A signing client for `service`, sharing this session's transport and credentials.
  Result<std::shared_ptr<aws::ServiceClient>> service_client(const aws::ServiceDescriptor& service) const;
};

// Builds the Impl from explicit inputs (the process environment in production,
// a fixed one in tests).
Result<std::unique_ptr<Session::Impl>> make_session_impl(const SessionOptions& options, aws::Environment env);

}  // namespace firehose
