#pragma once
// Batching: queues Firehose records and cuts them into PutRecordBatch calls
// of at most max_records records and max_bytes of encoded body (computed
// exactly, not estimated). A partial batch waits up to `linger` for more.
// Records to retry wait in time order and, when due, go back to the front of
// the queue in the order they failed in.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "firehose/producer/pending_record.hpp"

namespace firehose::producer {

class Batcher {
 public:
  Batcher(std::string stream_name, std::size_t max_records, std::size_t max_bytes, std::chrono::milliseconds linger);

  void add(PendingPtr record);
  // Records that failed together, to be sent again at `at` (in this order).
  void add_retry(Batch records, SteadyTime at);

  // Moves retries that are due to the front of the queue.
  void release_due_retries(SteadyTime now);
  // The next batch to send now, if any: a full one, one whose oldest record
  // has waited `linger`, or any records at all when `force` (flush, close).
  // `max_raw_bytes` cuts it shorter (the rate limiter's slow start asks for
  // small requests); a record alone always goes.
  std::optional<Batch> take(SteadyTime now, bool force, std::size_t max_raw_bytes = SIZE_MAX);
  // When take() may next have something (linger expiry, next retry), if ever.
  std::optional<SteadyTime> next_due() const;

  std::size_t queued_records() const { return queue_.size(); }
  // The queue holds at least one full batch (take() would cut it at once).
  bool full() const;
  std::size_t waiting_retries() const;  // records
  bool empty() const { return queue_.empty() && retries_.empty(); }
  // Everything, queued and waiting (shutdown, fatal error).
  Batch drain();

 private:
  struct RetryGroup {
    SteadyTime at;
    std::uint64_t sequence;
    Batch records;
  };
  struct Later {
    bool operator()(const RetryGroup& a, const RetryGroup& b) const {
      return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
    }
  };

  std::size_t encoded_size(const PendingRecord& record) const;

  std::string stream_name_;
  std::size_t max_records_;
  std::size_t max_bytes_;
  std::chrono::milliseconds linger_;
  std::deque<PendingPtr> queue_;
  std::size_t queued_encoded_bytes_ = 0;  // sum of the queued records' encoded entries
  std::priority_queue<RetryGroup, std::vector<RetryGroup>, Later> retries_;
  std::size_t retry_records_ = 0;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace firehose::producer
