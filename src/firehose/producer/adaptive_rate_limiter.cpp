#include "firehose/producer/adaptive_rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <spdlog/spdlog.h>

namespace firehose::producer {
namespace {

using std::chrono::duration;
using std::chrono::nanoseconds;

// botocore's RateClocker: 0.5 s buckets, each new bucket's rate weighs 0.8.
constexpr double kMeterBucketSeconds = 0.5;
constexpr double kMeterSmoothing = 0.8;
// botocore's _MAX_RATE_ADJUST_SCALE: the limit never runs further ahead of
// what is actually being sent than this (an idle producer does not build up a
// licence to burst far above the rate it last saw accepted).
constexpr double kMaxRateOverSent = 2.0;
// Waits are re-evaluated at least this often, so a long computed wait cannot
// overflow the condition variable's clock arithmetic.
constexpr auto kLongestWait = std::chrono::hours(1);
// After this many doublings without a throttle the slow start's rates are
// beyond anything sendable (2^40 x the initial rates): it stops limiting.
constexpr double kSlowStartDoublings = 40;

// The throttled share is measured over the last second, in quarter-second slots.
constexpr auto kShareSlot = std::chrono::milliseconds(250);
constexpr std::int64_t kRecentSlots = 4;
// An answer with this many records tells its own throttled share.
constexpr std::size_t kAnswerLargeEnough = 100;
// The accepted rates of the first second after the start are not samples of the floor.
constexpr double kBurstSecond = 1.0;
// The accepted rate's windowed maximum keeps a sample per this much time.
constexpr auto kAcceptedSampleEvery = std::chrono::milliseconds(100);

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return duration<double>(to - from).count();
}

}  // namespace

// ---------------------------------------------------------------------------
// RateMeter

std::int64_t AdaptiveRateLimiter::RateMeter::bucket_of(TimePoint now) const {
  return static_cast<std::int64_t>(std::floor(seconds_between(start_, now) / kMeterBucketSeconds));
}

AdaptiveRateLimiter::Rates AdaptiveRateLimiter::RateMeter::rate(TimePoint now) const {
  if (!started_) return {};
  const std::int64_t bucket = bucket_of(now);
  if (bucket > current_bucket_) {
    // The bucket in progress has ended: what record() will fold in.
    const double seconds = static_cast<double>(bucket - current_bucket_) * kMeterBucketSeconds;
    const Rates instant{count_.records / seconds, count_.bytes / seconds, count_.requests / seconds};
    if (buckets_closed_ == 0) return instant;
    return {kMeterSmoothing * instant.records + (1 - kMeterSmoothing) * smoothed_.records,
            kMeterSmoothing * instant.bytes + (1 - kMeterSmoothing) * smoothed_.bytes,
            kMeterSmoothing * instant.requests + (1 - kMeterSmoothing) * smoothed_.requests};
  }
  if (buckets_closed_ > 0) return smoothed_;
  // Within the first bucket the time elapsed can be a few milliseconds, in
  // which the service may have granted a whole burst allowance: dividing by
  // at least half a bucket errs low, but not so low that the climb back up
  // takes long (an estimate too high costs one more decrease a round trip
  // later; one too low costs a slow climb).
  const double elapsed = std::max(seconds_between(start_, now), kMeterBucketSeconds / 2);
  return {count_.records / elapsed, count_.bytes / elapsed, count_.requests / elapsed};
}

void AdaptiveRateLimiter::RateMeter::record(TimePoint now, const Rates& amount) {
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  const std::int64_t bucket = bucket_of(now);
  if (bucket > current_bucket_) {
    smoothed_ = rate(now);
    ++buckets_closed_;
    count_ = {};
    current_bucket_ = bucket;
  }
  count_.records += amount.records;
  count_.bytes += amount.bytes;
  count_.requests += amount.requests;
}

// ---------------------------------------------------------------------------
// AdaptiveRateLimiter

AdaptiveRateLimiter::AdaptiveRateLimiter(RateLimiterOptions options) : options_(std::move(options)) {
  last_refill_ = now();
  // The slow start opens with a full second of its rates: the first
  // requests go at once.
  for (Bucket* bucket : {&records_, &bytes_, &requests_}) bucket->full = true;
}

AdaptiveRateLimiter::~AdaptiveRateLimiter() {
  std::unique_lock lock(mutex_);
  cancelled_ = true;
  for (Waiter* waiter : waiters_) waiter->wake.notify_one();
  drained_.wait(lock, [this] { return waiters_.empty() && active_sleepers_ == 0; });
}

AdaptiveRateLimiter::TimePoint AdaptiveRateLimiter::now() const {
  return options_.clock.now ? options_.clock.now() : std::chrono::steady_clock::now();
}

double AdaptiveRateLimiter::curve(double t) const {
  // Both curves give the rate as a fraction of the last maximum, starting at
  // beta right after a decrease and reaching 1 after recovery_time.
  const double k = std::max(duration<double>(options_.recovery_time).count(), 1e-3);
  const double drop = 1.0 - options_.beta;
  if (options_.algorithm == RateAlgorithm::kAimd) return options_.beta + drop * t / k;
  // CUBIC: W(t) = C (t - K)^3 + W_max with K = cbrt(W_max (1 - beta) / C);
  // divided by W_max, C / W_max = (1 - beta) / K^3.
  const double c = drop / (k * k * k);
  return 1.0 + c * (t - k) * (t - k) * (t - k);
}

void AdaptiveRateLimiter::refill(TimePoint now) {
  const double elapsed = std::max(0.0, seconds_between(last_refill_, now));
  last_refill_ = std::max(last_refill_, now);
  for (Bucket* bucket : {&records_, &bytes_, &requests_}) {
    bucket->tokens += bucket->rate * elapsed;
    if (bucket->tokens >= bucket->capacity) {
      bucket->tokens = bucket->capacity;
      bucket->full = true;
    }
  }
}

bool AdaptiveRateLimiter::slow_starting(TimePoint now) const {
  if (enabled_ || !options_.adaptive || !options_.slow_start.enabled) return false;
  if (!started_) return true;
  const double doubling = std::max(duration<double>(options_.slow_start.doubling_time).count(), 1e-3);
  return seconds_between(start_, now) < kSlowStartDoublings * doubling;
}

AdaptiveRateLimiter::Rates AdaptiveRateLimiter::slow_start_rates(TimePoint now) const {
  const SlowStart& start = options_.slow_start;
  const double doubling = std::max(duration<double>(start.doubling_time).count(), 1e-3);
  const double elapsed = started_ ? std::max(0.0, seconds_between(start_, now)) : 0.0;
  const double growth = std::exp2(std::min(elapsed / doubling, kSlowStartDoublings));
  const Rates sent = sent_.rate(now);
  // Never far ahead of what is actually sent: a producer with little to send
  // for a while has not learnt that the service takes more.
  auto rate = [&](double initial, double sent_rate) {
    return std::min(initial * growth, std::max(initial, kMaxRateOverSent * sent_rate));
  };
  return {rate(start.initial_records_per_second, sent.records), rate(start.initial_bytes_per_second, sent.bytes),
          rate(start.initial_requests_per_second, sent.requests)};
}

AdaptiveRateLimiter::Rates AdaptiveRateLimiter::target_rates(TimePoint now) const {
  if (!enabled_) return slow_start_rates(now);
  const double factor = curve(std::max(0.0, seconds_between(last_decrease_, now)));
  const Rates sent = sent_.rate(now);
  const Rates floor = accepted_floor(now);
  auto limit = [&](double last_max, double sent_rate, double floor) {
    const double ceiling = std::max(kMaxRateOverSent * sent_rate, last_max);
    return std::max(floor, std::min(factor * last_max, ceiling));
  };
  return {limit(last_max_.records, sent.records, floor.records), limit(last_max_.bytes, sent.bytes, floor.bytes),
          limit(last_max_.requests, sent.requests, floor.requests)};
}

AdaptiveRateLimiter::Rates AdaptiveRateLimiter::accepted_floor(TimePoint now) const {
  // The median, not the maximum: the first second's burst (a quota's bucket
  // starts full) would otherwise hold the floor above the quota itself.
  std::vector<Rates> recent;
  for (const auto& [at, rate] : accepted_history_) {
    if (at + options_.accepted_window >= now) recent.push_back(rate);
  }
  Rates typical{};
  if (!recent.empty()) {
    auto median = [&](double Rates::*field) {
      std::vector<double> values;
      for (const Rates& r : recent) values.push_back(r.*field);
      std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
      return values[values.size() / 2];
    };
    typical = {median(&Rates::records), median(&Rates::bytes), median(&Rates::requests)};
  }
  // And never below half the highest (bursts included): a rate that fell
  // for any reason must not drag the floor down with it.
  for (const auto& [at, rate] : accepted_history_) {
    if (at + options_.accepted_window < now) continue;
    typical.records = std::max(typical.records, 0.5 * rate.records);
    typical.bytes = std::max(typical.bytes, 0.5 * rate.bytes);
    typical.requests = std::max(typical.requests, 0.5 * rate.requests);
  }
  const double f = options_.floor_of_accepted;
  return {std::max(options_.min_records_per_second, f * typical.records),
          std::max(options_.min_bytes_per_second, f * typical.bytes),
          std::max(options_.min_requests_per_second, f * typical.requests)};
}

void AdaptiveRateLimiter::note_accepted_rate(TimePoint now) {
  // Not in the first second: a quota's bucket starts with a second of burst,
  // which small first requests take within milliseconds, and the meter then
  // reads several times the quota (the floor held the rate above it).
  if (!started_ || seconds_between(start_, now) < kBurstSecond) return;
  const Rates rate = accepted_.rate(now);
  while (!accepted_history_.empty() && accepted_history_.front().first + options_.accepted_window < now) {
    accepted_history_.pop_front();
  }
  if (!accepted_history_.empty() && now < accepted_history_.back().first + kAcceptedSampleEvery) {
    Rates& last = accepted_history_.back().second;
    last = {std::max(last.records, rate.records), std::max(last.bytes, rate.bytes),
            std::max(last.requests, rate.requests)};
    return;
  }
  accepted_history_.emplace_back(now, rate);
}

void AdaptiveRateLimiter::count_answer(TimePoint now, const Answer& answer, bool new_request) {
  const std::int64_t slot = now.time_since_epoch() / kShareSlot;
  if (share_slots_.empty() || share_slots_.back().slot != slot) share_slots_.push_back({slot, {}, {}});
  ShareSlot& current = share_slots_.back();
  if (new_request) current.requests.answered += 1;
  if (answer.answered) {
    current.records.answered += static_cast<double>(answer.accepted_records + answer.throttled_records);
    current.records.throttled += static_cast<double>(answer.throttled_records);
  } else if (answer.throttled_records > 0) {
    current.requests.throttled += 1;
  }
  const std::int64_t kept = options_.fault_window / kShareSlot;
  while (share_slots_.front().slot <= slot - kept) share_slots_.pop_front();
}

AdaptiveRateLimiter::Tally AdaptiveRateLimiter::recent(TimePoint now, Dimension dimension) const {
  const std::int64_t slot = now.time_since_epoch() / kShareSlot;
  Tally sum;
  for (const ShareSlot& s : share_slots_) {
    if (s.slot <= slot - kRecentSlots) continue;
    sum.answered += (s.*dimension).answered;
    sum.throttled += (s.*dimension).throttled;
  }
  return sum;
}

double AdaptiveRateLimiter::current_fault_share(TimePoint now, Dimension dimension, double group) const {
  // The lowest throttled share of the last few seconds: the rate moves (slow
  // start, decreases, the climb back), and whatever is refused even at the
  // slowest is refused whatever the rate. Consecutive quarter-second slots
  // are taken together until they hold enough answers to tell a share (at a
  // low rate one slot holds a handful). Negative: not known yet.
  const std::int64_t slot = now.time_since_epoch() / kShareSlot;
  double lowest = -1;
  Tally sum;
  for (auto it = share_slots_.rbegin(); it != share_slots_.rend(); ++it) {
    if (it->slot >= slot) continue;  // the slot in progress
    sum.answered += ((*it).*dimension).answered;
    sum.throttled += ((*it).*dimension).throttled;
    if (sum.answered < group) continue;
    const double share = sum.throttled / sum.answered;
    if (lowest < 0 || share < lowest) lowest = share;
    sum = {};
  }
  return lowest;
}

void AdaptiveRateLimiter::update_limits(TimePoint now) {
  refill(now);  // what accrued so far accrued at the old rates
  if (!enabled_ && !slow_starting(now)) return;
  const Rates target = target_rates(now);
  for (auto [bucket, rate] : {std::pair{&records_, target.records}, {&bytes_, target.bytes}, {&requests_, target.requests}}) {
    bucket->rate = rate;
    bucket->capacity = rate * options_.burst_seconds;
    // A full bucket stays full when its capacity grows with the rate (else a
    // request that waits for a full bucket would chase a moving target).
    if (bucket->full || bucket->tokens >= bucket->capacity) {
      bucket->tokens = bucket->capacity;
      bucket->full = true;
    }
  }
}

nanoseconds AdaptiveRateLimiter::take_or_wait(TimePoint now, std::size_t records, std::size_t bytes) {
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  update_limits(now);
  const Rates amount{static_cast<double>(records), static_cast<double>(bytes), 1.0};
  if ((enabled_ || slow_starting(now)) && options_.adaptive) {
    double wait_seconds = 0;
    auto need = [&](const Bucket& bucket, double want) {
      // A request larger than the capacity waits for a full bucket, then
      // leaves it in debt.
      const double required = std::min(want, bucket.capacity);
      if (!bucket.full && bucket.tokens < required) wait_seconds = std::max(wait_seconds, (required - bucket.tokens) / bucket.rate);
    };
    need(records_, amount.records);
    need(bytes_, amount.bytes);
    need(requests_, amount.requests);
    if (wait_seconds > 0) {
      const auto wait = std::chrono::ceil<nanoseconds>(duration<double>(wait_seconds));
      return std::max(wait, nanoseconds(1));
    }
    for (auto [bucket, taken] : {std::pair{&records_, amount.records}, {&bytes_, amount.bytes}, {&requests_, amount.requests}}) {
      bucket->tokens -= taken;
      bucket->full = false;
    }
  }
  sent_.record(now, amount);
  return nanoseconds::zero();
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
      self.wake.wait(lock);
    } else {
      self.wake.wait_for(lock, std::min<nanoseconds>(wait, kLongestWait));
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

void AdaptiveRateLimiter::on_success(std::size_t records, std::size_t bytes, TimePoint sent_at) {
  on_answer({records, bytes, 0, sent_at, true});
}

void AdaptiveRateLimiter::on_throttle(std::size_t throttled_records, std::size_t total_records, TimePoint sent_at) {
  // The accepted part of a 200 was reported by on_success(); all of the
  // request's records throttled means the request was refused whole.
  const bool whole = throttled_records >= total_records;
  record_answer({0, 0, throttled_records, sent_at, !whole}, /*new_request=*/whole);
}

void AdaptiveRateLimiter::on_answer(const Answer& answer) { record_answer(answer, true); }

void AdaptiveRateLimiter::record_answer(const Answer& answer, bool new_request) {
  std::lock_guard lock(mutex_);
  const TimePoint t = now();
  if (answer.answered) {
    accepted_.record(t, Rates{static_cast<double>(answer.accepted_records),
                              static_cast<double>(answer.accepted_bytes), new_request ? 1.0 : 0.0});
    note_accepted_rate(t);
  } else {
    // Time passes for the accepted rate too: under a storm of whole-request
    // refusals it decays towards zero, and the sent rate takes over below.
    accepted_.record(t, Rates{});
  }
  count_answer(t, answer, new_request);
  if (answer.answered) {
    const TimePoint sent = handled_at(answer, t);
    const Rates amount{static_cast<double>(answer.accepted_records), static_cast<double>(answer.accepted_bytes),
                       new_request ? 1.0 : 0.0};
    // Kept in send order (answers may come back in another one).
    auto at = accepted_by_send_.end();
    while (at != accepted_by_send_.begin() && std::prev(at)->first > sent) --at;
    accepted_by_send_.insert(at, {sent, amount});
    accepted_total_.records += amount.records;
    accepted_total_.bytes += amount.bytes;
    accepted_total_.requests += amount.requests;
    while (!accepted_by_send_.empty() && accepted_by_send_.front().first + options_.fault_window < t) {
      accepted_by_send_.pop_front();
    }
    while (!saturated_at_.empty() && saturated_at_.front() + options_.fault_window < t) saturated_at_.pop_front();
  }
  if (answer.throttled_records > 0 && options_.adaptive) throttled(t, answer);
  update_limits(t);
  notify_head();  // the curve may have moved up
}

bool AdaptiveRateLimiter::over_faults(double share, double answered, double known) const {
  // A share measured on n answers is noisy (binomial: sd = sqrt(f (1 - f) / n));
  // three of those on top of the margin keep 1 % of faults from looking
  // like 3 % in one answer.
  const double noise = 3 * std::sqrt(std::max(known, 0.01) * (1 - known) / std::max(answered, 1.0));
  return share > known + options_.share_margin + options_.share_margin_of_faults * known + noise;
}

void AdaptiveRateLimiter::throttled(TimePoint t, const Answer& answer) {
  // A request sent before the last decrease saw the overload that decrease
  // answered: TCP's once-per-window rule.
  note_saturation(t, answer);
  if (enabled_ && answer.sent_at < last_signal_) return;
  auto share_of = [](const Tally& tally) { return tally.answered > 0 ? tally.throttled / tally.answered : 0.0; };
  const Tally records = recent(t, &ShareSlot::records);
  const Tally requests = recent(t, &ShareSlot::requests);
  double share = std::max(share_of(records), share_of(requests));
  double known = 0;
  if (options_.tell_faults_from_quota) {
    // Until a share has been measured, one answer cannot tell a quota from
    // faults: wait for the first slots to fill.
    const double record_faults =
        current_fault_share(t, &ShareSlot::records, static_cast<double>(options_.fault_slot_records));
    const double request_faults =
        current_fault_share(t, &ShareSlot::requests, static_cast<double>(options_.fault_slot_requests));
    bool evidence = false;
    if (answer.answered) {
      if (record_faults < 0) return;
      // The last second's share; a sudden overload shows first in the answer
      // itself (the second before dilutes the window), when it is large enough.
      const double total = static_cast<double>(answer.accepted_records + answer.throttled_records);
      const double own = static_cast<double>(answer.throttled_records) / std::max(total, 1.0);
      evidence = (total >= kAnswerLargeEnough && over_faults(own, total, record_faults)) ||
                 over_faults(share_of(records), records.answered, record_faults);
      if (evidence) share = std::max(share_of(records), total >= kAnswerLargeEnough ? own : 0.0);
      known = record_faults;
    } else {
      if (request_faults < 0) return;
      evidence = over_faults(share_of(requests), requests.answered, request_faults);
      share = share_of(requests);
      known = request_faults;
    }
    // No more refused than faults explain: not a sign that the rate is too high.
    if (!evidence) return;
  }
  decrease(t, share, known, answer.answered && answer.sent_at != TimePoint::max() ? handled_at(answer, t) : TimePoint::max(),
           !answer.answered);
}

AdaptiveRateLimiter::TimePoint AdaptiveRateLimiter::handled_at(const Answer& answer, TimePoint answered) {
  // The service handled the request about halfway through its round trip.
  if (answer.sent_at == TimePoint::max() || answer.sent_at > answered) return answered;
  return answer.sent_at + (answered - answer.sent_at) / 2;
}

void AdaptiveRateLimiter::note_saturation(TimePoint t, const Answer& answer) {
  // An answer with more records throttled than faults explain: the service's
  // buckets were empty when its request arrived.
  if (!answer.answered || answer.throttled_records == 0 || answer.sent_at == TimePoint::max()) return;
  const TimePoint handled = handled_at(answer, t);
  const double total = static_cast<double>(answer.accepted_records + answer.throttled_records);
  const double own = static_cast<double>(answer.throttled_records) / total;
  const double faults =
      std::max(0.0, current_fault_share(t, &ShareSlot::records, static_cast<double>(options_.fault_slot_records)));
  if (faults > 0 && !over_faults(own, total, faults)) return;
  auto at = saturated_at_.end();
  while (at != saturated_at_.begin() && *std::prev(at) > handled) --at;
  saturated_at_.insert(at, handled);
}

std::optional<AdaptiveRateLimiter::Rates> AdaptiveRateLimiter::measured_quota(TimePoint sent_at, double known) const {
  // Right after the service throttles a request its bucket is empty; between
  // two such moments it took in exactly quota x the time between them and
  // gave it all out (the bucket never filled, as it was being emptied), so
  // what it accepted in between, requests sent after the first up to and
  // including the second, divided by the time, is the quota. Records refused
  // by faults took tokens too: / (1 - faults).
  if (!options_.measure_quota || sent_at == TimePoint::max()) return std::nullopt;
  std::optional<TimePoint> from;
  for (auto it = saturated_at_.rbegin(); it != saturated_at_.rend(); ++it) {
    if (*it + options_.quota_span_min <= sent_at) {
      from = *it;
      break;
    }
  }
  if (!from) return std::nullopt;
  Rates sum;
  for (const auto& [at, amount] : accepted_by_send_) {
    if (at <= *from || at > sent_at) continue;
    sum.records += amount.records;
    sum.bytes += amount.bytes;
    sum.requests += amount.requests;
  }
  const double span = seconds_between(*from, sent_at);
  // Records refused by faults took tokens too, so the quota is accepted /
  // (1 - faults); but a faults' share measured while every slot was over the
  // quota is too high, and the rate it gives stays over the quota: no slot
  // below it then corrects the share (17 % of records throttled in 2 runs of
  // 6). Half the correction keeps the rate under the quota with a share
  // measured up to twice too high.
  const double kept = known > 0 && known < 0.9 ? 1 - known / 2 : 1.0;
  if (sum.bytes <= 0 && sum.records <= 0) return std::nullopt;
  return Rates{sum.records / span / kept, sum.bytes / span / kept, sum.requests / span};
}

double AdaptiveRateLimiter::curve_time_at(double fraction) const {
  const double k = std::max(duration<double>(options_.recovery_time).count(), 1e-3);
  const double drop = 1.0 - options_.beta;
  fraction = std::clamp(fraction, options_.beta, 1.0);
  if (options_.algorithm == RateAlgorithm::kAimd) return (fraction - options_.beta) / drop * k;
  // 1 + c (t - K)^3 = fraction, c = drop / K^3.
  return k - std::cbrt((1 - fraction) * k * k * k / drop);
}

void AdaptiveRateLimiter::decrease(TimePoint t, double share, double known, TimePoint sent_at, bool whole_request) {
  update_limits(t);  // refill at the old rates; the buckets hold the limits in force
  const bool limited = enabled_ || slow_starting(t);
  const Rates accepted = accepted_.rate(t);
  const Rates sent = sent_.rate(t);
  // The new maximum is what the service was accepting: the sent rate only
  // when nothing has been accepted at all yet, and never above the limit
  // in force (botocore: min(measured, max_rate)).
  const bool have_accepted = accepted.bytes > 0 || accepted.records > 0;
  Rates base = have_accepted ? accepted : sent;
  if (have_accepted && known > 0 && known < 0.9) {
    // Records refused by faults were admitted by the quota: it took
    // accepted / (1 - faults), and that is the rate to hold.
    base = {base.records / (1 - known), base.bytes / (1 - known), base.requests};
  }
  auto new_max = [&](double measured, const Bucket& bucket, double floor) {
    double value = measured;
    if (limited) value = std::min(value, bucket.rate);
    return std::max(value, floor);
  };
  // Measured between this throttle and an earlier one, the quota itself: the
  // rate resumes just under it instead of beta x a smoothed estimate (with
  // requests of half a second of quota each, the meter's half-second buckets
  // hold one request or two, and its estimate swings by half).
  const std::optional<Rates> quota = measured_quota(sent_at, known);
  if (!whole_request) {
    // Records refused inside an answer: the records or bytes quota. The
    // requests quota refuses whole requests; lowering the request rate to
    // what was sent (two requests a second of 500 records at 1 MiB/s) would
    // starve the small requests that retries make.
    base.requests = std::max(requests_.rate, kMaxRateOverSent * sent.requests);
  }
  if (quota) {
    base.records = quota->records;
    base.bytes = quota->bytes;
  } else if (decreases_ == 0 && started_ && have_accepted && options_.first_throttle_burst_seconds > 0) {
    // The first throttle, nothing to measure between yet. The service's
    // buckets, full when the stream was idle, hold a second of burst: what it
    // accepted so far is at most a second's worth more than quota x the time,
    // and the meter's rate, which counts the burst, is up to twice the quota.
    const double seconds = seconds_between(start_, t) + options_.first_throttle_burst_seconds;
    base.records = std::min(base.records, accepted_total_.records / seconds / (1 - std::min(known, 0.9)));
    base.bytes = std::min(base.bytes, accepted_total_.bytes / seconds / (1 - std::min(known, 0.9)));
  }
  const Rates floor = accepted_floor(t);
  last_max_.records = new_max(base.records, records_, floor.records);
  last_max_.bytes = new_max(base.bytes, bytes_, floor.bytes);
  last_max_.requests = new_max(base.requests, requests_, floor.requests);
  enabled_ = true;
  last_decrease_ = t;
  last_signal_ = t;
  if (quota) {
    // Start on the curve where it gives resume_fraction of the quota: near
    // CUBIC's plateau, which probes above the quota only slowly.
    last_decrease_ = t - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             duration<double>(curve_time_at(options_.resume_fraction)));
  }
  ++decreases_;
  update_limits(t);
  spdlog::debug("rate limiter: throttled share {:.3f} (faults explain {:.3f}): limit now {:.0f} records/s, {:.0f} KiB/s",
                share, known, records_.rate, bytes_.rate / 1024);
  // No saved-up burst right after being told to slow down.
  for (Bucket* bucket : {&records_, &bytes_, &requests_}) {
    bucket->tokens = std::min(bucket->tokens, 0.0);
    bucket->full = false;
  }
  notify_head();
}

void AdaptiveRateLimiter::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (Waiter* waiter : waiters_) waiter->wake.notify_one();
}

bool AdaptiveRateLimiter::limiting() const {
  std::lock_guard lock(mutex_);
  return enabled_ || slow_starting(now());
}

RateLimits AdaptiveRateLimiter::limits() const {
  std::lock_guard lock(mutex_);
  const TimePoint t = now();
  if (!enabled_ && !slow_starting(t)) return {};
  const Rates rates = target_rates(t);
  return {rates.records, rates.bytes, rates.requests};
}

std::size_t AdaptiveRateLimiter::request_bytes_hint() const {
  std::lock_guard lock(mutex_);
  const TimePoint t = now();
  if (enabled_ || !slow_starting(t) || options_.slow_start_request_seconds <= 0) return SIZE_MAX;
  const double bytes = slow_start_rates(t).bytes * options_.slow_start_request_seconds;
  if (bytes >= static_cast<double>(SIZE_MAX / 2)) return SIZE_MAX;
  return std::max(options_.min_request_bytes_hint, static_cast<std::size_t>(bytes));
}

std::uint64_t AdaptiveRateLimiter::decreases() const {
  std::lock_guard lock(mutex_);
  return decreases_;
}

double AdaptiveRateLimiter::fault_share() const {
  std::lock_guard lock(mutex_);
  return std::max(0.0, current_fault_share(now(), &ShareSlot::records, static_cast<double>(options_.fault_slot_records)));
}

}  // namespace firehose::producer
