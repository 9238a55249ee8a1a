#pragma once
// What goes over the wire in one libcurl transfer, apart from the handle
// pool (http_curl.cpp): the request's header list as curl is to send it, the
// answer assembled from curl's callbacks, and a failed transfer mapped onto
// the error model.
#include <curl/curl.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "firehose/error.hpp"
#include "protocol/http.hpp"

namespace firehose::aws::curl_exchange {

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistFree>;

// The header list exactly as the request carries it, plus removals of the
// headers curl would add by itself: they are not part of what was signed, and
// a server (or a test) must see what the caller built. Refuses an invalid
// method, header name, or a value with a line break.
Result<HeaderList> build_header_list(const HttpRequest& request);

// Where the request went, for messages: scheme://host[:port], without the
// path and without any user:password@.
std::string origin_of(std::string_view url);

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

// curl's callbacks; `user` is the transfer's ResponseBuilder (on_progress:
// the request's abort flag).
size_t on_body(char* data, size_t size, size_t count, void* user);
size_t on_header(char* data, size_t size, size_t count, void* user);
int on_debug(CURL* handle, curl_infotype type, char* data, size_t size, void* user);
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

// Maps a failed transfer onto the error model. `request_sent` tells a
// timeout before the request went out (safe to resend: the server never saw
// it) from one while waiting for the answer (it may have been processed).
Error transfer_error(CURLcode code, std::string_view detail, const HttpRequest& request, bool request_sent);

}  // namespace firehose::aws::curl_exchange
