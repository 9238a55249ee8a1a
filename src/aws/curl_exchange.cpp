#include "aws/curl_exchange.hpp"

#include <fmt/format.h>

#include <atomic>

namespace firehose::aws::curl_exchange {
namespace {

bool is_token_char(char c) {
  // RFC 9110 tchar.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// A CR or LF in a value would let it end the header and start another (or
// the body); whatever produced it, the request must not go out.
bool is_safe_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Error invalid_request(std::string code, std::string message) {
  return make_error(ErrorKind::Client, std::move(code), std::move(message));
}

}  // namespace

std::string origin_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url.substr(0, url.find_first_of("/?#")));
  auto authority_start = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  auto authority =
      url.substr(authority_start,
                 authority_end == std::string_view::npos ? std::string_view::npos : authority_end - authority_start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return fmt::format("{}://{}", url.substr(0, scheme_end), authority);
}

Result<HeaderList> build_header_list(const HttpRequest& request) {
  if (!is_token(request.method)) {
    return invalid_request("InvalidMethod", fmt::format("invalid HTTP method '{}'", request.method));
  }
  HeaderList list;
  bool ok = true;
  auto append = [&](const std::string& line) {
    if (!ok) return;
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (head == nullptr) {
      ok = false;
      return;
    }
    (void)list.release();  // `head` is the same list, now one longer
    list.reset(head);
  };
  for (const auto& h : request.headers) {
    if (!is_token(h.name)) return invalid_request("InvalidHeader", fmt::format("invalid header name '{}'", h.name));
    if (!is_safe_value(h.value)) {
      return invalid_request("InvalidHeader", fmt::format("header '{}' contains a line break", h.name));
    }
    // "Name:" would tell curl to remove the header; "Name;" sends it empty.
    append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  // Expect: 100-continue (curl adds it above 1 MiB) costs a round trip and is
  // not signed. Accept: */* is not ours. Content-Type would otherwise become
  // application/x-www-form-urlencoded for any request with a body.
  for (const char* name : {"Expect", "Accept", "Content-Type"}) {
    if (request.header(name) == nullptr) append(std::string(name) + ":");
  }
  if (!ok) return make_error(ErrorKind::Transport, "TransportError", "out of memory building the header list");
  return list;
}

// Callbacks run inside curl's C frames: nothing may unwind through them, so
// an allocation failure becomes a short count, which curl turns into
// CURLE_WRITE_ERROR.
size_t on_body(char* data, size_t size, size_t count, void* user) {
  const size_t bytes = size * count;
  try {
    auto* builder = static_cast<ResponseBuilder*>(user);
    if (!builder->admit_body(bytes)) return 0;
    builder->response.body.append(data, bytes);
  } catch (...) {
    return 0;
  }
  return bytes;
}

// Counts the request heads sent: more than one means libcurl re-sent the
// request on a new connection (see HttpResponse::sends).
int on_debug(CURL*, curl_infotype type, char*, size_t, void* user) {
  if (type == CURLINFO_HEADER_OUT) ++static_cast<ResponseBuilder*>(user)->request_headers_sent;
  return 0;
}

// Abandons the transfer once the request's abort flag is set; libcurl calls
// this at least once a second, even while waiting for an answer.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort->load(std::memory_order_relaxed) ? 1 : 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  const size_t bytes = size * count;
  try {
    auto* builder = static_cast<ResponseBuilder*>(user);
    builder->on_header_line(std::string_view(data, bytes));
    if (!builder->announced_length_admitted()) return 0;
  } catch (...) {
    return 0;
  }
  return bytes;
}

Error transfer_error(CURLcode code, std::string_view detail, const HttpRequest& request, bool request_sent) {
  const std::string where = fmt::format("{} {}", request.method, origin_of(request.url));
  const std::string what = detail.empty() ? std::string(curl_easy_strerror(code)) : std::string(detail);
  auto transport = [&](TransportFailure failure, const char* error_code, std::string_view summary) {
    Error e = make_error(ErrorKind::Transport, error_code, fmt::format("{} ({}): {}", summary, where, what));
    e.transport = failure;
    return e;
  };
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: return transport(TransportFailure::Dns, "DnsFailure", "could not resolve host");
    case CURLE_COULDNT_RESOLVE_PROXY: return transport(TransportFailure::Dns, "DnsFailure", "could not resolve proxy");
    case CURLE_COULDNT_CONNECT: return transport(TransportFailure::Refused, "ConnectionRefused", "could not connect");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return transport(TransportFailure::Reset, "ConnectionReset", "connection closed or reset");
    case CURLE_OPERATION_TIMEDOUT:
      return request_sent ? transport(TransportFailure::Timeout, "RequestTimeout", "no complete answer in time")
                          : transport(TransportFailure::Timeout, "ConnectTimeout", "no connection in time");
    case CURLE_SSL_CACERT_BADFILE: {
      // Our configuration, not the network: retrying cannot help.
      return make_error(ErrorKind::Config, "InvalidCaBundle", fmt::format("unusable CA bundle ({}): {}", where, what));
    }
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return make_error(ErrorKind::Config, "InvalidUrl",
                        fmt::format("cannot send to '{}': {}", origin_of(request.url), what));
    case CURLE_PEER_FAILED_VERIFICATION: {
      // An unknown CA (a self-signed test server) or a name mismatch: say how to trust it.
      Error e = transport(TransportFailure::Tls, "TlsError", "the server's TLS certificate is not trusted");
      e.message += "; to trust its CA, give the CA's PEM file with --ca-bundle FILE or AWS_CA_BUNDLE=FILE";
      return e;
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT: return transport(TransportFailure::Tls, "TlsError", "TLS failure");
    case CURLE_ABORTED_BY_CALLBACK: return transport(TransportFailure::Other, "RequestAborted", "abandoned (shutdown)");
    case CURLE_WEIRD_SERVER_REPLY: return transport(TransportFailure::Other, "InvalidResponse", "not an HTTP answer");
    default: return transport(TransportFailure::Other, "TransportError", "transfer failed");
  }
}

}  // namespace firehose::aws::curl_exchange
