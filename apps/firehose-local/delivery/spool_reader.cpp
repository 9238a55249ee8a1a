#include "delivery/spool_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include <fmt/format.h>

namespace firehose::local {
namespace {

constexpr std::string_view kSegmentSuffix = ".seg";
constexpr std::size_t kSequenceDigits = 20;

Error damaged(const std::filesystem::path& path, std::uint64_t offset, std::string_view what) {
  return make_error(ErrorKind::Transient, "InternalFailure",
                    fmt::format("spool segment {} damaged at byte {}: {}", path.string(), offset, what));
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

std::string segment_file_name(std::uint64_t sequence) {
  return fmt::format("{:0{}}{}", sequence, kSequenceDigits, kSegmentSuffix);
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != kSequenceDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) return std::nullopt;
  std::uint64_t sequence = 0;
  const char* end = name.data() + kSequenceDigits;
  const auto [ptr, ec] = std::from_chars(name.data(), end, sequence);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return sequence;
}

SpoolReader::SpoolReader(std::filesystem::path directory, std::vector<SegmentExtent> segments, SpoolPosition start)
    : directory_(std::move(directory)), segments_(std::move(segments)), start_(start) {
  while (segment_index_ < segments_.size() && segments_[segment_index_].sequence < start.segment) ++segment_index_;
  if (segment_index_ < segments_.size() && segments_[segment_index_].sequence == start.segment) {
    frame_offset_ = start.frame_offset;
    records_to_skip_ = start.record;
  }
}

Status SpoolReader::load_frame(const SegmentExtent& segment) {
  const auto path = directory_ / segment_file_name(segment.sequence);
  if (!fd_.valid()) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_.valid()) return io_error("open", path, errno);
  }
  if (segment.size - frame_offset_ < kFrameHeaderSize) return damaged(path, frame_offset_, "truncated frame header");
  char header_bytes[kFrameHeaderSize];
  if (auto read = pread_exact(fd_.get(), header_bytes, kFrameHeaderSize, frame_offset_, path); !read) return read;
  const auto header = decode_frame_header(std::string_view(header_bytes, kFrameHeaderSize));
  if (!header) return damaged(path, frame_offset_, "bad frame header");
  if (segment.size - frame_offset_ - kFrameHeaderSize < header->payload_size) {
    return damaged(path, frame_offset_, "truncated frame");
  }
  payload_.resize(header->payload_size);
  if (auto read = pread_exact(fd_.get(), payload_.data(), payload_.size(), frame_offset_ + kFrameHeaderSize, path);
      !read) {
    return read;
  }
  if (!payload_is_valid(*header, payload_)) return damaged(path, frame_offset_, "bad frame payload");
  header_ = *header;
  frame_loaded_ = true;
  payload_offset_ = 0;
  record_index_ = 0;
  if (records_to_skip_ > 0) {
    if (records_to_skip_ > header_.record_count) return damaged(path, frame_offset_, "position past the frame");
    for (; record_index_ < records_to_skip_; ++record_index_) next_record(payload_, payload_offset_);
    records_to_skip_ = 0;
  }
  return {};
}

Result<bool> SpoolReader::ensure_record() {
  while (segment_index_ < segments_.size()) {
    const SegmentExtent& segment = segments_[segment_index_];
    if (frame_loaded_) {
      if (record_index_ < header_.record_count) return true;
      frame_offset_ += kFrameHeaderSize + header_.payload_size;
      frame_loaded_ = false;
    }
    if (frame_offset_ >= segment.size) {
      ++segment_index_;
      frame_offset_ = 0;
      fd_.reset();
      continue;
    }
    if (auto loaded = load_frame(segment); !loaded) return loaded.error();
  }
  return false;
}

Result<std::optional<SpoolRecord>> SpoolReader::next() {
  auto available = ensure_record();
  if (!available) return available.error();
  if (!*available) return std::optional<SpoolRecord>();
  SpoolRecord record{next_record(payload_, payload_offset_), from_ms(header_.arrival_ms)};
  ++record_index_;
  return std::optional<SpoolRecord>(record);
}

Result<std::optional<std::chrono::system_clock::time_point>> SpoolReader::peek_arrival() {
  using Arrival = std::optional<std::chrono::system_clock::time_point>;
  auto available = ensure_record();
  if (!available) return available.error();
  if (!*available) return Arrival();
  return Arrival(from_ms(header_.arrival_ms));
}

SpoolPosition SpoolReader::position() const {
  if (segment_index_ >= segments_.size()) {
    if (segments_.empty()) return start_;
    return SpoolPosition{segments_.back().sequence, segments_.back().size, 0};
  }
  const std::uint64_t sequence = segments_[segment_index_].sequence;
  if (!frame_loaded_) return SpoolPosition{sequence, frame_offset_, records_to_skip_};
  if (record_index_ == header_.record_count) {
    return SpoolPosition{sequence, frame_offset_ + kFrameHeaderSize + header_.payload_size, 0};
  }
  return SpoolPosition{sequence, frame_offset_, record_index_};
}

Result<SegmentScan> scan_segment(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return io_error("open", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return io_error("stat", path, errno);
  SegmentScan scan;
  scan.file_size = static_cast<std::uint64_t>(info.st_size);
  std::string payload;
  std::uint64_t offset = 0;
  while (scan.file_size - offset >= kFrameHeaderSize) {
    char header_bytes[kFrameHeaderSize];
    if (auto read = pread_exact(fd.get(), header_bytes, kFrameHeaderSize, offset, path); !read) return read.error();
    const auto header = decode_frame_header(std::string_view(header_bytes, kFrameHeaderSize));
    if (!header || scan.file_size - offset - kFrameHeaderSize < header->payload_size) break;
    payload.resize(header->payload_size);
    if (auto read = pread_exact(fd.get(), payload.data(), payload.size(), offset + kFrameHeaderSize, path); !read) {
      return read.error();
    }
    if (!payload_is_valid(*header, payload)) break;
    offset += kFrameHeaderSize + header->payload_size;
    scan.last_arrival_ms = std::max(scan.last_arrival_ms, header->arrival_ms);
  }
  scan.valid_size = offset;
  return scan;
}

}  // namespace firehose::local
