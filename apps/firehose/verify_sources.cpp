#include "verify_sources.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "duration_arg.hpp"
#include "firehose/dead_letter.hpp"
#include "firehose/limits.hpp"
#include "firehose/retry.hpp"
#include "input_file.hpp"
#include "line_reader.hpp"
#include "timestamps.hpp"

namespace firehose::cli {
namespace {

namespace fs = std::filesystem;

std::string_view without_newline(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

Error unreadable(const std::string& path, int error_number) {
  return make_error(ErrorKind::Client, "UnreadableInput",
                    fmt::format("cannot read {}: {}", path, std::strerror(error_number)));
}

class SentFiles final : public SentRecords {
 public:
  SentFiles(std::vector<std::string> paths, std::uint64_t* over_limit)
      : paths_(std::move(paths)), over_limit_(over_limit) {}

  Status for_each(const OnLine& on_line, const std::function<bool()>& keep_going) override {
    if (over_limit_ != nullptr) *over_limit_ = 0;
    for (const std::string& path : paths_) {
      auto file = open_input(path);
      if (!file) return file.error();
      LineSource source{path, 0};
      LineLimit limit;
      limit.max_bytes = limits::kMaxRecordBytes;
      // `send` refuses such a line (it is dead-lettered truncated): it was never sent.
      limit.on_oversize = [&](std::string_view, std::size_t) {
        ++source.line;
        if (over_limit_ != nullptr) ++*over_limit_;
      };
      bool stopped = false;
      const bool read = for_each_line_block(
          *file, [&] { return stopped; },
          [&](std::span<const std::string_view> lines) {
            for (std::string_view line : lines) {
              ++source.line;
              on_line(without_newline(line), source);
            }
            stopped = !keep_going();
          },
          limit);
      const int error_number = errno;
      close_input(*file);
      if (!read) return make_error(ErrorKind::Client, "UnreadableInput", read_error_message(path, error_number));
      if (stopped) return {};
    }
    return {};
  }

  std::uint64_t size_bytes() const override {
    std::uint64_t total = 0;
    for (const std::string& path : paths_) {
      struct stat info {};
      if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) total += static_cast<std::uint64_t>(info.st_size);
    }
    return total;
  }

 private:
  std::vector<std::string> paths_;
  std::uint64_t* over_limit_;
};

// Decodes an object's bytes and feeds its lines.
class ObjectLines {
 public:
  ObjectLines(std::string name, ReadProgress& progress, const OnLine& on_line)
      : name_(std::move(name)), progress_(progress), on_line_(on_line), splitter_([this](std::string_view line) {
          ++source_.line;
          progress_.delivered_lines.fetch_add(1, std::memory_order_relaxed);
          on_line_(line, source_);
        }) {
    source_.name = name_;
  }

  Status feed(std::string_view bytes) {
    progress_.object_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
    auto fed = decoder_.feed(bytes, [this](std::string_view decoded) { splitter_.feed(decoded); });
    if (fed) return fed;
    Error error = fed.error();
    error.message = fmt::format("{}: {}", name_, error.message);
    return error;
  }

  Status finish() {
    auto finished = decoder_.finish([this](std::string_view decoded) { splitter_.feed(decoded); });
    if (!finished) {
      Error error = finished.error();
      error.message = fmt::format("{}: {}", name_, error.message);
      return error;
    }
    splitter_.finish();
    progress_.objects.fetch_add(1, std::memory_order_relaxed);
    return {};
  }

 private:
  std::string name_;
  ReadProgress& progress_;
  const OnLine& on_line_;
  LineSource source_;
  ObjectDecoder decoder_;
  LineSplitter splitter_;
};

Status read_local_file(const fs::path& path, ReadProgress& progress, const OnLine& on_line) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return unreadable(path.string(), errno);
  ObjectLines lines(path.string(), progress, on_line);
  std::vector<char> block(256 * 1024);
  while (file) {
    file.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto n = static_cast<std::size_t>(file.gcount());
    if (n == 0) break;
    if (auto fed = lines.feed(std::string_view(block.data(), n)); !fed) return fed;
  }
  if (file.bad()) return unreadable(path.string(), errno);
  return lines.finish();
}

Status read_local(const DeliveredLocation& where, ReadProgress& progress, const OnLine& on_line) {
  const fs::path root(where.local_dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return unreadable(where.local_dir, fs::exists(root, ec) ? ENOTDIR : ENOENT);
  }
  // firehose-local's own files: stream definitions and the spool (records
  // not yet delivered), beside the buckets.
  const bool data_dir = fs::is_directory(root / "streams", ec) || fs::exists(root / ".lock", ec);
  std::vector<fs::path> objects;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return unreadable(where.local_dir, ec.value());
  for (; it != end; it.increment(ec)) {
    if (ec) return unreadable(where.local_dir, ec.value());
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    // firehose-local's objects being written (".<object>.tmp") and its lock.
    // Other names may start with a dot: a stream named ".events" delivers
    // ".events-1-...", and a prefix ".x/" makes a folder.
    if (name.starts_with(".") && (name.ends_with(".tmp") || (data_dir && it.depth() == 0 && name == ".lock"))) {
      continue;
    }
    if (data_dir && it.depth() == 0 && (name == "streams" || name == "spool")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string relative = fs::relative(path, root, ec).generic_string();
    if (!relative.starts_with(where.prefix)) continue;
    if (where.since) {
      struct stat info {};
      if (::stat(path.c_str(), &info) != 0) return unreadable(path.string(), errno);
      if (std::chrono::system_clock::from_time_t(info.st_mtime) < *where.since) continue;
    }
    objects.push_back(path);
  }
  std::sort(objects.begin(), objects.end());
  for (const fs::path& path : objects) {
    if (auto read = read_local_file(path, progress, on_line); !read) return read;
  }
  return {};
}

// Each ListObjectsV2 page and each GetObject range is retried as the AWS
// CLI retries a call (the session's policy: throttling, 5xx, timeouts); a
// retried read goes on from the bytes already decoded, never feeding a range twice.
Status read_s3(const DeliveredLocation& where, const S3Client& s3, const Session& session, ReadProgress& progress,
               const OnLine& on_line) {
  std::string token;
  for (;;) {
    auto page = call_with_retries(session, "ListObjectsV2",
                                  [&] { return s3.list_objects_v2(where.bucket, where.prefix, token); });
    if (!page) return page.error();
    for (const S3Object& object : page->objects) {
      if (where.since && object.last_modified < *where.since) continue;
      ObjectLines lines(fmt::format("s3://{}/{}", where.bucket, object.key), progress, on_line);
      Status decoding;
      std::uint64_t read = 0;
      auto got = call_with_retries(session, "GetObject", [&] {
        return s3.get_object(
            where.bucket, object,
            [&](std::string_view bytes) {
              read += bytes.size();
              decoding = lines.feed(bytes);
              return decoding.ok();
            },
            read);
      });
      if (!got) return got;
      if (!decoding) return decoding;
      if (auto finished = lines.finish(); !finished) return finished;
    }
    if (!page->truncated) return {};
    if (page->next_continuation_token == token) {
      return make_error(ErrorKind::Transient, "MalformedResponse",
                        "ListObjectsV2 returned the continuation token it was given: stopping instead of looping");
    }
    token = std::move(page->next_continuation_token);
  }
}

}  // namespace

void LineSplitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(bytes);
      return;
    }
    if (partial_.empty()) {
      on_line_(bytes.substr(0, newline));
    } else {
      partial_.append(bytes.substr(0, newline));
      on_line_(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish() {
  if (!partial_.empty()) on_line_(partial_);
  partial_.clear();
}

std::unique_ptr<SentRecords> sent_from_files(std::vector<std::string> paths, std::uint64_t* over_limit) {
  return std::make_unique<SentFiles>(std::move(paths), over_limit);
}

Status for_each_delivered_line(const DeliveredLocation& where, const S3Client* s3, const Session* session,
                               ReadProgress& progress, const OnLine& on_line) {
  if (!where.local_dir.empty()) return read_local(where, progress, on_line);
  return read_s3(where, *s3, *session, progress, on_line);
}

Status for_each_dead_lettered_line(const std::vector<std::string>& paths,
                                   const std::function<void(std::string_view line, const RecordExample&)>& on_line) {
  for (const std::string& path : paths) {
    std::uint64_t entry_number = 0;
    auto read = for_each_dead_letter(path, [&](DeadLetterEntry&& entry) {
      ++entry_number;
      const RecordExample where{fmt::format("{}:{} ({})", path, entry_number, entry.error_code),
                                record_excerpt(without_newline(entry.data))};
      // A truncated entry is a line over the record limit: never sent, and
      // the sent side does not count it either (sent_from_files).
      if (entry.truncated) return true;
      LineSplitter lines([&](std::string_view line) { on_line(line, where); });
      lines.feed(entry.data);
      lines.finish();
      return true;
    });
    if (!read) {
      Error error = read.error();
      if (error.message.find(path) == std::string::npos) error.message = fmt::format("{}: {}", path, error.message);
      return error;
    }
  }
  return {};
}

Result<std::chrono::system_clock::time_point> parse_since(std::string_view text,
                                                          std::chrono::system_clock::time_point now) {
  if (auto duration = parse_duration(text)) return now - *duration;
  if (auto time = parse_iso8601_utc(text)) return *time;
  return make_error(ErrorKind::Client, "InvalidFlag",
                    fmt::format("--since: '{}' is neither a duration (30m, 2h, 1d) nor a UTC time "
                                "(2026-12-03T10:00:00Z)",
                                text));
}

}  // namespace firehose::cli
