#pragma once
// Sends a request to one AWS service endpoint: gets credentials, signs with
// SigV4, sends through the transport, and turns any non-2xx answer into the
// protocol's Error. Single attempt; retries are the caller's decision.
#include <chrono>
#include <functional>
#include <string>

#include "firehose/credentials.hpp"
#include "firehose/result.hpp"
#include "protocol/http.hpp"

namespace firehose::aws {

struct ServiceEndpoint {
  std::string url;             // e.g. https://firehose.us-east-1.amazonaws.com
  std::string signing_region;  // e.g. us-east-1
  std::string signing_name;    // e.g. firehose, monitoring, sts
};

class ServiceClient {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  ServiceClient(
      ServiceEndpoint endpoint, CredentialsProviderPtr credentials, HttpClientPtr http,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  // Signs `request` in place and sends it; it stays the caller's (a body's
  // buffer can be reused). An HTTP answer >= 300 becomes an Error parsed by
  // the JSON protocols' rules (which also read XML errors from query services).
  Result<HttpResponse> send(HttpRequest& request) const;

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  ServiceEndpoint endpoint_;
  CredentialsProviderPtr credentials_;
  HttpClientPtr http_;
  Clock clock_;
};

}  // namespace firehose::aws
