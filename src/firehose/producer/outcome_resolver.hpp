#pragma once
// The pipeline's last stage: gives every user record its one outcome
// (acknowledged, or failed with its reason and written to the dead-letter
// file), runs the outcome callbacks, keeps the outcome counters and the
// record latencies, and tells whoever waits (flush, close) when nothing is
// left without an outcome. The memory budget a record held is returned to
// the caller, which gives it back in one release per answer.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "firehose/dead_letter.hpp"
#include "firehose/producer.hpp"
#include "firehose/producer/latency_histogram.hpp"
#include "firehose/producer/pending_record.hpp"

namespace firehose::producer {

class OutcomeResolver {
 public:
  OutcomeResolver(std::string stream_name, std::unique_ptr<DeadLetterWriter> dead_letter);

  // Flush epochs. flush() waits for the records accepted before it, not
  // those put while it waits (with a steady intake it waited for ever): it
  // starts a new epoch, and waits until the records of the earlier ones have
  // their outcome. Each record counts in its epoch's slot of a small ring
  // (the slot is all a record keeps); a slot is reused only once its epoch
  // has drained, else a flush waits for the current epoch too, as if
  // flushes were more than kEpochSlots deep.
  static constexpr std::size_t kEpochSlots = 16;
  // The slot of the records accepted now.
  std::uint8_t epoch_slot() const {
    return static_cast<std::uint8_t>(epoch_.load(std::memory_order_acquire) % kEpochSlots);
  }
  // Ends the current epoch (when its successor's slot is free); returns the
  // last epoch to wait for.
  std::uint64_t end_epoch();
  // Waits until the records of `epoch` and of every earlier one have their outcome, or the deadline.
  bool wait_epochs_resolved(std::uint64_t epoch, SteadyTime deadline);
  // Records of `epoch` and the earlier epochs still without an outcome.
  std::uint64_t unresolved_through(std::uint64_t epoch) const;

  // Records entering the pipeline in the epoch of `slot`: each will be resolved exactly once.
  void expect(std::uint64_t records, std::uint8_t slot) {
    unresolved_in_slot_[slot].fetch_add(records, std::memory_order_relaxed);
    unresolved_.fetch_add(records, std::memory_order_relaxed);
  }

  // What an answer's acknowledgements add to the counters: added once per
  // answer, since put() on the other core updates neighbouring counters and
  // an atomic add per record kept their cache lines moving between the cores.
  struct AckTally {
    std::uint64_t records = 0, bytes = 0, billed = 0;
    std::size_t charge = 0;  // memory budget to give back
    std::array<std::uint64_t, kEpochSlots> records_in_slot{};
  };
  void acknowledge(PendingRecord& record, std::string_view record_id, SteadyTime now, AckTally& tally);
  // The same for a record nobody waits on (no callback, unpacked) that has
  // no record object: an entry of a framed batch.
  void acknowledge_unwatched(std::size_t size, SteadyTime put_time, std::size_t charge, std::uint8_t epoch_slot,
                             SteadyTime now, AckTally& tally);
  // Counters before resolution: whoever waits for the last outcome sees them final.
  void settle(const AckTally& tally);

  // Fails each user record of `record` with record.last_error (dead-letter
  // file, callback); returns the memory budget they held.
  std::size_t fail(PendingRecord& record);

  // A record refused before it entered the pipeline (put() refused it, or the
  // caller did: e.g. a line over the limit read only in part). Written to the
  // dead-letter file and counted as rejected; never counted as expected.
  void refuse(const RefusedRecord& record, const OutcomeCallback& callback);

  // Waits until every expected record has its outcome, or the deadline.
  bool wait_resolved(SteadyTime deadline);

  // Whether the calling thread is running one of this resolver's outcome
  // callbacks: close() and flush() there would wait for that callback's own
  // record, and put() blocked on the budget for outcomes it holds up.
  bool in_callback() const;
  std::uint64_t unresolved() const { return unresolved_.load(); }

  // Counters.
  std::uint64_t acknowledged() const { return records_acknowledged_.load(); }
  std::uint64_t failed() const { return records_failed_.load(); }
  std::uint64_t dead_lettered() const { return records_dead_lettered_.load(); }
  std::uint64_t rejected() const { return records_rejected_.load(); }
  std::uint64_t bytes_acknowledged() const { return bytes_acknowledged_.load(); }
  std::uint64_t billed_bytes() const { return billed_bytes_.load(); }
  const LatencyHistogram& record_latency() const { return record_latency_; }

  // Makes the dead-letter file's lines durable.
  void flush_dead_letters();

  // Called once, at the first dead-letter write that fails, instead of
  // logging it (the producer stops: records failing later would be lost).
  // Called with no lock of the resolver held; set before records flow.
  void on_dead_letter_failure(std::function<void(const Error&)> handler) {
    dead_letter_failure_handler_ = std::move(handler);
  }

 private:
  // Writes one entry; false (logged once per streak of failures) when it
  // could not be written.
  bool dead_letter(const DeadLetterEntry& entry);
  void note_resolved(std::uint8_t epoch_slot, std::uint64_t count);
  // Whether `epoch` and every earlier one have drained (caller holds progress_mutex_).
  bool drained_through(std::uint64_t epoch) const { return unresolved_through(epoch) == 0; }
  void deliver(const OutcomeCallback& callback, const RecordOutcome& outcome) const;

  const std::string stream_name_;
  std::unique_ptr<DeadLetterWriter> dead_letter_;
  std::atomic<bool> dead_letter_failing_{false};
  std::atomic<bool> dead_letter_failed_once_{false};
  std::function<void(const Error&)> dead_letter_failure_handler_;

  std::mutex progress_mutex_;
  std::condition_variable progress_;
  alignas(64) std::atomic<std::uint64_t> unresolved_{0};
  std::atomic<std::uint64_t> epoch_{0};  // advanced under progress_mutex_
  std::array<std::atomic<std::uint64_t>, kEpochSlots> unresolved_in_slot_{};
  alignas(64) std::atomic<std::uint64_t> records_acknowledged_{0}, records_failed_{0}, records_dead_lettered_{0},
      records_rejected_{0}, bytes_acknowledged_{0}, billed_bytes_{0};
  LatencyHistogram record_latency_;
};

}  // namespace firehose::producer
