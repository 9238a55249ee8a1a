#pragma once
// Shared helpers for the delivery tests: temp data directories, a clock the
// test moves by hand, reading back objects, and collecting listener calls.
#include <stdlib.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "delivery/delivery.hpp"
#include "support/temp_dir.hpp"

namespace firehose::local::testing {

using firehose::testing::TempDir;

// 2024-05-01T13:45:07Z
inline constexpr std::int64_t kMay1st134507 = 1714571107;

inline std::chrono::system_clock::time_point at_unix_seconds(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

class ManualClock {
 public:
  explicit ManualClock(std::int64_t unix_seconds = kMay1st134507) : ms_(unix_seconds * 1000) {}
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }
  std::function<std::chrono::system_clock::time_point()> function() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> ms_;
};

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_all_to(const std::filesystem::path& path, const std::string& content, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << content;
}

// Every regular file under `root`, recursively, sorted.
inline std::vector<std::filesystem::path> files_under(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline bool is_temp_name(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with('.') && name.ends_with(".tmp");
}

// Decompresses a whole gzip stream with zlib (independent of the writer).
inline std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[65536];
  int result = Z_OK;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      throw std::runtime_error("inflate failed");
    }
    out.append(chunk, sizeof chunk - stream.avail_out);
  } while (result != Z_STREAM_END);
  const bool trailing_garbage = stream.avail_in != 0;
  inflateEnd(&stream);
  if (trailing_garbage) throw std::runtime_error("data after the gzip stream");
  return out;
}

// Collects listener calls; thread-safe; lets a test wait for a condition.
class DeliveredLog {
 public:
  DeliveryListener listener() {
    return [this](const DeliveredObject& object) {
      {
        std::lock_guard lock(mutex_);
        objects_.push_back(object);
      }
      changed_.notify_all();
    };
  }
  std::vector<DeliveredObject> objects() const {
    std::lock_guard lock(mutex_);
    return objects_;
  }
  std::vector<DeliveredObject> objects_of(const std::string& stream) const {
    std::vector<DeliveredObject> selected;
    for (auto& object : objects()) {
      if (object.stream_name == stream) selected.push_back(object);
    }
    return selected;
  }
  std::uint64_t total_records() const {
    std::uint64_t total = 0;
    for (const auto& object : objects()) total += object.records;
    return total;
  }
  // Waits (generously) until `predicate` holds; false on timeout.
  template <class Predicate>
  bool wait_until(Predicate predicate, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return predicate(objects_); });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<DeliveredObject> objects_;
};

inline StreamDestination destination(const std::string& stream, std::size_t buffer_bytes = 1024 * 1024,
                                     std::chrono::seconds interval = std::chrono::seconds(300)) {
  StreamDestination d;
  d.stream_name = stream;
  d.bucket = "bucket";
  d.buffer_bytes = buffer_bytes;
  d.buffer_interval = interval;
  return d;
}

inline std::vector<std::string_view> views(const std::vector<std::string>& records) {
  return std::vector<std::string_view>(records.begin(), records.end());
}

}  // namespace firehose::local::testing
