#pragma once
// A PutRecordBatch body framed as its records are put. Each record is
// base64-encoded into the body on the thread that put it, while its bytes
// are still in that core's cache, and keeps only where its base64 lies, its
// size, its put time and its memory charge: no record object, no copy of its
// bytes, nothing per record for a sender on another core to fetch.
//
// It carries first attempts of records nobody waits on (no callback: the
// lines of `firehose send`, put_copy_all()), unpacked, of at most
// kFramedRecordMaxBytes. An answer that acknowledges all of them resolves
// the batch as a whole. Anything else (a record refused, a failed call,
// shutdown, a fatal error) turns the batch back into pending records, their
// bytes decoded from the body, which then take the one path of retries,
// failures and dead letters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/pending_record.hpp"
#include "protocol/firehose.hpp"

namespace firehose::producer {

// Records up to this size are framed. What framing saves is per record
// (about a microsecond of bookkeeping and cache misses); a larger record
// costs far more in its bytes, and its bodies (47 records of 64 KiB fill
// 4 MiB) held in the pool while queued as well as in flight made fresh
// mappings of 4 MiB buffers: 64 KiB lines took 1.12x the CPU framed.
inline constexpr std::size_t kFramedRecordMaxBytes = 2 * 1024;

class FramedBatch {
 public:
  struct Entry {
    std::uint32_t offset = 0;  // of its base64 in the body (a body is at most 4 MiB)
    std::uint32_t size = 0;    // its raw bytes
    SteadyTime put_time{};
    std::size_t charge = 0;  // what it holds of the memory budget
    std::uint8_t epoch_slot = 0;  // its flush epoch's (OutcomeResolver::epoch_slot())
  };

  // `stream_name` must outlive the batch (the producer's options hold it).
  // The body is built in `buffer` (its contents are overwritten). The
  // buffer was taken from the body buffer pool for `buffer_request` bytes:
  // give_buffer_back() says so to the pool. A body that outgrows it
  // moves at once into a buffer of `grow_to` bytes (or what it needs), not
  // through a doubling series of copies.
  FramedBatch(std::string_view stream_name, std::string buffer, std::size_t buffer_request, std::size_t grow_to = 0);

  // Whether a record of `raw_size` bytes may join: within `max_records`,
  // `max_body_bytes` of body and `max_raw_bytes` of data. An empty batch
  // takes any record (one alone always goes, as the Batcher does).
  bool fits(std::size_t raw_size, std::size_t max_records, std::size_t max_body_bytes, std::size_t max_raw_bytes) const;
  void add(std::string_view data, SteadyTime put_time, std::size_t charge, std::uint8_t epoch_slot = 0);

  std::size_t records() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t raw_bytes() const { return raw_bytes_; }
  // The size the body will have finished, with the records so far (before finish()).
  std::size_t body_bytes() const { return builder_.size(); }
  std::size_t charge() const { return charge_; }
  SteadyTime oldest() const { return entries_.front().put_time; }  // not empty
  const std::vector<Entry>& entries() const { return entries_; }

  // How many records from the front hold at most `max_raw_bytes` (at least one).
  std::size_t records_within(std::size_t max_raw_bytes) const;
  // Moves the records from `first` on (first >= 1) into `rest`, an empty
  // batch, and returns it (their base64 copied, not encoded again). Not
  // once finished.
  FramedBatch split_off(std::size_t first, FramedBatch rest);

  // The finished body, to send; its records can still be read back.
  std::string& finish();
  // The records as pending records, in order: their bytes decoded, sent
  // `attempts` times (the last at `attempt_time`), to be given up on
  // `record_ttl` after their put().
  void to_pending(Batch& out, int attempts, WallTime attempt_time, std::chrono::milliseconds record_ttl) const;

  // Gives the body's buffer back to the pool it was taken from, with the
  // size it was asked for (the pool's accounting needs both); the batch's
  // records can no longer be read.
  void give_buffer_back(BodyBuffers& pool);
  std::size_t buffer_capacity() const { return finished_ ? body_.capacity() : builder_.capacity(); }

 private:
  std::string_view base64_of(const Entry& entry) const;

  protocol::PutRecordBatchBody builder_;
  std::string body_;  // once finished
  bool finished_ = false;
  std::size_t buffer_request_;
  std::size_t grow_to_;
  std::vector<Entry> entries_;
  std::size_t raw_bytes_ = 0;
  std::size_t charge_ = 0;
  std::string_view stream_name_;
};

// What a body for `records` records like one of `raw_size` bytes takes,
// within `max_body_bytes`: what to ask the buffer pool for when a framed
// batch opens.
std::size_t framed_body_estimate(std::size_t stream_name_size, std::size_t raw_size, std::size_t records,
                                 std::size_t max_body_bytes);

}  // namespace firehose::producer
