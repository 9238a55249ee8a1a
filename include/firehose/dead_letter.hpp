#pragma once
// The dead-letter file: every record the producer gave up on, one JSON object
// per line (NDJSON), with its data and why, so that it can be inspected and
// sent again later:
//
//   {"stream":"s","data":"<base64>","error_code":"ServiceUnavailableException",
//    "error_message":"Slow down.","attempts":10,"first_attempt":"2024-05-01T12:00:00.123Z",
//    "last_attempt":"2024-05-01T12:00:41.007Z","possible_duplicate":false}
//
// Times are UTC with milliseconds; null when the record was never sent.
//
// A record refused before it was ever whole in memory (a line longer than
// the record limit, read only in part) carries "data_prefix" (its first
// bytes) and "truncated":true instead of "data"; "size" gives its full size
// and "source" where it was read ("events.ndjson:12"), when known. Such an
// entry cannot be sent again.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firehose/result.hpp"

namespace firehose {

struct DeadLetterEntry {
  std::string stream;
  std::string data;  // the record's raw bytes
  std::string error_code;
  std::string error_message;
  int attempts = 0;
  std::optional<std::chrono::system_clock::time_point> first_attempt;  // written to the millisecond
  std::optional<std::chrono::system_clock::time_point> last_attempt;
  bool possible_duplicate = false;
  bool truncated = false;           // `data` holds only the record's first bytes
  std::optional<std::size_t> size;  // the record's full size, when it differs from data.size()
  std::string source;               // where the record was read, when known

  bool operator==(const DeadLetterEntry&) const = default;
};

// One line of the file, without its '\n'. Invalid UTF-8 in the text fields
// becomes U+FFFD (JSON must be UTF-8; the data is base64 and exact).
std::string format_dead_letter(const DeadLetterEntry& entry);
// Parses one line. Errors: ErrorKind::Client, code "MalformedDeadLetter".
Result<DeadLetterEntry> parse_dead_letter(std::string_view line);

// Appends entries to a dead-letter file. Thread-safe. Each line goes to the
// file in one write(2) on a descriptor opened with O_APPEND, so lines from
// concurrent writers (threads, or processes sharing the file) never
// interleave, and a crash leaves only whole lines; only a full disk can cut
// a line short.
class DeadLetterWriter {
 public:
  // Creates the file with mode 0600 whatever the umask (it holds record
  // data), or appends to an existing one, whose mode is left alone.
  // Errors: ErrorKind::Config, code "DeadLetterOpenFailed".
  static Result<std::unique_ptr<DeadLetterWriter>> open(const std::string& path);
  ~DeadLetterWriter();
  DeadLetterWriter(const DeadLetterWriter&) = delete;
  DeadLetterWriter& operator=(const DeadLetterWriter&) = delete;

  // Errors: ErrorKind::Config, code "DeadLetterWriteFailed" (disk full, I/O).
  Status write(const DeadLetterEntry& entry);
  // Lines are in the kernel once write() returns; this makes them durable
  // (fsync). Errors: as write().
  Status flush();

  const std::string& path() const { return path_; }  // as given to open()

 private:
  DeadLetterWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  std::mutex mutex_;  // keeps the pieces of a partly written line together
};

// Reads a dead-letter file back, data decoded, in file order; blank lines are
// skipped. A line that is not a valid entry (including a last line cut short)
// fails the whole read with ErrorKind::Client, code "MalformedDeadLetter", and
// a message naming the file and the line number ("path:3: ..."). A file that
// cannot be read: ErrorKind::Config, "DeadLetterOpenFailed".
Result<std::vector<DeadLetterEntry>> read_dead_letters(const std::string& path);
// The same, one entry at a time (memory flat in the file's size): `on_entry`
// returns false to stop early.
Status for_each_dead_letter(const std::string& path, const std::function<bool(DeadLetterEntry&&)>& on_entry);

}  // namespace firehose
