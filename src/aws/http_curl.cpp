// The libcurl transport. A pool of easy handles gives keep-alive: each handle
// keeps its own live connections, a sending thread borrows one for the length
// of a request, so N concurrent senders settle on N warm connections. What
// one transfer sends and receives (the header list, the answer built from
// curl's callbacks, curl's errors as ours) is in curl_exchange.hpp.
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
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/curl_exchange.hpp"
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

long to_curl_millis(std::chrono::milliseconds value) {
  if (value.count() <= 0) return 0;  // curl: 0 = no limit
  return value.count() > LONG_MAX ? LONG_MAX : static_cast<long>(value.count());
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
    auto headers = curl_exchange::build_header_list(request);
    if (!headers.ok()) return headers.error();

    Lease lease(*this);
    if (lease.handle == nullptr) {
      return make_error(ErrorKind::Transport, "TransportError", "libcurl could not create a handle");
    }
    PooledHandle& handle = *lease.handle;
    curl_exchange::ResponseBuilder builder;
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
                                    request.method, curl_exchange::origin_of(request.url), builder.max_body_bytes));
    }
    if (result != CURLE_OK) {
      curl_off_t pretransfer_us = 0;
      curl_easy_getinfo(handle.easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
      Error error = curl_exchange::transfer_error(result, handle.error, request, pretransfer_us > 0);
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
                     curl_exchange::ResponseBuilder& builder) const {
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
    set(CURLOPT_WRITEFUNCTION, &curl_exchange::on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&builder));
    set(CURLOPT_HEADERFUNCTION, &curl_exchange::on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&builder));
    set(CURLOPT_DEBUGFUNCTION, &curl_exchange::on_debug);
    set(CURLOPT_DEBUGDATA, static_cast<void*>(&builder));
    set(CURLOPT_VERBOSE, 1L);  // the debug callback only runs in verbose mode; it prints nothing
    if (request.abort != nullptr) {
      set(CURLOPT_XFERINFOFUNCTION, &curl_exchange::on_progress);
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
      // 700 KB PutRecordBatch body was about 12 sendto() calls, each waking the
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
