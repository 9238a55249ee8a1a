#pragma once
// The HTTP seam: a request/response pair and the transport interface. The
// curl implementation lives in http_curl.cpp; servers on loopback are what the
// tests talk to.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firehose/result.hpp"

namespace firehose::aws {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  std::vector<HttpHeader> headers;
  std::string body;
  // When set, the transfer is abandoned soon (within about a second) after
  // it turns true: Transport error "RequestAborted", outcome unknown. For a
  // shutdown that must end whatever the server does.
  const std::atomic<bool>* abort = nullptr;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  void set_header(std::string name, std::string value);  // replaces any same-named header
};

struct HttpResponse {
  // Spare capacity a transport leaves after a body it knows the length of:
  // a JSON parser that reads past the end (simdjson's padding) then parses
  // the body where it lies instead of copying it into a larger allocation.
  static constexpr std::size_t kBodySlack = 64;

  int status = 0;
  std::vector<HttpHeader> headers;  // names lower-cased
  std::string body;
  // How many times the request went out. libcurl silently sends a request
  // again when a reused connection dies before any byte of the answer; then
  // the first send's outcome is unknown and a put may have been stored twice.
  int sends = 1;

  const std::string* header(std::string_view name) const;  // case-insensitive
};

struct HttpOptions {
  // Zero (or negative) means no limit. The connect timeout covers DNS, TCP,
  // proxy and TLS set-up; the request timeout covers the whole exchange.
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds request_timeout{60000};
  bool verify_tls = true;  // false only when the user explicitly asks (SessionOptions::verify_tls)
  // PEM file of trusted CAs (AWS_CA_BUNDLE or SessionOptions::ca_bundle). It replaces the
  // system store, as in botocore; empty = system store.
  std::string ca_bundle;
  std::string user_agent;  // default: "firehose/<version> libcurl/<version>"
  // Answers over this are abandoned (error ResponseTooLarge, not retried):
  // the largest AWS answer read here (GetMetricData) is a few MiB, and an
  // endpoint answering 100 MB must not take 500 MB of memory. 0: no cap.
  std::size_t max_response_bytes = 32 * 1024 * 1024;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Thread-safe. An HTTP answer of any status is a success here; only a
  // failure to get an answer is an Error (kind Transport, typed failure).
  // Two failures are not Transport: a malformed request (header, method) is
  // kind Client, an unusable URL or CA bundle kind Config; no retry helps.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

using HttpClientPtr = std::shared_ptr<HttpClient>;

// libcurl transport with a keep-alive connection pool; requests go out with
// exactly the headers they carry (plus Host, Content-Length, User-Agent), as
// a signed request must. Proxies come from the usual environment variables.
HttpClientPtr make_curl_http_client(HttpOptions options = {});

}  // namespace firehose::aws
