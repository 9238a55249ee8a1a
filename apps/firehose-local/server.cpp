#include "server.hpp"

#include <sys/socket.h>

#include <httplib.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aws/crypto.hpp"
#include "server_sockets.hpp"
#include "random.hpp"

namespace firehose::local {
namespace {

constexpr std::string_view kFirehoseTarget = "Firehose_20150804.";
constexpr std::string_view kCloudWatchTarget = "GraniteServiceVersion20100801.";
constexpr std::string_view kCloudWatchContentType = "application/x-amz-json-1.0";
constexpr int kListenBacklog = 1024;

// cpp-httplib listens with a backlog of 5 (compiled into the library); bursts
// of new connections from a benchmark would see dropped SYNs. Its listening
// socket is protected, so a subclass can listen() again with a deeper queue.
class Listener : public httplib::Server {
 public:
  void deepen_backlog() {
    const auto sock = svr_sock_.load();
    if (sock != INVALID_SOCKET) ::listen(sock, kListenBacklog);
  }
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Routes routes, const RequestAuthenticator& authenticator, Counters& counters, Options options)
      : routes_(std::move(routes)), authenticator_(authenticator), counters_(counters), options_(options),
        ids_(options.seed ^ 0x5eed5eed5eed5eedULL) {
    const int threads = options_.threads;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    server_.set_keep_alive_max_count(100000);
    server_.set_keep_alive_timeout(options_.keep_alive.count());
    server_.set_read_timeout(std::chrono::seconds(60));
    server_.set_write_timeout(std::chrono::seconds(60));
    server_.set_payload_max_length(options_.max_body_bytes);
    server_.set_tcp_nodelay(true);

    const auto control = [this](const httplib::Request& req, httplib::Response& res) {
      ApiResponse response = routes_.control != nullptr
                                 ? routes_.control->handle(req.method, req.path, req.body)
                                 : error_response(404, "NotFound", "no control API", "application/json");
      write(res, response);
    };
    server_.Get("/_local/.*", control);
    server_.Post("/_local/.*", control);
    server_.Put("/_local/.*", control);
    server_.Delete("/_local/.*", control);
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { aws_api(req, res); });
    // Answers cpp-httplib makes itself (404 for other paths, 413, 400 for
    // broken HTTP) get the AWS error shape too; handler answers pass as they are.
    server_.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request&,
                                                                          httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const char* code = res.status == 413 ? "RequestEntityTooLargeException"
                         : res.status == 404 ? "UnknownOperationException"
                                             : "SerializationException";
      const std::string message = res.status == 413
                                      ? fmt::format("The request body exceeds the {} bytes this server reads",
                                                    options_.max_body_bytes)
                                      : fmt::format("HTTP status {}", res.status);
      ApiResponse response = error_response(res.status, code, message, kFirehoseContentType);
      write(res, response);
      return httplib::Server::HandlerResponse::Handled;
    }));
  }

  Result<int> bind(const std::string& host, int port) {
    const bool bound = port == 0 ? (bound_port_ = server_.bind_to_any_port(host)) > 0
                                 : server_.bind_to_port(host, port);
    if (!bound) {
      return make_error(ErrorKind::Config, "BindFailed",
                        fmt::format("cannot listen on {}:{}: {}", host, port, std::strerror(errno)));
    }
    if (port != 0) bound_port_ = port;
    server_.deepen_backlog();
    return bound_port_;
  }

  void run() { server_.listen_after_bind(); }
  void stop() {
    server_.stop();
    // cpp-httplib notices a stop only between requests, after an idle
    // connection's keep-alive wait: end those connections now.
    if (bound_port_ > 0) end_connections_after_current_request(bound_port_);
  }

 private:
  void write(httplib::Response& res, const ApiResponse& response) {
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_header("x-amzn-RequestId", request_id());
    res.set_content(response.body, response.content_type);
  }

  std::string request_id() {
    Random random = ids_.fork();
    return make_uuid(random);
  }

  void aws_api(const httplib::Request& req, httplib::Response& res) {
    const std::string target = req.get_header_value("X-Amz-Target");
    std::string_view operation;
    std::string_view service;
    std::string_view content_type = kFirehoseContentType;
    bool query_compatible = false;
    if (target.starts_with(kFirehoseTarget)) {
      operation = std::string_view(target).substr(kFirehoseTarget.size());
      service = "firehose";
    } else if (target.starts_with(kCloudWatchTarget) && routes_.cloudwatch) {
      operation = std::string_view(target).substr(kCloudWatchTarget.size());
      service = "monitoring";
      content_type = kCloudWatchContentType;
      query_compatible = true;
    } else {
      const std::string message = target.empty() ? std::string("The request has no X-Amz-Target header.")
                                                 : fmt::format("Operation {} is not supported.", target);
      write(res, error_response(400, "UnknownOperationException", message, content_type));
      return;
    }

    const auto now = std::chrono::system_clock::now();
    aws::sigv4::SignableRequest signable;
    signable.method = req.method;
    const std::size_t question = req.target.find('?');
    signable.path = req.target.substr(0, question);
    signable.query = question == std::string::npos ? std::string() : req.target.substr(question + 1);
    signable.headers.reserve(req.headers.size());
    for (const auto& [name, value] : req.headers) signable.headers.push_back(aws::HttpHeader{name, value});
    if (authenticator_.checking()) signable.payload_hash = aws::crypto::sha256_hex(req.body);
    if (auto allowed = authenticator_.check(signable, service, now); !allowed) {
      ++counters_.auth_failures;
      write(res, error_response(allowed.error(), content_type, query_compatible));
      return;
    }

    if (service == "monitoring") {
      write(res, routes_.cloudwatch(operation, req.body, now));
      return;
    }
    FirehoseApi::Outcome outcome = routes_.firehose(operation, req.body);
    if (outcome.reset_connection) {
      if (reset_connection(req.local_addr, req.local_port, req.remote_addr, req.remote_port)) {
        res.status = 500;  // never sent: the connection is gone
        res.set_header("Connection", "close");
        return;
      }
      spdlog::error("injected reset: the connection of {}:{} was not found; answering 500", req.remote_addr,
                    req.remote_port);
      outcome.response = error_response(500, "InternalFailure", "injected reset failed", kFirehoseContentType);
    }
    write(res, outcome.response);
  }

  Listener server_;
  Routes routes_;
  const RequestAuthenticator& authenticator_;
  Counters& counters_;
  Options options_;
  RandomSource ids_;
  int bound_port_ = 0;
};

HttpServer::HttpServer(Routes routes, const RequestAuthenticator& authenticator, Counters& counters, Options options)
    : impl_(std::make_unique<Impl>(std::move(routes), authenticator, counters, options)) {}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::bind(const std::string& host, int port) { return impl_->bind(host, port); }
void HttpServer::run() { impl_->run(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace firehose::local
