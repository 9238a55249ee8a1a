#pragma once
// Bounded memory: bytes held by records that have no outcome yet. put()
// takes its record's share before the record enters the pipeline and the
// outcome gives it back, so memory never grows with the input.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace firehose::producer {

class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t capacity_bytes);

  // Takes `bytes`, waiting while the budget is used up. A request larger than
  // the whole budget is granted when nothing else is held (so any valid
  // record fits). Returns false when cancelled.
  bool acquire(std::size_t bytes);
  // Takes `bytes` only if it fits now.
  bool try_acquire(std::size_t bytes);
  void release(std::size_t bytes);
  // Wakes and fails every waiter, now and later (shutdown).
  void cancel();

  std::size_t used() const;
  // At least three quarters used: put() blocks (or soon will) for room, so
  // the input waits on the pipeline, not the pipeline on the input.
  bool mostly_used() const;
  std::size_t capacity() const { return capacity_; }

 private:
  bool fits(std::size_t bytes) const { return used_ == 0 || used_ + bytes <= capacity_; }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::size_t used_ = 0;
  bool cancelled_ = false;
};

}  // namespace firehose::producer
