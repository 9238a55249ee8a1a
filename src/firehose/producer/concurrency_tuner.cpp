#include "firehose/producer/concurrency_tuner.hpp"

#include <algorithm>
#include <cmath>

namespace firehose::producer {
namespace {

constexpr double kFirstUpFactor = 4.0 / 3.0;

}  // namespace

ConcurrencyTuner::ConcurrencyTuner(ConcurrencyTunerOptions options) : options_(options) {
  options_.max = std::max(1, options_.max);
  options_.min = std::clamp(options_.min, 1, options_.max);
  options_.initial = std::clamp(options_.initial, options_.min, options_.max);
  options_.hold_epochs = std::max(1, options_.hold_epochs);
  options_.max_hold_epochs = std::max(options_.hold_epochs, options_.max_hold_epochs);
  limit_ = options_.initial;
  hold_ = options_.hold_epochs;
  // The first probe comes after two epochs that count, and goes up: the
  // start is low so that a CPU-bound run never holds max_in_flight bodies.
  hold_left_ = 2;
  probe_down_ = false;
}

bool ConcurrencyTuner::on_call(Clock::time_point now, std::size_t bytes_done, bool senders_bottleneck) {
  if (!epoch_started_) {
    // The first answer opens the epoch; what it finished was delivered over
    // a time before it, which the epoch does not span.
    epoch_started_ = true;
    epoch_start_ = now;
    return false;
  }
  ++epoch_calls_;
  epoch_bytes_ += static_cast<double>(bytes_done);
  if (senders_bottleneck) ++epoch_bottleneck_calls_;
  const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
  const std::size_t calls_needed = std::max(options_.epoch_calls, 2 * static_cast<std::size_t>(limit_));
  if (epoch_calls_ < calls_needed || seconds < std::chrono::duration<double>(options_.epoch_min).count()) return false;
  const double rate = epoch_bytes_ / seconds;
  const bool bottleneck =
      static_cast<double>(epoch_bottleneck_calls_) >= options_.bottleneck_share * static_cast<double>(epoch_calls_);
  epoch_start_ = now;
  epoch_calls_ = 0;
  epoch_bottleneck_calls_ = 0;
  epoch_bytes_ = 0;
  return end_epoch(rate, bottleneck);
}

bool ConcurrencyTuner::end_epoch(double rate, bool bottleneck) {
  // The senders were not what held the rate (the slow start, a quota, the
  // input): the epoch says nothing of the limit, and a probe in progress
  // waits for one that does. (Going back at once made the slow start's last
  // epochs undo every probe a distant endpoint needed.)
  if (!bottleneck) return false;
  switch (phase_) {
    case Phase::kHold: {
      // The better of the last two epochs is the rate to beat: the first
      // epochs that count can still hold the end of the slow start, and a
      // probe up judged against one of them was kept for no gain.
      const double base = std::max(rate, last_rate_);
      last_rate_ = rate;
      if (--hold_left_ > 0) return false;
      return start_probe(base);
    }
    case Phase::kSettle:
      // Calls sent under the old limit were still answering.
      phase_ = Phase::kMeasure;
      return false;
    case Phase::kMeasure:
      return finish_probe(rate);
  }
  return false;
}

bool ConcurrencyTuner::start_probe(double rate) {
  const bool can_go_down = limit_ > options_.min;
  const bool can_go_up = limit_ < options_.max;
  if (!can_go_down && !can_go_up) {
    hold_left_ = hold_;
    return false;
  }
  probing_down_ = (probe_down_ && can_go_down) || !can_go_up;
  base_limit_ = limit_;
  base_rate_ = rate;
  if (probing_down_) {
    limit_ = std::max(options_.min, std::min(limit_ - 1, limit_ * 3 / 4));
  } else {
    limit_ = std::min(options_.max, std::max(limit_ + 1, static_cast<int>(std::ceil(limit_ * up_factor_ - 1e-9))));
  }
  phase_ = Phase::kSettle;
  return true;
}

bool ConcurrencyTuner::finish_probe(double rate) {
  // Up: a share of the gain a rate proportional to the limit would show
  // (one more than 15 needs 1/30 more), but never more than keep_higher_max
  // (a step from 7 to 10 against an endpoint that takes 8 at once gains
  // 1/7, not half of 3/7).
  const double proportional_gain = static_cast<double>(limit_) / base_limit_ - 1;
  const double gain_needed = std::min(options_.keep_higher_max, options_.keep_higher * proportional_gain);
  const bool kept =
      probing_down_ ? rate >= options_.keep_lower * base_rate_ : rate >= (1 + gain_needed) * base_rate_;
  phase_ = Phase::kHold;
  if (kept) {
    // The same way again at once, from the rate just measured: a run far
    // from its best limit gets there in steps of two epochs, and up in
    // growing ones (4/3, 5/3, then doubling).
    hold_ = options_.hold_epochs;
    probe_down_ = probing_down_;
    if (!probing_down_) up_factor_ = std::min(2.0, 1 + 2 * (up_factor_ - 1));
    return start_probe(rate);
  }
  up_factor_ = kFirstUpFactor;
  limit_ = base_limit_;
  hold_ = std::min(2 * hold_, options_.max_hold_epochs);
  hold_left_ = hold_;
  probe_down_ = !probing_down_;
  return true;
}

}  // namespace firehose::producer
