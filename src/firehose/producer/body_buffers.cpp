#include "firehose/producer/body_buffers.hpp"

#include <utility>

namespace firehose::producer {

std::string BodyBuffers::take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return {};
  std::string buffer = std::move(idle_.back());
  idle_.pop_back();
  idle_bytes_ -= buffer.capacity();
  return buffer;
}

void BodyBuffers::give_back(std::string buffer) {
  const std::size_t bytes = buffer.capacity();
  {
    std::lock_guard lock(mutex_);
    if (idle_bytes_ + bytes <= allowance_) {
      idle_bytes_ += bytes;
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

}  // namespace firehose::producer
