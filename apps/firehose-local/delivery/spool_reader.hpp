#pragma once
// Reading records back from a stream's spool segments, in the order they
// were accepted, from a position up to the end of a set of closed segments.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/file_io.hpp"
#include "delivery/spool_format.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

// The next record to deliver: in segment `segment`, the frame at byte
// `frame_offset`, its record number `record` (0-based). Every record before
// it is delivered; segments numbered below `segment` are entirely delivered.
struct SpoolPosition {
  std::uint64_t segment = 0;
  std::uint64_t frame_offset = 0;
  std::uint32_t record = 0;
  bool operator==(const SpoolPosition&) const = default;
};

// A segment file and how many of its bytes belong to it (a closed segment's
// size is fixed; anything past it is ignored).
struct SegmentExtent {
  std::uint64_t sequence = 0;
  std::uint64_t size = 0;
};

std::string segment_file_name(std::uint64_t sequence);
// The sequence number of a segment file name, nullopt for other names.
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);

struct SpoolRecord {
  std::string_view data;  // valid until the next call on the reader
  std::chrono::system_clock::time_point arrival;
};

class SpoolReader {
 public:
  // `segments` in ascending order, none below start.segment.
  SpoolReader(std::filesystem::path directory, std::vector<SegmentExtent> segments, SpoolPosition start);

  // The next record, or nullopt at the end of the segments. An error when a
  // segment cannot be read or a frame is damaged.
  Result<std::optional<SpoolRecord>> next();
  // The arrival time of the record next() would return, without consuming it.
  Result<std::optional<std::chrono::system_clock::time_point>> peek_arrival();
  // Where the next unread record is.
  SpoolPosition position() const;

 private:
  Result<bool> ensure_record();
  Status load_frame(const SegmentExtent& segment);

  std::filesystem::path directory_;
  std::vector<SegmentExtent> segments_;
  std::size_t segment_index_ = 0;
  UniqueFd fd_;
  std::uint64_t frame_offset_ = 0;
  std::uint32_t records_to_skip_ = 0;
  bool frame_loaded_ = false;
  FrameHeader header_;
  std::string payload_;
  std::size_t payload_offset_ = 0;
  std::uint32_t record_index_ = 0;
  SpoolPosition start_;
};

// What recovery learns from one segment file: how many bytes of it are whole,
// valid frames (the rest was cut short by a kill, or is damaged), and the
// latest arrival time in it.
struct SegmentScan {
  std::uint64_t valid_size = 0;
  std::uint64_t file_size = 0;
  std::int64_t last_arrival_ms = 0;
};
Result<SegmentScan> scan_segment(const std::filesystem::path& path);

}  // namespace firehose::local
