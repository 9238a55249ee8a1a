#pragma once
// Timeouts that mean "wait forever" stay forever. A plain conversion of
// hours::max() to steady_clock's nanoseconds wraps (to -1 hour), and
// now() + duration::max() wraps too: both gave up at once instead of never.
#include <chrono>

namespace firehose {

// `timeout` in steady_clock's units, clamped to its range (duration::max()
// for anything at least as long, e.g. hours::max() or years(300)).
template <class Rep, class Period>
constexpr std::chrono::steady_clock::duration saturating_timeout(std::chrono::duration<Rep, Period> timeout) {
  using Steady = std::chrono::steady_clock::duration;
  // Compared as floating-point seconds: no unit conversion of an integer
  // duration that could overflow on the way.
  using Seconds = std::chrono::duration<long double>;
  if (Seconds(timeout) >= Seconds(Steady::max())) return Steady::max();
  if (Seconds(timeout) <= Seconds(Steady::min())) return Steady::min();
  return std::chrono::duration_cast<Steady>(timeout);
}

// now + timeout, or time_point::max() when that is past the clock's range.
inline std::chrono::steady_clock::time_point deadline_after(
    std::chrono::steady_clock::duration timeout,
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;
  const Duration since_epoch = now.time_since_epoch();
  // Each bound is computed on the side where it cannot overflow itself.
  if (timeout > Duration::zero() && since_epoch > Duration::max() - timeout) return TimePoint::max();
  if (timeout < Duration::zero() && since_epoch < Duration::min() - timeout) return TimePoint::min();
  return now + timeout;
}

}  // namespace firehose
