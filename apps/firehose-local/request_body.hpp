#pragma once

// A request's body, read by the handler that answers it. A body whose length
// is announced (every AWS SDK's, a PutRecordBatch's ~700 KB) is read from the
// connection straight into one buffer; cpp-httplib reads it 4 KiB at a time
// through a buffer of its own and appends each piece, two more copies of
// every byte (a tenth of firehose-local's CPU under PutRecordBatch). Chunked
// or compressed bodies still go through cpp-httplib's reader, with its limits
// and its answers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

namespace firehose::local {

class ConnectionStream;

// Marks `stream` as the one this worker thread answers a request from, for
// as long as it lives (cpp-httplib's handlers are not given the stream).
class ServedRequest {
 public:
  explicit ServedRequest(ConnectionStream& stream);
  ~ServedRequest();
  ServedRequest(const ServedRequest&) = delete;
  ServedRequest& operator=(const ServedRequest&) = delete;

  // A body read stopped partway: the rest of it is still on the connection,
  // where it would be taken for the next request, so the connection closes.
  bool body_broken() const { return body_broken_; }

 private:
  friend class RequestBody;
  ConnectionStream& stream_;
  bool body_broken_ = false;
  ServedRequest* outer_;
};

// The Content-Length of `req`: nullopt when there is none, a null inner
// value when it is not a number.
std::optional<std::optional<std::uint64_t>> announced_length(const httplib::Request& req);

class RequestBody {
 public:
  // The body of `req`, answered on this thread. On failure: nullopt, with
  // `res.status` set the way cpp-httplib sets it (400; 413 over its limit).
  static std::optional<RequestBody> read(const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader);

  std::string_view view() const { return bytes_ ? std::string_view(bytes_.get(), size_) : std::string_view(text_); }

 private:
  std::unique_ptr<char[]> bytes_;  // not zeroed first: every byte is read into
  std::size_t size_ = 0;
  std::string text_;
};

}  // namespace firehose::local
