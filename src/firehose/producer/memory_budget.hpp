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

  // Takes `bytes`, waiting while there is no room for them. A request larger
  // than the whole budget is granted when nothing else is held (so any valid
  // record fits). Returns false when cancelled.
  //
  // Once it has to wait, it waits for an eighth of the budget more than it
  // asked for (as far as the budget allows), or for nothing to be held: a
  // reader faster than the pipeline, woken as soon as its few records fitted,
  // ran for one request's worth and blocked again, a wake for every answer
  // (two system calls and two context switches, on a virtual machine an
  // interrupt between cores). Woken later, it reads several requests' worth
  // at a time. release() wakes nobody until some waiter's room is there. While
  // anyone waits, a newcomer needs that same room (its bytes and the eighth),
  // not only its bytes: callers taking small amounts could otherwise keep a
  // waiter short of its room for as long as they put.
  bool acquire(std::size_t bytes);
  // Takes `bytes` only if it fits now.
  bool try_acquire(std::size_t bytes);
  void release(std::size_t bytes);
  // Wakes and fails every waiter, now and later (shutdown).
  void cancel();

  std::size_t used() const;
  // Someone waits for room, or at least three quarters are used: put()
  // blocks (or soon will), so the input waits on the pipeline, not the
  // pipeline on the input. (A waiter waits down to below three quarters
  // when its records are over an eighth of the budget.)
  bool mostly_used() const;
  // Callers blocked in acquire() now.
  std::size_t waiters() const;
  std::size_t capacity() const { return capacity_; }

 private:
  bool fits(std::size_t bytes) const { return used_ == 0 || used_ + bytes <= capacity_; }
  // What a waiter for `bytes` waits for: `bytes` and the slack, within the budget.
  std::size_t waited_room(std::size_t bytes) const;

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::size_t used_ = 0;
  bool cancelled_ = false;
  std::size_t waiters_ = 0;
  // release() wakes the waiters once used_ is at most this (the largest
  // level any of them waits for; each sets it again before it waits again).
  std::size_t wake_when_used_at_most_ = 0;
};

}  // namespace firehose::producer
