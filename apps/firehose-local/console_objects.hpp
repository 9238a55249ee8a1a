#pragma once
// The objects delivered most recently, for the web console (GET
// /_local/objects): which stream, where (bucket/key), how many records and
// bytes, and a preview of the first records. Delivery tells this list about
// each object it writes; the previews are read from the files when asked, so
// holding the list costs a few hundred bytes an object whatever their size.
#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "delivery/delivery.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

// What a preview may cost: the bytes it decodes and shows, whatever the size
// of the object (a 128 MiB object is read no further than a small one).
struct PreviewLimits {
  std::size_t lines = 5;                 // records shown (as lines: most producers end records with \n)
  std::size_t line_bytes = 200;          // each cut after this many bytes
  std::size_t decoded_bytes = 4 * 1024;  // content looked at, after gunzip
  std::size_t file_bytes = 256 * 1024;   // compressed bytes read at most to get there
};

struct ObjectPreview {
  std::vector<std::string> lines;  // cut lines end with "…" (the bytes are as stored: may not be UTF-8)
  bool more = false;               // the object holds more than these lines
};

// The first lines of an object file, gunzipped when its name ends in .gz.
// Errors (kind Transient, code PreviewFailed) name the file: it was removed, or is not valid gzip.
Result<ObjectPreview> preview_object(const std::filesystem::path& file, const PreviewLimits& limits = {});

class RecentObjects {
 public:
  static constexpr std::size_t kDefaultKept = 20;

  // Keys are shown relative to `data_dir` (bucket/prefix/.../name).
  explicit RecentObjects(std::filesystem::path data_dir, std::size_t kept = kDefaultKept)
      : data_dir_(std::move(data_dir)), kept_(kept) {}

  // Thread-safe; called by delivery for each object written.
  void add(const DeliveredObject& object, std::chrono::system_clock::time_point delivered_at);

  // {"objects": [...], "kept": N}, newest first; each with stream, key, records,
  // bytes, delivered_ms (epoch milliseconds), and preview (lines, more) or
  // preview_error.
  nlohmann::json to_json(const PreviewLimits& limits = {}) const;

 private:
  struct Entry {
    DeliveredObject object;
    std::chrono::system_clock::time_point delivered_at;
  };

  std::filesystem::path data_dir_;
  std::size_t kept_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // newest at the front
};

}  // namespace firehose::local
