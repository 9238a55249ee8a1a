// The libcurl transport. A pool of easy handles gives keep-alive: each handle
// keeps its own live connections, a sending thread borrows one for the length
// of a request, so N concurrent senders settle on N warm connections.
//
// Proxies: nothing here sets CURLOPT_PROXY or CURLOPT_NOPROXY, so libcurl
// reads the environment on every transfer: `http_proxy` (lower case only;
// curl ignores HTTP_PROXY on purpose, the "httpoxy" CGI attack) for http://
// URLs, `https_proxy` or `HTTPS_PROXY` for https:// URLs (tunnelled with
// CONNECT, so the proxy never sees the signed request), `all_proxy` /
// `ALL_PROXY` as the fallback for both, and `no_proxy` / `NO_PROXY` (comma-
// separated hosts, domains, or `*`) to bypass it. botocore differs only in
// also reading upper-case HTTP_PROXY. A proxy URL may itself be https://; its
// certificate is checked against the system store (ca_bundle is for the
// endpoint, as AWS_CA_BUNDLE is in botocore).
#include <curl/curl.h>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/http.hpp"

#ifndef FIREHOSE_VERSION
#define FIREHOSE_VERSION "0.0.0"
#endif

namespace firehose::aws {
namespace {

// curl_global_init must run once, before anything else in libcurl, and is not
// thread-safe on every build; a function-local static gives both guarantees.
// It is never undone: curl_global_cleanup at exit would race with clients
// still owned by other statics, and the process exit frees it anyway.
CURLcode curl_global_state() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

// DNS answers and TLS sessions shared by all handles of one client: a new
// handle (a new concurrent sender) then skips the lookup and resumes a TLS
// session instead of a full handshake. Connections are not shared: each
// handle's own cache is what makes borrowing lock-free inside curl.
class CurlShare {
 public:
  CurlShare() : share_(curl_share_init()) {
    if (share_ == nullptr) return;
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~CurlShare() {
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const { return share_; }

 private:
  std::mutex& mutex_for(curl_lock_data data) {
    auto index = static_cast<std::size_t>(data);
    return mutexes_[index < mutexes_.size() ? index : 0];
  }
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<CurlShare*>(self)->mutex_for(data).lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<CurlShare*>(self)->mutex_for(data).unlock();
  }

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

// One easy handle and the error buffer curl writes into while it runs.
struct PooledHandle {
  CURL* easy = nullptr;
  char error[CURL_ERROR_SIZE] = {};

  PooledHandle() = default;
  PooledHandle(const PooledHandle&) = delete;
  PooledHandle& operator=(const PooledHandle&) = delete;
  ~PooledHandle() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistFree>;

// Where the request went, for messages: scheme://host[:port], without the
// path and without any user:password@.
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

// The header list exactly as the request carries it, plus removals of the
// headers curl would add by itself: they are not part of what was signed, and
// a server (or a test) must see what the caller built.
Result<HeaderList> build_header_list(const HttpRequest& request) {
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

// Collects the answer. curl hands every header line of every response it
// reads to on_header: an interim 1xx answer comes first, so a status line
// starts the header set afresh and only the final response's headers stay.
struct ResponseBuilder {
  HttpResponse response;
  int request_headers_sent = 0;
  std::size_t max_body_bytes = SIZE_MAX;
  bool too_large = false;  // the answer is over max_body_bytes: the transfer was abandoned

  // False (abandon the transfer) once the answer is known to be over the cap.
  bool admit_body(std::size_t more) {
    if (response.body.size() + more > max_body_bytes) too_large = true;
    return !too_large;
  }

  void on_header_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) return;  // end of a header block
    if (line.starts_with("HTTP/")) {
      response.headers.clear();
      return;
    }
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding (RFC 9112 5.2)
      if (!response.headers.empty()) {
        auto& value = response.headers.back().value;
        auto more = trim(line);
        if (!more.empty()) {
          if (!value.empty()) value += ' ';
          value += more;
        }
      }
      return;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string name(trim(line.substr(0, colon)));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    response.headers.push_back({std::move(name), std::string(trim(line.substr(colon + 1)))});
    if (response.headers.back().name == "content-length") reserve_body(response.headers.back().value);
  }

  // An announced length over the cap ends the transfer before the body.
  bool announced_length_admitted() {
    const std::string* length = response.header("content-length");
    std::size_t bytes = 0;
    if (length == nullptr) return true;
    const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), bytes);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && bytes > max_body_bytes)) too_large = true;
    return !too_large;
  }

  // The body then arrives into one allocation instead of a doubling series
  // of copies (a PutRecordBatch answer is ~120 KB), with room for the
  // parser's read-ahead (HttpResponse::kBodySlack). A length beyond any
  // answer we expect is not trusted with an allocation.
  void reserve_body(std::string_view length) {
    constexpr std::size_t kLargestReserve = 16 * 1024 * 1024;
    std::size_t bytes = 0;
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bytes);
    if (ec == std::errc() && end == length.data() + length.size() && bytes <= kLargestReserve) {
      response.body.reserve(bytes + HttpResponse::kBodySlack);
    }
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
};

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

long to_curl_millis(std::chrono::milliseconds value) {
  if (value.count() <= 0) return 0;  // curl: 0 = no limit
  return value.count() > LONG_MAX ? LONG_MAX : static_cast<long>(value.count());
}

// Maps a failed transfer onto the error model. `request_sent` tells a
// timeout before the request went out (safe to resend: the server never saw
// it) from one while waiting for the answer (it may have been processed).
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

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options) : options_(std::move(options)) {
    if (global_init_ == CURLE_OK && options_.user_agent.empty()) {
      user_agent_ =
          fmt::format("firehose/{} libcurl/{}", FIREHOSE_VERSION, curl_version_info(CURLVERSION_NOW)->version);
    } else {
      user_agent_ = options_.user_agent.empty() ? std::string("firehose/" FIREHOSE_VERSION) : options_.user_agent;
    }
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    if (global_init_ != CURLE_OK) {
      return make_error(ErrorKind::Transport, "TransportError",
                        fmt::format("libcurl initialisation failed: {}", curl_easy_strerror(global_init_)));
    }
    if (!is_token(request.method)) {
      return invalid_request("InvalidMethod", fmt::format("invalid HTTP method '{}'", request.method));
    }
    auto headers = build_header_list(request);
    if (!headers.ok()) return headers.error();

    Lease lease(*this);
    if (lease.handle == nullptr) {
      return make_error(ErrorKind::Transport, "TransportError", "libcurl could not create a handle");
    }
    PooledHandle& handle = *lease.handle;
    ResponseBuilder builder;
    builder.max_body_bytes = options_.max_response_bytes > 0 ? options_.max_response_bytes : SIZE_MAX;
    CURLcode setup = configure(handle, request, headers->get(), builder);
    if (setup != CURLE_OK) {
      return make_error(ErrorKind::Transport, "TransportError",
                        fmt::format("libcurl rejected an option: {}", curl_easy_strerror(setup)));
    }
    handle.error[0] = '\0';
    CURLcode result = curl_easy_perform(handle.easy);
    if (builder.too_large) {
      // Not a failure to pass: the endpoint answers more than any AWS answer
      // this client reads (a wrong endpoint, or a hostile one). Not retried.
      return make_error(ErrorKind::Client, "ResponseTooLarge",
                        fmt::format("the answer to {} {} is over {} bytes, more than any answer this client reads",
                                    request.method, origin_of(request.url), builder.max_body_bytes));
    }
    if (result != CURLE_OK) {
      curl_off_t pretransfer_us = 0;
      curl_easy_getinfo(handle.easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
      Error error = transfer_error(result, handle.error, request, pretransfer_us > 0);
      // libcurl sends again, on a new connection, a request whose reused
      // connection died before any byte of the answer: when that second try
      // then fails to connect, the first may still have been processed.
      error.sent_more_than_once = builder.request_headers_sent > 0 && error.transport != TransportFailure::Reset &&
                                  error.transport != TransportFailure::Other &&
                                  (error.transport != TransportFailure::Timeout || error.code == "ConnectTimeout");
      return error;
    }
    long status = 0;
    curl_easy_getinfo(handle.easy, CURLINFO_RESPONSE_CODE, &status);
    builder.response.status = static_cast<int>(status);
    builder.response.sends = std::max(1, builder.request_headers_sent);
    return std::move(builder.response);
  }

 private:
  // A borrowed handle, given back when the request is done (on every path).
  struct Lease {
    explicit Lease(CurlHttpClient& owner) : client(owner), handle(owner.borrow()) {}
    ~Lease() {
      if (handle != nullptr) client.give_back(std::move(handle));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    CurlHttpClient& client;
    std::unique_ptr<PooledHandle> handle;
  };

  std::unique_ptr<PooledHandle> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        // Most recently used first: its connection is the least likely to
        // have been closed by the server's idle timeout.
        auto handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    auto handle = std::make_unique<PooledHandle>();
    handle->easy = curl_easy_init();
    if (handle->easy == nullptr) return nullptr;
    // Survives curl_easy_reset, like the handle's live connections.
    if (share_.get() != nullptr) curl_easy_setopt(handle->easy, CURLOPT_SHARE, share_.get());
    return handle;
  }

  void give_back(std::unique_ptr<PooledHandle> handle) {
    // Options point into the finished request (body, header list, builder);
    // reset drops them but keeps connections, caches and the share.
    curl_easy_reset(handle->easy);
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
  }

  CURLcode configure(PooledHandle& handle, const HttpRequest& request, curl_slist* headers,
                     ResponseBuilder& builder) const {
    CURL* easy = handle.easy;
    CURLcode rc = CURLE_OK;
    // Each value is passed with the exact type curl reads through va_arg.
    auto set = [&](CURLoption option, auto value) {
      if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_ERRORBUFFER, handle.error);
    set(CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    set(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    set(CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    // Signals cannot interrupt one thread among many; with NOSIGNAL curl
    // relies on its threaded resolver for DNS timeouts and sends with
    // MSG_NOSIGNAL (and, since 7.87, through its own BIO for OpenSSL).
    set(CURLOPT_NOSIGNAL, 1L);
    // One request per connection at a time is all a pooled easy handle can
    // use; HTTP/2 would only change the header casing and add ALPN.
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    // What was signed is what goes out: no "/../" squashing.
    set(CURLOPT_PATH_AS_IS, 1L);
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_CONNECTTIMEOUT_MS, to_curl_millis(options_.connect_timeout));
    set(CURLOPT_TIMEOUT_MS, to_curl_millis(options_.request_timeout));
    set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty()) set(CURLOPT_CAINFO, options_.ca_bundle.c_str());
    set(CURLOPT_USERAGENT, user_agent_.c_str());
    set(CURLOPT_HTTPHEADER, headers);
    // Our headers (Authorization among them) never go to a proxy's CONNECT.
    set(CURLOPT_HEADEROPT, static_cast<long>(CURLHEADER_SEPARATE));
    set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&builder));
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&builder));
    set(CURLOPT_DEBUGFUNCTION, &on_debug);
    set(CURLOPT_DEBUGDATA, static_cast<void*>(&builder));
    set(CURLOPT_VERBOSE, 1L);  // the debug callback only runs in verbose mode; it prints nothing
    if (request.abort != nullptr) {
      set(CURLOPT_XFERINFOFUNCTION, &on_progress);
      set(CURLOPT_XFERINFODATA, const_cast<void*>(static_cast<const void*>(request.abort)));
      set(CURLOPT_NOPROGRESS, 0L);
    } else {
      set(CURLOPT_NOPROGRESS, 1L);  // a pooled handle may have had it on
    }

    if (request.method == "GET" && request.body.empty()) {
      set(CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      // The body is read in place (no copy); it outlives the transfer.
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, static_cast<const void*>(request.body.data()));
      // curl sends a body in pieces of its upload buffer (64 KiB by default): a
      // 700 KB PutRecordBatch body was 11 sendto() calls, each waking the
      // server. Setting the size frees the buffer (setopt.c), and
      // curl_easy_reset() between requests makes us set it each time, so it is
      // allocated again per request: kept under glibc's mmap threshold (128
      // KiB) it comes from the heap; at 512 KiB each was a fresh mapping, and
      // the CPU of 1 KiB lines rose 1.8x. At 120 KiB: 1 KiB lines -18 % CPU,
      // 64 KiB lines -11 %, 100-byte lines (bodies under 120 KiB) unchanged.
      set(CURLOPT_UPLOAD_BUFFERSIZE, 120L * 1024);
      if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    return rc;
  }

  // First member: libcurl is initialised before the share below exists.
  const CURLcode global_init_ = curl_global_state();
  HttpOptions options_;
  std::string user_agent_;
  // Declared before idle_: members die in reverse order, and every easy
  // handle must be cleaned up before the share it uses.
  CurlShare share_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PooledHandle>> idle_;
};

}  // namespace

HttpClientPtr make_curl_http_client(HttpOptions options) {
  return std::make_shared<CurlHttpClient>(std::move(options));
}

}  // namespace firehose::aws
