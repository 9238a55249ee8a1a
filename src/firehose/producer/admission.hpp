#pragma once
// Admission, put()'s stage: refuses at once what Firehose would never take
// (empty records, records over the limit), charges the rest to the memory
// budget (memory_charge.hpp says what a record costs; put() waits for room,
// or reports kFull when not blocking), and hands them to the dispatcher. A
// closed or stopped producer refuses them with its reason. Every record
// refused here gets its outcome (callback, dead-letter file) at once.
#include <atomic>
#include <cstdint>
#include <span>

#include "firehose/producer.hpp"
#include "firehose/producer/dispatcher.hpp"
#include "firehose/producer/memory_budget.hpp"
#include "firehose/producer/outcome_resolver.hpp"

namespace firehose::producer {

class Admission {
 public:
  Admission(const ProducerOptions& options, MemoryBudget& budget, OutcomeResolver& outcomes, Dispatcher& dispatcher)
      : options_(options), budget_(budget), outcomes_(outcomes), dispatcher_(dispatcher) {}

  // Each record is checked on its own, then they are charged to the budget
  // and queued under one lock in slices of up to an eighth of the budget (per
  // record, the two locks were most of what the producing thread spent
  // beyond its copies; all at once, many small records could need more than
  // the whole budget).
  PutStatus put_all(std::span<PutItem> items);

  // Records and bytes accepted.
  std::uint64_t records_in() const { return records_in_.load(); }
  std::uint64_t bytes_in() const { return bytes_in_.load(); }

 private:
  // Refuses the items not refused at once (those were answered already).
  PutStatus reject_all(std::span<PutItem> items, const Error& why);
  // Queues `items`, whose `charge` the budget holds for them.
  PutStatus enqueue(std::span<PutItem> items, std::size_t charge, std::chrono::steady_clock::time_point now);

  const ProducerOptions& options_;
  MemoryBudget& budget_;
  OutcomeResolver& outcomes_;
  Dispatcher& dispatcher_;
  alignas(64) std::atomic<std::uint64_t> records_in_{0}, bytes_in_{0};
};

}  // namespace firehose::producer
