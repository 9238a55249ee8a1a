#include "drain_deadline.hpp"

#include <algorithm>

namespace firehose::cli {

DrainDeadline::DrainDeadline(std::function<void()> at_deadline) : at_deadline_(std::move(at_deadline)) {}

DrainDeadline::~DrainDeadline() { disarm(); }

void DrainDeadline::arm(Clock::duration grace) {
  std::lock_guard lock(mutex_);
  if (deadline_ || disarmed_) return;
  deadline_ = Clock::now() + grace;
  timer_ = std::thread([this] { wait_for_deadline(); });
}

std::optional<DrainDeadline::Clock::duration> DrainDeadline::time_left() const {
  std::lock_guard lock(mutex_);
  if (!deadline_) return std::nullopt;
  return std::max(*deadline_ - Clock::now(), Clock::duration::zero());
}

void DrainDeadline::disarm() {
  {
    std::lock_guard lock(mutex_);
    disarmed_ = true;
  }
  wake_.notify_all();
  // arm() sees disarmed_ and starts no timer from here on: timer_ is ours to join.
  if (timer_.joinable()) timer_.join();
}

void DrainDeadline::wait_for_deadline() {
  std::unique_lock lock(mutex_);
  if (wake_.wait_until(lock, *deadline_, [this] { return disarmed_; })) return;
  lock.unlock();
  at_deadline_();
}

}  // namespace firehose::cli
