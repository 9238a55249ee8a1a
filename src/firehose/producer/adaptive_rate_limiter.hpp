#pragma once
// The producer's send-rate limiter: three token buckets (records/s, bytes/s,
// requests/s) whose fill rates follow the service's throttling, modelled on
// the AWS SDKs' adaptive retry mode (botocore retries/adaptive.py).
//
// - It starts slowly (like TCP's slow start): from a modest rate that
//   doubles every doubling_time, never more than twice the rate actually
//   sent, until the first throttle signal. Firehose's quotas are token
//   buckets holding a second of burst: a producer that opens at full speed
//   empties that burst in the first few hundred milliseconds and has a
//   large share of its first second's records refused. Without slow start
//   it does not limit until the first throttle.
// - A throttle signal (a whole request refused with a throttling error, or
//   per-record "Slow down." entries inside a 200) lowers all three rates to
//   beta x the rate the service was accepting when it pushed back; from there
//   they climb back along a CUBIC curve (concave up to that rate, a plateau,
//   then convex probing beyond it) or, with RateAlgorithm::kAimd, a line.
// - Many requests in flight all report the same overload: like TCP, which
//   lowers its window once per round trip, only a throttle of a request sent
//   after the last decrease lowers the rate again.
// - Rates are measured, not assumed: what acquire() let through (sent) and
//   what on_success() reports (accepted), each smoothed over 0.5 s buckets.
//
// - Not every "Slow down." means the rate is too high. A service can refuse
//   a share of records at any rate (a fault, a hot partition); lowering the
//   rate for those only lowers goodput, round trip after round trip, down to
//   the floors (the producer stalled at 1 % of such faults). So a throttle
//   lowers the rate only when the evidence says the rate is the cause: the
//   throttled share of the last second (or of one large answer) must exceed
//   the share refused at any rate by a margin. That share is the lowest one
//   seen in the quarter-second slots of the last fault_window: the rate moves
//   (slow start, decreases, the climb back), and what is refused even in the
//   slowest slot is refused whatever the rate. Below a quota it is the
//   faults' share; with faults alone it is their share at every rate.
// - The rate never falls below floor_of_accepted x the typical (median)
//   rate the service accepted in the last accepted_window (the delivery
//   rate, in the spirit of BBR's bottleneck bandwidth filter), and a
//   decrease starts from what the quota admitted: the accepted rate divided
//   by (1 - the faults' share).
//
// The concepts it is built of, each a file with its own tests:
// rate_meter.hpp (the sent and accepted rates), throttle_shares.hpp (the
// throttled share and the faults' share: a quota or a fault?),
// quota_estimator.hpp (the quota measured between two throttles),
// accepted_floor.hpp (the floor tied to what the service accepts). This
// file is the pacing: the three buckets, the slow start, the curve, the
// decrease, and acquire()'s queue of waiters.
//
// Unlike the SDKs, whose curve has C = 0.4 in requests/s (its recovery time
// grows with the cube root of the rate), the curve here is applied to the
// ratio of the rate to the last maximum, so that recovery takes the same time
// whatever the unit and however large the quota: recovery_time is CUBIC's K.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "firehose/producer/accepted_floor.hpp"
#include "firehose/producer/quota_estimator.hpp"
#include "firehose/producer/rate_meter.hpp"
#include "firehose/producer/throttle_shares.hpp"

namespace firehose::producer {

enum class RateAlgorithm {
  kCubic,  // the SDKs' choice (RFC 8312's curve); the default
  kAimd,   // additive increase, multiplicative decrease
};

// A time source and a way to wait, replaceable in tests.
struct RateLimiterClock {
  using TimePoint = std::chrono::steady_clock::time_point;
  // Empty: std::chrono::steady_clock::now.
  std::function<TimePoint()> now;
  // Empty: blocked acquire() calls wait on condition variables, first come
  // first served, woken by cancel() and by rate changes. When set, a blocked
  // acquire() calls it (without holding the limiter's lock) for each wait
  // instead; meant for single-threaded tests whose `now` advances in `sleep`.
  std::function<void(std::chrono::nanoseconds)> sleep;
};

// The start, before any throttle. The first rates are Firehose's smallest
// default quotas (1 MiB/s, 1,000 requests/s and 100,000 records/s outside
// the largest regions), doubling every 250 ms but never beyond twice the
// rate actually sent (which, measured in 0.5 s buckets, makes it about x2
// per 0.5 s when sending flat out). Chosen with
// tests/unit/firehose/producer/rate_limiter_simulation and bench/quota.sh: against a
// 5 MiB/s quota no record of the first second is throttled (half of them
// were without it) and the quota is reached within the first two seconds.
// The cost: a producer with no quota in sight needs about 3 s to reach
// 100 MiB/s (docs/benchmarks.md).
struct SlowStart {
  bool enabled = true;
  double initial_records_per_second = 100'000;
  double initial_bytes_per_second = 1024 * 1024;
  double initial_requests_per_second = 1000;
  std::chrono::milliseconds doubling_time{250};
};

struct RateLimiterOptions {
  bool adaptive = true;  // false: acquire() never waits (only cancel() refuses)
  SlowStart slow_start;
  RateAlgorithm algorithm = RateAlgorithm::kCubic;
  // Floors: however often it is throttled, the limiter lets this much through.
  double min_records_per_second = 1;
  double min_bytes_per_second = 1024;
  double min_requests_per_second = 0.5;
  // Multiplicative decrease at a throttle (the SDKs' beta).
  double beta = 0.7;
  // Telling a quota from faults (see the header comment); false: every
  // throttle is a signal (the SDKs' behaviour). Chosen with
  // tests/unit/firehose/producer/rate_limiter_simulation (docs/producer.md).
  bool tell_faults_from_quota = true;
  double share_margin = 0.02;  // + share_margin_of_faults x the faults' share
  double share_margin_of_faults = 0.25;
  std::chrono::seconds fault_window{10};  // slots the faults' share is the lowest of
  std::size_t fault_slot_records = 1000;  // slots taken together until they hold this many answered records
  std::size_t fault_slot_requests = 20;   // ... or, for whole refused requests, this many answers
  double floor_of_accepted = 0.25;
  std::chrono::seconds accepted_window{10};
  // Time from a decrease back to the rate of the last throttle (CUBIC's K;
  // for AIMD the slope of the line).
  std::chrono::milliseconds recovery_time{4000};
  // How long each bucket may save up unused capacity, as seconds of its rate.
  double burst_seconds = 1.0;
  // Measuring the quota between two throttles (see decrease()): the
  // shortest span between them that counts, and where on the curve the rate
  // resumes, as a fraction of the measured quota (CUBIC's plateau around it
  // then probes above it slowly).
  bool measure_quota = true;
  std::chrono::milliseconds quota_span_min{200};
  double resume_fraction = 0.97;
  // At the first throttle there is nothing to measure between yet: the
  // service's buckets, full when the stream was idle, are taken to have held
  // this many seconds of burst (0: no such allowance, the meter's rate alone).
  double first_throttle_burst_seconds = 1.0;
  // request_bytes_hint() during the slow start: this many seconds of its bytes
  // rate, and never less than min_request_bytes_hint (0 s: no hint).
  double slow_start_request_seconds = 0.125;
  // ... and since the first throttle, this many seconds of the bytes limit
  // (0: no hint): less than the second of burst a quota's bucket holds.
  double throttled_request_seconds = 0.5;
  std::size_t min_request_bytes_hint = 64 * 1024;
  RateLimiterClock clock;
};

// Rates in units per second; all zero when the limiter is not limiting.
struct RateLimits {
  double records_per_second = 0;
  double bytes_per_second = 0;
  double requests_per_second = 0;
};

// Thread-safe.
class AdaptiveRateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit AdaptiveRateLimiter(RateLimiterOptions options = {});
  ~AdaptiveRateLimiter();  // cancels and waits for blocked acquire() calls to leave
  AdaptiveRateLimiter(const AdaptiveRateLimiter&) = delete;
  AdaptiveRateLimiter& operator=(const AdaptiveRateLimiter&) = delete;

  // Waits until one request of `records` records and `bytes` bytes (raw
  // record data, the unit of the service's bytes/s quota) may be sent, takes
  // its tokens and returns true; false when `deadline` passes first or the
  // limiter is cancelled. Waiters are served in arrival order and sleep
  // until their tokens are due. A request larger than a bucket's capacity
  // passes once the bucket is full and leaves it in debt, so any size gets
  // through at the long-run rate.
  bool acquire(std::size_t records, std::size_t bytes, TimePoint deadline = TimePoint::max());
  // Non-blocking: takes the tokens and returns zero when they are available
  // now, otherwise takes nothing and returns how long until they should be
  // (ignoring blocked acquire() calls); nanoseconds::max() when cancelled.
  std::chrono::nanoseconds try_acquire(std::size_t records, std::size_t bytes);

  // For each HTTP 200 answer: the records (and their raw bytes) the service
  // accepted, possibly zero. A 200 with throttled records also gets an
  // on_throttle() call.
  // `sent_at` (default: now) tells answers to requests sent after a
  // decrease, which judge it, from older ones.
  void on_success(std::size_t records, std::size_t bytes, TimePoint sent_at = TimePoint::max());
  // For each answer that carries a throttle: `throttled_records` of the
  // request's `total_records` were refused with ServiceUnavailableException /
  // "Slow down." inside a 200, or all of them (throttled == total) when the
  // whole request was refused with a throttling error (no on_success() then).
  // Any throttled record is a signal; its proportion reaches the limiter
  // through the accepted rate. `sent_at` is when the request's acquire()
  // returned: a request sent before the last decrease saw the overload that
  // decrease answered, and its signal is ignored.
  void on_throttle(std::size_t throttled_records, std::size_t total_records, TimePoint sent_at);

  // One answer, all at once (what on_success() and on_throttle() report in
  // two calls): the records accepted and throttled, and when its request was
  // sent. `answered`: an HTTP 200 (false: the whole request was refused).
  struct Answer {
    std::size_t accepted_records = 0;
    std::size_t accepted_bytes = 0;
    std::size_t throttled_records = 0;
    TimePoint sent_at = TimePoint::max();
    bool answered = true;
  };
  void on_answer(const Answer& answer);

  // The most raw bytes a request should carry now: during the slow start,
  // before any throttle, an eighth of a second of its bytes rate, so that the
  // request which first meets a quota's empty bucket is a small one (a
  // 500-record request is half a second of a 1 MiB/s quota, and most of it
  // would be refused); since a throttle, half a second of the bytes limit,
  // so that a request fits in the service's bucket; no limit (SIZE_MAX)
  // when not limiting.
  std::size_t request_bytes_hint() const;

  // Refuses all current and future acquire() calls (shutdown).
  void cancel();

  bool limiting() const;      // during slow start and since the first throttle
  bool has_waiters() const;   // an acquire() is waiting for tokens now
  RateLimits limits() const;  // now
  double bytes_per_second_limit() const { return limits().bytes_per_second; }  // 0 when not limiting
  // How many throttle signals lowered the rate (the others were part of an
  // overload already reacted to, or below the share faults explain).
  std::uint64_t decreases() const;
  // The share of records the service refuses whatever the rate, as measured.
  double fault_share() const;

 private:
  struct Bucket {
    double rate = 0;  // per second
    double capacity = 0;
    double tokens = 0;  // may be negative: debt of a request larger than the capacity
    bool full = false;
  };
  struct Waiter {
    std::condition_variable wake;
    std::size_t records = 0, bytes = 0;         // what it waits to send
    TimePoint wakes_at = TimePoint::max();      // its timed wait's end (max: waiting its turn)
  };
  using Unit = ThrottleShares::Unit;

  TimePoint now() const;
  // new_request: false for the second half of an answer reported in two
  // calls (on_success, then on_throttle).
  void record_answer(const Answer& answer, bool new_request);
  double fault_share(TimePoint now, Unit unit) const;
  void throttled(TimePoint now, const Answer& answer);
  // A throttle signal: decrease. `handled`: when the service handled the
  // request (max: unknown); `whole_request`: refused whole (not records in a 200).
  void decrease(TimePoint now, double share, double known, TimePoint handled, bool whole_request);
  double curve_time_at(double fraction) const;  // the time since a decrease at which curve() gives `fraction`
  void note_saturation(TimePoint now, const Answer& answer);
  static TimePoint handled_at(const Answer& answer, TimePoint answered);
  void note_accepted_rate(TimePoint now);
  // Before the first throttle, while the slow start's rates still matter.
  bool slow_starting(TimePoint now) const;
  Rates slow_start_rates(TimePoint now) const;
  Rates target_rates(TimePoint now) const;  // the limits the curve gives at `now`
  void update_limits(TimePoint now);
  void refill(TimePoint now);
  double curve(double seconds_since_decrease) const;
  std::chrono::nanoseconds take_or_wait(TimePoint now, std::size_t records, std::size_t bytes);
  // Requests wait for tokens (the slow start, or after a throttle).
  bool paces(TimePoint now) const;
  // How long a request must wait for the tokens it needs while the limiter
  // paces (0: none); the buckets as update_limits() last left them.
  std::chrono::nanoseconds tokens_wait(std::size_t records, std::size_t bytes) const;
  void notify_head();
  void notify_head_if_sooner(TimePoint now);
  void remove_waiter(Waiter* waiter);

  const RateLimiterOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable drained_;  // the destructor waits here for waiters to leave
  std::deque<Waiter*> waiters_;
  int active_sleepers_ = 0;  // acquire() calls inside options_.clock.sleep
  bool cancelled_ = false;
  bool enabled_ = false;  // since the first throttle
  bool started_ = false;  // since the first acquire: slow start's clock
  TimePoint start_{};
  TimePoint first_throttle_ = TimePoint::max();  // the first answer with a throttled record
  RateMeter sent_;
  RateMeter accepted_;
  Rates last_max_{};
  TimePoint last_decrease_ = TimePoint::min();  // where the curve starts (may be set back: measured quota)
  TimePoint last_signal_ = TimePoint::min();    // when the rate was last lowered
  TimePoint last_refill_{};
  Bucket records_, bytes_, requests_;
  std::uint64_t decreases_ = 0;
  ThrottleShares shares_;
  // The faults' shares last measured (negative: never), for when the window
  // holds too few answers to measure (fault_share()).
  struct FaultShares {
    double records = -1, requests = -1;
  };
  mutable FaultShares last_fault_share_;
  AcceptedFloor floor_;
  QuotaEstimator quota_;
};

}  // namespace firehose::producer
