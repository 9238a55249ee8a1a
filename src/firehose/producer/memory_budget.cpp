#include "firehose/producer/memory_budget.hpp"

namespace firehose::producer {

MemoryBudget::MemoryBudget(std::size_t capacity_bytes) : capacity_(capacity_bytes) {}

bool MemoryBudget::acquire(std::size_t bytes) {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] { return cancelled_ || fits(bytes); });
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
    used_ -= bytes;
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
  return used_ >= capacity_ - capacity_ / 4;
}

}  // namespace firehose::producer
