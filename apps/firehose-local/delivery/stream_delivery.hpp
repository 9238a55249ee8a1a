#pragma once
// One stream's side of the S3 destination emulation: its spool, its delivery
// journal, and the writing of objects from them (see delivery_journal.hpp for
// why each object is exactly-once across a kill).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/delivery.hpp"
#include "delivery/delivery_journal.hpp"
#include "delivery/spool.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

struct StreamDeliveryOptions {
  bool durable = false;
  int gzip_level = 1;
  // Called at each step of writing an object ("object_written",
  // "object_renamed", "journal_committed") so tests can kill the process there.
  std::function<void(std::string_view stage)> fault_hook;
};

// DATA_DIR/spool/<name>: the name as is, except characters outside
// [A-Za-z0-9_.-] and the names "." and "..", which are %-encoded.
std::filesystem::path stream_spool_directory(const std::filesystem::path& data_dir, std::string_view stream_name);

class StreamDelivery {
 public:
  // Opens the stream's spool, recovering what a previous run left in it: an
  // object interrupted by a kill is either completed (it was renamed into
  // place) or forgotten (it was not), and the undelivered records are kept
  // with their original arrival times, so they are delivered on their normal
  // schedule (at once if their interval has already passed).
  static Result<std::unique_ptr<StreamDelivery>> open(std::filesystem::path data_dir, StreamDestination destination,
                                                      StreamDeliveryOptions options, DeliveryListener listener);

  void set_destination(const StreamDestination& destination);

  // Spools the records. True when the buffer has reached its size, so a
  // delivery should run soon.
  Result<bool> accept(const std::vector<std::string_view>& records, std::chrono::system_clock::time_point now);

  // Whether deliver(false, now) has something to do: the buffer reached its
  // size, or its oldest record is older than the interval. False for a while
  // after a failed delivery.
  bool due(std::chrono::system_clock::time_point now) const;
  // Writes objects of at most the buffer size (plus one record). Only full
  // objects unless `everything` or the interval has passed.
  Status deliver(bool everything, std::chrono::system_clock::time_point now);
  // Refuses further records, delivers everything, deletes the spool directory.
  Status retire(std::chrono::system_clock::time_point now);

 private:
  StreamDelivery(std::filesystem::path data_dir, StreamDestination destination, StreamDeliveryOptions options,
                 DeliveryListener listener);
  Status deliver_locked(bool everything, std::chrono::system_clock::time_point now);
  StreamDestination destination() const;
  std::filesystem::path journal_path() const { return spool_directory_ / "journal"; }

  const std::filesystem::path data_dir_;
  const std::filesystem::path spool_directory_;
  const StreamDeliveryOptions options_;
  const DeliveryListener listener_;

  mutable std::mutex destination_mutex_;
  StreamDestination destination_;
  std::atomic<std::uint64_t> buffer_bytes_;

  std::unique_ptr<StreamSpool> spool_;

  std::mutex delivery_mutex_;  // one delivery at a time; guards the members below
  JournalState journal_;
  bool retired_ = false;
  std::atomic<std::int64_t> retry_after_ns_{0};  // steady clock; after a failed delivery
};

}  // namespace firehose::local
