#include "request_body.hpp"

#include <charconv>

#include "connection_stream.hpp"

namespace firehose::local {
namespace {

thread_local ServedRequest* current_request = nullptr;

// The announced length, when the body can be read as it is: not chunked, not
// compressed (cpp-httplib decodes those), with a Content-Length that is a number.
std::optional<std::size_t> plain_length(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding") || req.has_header("Content-Encoding")) return std::nullopt;
  const auto length = announced_length(req);
  if (!length || !*length) return std::nullopt;
  return static_cast<std::size_t>(**length);
}

}  // namespace

std::optional<std::optional<std::uint64_t>> announced_length(const httplib::Request& req) {
  const auto header = req.headers.find("Content-Length");
  if (header == req.headers.end()) return std::nullopt;
  const std::string& value = header->second;
  std::uint64_t length = 0;
  const auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (err != std::errc() || end != value.data() + value.size()) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(length);
}

ServedRequest::ServedRequest(ConnectionStream& stream) : stream_(stream), outer_(current_request) {
  current_request = this;
}

ServedRequest::~ServedRequest() { current_request = outer_; }

std::optional<RequestBody> RequestBody::read(const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& reader) {
  RequestBody body;
  if (const auto length = plain_length(req); length && current_request != nullptr) {
    if (*length == 0) return body;
    body.size_ = *length;
    body.bytes_ = std::make_unique_for_overwrite<char[]>(*length);
    if (!current_request->stream_.read_exactly(body.bytes_.get(), *length)) {
      current_request->body_broken_ = true;
      res.status = 400;  // what cpp-httplib answers to a body cut short
      return std::nullopt;
    }
    return body;
  }
  const auto append = [&body](const char* data, std::size_t size) {
    body.text_.append(data, size);
    return true;
  };
  const bool read = req.is_multipart_form_data()
                        // Not an AWS body: its parts are skipped, as cpp-httplib's own reading left the body empty.
                        ? reader([](const httplib::MultipartFormData&) { return true; },
                                 [](const char*, std::size_t) { return true; })
                        : reader(append);
  if (!read) {
    if (res.status == -1) res.status = 400;
    return std::nullopt;
  }
  return body;
}

}  // namespace firehose::local
