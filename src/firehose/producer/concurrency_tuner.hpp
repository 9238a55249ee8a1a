#pragma once
// How many PutRecordBatch calls the senders keep in flight: the fewest that
// deliver as much as more would, between `min` and max_in_flight.
//
// Why: against an endpoint bound by latency (Firehose, tens of milliseconds
// away) each call in flight adds its share of throughput, and max_in_flight
// is what it takes. Against one bound by CPU (firehose-local on the same
// cores, or a client machine with little CPU to spare) more calls in flight
// only queue: 16 of them cost a tenth more CPU than 4 for the same rate,
// and hold 16 request bodies in memory (docs/benchmarks.md, "CPU, fifth
// pass"). The answers tell the two apart, so the limit follows them.
//
// How: the rate delivered (bytes of records done per second) is measured in
// epochs of at least `epoch_calls` answers (and twice the limit) and
// `epoch_min`. Only epochs where the senders were the bottleneck count:
// most answers found records waiting for them (a full batch queued, or the
// memory budget used up) and the rate limiter holding none back. When the
// slow start, a quota or the input holds the rate, the limit changes
// nothing: such epochs are skipped, and a probe in progress waits for
// epochs that count.
//
// The limit starts at `initial`, not at max_in_flight: memory peaks at the
// start, and a CPU-bound run would hold max_in_flight request bodies there
// (its best limit here is 2 to 4; a first probe from 4 to 6 alone raised
// the peak RSS of 2 GiB of 1 KiB lines from 29 to 31.6 MiB).
// Then it probes, judging each step on the epoch after one to settle:
// - up (4/3, at least one more; after a kept step up 5/3, then 2): kept
//   when the rate grew by `keep_higher` of what a rate proportional to the
//   limit would show (one more than 15 needs 1/30 more), or by
//   `keep_higher_max` (a tenth) if that is less;
// - down (3/4, at least one fewer): kept when the rate is at least
//   `keep_lower` of the rate before.
// A kept step is followed at once by another the same way; one that fails
// goes back, and the next probe, the other way, waits twice as long
// (hold_epochs, doubling up to max_hold_epochs). Against an endpoint that
// needs every call in flight the limit reaches 16 from 3 in 4 steps of two
// epochs (3, 4, 6, 12, 16: about 2 s at 50 ms a call), then costs about one epoch at 3/4 of the rate every
// max_hold_epochs.
//
// Pure logic with the time passed in: the dispatcher calls it under its
// lock; tests drive it with a model of the endpoint.
#include <chrono>
#include <cstddef>

namespace firehose::producer {

struct ConcurrencyTunerOptions {
  int max = 16;
  int min = 2;
  int initial = 3;
  std::size_t epoch_calls = 16;
  std::chrono::milliseconds epoch_min{250};
  double bottleneck_share = 0.75;  // of an epoch's answers that found work waiting
  double keep_lower = 0.95;
  double keep_higher = 0.5;       // share of the proportional gain (15 -> 16: 1/15)
  double keep_higher_max = 0.10;  // and never more than this gain
  int hold_epochs = 8;
  int max_hold_epochs = 64;
};

class ConcurrencyTuner {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConcurrencyTuner(ConcurrencyTunerOptions options);

  int limit() const { return limit_; }
  // One call answered (or failed): the bytes of the records it finished, and
  // whether, as it ended, records were waiting that only a free sender
  // could take (work waiting and the rate limiter holding none back).
  // Returns true when the limit changed.
  bool on_call(Clock::time_point now, std::size_t bytes_done, bool senders_bottleneck);

 private:
  enum class Phase { kHold, kSettle, kMeasure };
  bool end_epoch(double rate, bool bottleneck);
  bool start_probe(double rate);
  bool finish_probe(double rate);

  ConcurrencyTunerOptions options_;
  int limit_;
  // The epoch in progress.
  bool epoch_started_ = false;
  Clock::time_point epoch_start_{};
  std::size_t epoch_calls_ = 0;
  std::size_t epoch_bottleneck_calls_ = 0;
  double epoch_bytes_ = 0;
  // Probing.
  Phase phase_ = Phase::kHold;
  int hold_left_;
  int hold_;
  bool probe_down_ = false;   // the next probe's direction
  bool probing_down_ = false;  // the probe in progress's
  int base_limit_ = 0;      // the limit before the probe in progress
  double base_rate_ = 0;    // and the rate it delivered
  double last_rate_ = 0;    // the rate of the last epoch that counted
  double up_factor_ = 4.0 / 3.0;  // the next step up
};

}  // namespace firehose::producer
