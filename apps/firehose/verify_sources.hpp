#pragma once
// Where `firehose verify` reads records: the sent lines (input files, or the
// workflow's generated records) and the delivered objects (firehose-local's
// data directory, or an S3 bucket), each object decoded (GZIP or plain) and
// split into lines as it streams, never held whole.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/s3_client.hpp"
#include "firehose/session.hpp"
#include "verify_matcher.hpp"

namespace firehose::cli {

// Called with each line (without its '\n') and where it was read.
using OnLine = std::function<void(std::string_view line, const LineSource& source)>;

// Counts for the progress line, updated as reading goes.
struct ReadProgress {
  std::atomic<std::uint64_t> sent_lines{0};
  std::atomic<std::uint64_t> delivered_lines{0};
  std::atomic<std::uint64_t> objects{0};
  std::atomic<std::uint64_t> object_bytes{0};
};

// What was sent: read as often as the matcher asks (so never stdin).
class SentRecords {
 public:
  virtual ~SentRecords() = default;
  // Every line, in order; `keep_going()` false stops early. Errors name the file.
  virtual Status for_each(const OnLine& on_line, const std::function<bool()>& keep_going) = 0;
  // Bytes to read (0 when unknown): the Bloom filters' capacity is estimated from it.
  virtual std::uint64_t size_bytes() const = 0;
};

// The lines of files, each line's source "PATH:N". Lines over Firehose's
// record limit could never have been sent: counted in `over_limit`, not fed.
std::unique_ptr<SentRecords> sent_from_files(std::vector<std::string> paths, std::uint64_t* over_limit);

// Where the delivered objects are.
struct DeliveredLocation {
  std::string local_dir;                                       // firehose-local's data directory, or a folder inside it
  std::string bucket;                                          // or an S3 bucket
  std::string prefix;                                          // keys (or paths under local_dir) that start with it
  std::optional<std::chrono::system_clock::time_point> since;  // objects modified at or after
};

// Every line of every delivered object, objects in key (path) order. In a
// data directory, streams/, spool/ and hidden files (objects being written)
// are skipped. S3 calls are retried by `session`'s policy. Errors: the S3
// client's (exit 3/4/5 by kind), Client "CorruptObject", or an unreadable
// directory or file (Client, "UnreadableInput").
Status for_each_delivered_line(const DeliveredLocation& where, const S3Client* s3, const Session* session,
                               ReadProgress& progress, const OnLine& on_line);

// The lines of dead-letter files: each entry's data split into lines (a
// packed record holds several); the source names the file, entry and error code.
Status for_each_dead_lettered_line(const std::vector<std::string>& paths,
                                   const std::function<void(std::string_view line, const RecordExample&)>& on_line);

// Splits streamed content into lines: whole lines go to the callback, a cut
// one waits for the next piece; finish() gives a last line without '\n'.
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(std::string_view)> on_line) : on_line_(std::move(on_line)) {}
  void feed(std::string_view bytes);
  void finish();

 private:
  std::function<void(std::string_view)> on_line_;
  std::string partial_;
};

// "--since": a duration back from now ("30m", "2h") or an ISO-8601 UTC time
// ("2026-12-03T10:00:00Z").
Result<std::chrono::system_clock::time_point> parse_since(std::string_view text,
                                                          std::chrono::system_clock::time_point now);

}  // namespace firehose::cli
