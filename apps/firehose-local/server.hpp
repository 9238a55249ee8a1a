#pragma once
// The HTTP side: cpp-httplib on loopback with a worker thread per open
// connection (keep-alive, many concurrent clients), routing
//   POST (any path) with X-Amz-Target Firehose_20150804.*             -> Firehose API
//   POST (any path) with X-Amz-Target GraniteServiceVersion20100801.* -> CloudWatch API
//   /_local/*                                                         -> control API (unsigned)
// Every AWS API request passes the signature check first; every answer
// carries an x-amzn-RequestId.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api_response.hpp"
#include "control_api.hpp"
#include "counters.hpp"
#include "firehose/result.hpp"
#include "firehose_api.hpp"
#include "request_auth.hpp"

namespace firehose::local {

class HttpServer {
 public:
  using FirehoseHandler = std::function<FirehoseApi::Outcome(std::string_view operation, std::string_view body)>;
  using CloudWatchHandler = std::function<ApiResponse(std::string_view operation, std::string_view body,
                                                      std::chrono::system_clock::time_point now)>;
  struct Routes {
    FirehoseHandler firehose;
    CloudWatchHandler cloudwatch;  // empty: CloudWatch targets are unknown operations
    ControlApi* control = nullptr;
  };
  struct Options {
    int threads = 128;
    std::chrono::seconds keep_alive{15};  // an idle connection holds a worker this long
    std::size_t max_body_bytes = 16 * 1024 * 1024;  // above: 413 before reading the body
    std::uint64_t seed = 0;                          // request ids
  };

  HttpServer(Routes routes, const RequestAuthenticator& authenticator, Counters& counters, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (0: a free port) and returns the port. Errors: Config, "BindFailed".
  Result<int> bind(const std::string& host, int port);
  // Serves until stop(); returns once every worker has finished.
  void run();
  // From any thread (signal handler thread, tests).
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firehose::local
