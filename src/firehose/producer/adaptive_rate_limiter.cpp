// The rate limiter's limits: the slow start, the decreases on throttling and
// the curve back up. Its tokens and its queue of waiting requests are in
// adaptive_rate_limiter_waits.cpp.
#include "firehose/producer/adaptive_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

#include "core/log.hpp"

namespace firehose::producer {
namespace {

using std::chrono::duration;

// botocore's _MAX_RATE_ADJUST_SCALE: the limit never runs further ahead of
// what is actually being sent than this (an idle producer does not build up a
// licence to burst far above the rate it last saw accepted).
constexpr double kMaxRateOverSent = 2.0;
// After this many doublings without a throttle the slow start's rates are
// beyond anything sendable (2^40 x the initial rates): it stops limiting.
constexpr double kSlowStartDoublings = 40;

// An answer with this many records tells its own throttled share.
constexpr std::size_t kAnswerLargeEnough = 100;
// The accepted rates of the first second after the start are not samples of the floor.
constexpr double kBurstSecond = 1.0;
// How long after the first throttle a faults' share not yet measured is
// waited for. Small records fill the share's groups within a fraction of a
// second; packed records of 1 MB, five a second under a 5 MiB/s quota, never
// fill a group of 1,000 within its window: from then on the share is taken
// as zero and the sampling noise of the few records counted carries the test.
constexpr double kFaultShareWaitSeconds = 1.0;

double unknown_as_none(double share, bool waited) { return share < 0 && waited ? 0.0 : share; }

}  // namespace

AdaptiveRateLimiter::AdaptiveRateLimiter(RateLimiterOptions options)
    : options_(std::move(options)),
      shares_(options_.fault_window, options_.share_margin, options_.share_margin_of_faults),
      floor_(options_.accepted_window, options_.floor_of_accepted,
             Rates{options_.min_records_per_second, options_.min_bytes_per_second, options_.min_requests_per_second}),
      quota_(options_.fault_window, options_.quota_span_min) {
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

Rates AdaptiveRateLimiter::slow_start_rates(TimePoint now) const {
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

Rates AdaptiveRateLimiter::target_rates(TimePoint now) const {
  if (!enabled_) return slow_start_rates(now);
  const double factor = curve(std::max(0.0, seconds_between(last_decrease_, now)));
  const Rates sent = sent_.rate(now);
  const Rates floor = floor_.floor(now);
  auto limit = [&](double last_max, double sent_rate, double floor) {
    const double ceiling = std::max(kMaxRateOverSent * sent_rate, last_max);
    return std::max(floor, std::min(factor * last_max, ceiling));
  };
  return {limit(last_max_.records, sent.records, floor.records), limit(last_max_.bytes, sent.bytes, floor.bytes),
          limit(last_max_.requests, sent.requests, floor.requests)};
}

void AdaptiveRateLimiter::note_accepted_rate(TimePoint now) {
  // Not in the first second: a quota's bucket starts with a second of burst,
  // which small first requests take within milliseconds, and the meter then
  // reads several times the quota (the floor held the rate above it).
  if (!started_ || seconds_between(start_, now) < kBurstSecond) return;
  floor_.note(now, accepted_.rate(now));
}

double AdaptiveRateLimiter::fault_share(TimePoint now, Unit unit) const {
  const std::size_t group = unit == Unit::kRecords ? options_.fault_slot_records : options_.fault_slot_requests;
  const double measured = shares_.fault_share(now, unit, static_cast<double>(group));
  // After a lull (a request stalled for seconds, the input quiet) the
  // window holds too few answers to measure: the faults have not gone away
  // with them. Taken as none, every throttle after the lull was the rate's
  // fault and the limit fell to its floor within seconds. The last share
  // measured stands until the window measures again.
  double& last = unit == Unit::kRecords ? last_fault_share_.records : last_fault_share_.requests;
  if (measured >= 0) last = measured;
  return measured >= 0 ? measured : last;
}

void AdaptiveRateLimiter::update_limits(TimePoint now) {
  refill(now);  // what accrued so far accrued at the old rates
  if (!enabled_ && !slow_starting(now)) return;
  const Rates target = target_rates(now);
  for (auto [bucket, rate] :
       {std::pair{&records_, target.records}, {&bytes_, target.bytes}, {&requests_, target.requests}}) {
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
    accepted_.record(t, Rates{static_cast<double>(answer.accepted_records), static_cast<double>(answer.accepted_bytes),
                              new_request ? 1.0 : 0.0});
    note_accepted_rate(t);
  } else {
    // Time passes for the accepted rate too: under a storm of whole-request
    // refusals it decays towards zero, and the sent rate takes over below.
    accepted_.record(t, Rates{});
  }
  shares_.count(t, answer.answered, answer.accepted_records, answer.throttled_records, new_request);
  if (answer.answered) {
    quota_.accepted(handled_at(answer, t),
                    Rates{static_cast<double>(answer.accepted_records), static_cast<double>(answer.accepted_bytes),
                          new_request ? 1.0 : 0.0},
                    t);
  }
  if (answer.throttled_records > 0 && options_.adaptive) throttled(t, answer);
  update_limits(t);
  notify_head_if_sooner(t);  // the curve may have moved up
}

void AdaptiveRateLimiter::throttled(TimePoint t, const Answer& answer) {
  // A request sent before the last decrease saw the overload that decrease
  // answered: TCP's once-per-window rule.
  note_saturation(t, answer);
  if (enabled_ && answer.sent_at < last_signal_) return;
  const auto records = shares_.recent(t, Unit::kRecords);
  const auto requests = shares_.recent(t, Unit::kRequests);
  double share = std::max(records.share(), requests.share());
  double known = 0;
  if (options_.tell_faults_from_quota) {
    // Until a share has been measured, one answer cannot tell a quota from
    // faults: wait for the first slots to fill.
    first_throttle_ = std::min(first_throttle_, t);
    const bool waited = seconds_between(first_throttle_, t) >= kFaultShareWaitSeconds;
    const double record_faults = unknown_as_none(fault_share(t, Unit::kRecords), waited);
    const double request_faults = unknown_as_none(fault_share(t, Unit::kRequests), waited);
    bool evidence = false;
    if (answer.answered) {
      if (record_faults < 0) return;
      // The last second's share; a sudden overload shows first in the answer
      // itself (the second before dilutes the window), when it is large enough.
      const double total = static_cast<double>(answer.accepted_records + answer.throttled_records);
      const double own = static_cast<double>(answer.throttled_records) / std::max(total, 1.0);
      evidence = (total >= kAnswerLargeEnough && shares_.over_faults(own, total, record_faults)) ||
                 shares_.over_faults(records.share(), records.answered, record_faults);
      if (evidence) share = std::max(records.share(), total >= kAnswerLargeEnough ? own : 0.0);
      known = record_faults;
    } else {
      if (request_faults < 0) return;
      evidence = shares_.over_faults(requests.share(), requests.answered, request_faults);
      share = requests.share();
      known = request_faults;
    }
    // No more refused than faults explain: not a sign that the rate is too high.
    if (!evidence) return;
  }
  decrease(t, share, known,
           answer.answered && answer.sent_at != TimePoint::max() ? handled_at(answer, t) : TimePoint::max(),
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
  const double faults = std::max(0.0, fault_share(t, Unit::kRecords));
  if (faults > 0 && !shares_.over_faults(own, total, faults)) return;
  quota_.saturated(handled);
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
  const std::optional<Rates> quota = options_.measure_quota ? quota_.measure(sent_at, known) : std::nullopt;
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
    base.records = std::min(base.records, quota_.accepted_total().records / seconds / (1 - std::min(known, 0.9)));
    base.bytes = std::min(base.bytes, quota_.accepted_total().bytes / seconds / (1 - std::min(known, 0.9)));
  }
  const Rates floor = floor_.floor(t);
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
  logging::debug(
      "rate limiter: throttled share {:.3f} (faults explain {:.3f}): limit now {:.0f} records/s, {:.0f} KiB/s", share,
      known, records_.rate, bytes_.rate / 1024);
  // No saved-up burst right after being told to slow down.
  for (Bucket* bucket : {&records_, &bytes_, &requests_}) {
    bucket->tokens = std::min(bucket->tokens, 0.0);
    bucket->full = false;
  }
  notify_head();
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
  double bytes = 0;
  if (enabled_) {
    // Since a throttle, a request carries at most this share of a second of
    // the rate: the service's bucket holds a second of its quota, and a
    // request larger than that (52 records of 60 KB at 1 MiB/s) was refused
    // in part whatever the pace; each such answer lowered the rate again and
    // the stream sank to 13 % of the quota.
    if (options_.throttled_request_seconds <= 0) return SIZE_MAX;
    bytes = bytes_.rate * options_.throttled_request_seconds;
  } else {
    if (!slow_starting(t) || options_.slow_start_request_seconds <= 0) return SIZE_MAX;
    bytes = slow_start_rates(t).bytes * options_.slow_start_request_seconds;
  }
  if (bytes >= static_cast<double>(SIZE_MAX / 2)) return SIZE_MAX;
  return std::max(options_.min_request_bytes_hint, static_cast<std::size_t>(bytes));
}

std::uint64_t AdaptiveRateLimiter::decreases() const {
  std::lock_guard lock(mutex_);
  return decreases_;
}

double AdaptiveRateLimiter::fault_share() const {
  std::lock_guard lock(mutex_);
  return std::max(0.0, fault_share(now(), Unit::kRecords));
}

}  // namespace firehose::producer
