#include "firehose/producer/memory_budget.hpp"

#include <algorithm>
#include <cassert>

namespace firehose::producer {

MemoryBudget::MemoryBudget(std::size_t capacity_bytes) : capacity_(capacity_bytes) {}

std::size_t MemoryBudget::waited_room(std::size_t bytes) const {
  if (bytes >= capacity_) return capacity_;  // granted only when nothing is held
  return bytes + std::min(capacity_ / 8, capacity_ - bytes);
}

bool MemoryBudget::acquire(std::size_t bytes) {
  std::unique_lock lock(mutex_);
  if (!cancelled_ && (waiters_ > 0 || !fits(bytes))) {
    const std::size_t room = waited_room(bytes);
    ++waiters_;
    while (!cancelled_ && !fits(room)) {
      wake_when_used_at_most_ = std::max(wake_when_used_at_most_, capacity_ - room);
      released_.wait(lock);
    }
    --waiters_;
  }
  if (cancelled_) return false;
  used_ += bytes;
  return true;
}

bool MemoryBudget::try_acquire(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (cancelled_ || !fits(bytes)) return false;
  used_ += bytes;
  return true;
}

void MemoryBudget::release(std::size_t bytes) {
  if (bytes == 0) return;
  {
    std::lock_guard lock(mutex_);
    // Every caller gives back what it took; a wrapped used_ would never wake a waiter again.
    assert(bytes <= used_);
    used_ -= bytes;
    if (waiters_ == 0 || (used_ != 0 && used_ > wake_when_used_at_most_)) return;
    wake_when_used_at_most_ = 0;  // the waiters still short of room set it again
  }
  released_.notify_all();
}

void MemoryBudget::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  released_.notify_all();
}

std::size_t MemoryBudget::used() const {
  std::lock_guard lock(mutex_);
  return used_;
}

bool MemoryBudget::mostly_used() const {
  std::lock_guard lock(mutex_);
  return waiters_ > 0 || used_ >= capacity_ - capacity_ / 4;
}

std::size_t MemoryBudget::waiters() const {
  std::lock_guard lock(mutex_);
  return waiters_;
}

}  // namespace firehose::producer
