#include "console_objects.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace firehose::local {
namespace {

constexpr std::string_view kCut = "\u2026";  // …

Error io_error(const std::filesystem::path& file, std::string_view what) {
  return make_error(ErrorKind::Transient, "PreviewFailed", fmt::format("{}: {}", file.string(), what));
}

// Up to limits.decoded_bytes of the object's content (one byte more when
// there is more, so that the caller can tell). A .gz object is read a chunk at
// a time until that much is decoded: a console polling every second reads a
// few KiB of each object, not limits.file_bytes.
Result<std::string> read_start(const std::filesystem::path& file, const PreviewLimits& limits) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return io_error(file, std::strerror(errno));
  const std::size_t wanted = limits.decoded_bytes + 1;
  if (file.extension() != ".gz") {
    std::string raw(wanted, '\0');
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    raw.resize(static_cast<std::size_t>(in.gcount()));
    return raw;
  }

  z_stream zlib{};
  if (inflateInit2(&zlib, 16 + MAX_WBITS) != Z_OK) return io_error(file, "cannot start gunzip");
  std::string decoded(wanted, '\0');
  zlib.next_out = reinterpret_cast<Bytef*>(decoded.data());
  zlib.avail_out = static_cast<uInt>(decoded.size());
  std::string chunk(std::min<std::size_t>(16 * 1024, limits.file_bytes), '\0');
  std::size_t file_read = 0;
  int status = Z_OK;
  bool broken = false;
  while (zlib.avail_out > 0 && file_read < limits.file_bytes && !broken) {
    in.read(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), limits.file_bytes - file_read)));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    file_read += got;
    zlib.next_in = reinterpret_cast<Bytef*>(chunk.data());
    zlib.avail_in = static_cast<uInt>(got);
    while (zlib.avail_out > 0 && zlib.avail_in > 0) {
      status = inflate(&zlib, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        inflateReset(&zlib);  // concatenated gzip members (one per write) are read one after the other
        continue;
      }
      if (status == Z_BUF_ERROR) break;  // no progress possible with this input: read more
      if (status != Z_OK) {
        broken = true;
        break;
      }
    }
  }
  const std::size_t produced = decoded.size() - zlib.avail_out;
  const std::string reason = zlib.msg != nullptr ? zlib.msg : "inflate failed";
  inflateEnd(&zlib);
  if (broken) return io_error(file, fmt::format("not valid gzip ({})", reason));
  decoded.resize(produced);
  return decoded;
}

}  // namespace

Result<ObjectPreview> preview_object(const std::filesystem::path& file, const PreviewLimits& limits) {
  auto start = read_start(file, limits);
  if (!start.ok()) return start.error();
  std::string_view content = *start;
  ObjectPreview preview;
  if (content.size() > limits.decoded_bytes) {
    content = content.substr(0, limits.decoded_bytes);
    preview.more = true;
  }
  while (!content.empty() && preview.lines.size() < limits.lines) {
    const std::size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
    if (line.size() > limits.line_bytes || (end == std::string_view::npos && preview.more)) {
      // Cut here, or by the decoded-bytes bound: the record goes on beyond what was read.
      preview.lines.push_back(std::string(line.substr(0, limits.line_bytes)) + std::string(kCut));
    } else {
      preview.lines.emplace_back(line);
    }
  }
  if (!content.empty()) preview.more = true;
  return preview;
}

void RecentObjects::add(const DeliveredObject& object, std::chrono::system_clock::time_point delivered_at) {
  std::lock_guard lock(mutex_);
  entries_.push_front(Entry{object, delivered_at});
  while (entries_.size() > kept_) entries_.pop_back();
}

nlohmann::json RecentObjects::to_json(const PreviewLimits& limits) const {
  std::deque<Entry> entries;
  {
    std::lock_guard lock(mutex_);
    entries = entries_;
  }
  nlohmann::json objects = nlohmann::json::array();
  for (const Entry& entry : entries) {
    const auto delivered_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(entry.delivered_at.time_since_epoch()).count();
    std::error_code ec;
    std::filesystem::path key = std::filesystem::relative(entry.object.path, data_dir_, ec);
    if (ec || key.empty()) key = entry.object.path.filename();
    nlohmann::json item{{"stream", entry.object.stream_name},
                        {"key", key.generic_string()},
                        {"records", entry.object.records},
                        {"bytes", entry.object.bytes},
                        {"delivered_ms", delivered_ms}};
    auto preview = preview_object(entry.object.path, limits);
    if (preview.ok()) {
      item["preview"] = {{"lines", preview->lines}, {"more", preview->more}};
    } else {
      item["preview_error"] = preview.error().message;
    }
    objects.push_back(std::move(item));
  }
  return {{"objects", std::move(objects)}, {"kept", kept_}};
}

}  // namespace firehose::local
