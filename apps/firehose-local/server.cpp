#include "server.hpp"

#include <sys/socket.h>

#include <optional>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "connection_gate.hpp"
#include "console_access.hpp"
#include "console_page.hpp"
#include "core/crypto.hpp"
#include "random.hpp"
#include "request_body.hpp"
#include "request_validation.hpp"
#include "server_sockets.hpp"
#include "server_tls.hpp"
#include "worker_pool.hpp"

namespace firehose::local {
namespace {

constexpr std::string_view kFirehoseTarget = "Firehose_20150804.";
constexpr std::string_view kCloudWatchTarget = "GraniteServiceVersion20100801.";
constexpr std::string_view kCloudWatchContentType = "application/x-amz-json-1.0";
constexpr int kListenBacklog = 1024;

// The pool of workers that answer requests; stopping it first stops the gate
// (whose connections would otherwise wait for workers that are gone).
class GatedPool final : public httplib::TaskQueue {
 public:
  GatedPool(std::size_t threads, ConnectionGate& gate) : pool_(threads), gate_(gate) {}
  void enqueue(std::function<void()> fn) override { pool_.enqueue(std::move(fn)); }
  void shutdown() override {
    gate_.stop();
    pool_.shutdown();
  }

 private:
  WorkerPool pool_;
  ConnectionGate& gate_;
};

// cpp-httplib 0.11 with two changes of how it treats connections:
// - its listening socket takes SO_REUSEPORT, so a second server on a port in
//   use also "listened" and the kernel split clients between the two (records
//   acknowledged by one were lost to the other's data directory): ours takes
//   only SO_REUSEADDR, and binding a port in use fails;
// - each connection held a worker thread from accept to close: here it waits
//   in the ConnectionGate and takes a worker only to answer a request whose
//   header has arrived, within limits of time and size. Over HTTPS the gate
//   runs the TLS handshakes too (cpp-httplib's SSLServer does its handshake
//   on a worker, with no header timeout and no connection cap).
class Listener : public httplib::Server {
 public:
  Listener(std::size_t threads, ConnectionGate::Options gate_options, std::size_t max_body_bytes,
           std::chrono::seconds request_timeout)
      : gate_(gate_options, [this](std::shared_ptr<Connection> connection) { dispatch(std::move(connection)); }),
        max_body_bytes_(max_body_bytes),
        request_timeout_(request_timeout) {
    new_task_queue = [this, threads] {
      auto* pool = new GatedPool(threads, gate_);
      pool_ = pool;
      gate_.start();
      return pool;
    };
    set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
  }

  // cpp-httplib listens with a backlog of 5 (compiled into the library);
  // bursts of new connections from a benchmark would see dropped SYNs.
  void deepen_backlog() {
    const auto sock = svr_sock_.load();
    if (sock != INVALID_SOCKET) ::listen(sock, kListenBacklog);
  }

  int gate_setup_errno() const { return gate_.setup_errno(); }

  // Requests that announce a body over the limit are refused before it is read.
  bool body_too_large(const httplib::Request& req) const {
    const auto length = announced_length(req);
    return length && (!*length || **length > max_body_bytes_);
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    gate_.admit(sock);
    return true;
  }

  void dispatch(std::shared_ptr<Connection> connection) {
    pool_->enqueue([this, connection = std::move(connection)]() mutable { serve(std::move(connection)); });
  }

  void serve(std::shared_ptr<Connection> connection) {
    bool refused_body = false;
    bool connection_closed = false;
    bool answered = false;
    bool body_broken = false;
    {
      ConnectionStream stream(*connection, std::chrono::duration_cast<std::chrono::milliseconds>(request_timeout_),
                              std::chrono::steady_clock::now() + request_timeout_);
      ServedRequest served(stream);
      const bool stopping = svr_sock_ == INVALID_SOCKET;
      answered = process_request(stream, stopping, connection_closed, [&](httplib::Request& req) {
        if (body_too_large(req)) {
          // Answered 413 without reading the body; the connection is closed
          // after the answer (the unread body cannot be told from a next request).
          refused_body = true;
          req.headers.erase("Connection");
          req.set_header("Connection", "close");
        }
        // A chunked body has no length to refuse up front: reading stops at the limit.
        stream.limit_further_reads(max_body_bytes_ + kChunkFramingAllowance);
      });
      body_broken = served.body_broken();
    }
    if (answered && !connection_closed && !refused_body && !body_broken && svr_sock_ != INVALID_SOCKET) {
      gate_.keep(std::move(connection));
      return;
    }
    if (refused_body || body_broken) close_after_answer(*connection);
    gate_.release();
  }

  static constexpr std::size_t kChunkFramingAllowance = 64 * 1024;

  ConnectionGate gate_;
  httplib::TaskQueue* pool_ = nullptr;
  std::size_t max_body_bytes_;
  std::chrono::seconds request_timeout_;
};

ConnectionGate::Options gate_options(const HttpServer::Options& options) {
  ConnectionGate::Options gate;
  gate.max_connections = options.max_connections;
  gate.header_timeout = options.header_timeout;
  gate.keep_alive = options.keep_alive;
  gate.tls = options.tls ? options.tls->native() : nullptr;
  return gate;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Routes routes, const RequestAuthenticator& authenticator, Counters& counters, Options options)
      : tls_(options.tls),
        server_(static_cast<std::size_t>(options.threads), gate_options(options), options.max_body_bytes,
                options.request_timeout),
        routes_(std::move(routes)),
        authenticator_(authenticator),
        counters_(counters),
        options_(options),
        ids_(options.seed ^ 0x5eed5eed5eed5eedULL) {
    server_.set_keep_alive_max_count(100000);
    // Only said in answers' Keep-Alive header: the gate closes idle connections.
    server_.set_keep_alive_timeout(std::chrono::duration_cast<std::chrono::seconds>(options_.keep_alive).count());
    server_.set_payload_max_length(options_.max_body_bytes);
    server_.set_tcp_nodelay(true);
    // A body over the limit is refused from its Content-Length, before a byte
    // of it is read (cpp-httplib alone reads and discards it first).
    server_.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!server_.body_too_large(req)) return 100;
      res.status = 413;  // cpp-httplib 0.11 answers with res.status, not with what this returns
      return 413;
    });
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!server_.body_too_large(req)) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 413;  // the error handler below writes the body
      return httplib::Server::HandlerResponse::Handled;
    });

    const auto control = [this](const httplib::Request& req, std::string_view body, httplib::Response& res) {
      if (auto refusal = browser_change_refusal(options_.console_write, req.method, browser_headers(req))) {
        write(res, control_error(403, *refusal));
        return;
      }
      if (!json_nesting_within(body, kMaxJsonNesting)) {
        write(res, too_deep(kFirehoseContentType));
        return;
      }
      ApiResponse response = routes_.control != nullptr
                                 ? routes_.control->handle(req.method, req.path, body)
                                 : error_response(404, "NotFound", "no control API", "application/json");
      write(res, std::move(response));
    };
    // The console's files first: the control API's patterns below would take /_local/ui too.
    const auto console = [this](const httplib::Request& req, httplib::Response& res) {
      std::optional<ApiResponse> file = console_file(req.path);
      write(res, file ? *file : control_error(404, fmt::format("no console file {}", req.path)));
    };
    server_.Get("/", console);
    server_.Get("/_local/ui(/.*)?", console);
    const auto read_by_httplib = [control](const httplib::Request& req, httplib::Response& res) {
      control(req, req.body, res);
    };
    // POST handlers read their body themselves (RequestBody): cpp-httplib
    // does not read it before calling a handler that takes a ContentReader.
    const auto reading_body = [](auto handle) {
      return [handle](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        if (const std::optional<RequestBody> body = RequestBody::read(req, res, reader)) handle(req, body->view(), res);
      };
    };
    server_.Get("/_local/.*", read_by_httplib);
    server_.Post("/_local/.*", reading_body(control));
    server_.Put("/_local/.*", read_by_httplib);
    server_.Delete("/_local/.*", read_by_httplib);
    server_.Post(".*", reading_body([this](const httplib::Request& req, std::string_view body,
                                           httplib::Response& res) { aws_api(req, body, res); }));
    // Answers cpp-httplib makes itself (404 for other paths, 413, 400 for
    // broken HTTP) get the AWS error shape too; handler answers pass as they are.
    server_.set_error_handler(
        httplib::Server::HandlerWithResponse([this](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          const char* code = res.status == 413   ? "RequestEntityTooLargeException"
                             : res.status == 404 ? "UnknownOperationException"
                                                 : "SerializationException";
          const std::string message =
              res.status == 413
                  ? fmt::format("The request body exceeds the {} bytes this server reads", options_.max_body_bytes)
                  : fmt::format("HTTP status {}", res.status);
          ApiResponse response = error_response(res.status, code, message, kFirehoseContentType);
          write(res, response);
          return httplib::Server::HandlerResponse::Handled;
        }));
  }

  Result<int> bind(const std::string& host, int port) {
    if (const int error = server_.gate_setup_errno(); error != 0) {
      return make_error(ErrorKind::Config, "BindFailed",
                        fmt::format("cannot watch connections (pipe, epoll_create1): {}", std::strerror(error)));
    }
    const bool bound =
        port == 0 ? (bound_port_ = server_.bind_to_any_port(host)) > 0 : server_.bind_to_port(host, port);
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
  void write(httplib::Response& res, ApiResponse response) {
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_header("x-amzn-RequestId", request_id());
    // What Response::set_content does, with the body moved in, not copied
    // (a PutRecordBatch answer is ~240 bytes a record).
    res.body = std::move(response.body);
    const auto types = res.headers.equal_range("Content-Type");
    res.headers.erase(types.first, types.second);
    res.set_header("Content-Type", response.content_type);
  }

  // The control API's error shape: {"error": "<one line>"}.
  static ApiResponse control_error(int status, std::string_view message) {
    ApiResponse response = json_response(nlohmann::json{{"error", message}}.dump(), "application/json");
    response.status = status;
    return response;
  }

  static BrowserHeaders browser_headers(const httplib::Request& req) {
    BrowserHeaders headers;
    // Found in the request's own header map: the views stay valid while it is handled.
    if (auto origin = req.headers.find("Origin"); origin != req.headers.end()) headers.origin = origin->second;
    if (auto site = req.headers.find("Sec-Fetch-Site"); site != req.headers.end()) headers.fetch_site = site->second;
    if (auto host = req.headers.find("Host"); host != req.headers.end()) headers.host = host->second;
    return headers;
  }

  static ApiResponse too_deep(std::string_view content_type) {
    return error_response(400, "SerializationException", too_deep_message(), content_type);
  }

  std::string request_id() {
    Random random = ids_.fork();
    return make_uuid(random);
  }

  void aws_api(const httplib::Request& req, std::string_view body, httplib::Response& res) {
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
    if (authenticator_.checking()) signable.payload_hash = aws::crypto::sha256_hex(body);
    if (auto allowed = authenticator_.check(signable, service, now); !allowed) {
      ++counters_.auth_failures;
      write(res, error_response(allowed.error(), content_type, query_compatible));
      return;
    }
    // The put operations' parser (simdjson) refuses a deeper body itself, with
    // the same answer; scanning every byte first was a seventh of
    // firehose-local's CPU under PutRecordBatch.
    const bool parser_limits_depth =
        service == "firehose" && (operation == "PutRecordBatch" || operation == "PutRecord");
    if (!parser_limits_depth && !json_nesting_within(body, kMaxJsonNesting)) {
      write(res, too_deep(content_type));
      return;
    }

    if (service == "monitoring") {
      write(res, routes_.cloudwatch(operation, body, now));
      return;
    }
    FirehoseApi::Outcome outcome = routes_.firehose(operation, body);
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
    write(res, std::move(outcome.response));
  }

  std::shared_ptr<const TlsContext> tls_;  // outlives the gate, which uses it
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
