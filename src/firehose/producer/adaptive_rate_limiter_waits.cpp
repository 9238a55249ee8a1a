// The rate limiter's tokens and its queue of waiting requests: who may send
// now, who waits and for how long, and who is woken when. What the limits
// are (slow start, decreases, the curve) is in adaptive_rate_limiter.cpp.
#include "firehose/producer/adaptive_rate_limiter.hpp"

#include <algorithm>

namespace firehose::producer {
namespace {

using std::chrono::duration;
using std::chrono::nanoseconds;

// Waits are re-evaluated at least this often, so a long computed wait cannot
// overflow the condition variable's clock arithmetic.
constexpr auto kLongestWait = std::chrono::hours(1);

}  // namespace

nanoseconds AdaptiveRateLimiter::take_or_wait(TimePoint now, std::size_t records, std::size_t bytes) {
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  update_limits(now);
  const Rates amount{static_cast<double>(records), static_cast<double>(bytes), 1.0};
  if (paces(now)) {
    if (const nanoseconds wait = tokens_wait(records, bytes); wait > nanoseconds::zero()) return wait;
    for (auto [bucket, taken] :
         {std::pair{&records_, amount.records}, {&bytes_, amount.bytes}, {&requests_, amount.requests}}) {
      bucket->tokens -= taken;
      bucket->full = false;
    }
  }
  sent_.record(now, amount);
  return nanoseconds::zero();
}

bool AdaptiveRateLimiter::paces(TimePoint now) const { return options_.adaptive && (enabled_ || slow_starting(now)); }

nanoseconds AdaptiveRateLimiter::tokens_wait(std::size_t records, std::size_t bytes) const {
  double wait_seconds = 0;
  auto need = [&](const Bucket& bucket, double want) {
    // A request larger than the capacity waits for a full bucket, then
    // leaves it in debt.
    const double required = std::min(want, bucket.capacity);
    if (!bucket.full && bucket.tokens < required)
      wait_seconds = std::max(wait_seconds, (required - bucket.tokens) / bucket.rate);
  };
  need(records_, static_cast<double>(records));
  need(bytes_, static_cast<double>(bytes));
  need(requests_, 1.0);
  if (wait_seconds <= 0) return nanoseconds::zero();
  return std::max(std::chrono::ceil<nanoseconds>(duration<double>(wait_seconds)), nanoseconds(1));
}

bool AdaptiveRateLimiter::acquire(std::size_t records, std::size_t bytes, TimePoint deadline) {
  std::unique_lock lock(mutex_);
  if (cancelled_) return false;

  if (options_.clock.sleep) {
    // Test mode: poll through the injected sleep, no queue.
    ++active_sleepers_;
    bool acquired = false;
    for (;;) {
      if (cancelled_) break;
      const TimePoint t = now();
      nanoseconds wait = take_or_wait(t, records, bytes);
      if (wait == nanoseconds::zero()) {
        acquired = true;
        break;
      }
      if (t >= deadline) break;
      if (deadline != TimePoint::max()) wait = std::min(wait, std::chrono::ceil<nanoseconds>(deadline - t));
      lock.unlock();
      options_.clock.sleep(wait);
      lock.lock();
    }
    if (--active_sleepers_ == 0) drained_.notify_all();
    return acquired;
  }

  Waiter self;
  self.records = records;
  self.bytes = bytes;
  waiters_.push_back(&self);
  for (;;) {
    if (cancelled_) {
      remove_waiter(&self);
      return false;
    }
    const TimePoint t = now();
    nanoseconds wait = nanoseconds::max();
    if (waiters_.front() == &self) {
      wait = take_or_wait(t, records, bytes);
      if (wait == nanoseconds::zero()) {
        remove_waiter(&self);
        return true;
      }
    }
    if (t >= deadline) {
      remove_waiter(&self);
      return false;
    }
    if (deadline != TimePoint::max()) wait = std::min(wait, std::chrono::ceil<nanoseconds>(deadline - t));
    if (wait == nanoseconds::max()) {
      self.wakes_at = TimePoint::max();
      self.wake.wait(lock);
    } else {
      wait = std::min<nanoseconds>(wait, kLongestWait);
      self.wakes_at = t + wait;
      self.wake.wait_for(lock, wait);
    }
  }
}

nanoseconds AdaptiveRateLimiter::try_acquire(std::size_t records, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (cancelled_) return nanoseconds::max();
  return take_or_wait(now(), records, bytes);
}

void AdaptiveRateLimiter::remove_waiter(Waiter* waiter) {
  const bool was_head = !waiters_.empty() && waiters_.front() == waiter;
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), waiter));
  if (was_head) notify_head();
  if (waiters_.empty()) drained_.notify_all();
}

void AdaptiveRateLimiter::notify_head() {
  if (!waiters_.empty()) waiters_.front()->wake.notify_one();
}

// An answer wakes the head waiter only if its turn comes sooner than its
// timed wait ends. Woken at every answer, it mostly went back to sleep: in
// the slow start that was a context switch per request, and on a virtual
// machine an interrupt between cores.
void AdaptiveRateLimiter::notify_head_if_sooner(TimePoint t) {
  if (waiters_.empty()) return;
  const Waiter& head = *waiters_.front();
  // Less than this sooner is not worth a wake: the head goes at its timer.
  constexpr auto kWorthAWake = std::chrono::milliseconds(1);
  if (head.wakes_at != TimePoint::max() && paces(t) &&
      t + tokens_wait(head.records, head.bytes) + kWorthAWake >= head.wakes_at) {
    return;
  }
  notify_head();
}

void AdaptiveRateLimiter::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (Waiter* waiter : waiters_) waiter->wake.notify_one();
}

bool AdaptiveRateLimiter::has_waiters() const {
  std::lock_guard lock(mutex_);
  return !waiters_.empty() || active_sleepers_ > 0;
}

}  // namespace firehose::producer
