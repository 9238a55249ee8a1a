#pragma once
// The HTTP side (HTTPS with a TlsContext): cpp-httplib on loopback, connections waiting in a
// ConnectionGate between requests and a pool of workers answering them
// (keep-alive, many concurrent clients, hostile ones among them), routing
//   POST (any path) with X-Amz-Target Firehose_20150804.*             -> Firehose API
//   POST (any path) with X-Amz-Target GraniteServiceVersion20100801.* -> CloudWatch API
//   GET / and /_local/ui[/...]                                        -> the web console's files
//   /_local/*                                                         -> control API (unsigned; changes
//                                                                        from browsers: console_access.hpp)
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
#include "server_tls.hpp"

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
    int threads = 128;                                                   // workers: requests answered at once
    std::size_t max_connections = 1000;                                  // open at once; the next is answered 503
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  // first byte to end of header
    std::chrono::milliseconds keep_alive{std::chrono::seconds(15)};      // an idle connection is closed after
    std::chrono::seconds request_timeout{60};                            // reading the body and writing the answer
    std::size_t max_body_bytes = 16 * 1024 * 1024;                       // above: 413 before reading the body
    std::uint64_t seed = 0;                                              // request ids
    bool console_write = false;             // --console-write: browsers may change settings
    std::shared_ptr<const TlsContext> tls;  // HTTPS with this certificate; null: HTTP
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
