#pragma once
// Signature checking for every AWS API request (Firehose and CloudWatch).
// Off by default: then a request without Authorization is let through (curl,
// quick tests) and one with a malformed Authorization header is refused as
// AWS would. With --credentials, requests must be signed by a listed key for
// this server's region and the right service, within 5 minutes of now.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firehose/result.hpp"
#include "protocol/sigv4.hpp"

namespace firehose::local {

class RequestAuthenticator {
 public:
  RequestAuthenticator(std::vector<std::pair<std::string, std::string>> credentials, std::string region);

  bool checking() const { return !credentials_.empty(); }

  // `service` is the signing name the target belongs to ("firehose", "monitoring").
  // Errors carry the code, message and status (400) AWS answers with.
  Status check(const aws::sigv4::SignableRequest& request, std::string_view service,
               std::chrono::system_clock::time_point now) const;

 private:
  std::vector<std::pair<std::string, std::string>> credentials_;
  std::string region_;
};

}  // namespace firehose::local
