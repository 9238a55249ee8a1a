#pragma once
// One stream's spool: DATA_DIR/spool/<stream>/NNNN.seg, append-only segment
// files in the format of spool_format.hpp. Records are appended to the
// current segment; a delivery first closes it (later appends start a new
// one), reads closed segments, which never change, and deletes each segment
// once everything in it is delivered. Appends hold this stream's mutex only
// for the write(2): encoding happens before, outside it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "delivery/file_io.hpp"
#include "delivery/spool_reader.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

struct SpoolOptions {
  // fdatasync(2) after every append: survives a power cut, not only a kill.
  bool durable = false;
};

// Records accepted and not yet delivered.
struct SpoolTotals {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;                                      // raw record bytes
  std::optional<std::chrono::system_clock::time_point> oldest;  // arrival of the oldest one
};

// The closed, undelivered part of the spool, for one delivery.
struct SpoolSnapshot {
  std::vector<SegmentExtent> segments;  // ascending
  SpoolTotals totals;
};

class StreamSpool {
 public:
  // Opens `directory`, creating it. Segments left by a previous run are
  // checked, cut back to their last whole frame (a kill can interrupt a
  // write), and counted from `delivered` on; those entirely before it are
  // deleted. They become closed segments, delivered like any other.
  static Result<std::unique_ptr<StreamSpool>> open(std::filesystem::path directory, SpoolPosition delivered,
                                                   SpoolOptions options);
  ~StreamSpool();
  StreamSpool(const StreamSpool&) = delete;
  StreamSpool& operator=(const StreamSpool&) = delete;

  // Appends the records as one frame. Arrival times never go backwards
  // within a stream, so the first record of an object is also its oldest.
  // Returns the totals after the append.
  Result<SpoolTotals> append(const std::vector<std::string_view>& records, std::chrono::system_clock::time_point now);
  // Later append() calls fail (the stream is being removed).
  void close_for_appends();

  // Closes the current segment and returns every closed, undelivered segment.
  SpoolSnapshot close_current();
  // A delivery wrote `records`/`bytes` of the closed segments, up to
  // `position`; `next_oldest` is the arrival of the next undelivered record
  // in the closed segments (nullopt when none is left). Deletes the segment
  // files that are now entirely delivered.
  void mark_delivered(std::uint64_t records, std::uint64_t bytes, SpoolPosition position,
                      std::optional<std::chrono::system_clock::time_point> next_oldest);

  SpoolTotals totals() const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  StreamSpool(std::filesystem::path directory, SpoolOptions options);
  Status open_current_segment();
  void close_current_segment();

  const std::filesystem::path directory_;
  const SpoolOptions options_;

  mutable std::mutex mutex_;
  bool accepting_ = true;
  std::int64_t last_arrival_ms_ = 0;
  std::uint64_t next_sequence_ = 1;
  // The segment being appended to (fd invalid: none yet).
  UniqueFd current_fd_;
  std::uint64_t current_sequence_ = 0;
  std::uint64_t current_size_ = 0;
  std::uint64_t current_records_ = 0;
  std::uint64_t current_bytes_ = 0;
  std::optional<std::chrono::system_clock::time_point> current_oldest_;
  // Closed segments not yet entirely delivered, and their undelivered records.
  std::vector<SegmentExtent> closed_;
  std::uint64_t closed_records_ = 0;
  std::uint64_t closed_bytes_ = 0;
  std::optional<std::chrono::system_clock::time_point> closed_oldest_;
};

}  // namespace firehose::local
