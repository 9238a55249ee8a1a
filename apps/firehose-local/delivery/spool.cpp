#include "delivery/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "delivery/spool_format.hpp"

namespace firehose::local {
namespace {

using Clock = std::chrono::system_clock;

std::int64_t to_ms(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
Clock::time_point from_ms(std::int64_t ms) { return Clock::time_point(std::chrono::milliseconds(ms)); }

// Frames of big batches leave a big buffer behind in each server thread.
constexpr std::size_t kKeptFrameCapacity = 8 << 20;

}  // namespace

StreamSpool::StreamSpool(std::filesystem::path directory, SpoolOptions options)
    : directory_(std::move(directory)), options_(options) {}

StreamSpool::~StreamSpool() = default;

Result<std::unique_ptr<StreamSpool>> StreamSpool::open(std::filesystem::path directory, SpoolPosition delivered,
                                                       SpoolOptions options) {
  if (auto made = make_directories(directory); !made) return made.error();
  std::unique_ptr<StreamSpool> spool(new StreamSpool(std::move(directory), options));

  std::vector<std::uint64_t> sequences;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(spool->directory_, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto sequence = parse_segment_file_name(it->path().filename().string())) sequences.push_back(*sequence);
  }
  if (ec) return io_error("list", spool->directory_, ec.value());
  std::sort(sequences.begin(), sequences.end());

  std::uint64_t highest = delivered.segment;
  for (const std::uint64_t sequence : sequences) {
    highest = std::max(highest, sequence);
    const auto path = spool->directory_ / segment_file_name(sequence);
    if (sequence < delivered.segment) {
      if (auto removed = remove_file(path); !removed) return removed.error();
      continue;
    }
    auto scan = scan_segment(path);
    if (!scan) return scan.error();
    if (scan->valid_size < scan->file_size) {
      // The tail is a frame a kill cut short: its accept() never returned OK.
      spdlog::warn("spool {}: dropping {} bytes of incomplete frame", path.string(),
                   scan->file_size - scan->valid_size);
      if (::truncate(path.c_str(), static_cast<off_t>(scan->valid_size)) != 0) {
        return io_error("truncate", path, errno);
      }
    }
    spool->last_arrival_ms_ = std::max(spool->last_arrival_ms_, scan->last_arrival_ms);
    const bool entirely_delivered = sequence == delivered.segment && delivered.frame_offset >= scan->valid_size;
    if (scan->valid_size == 0 || entirely_delivered) {
      if (auto removed = remove_file(path); !removed) return removed.error();
      continue;
    }
    spool->closed_.push_back(SegmentExtent{sequence, scan->valid_size});
  }
  spool->next_sequence_ = highest + 1;

  SpoolReader reader(spool->directory_, spool->closed_, delivered);
  for (;;) {
    auto record = reader.next();
    if (!record) return record.error();
    if (!*record) break;
    if (!spool->closed_oldest_) spool->closed_oldest_ = (*record)->arrival;
    ++spool->closed_records_;
    spool->closed_bytes_ += (*record)->data.size();
  }
  return spool;
}

Status StreamSpool::open_current_segment() {
  const std::uint64_t sequence = next_sequence_++;
  const auto path = directory_ / segment_file_name(sequence);
  current_fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!current_fd_.valid()) return io_error("open", path, errno);
  if (options_.durable) {
    if (auto synced = sync_directory(directory_); !synced) return synced;
  }
  current_sequence_ = sequence;
  current_size_ = 0;
  return {};
}

void StreamSpool::close_current_segment() {
  if (!current_fd_.valid()) return;
  current_fd_.reset();
  if (current_records_ == 0 && current_size_ == 0) {
    ::unlink((directory_ / segment_file_name(current_sequence_)).c_str());
    return;
  }
  closed_.push_back(SegmentExtent{current_sequence_, current_size_});
  closed_records_ += current_records_;
  closed_bytes_ += current_bytes_;
  if (!closed_oldest_) closed_oldest_ = current_oldest_;
  current_records_ = 0;
  current_bytes_ = 0;
  current_oldest_.reset();
  current_size_ = 0;
}

Result<SpoolTotals> StreamSpool::append(const std::vector<std::string_view>& records, Clock::time_point now) {
  if (records.empty()) return totals();
  thread_local std::string frame;
  if (!encode_frame(records, frame)) {
    return make_error(ErrorKind::Client, "InvalidArgumentException", "record too large for the spool");
  }
  std::uint64_t raw_bytes = 0;
  for (const auto record : records) raw_bytes += record.size();

  Status written;
  SpoolTotals after;
  {
    std::lock_guard lock(mutex_);
    if (!accepting_) {
      return make_error(ErrorKind::Transient, "InternalFailure", "the stream is being deleted");
    }
    const std::int64_t arrival_ms = std::max(to_ms(now), last_arrival_ms_);
    seal_frame(frame, arrival_ms);
    if (!current_fd_.valid()) written = open_current_segment();
    const auto path = directory_ / segment_file_name(current_sequence_);
    if (written) written = write_all(current_fd_.get(), frame, path);
    if (written && options_.durable && ::fdatasync(current_fd_.get()) != 0)
      written = io_error("fdatasync", path, errno);
    if (written) {
      last_arrival_ms_ = arrival_ms;
      current_size_ += frame.size();
      current_records_ += records.size();
      current_bytes_ += raw_bytes;
      if (!current_oldest_) current_oldest_ = from_ms(arrival_ms);
    } else if (current_fd_.valid() && ::ftruncate(current_fd_.get(), static_cast<off_t>(current_size_)) != 0) {
      // The failed frame's bytes stay past current_size_, which readers never
      // go beyond; a new segment keeps later frames clear of them.
      close_current_segment();
    }
    after.records = closed_records_ + current_records_;
    after.bytes = closed_bytes_ + current_bytes_;
    after.oldest = closed_oldest_ ? closed_oldest_ : current_oldest_;
  }
  if (frame.capacity() > kKeptFrameCapacity) std::string().swap(frame);
  if (!written) return written.error();
  return after;
}

void StreamSpool::close_for_appends() {
  std::lock_guard lock(mutex_);
  accepting_ = false;
}

SpoolSnapshot StreamSpool::close_current() {
  std::lock_guard lock(mutex_);
  close_current_segment();
  SpoolSnapshot snapshot;
  snapshot.segments = closed_;
  snapshot.totals = SpoolTotals{closed_records_, closed_bytes_, closed_oldest_};
  return snapshot;
}

void StreamSpool::mark_delivered(std::uint64_t records, std::uint64_t bytes, SpoolPosition position,
                                 std::optional<Clock::time_point> next_oldest) {
  std::vector<std::uint64_t> finished;
  {
    std::lock_guard lock(mutex_);
    closed_records_ -= std::min(records, closed_records_);
    closed_bytes_ -= std::min(bytes, closed_bytes_);
    closed_oldest_ = next_oldest;
    auto done = [&](const SegmentExtent& segment) {
      return segment.sequence < position.segment ||
             (segment.sequence == position.segment && position.frame_offset >= segment.size);
    };
    for (const auto& segment : closed_) {
      if (done(segment)) finished.push_back(segment.sequence);
    }
    std::erase_if(closed_, done);
  }
  // Outside the lock: freeing a large file can take a while.
  for (const std::uint64_t sequence : finished) {
    const auto path = directory_ / segment_file_name(sequence);
    if (auto removed = remove_file(path); !removed) spdlog::warn("{}", removed.error().message);
  }
}

SpoolTotals StreamSpool::totals() const {
  std::lock_guard lock(mutex_);
  return SpoolTotals{closed_records_ + current_records_, closed_bytes_ + current_bytes_,
                     closed_oldest_ ? closed_oldest_ : current_oldest_};
}

}  // namespace firehose::local
