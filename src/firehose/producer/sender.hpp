#pragma once
// One sender's work for one batch: wait for the rate limiter, build the
// PutRecordBatch body, call, have the retrier judge the answer, tell the
// limiter what the service accepted and refused, resolve what is done and
// hand what is to be retried back to the dispatcher. Several senders run at
// once (max_in_flight threads); this class is shared by them and holds no
// per-call state.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "firehose/firehose_client.hpp"
#include "firehose/producer.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"
#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/framed_batch.hpp"
#include "firehose/producer/latency_histogram.hpp"
#include "firehose/producer/memory_budget.hpp"
#include "firehose/producer/outcome_resolver.hpp"
#include "firehose/producer/retrier.hpp"

namespace firehose::producer {

// What the sender needs of the dispatcher.
struct DispatcherLink {
  // Why records may no longer be sent (a fatal error, or shutdown's
  // deadline passed), if so.
  std::function<std::optional<Error>()> refusal;
  // Queues `records` for a retry at `at`; when refused, leaves them in
  // `records` and returns why.
  std::function<std::optional<Error>(Batch& records, SteadyTime at)> requeue;
  // A condition that would fail every record: stop intake, fail what is queued.
  std::function<void(const Error&)> stop_for;
};

class Sender {
 public:
  Sender(const ProducerOptions& options, std::shared_ptr<FirehoseClient> client, AdaptiveRateLimiter& limiter,
         const Retrier& retrier, OutcomeResolver& outcomes, MemoryBudget& budget, BodyBuffers& body_buffers,
         DispatcherLink dispatcher);

  // Sends `batch` (and whatever retries are needed of it, by way of the
  // dispatcher). Returns the records that got their outcome, for reuse. The
  // request body is built in a buffer from `body_buffers`, taken once the
  // limiter lets the call go (a sender waiting on the rate holds none) and
  // given back after the answer.
  Batch send(Batch batch);
  // Sends a batch framed at put(): resolved as a whole when the answer
  // acknowledges every record; else its records go on as send()'s do.
  // Returns those that got their outcome (none when resolved as a whole)
  // and the batch's raw bytes.
  struct FramedSent {
    Batch resolved;
    std::size_t bytes = 0;
  };
  FramedSent send_framed(FramedBatch framed);

  // Requests in flight end at once (their records' outcome is unknown): shutdown's deadline.
  void abort_requests() { abort_.store(true); }

  // Counters.
  std::uint64_t records_retried() const { return records_retried_.load(); }
  std::uint64_t records_throttled() const { return records_throttled_.load(); }
  std::uint64_t possible_duplicates() const { return possible_duplicates_.load(); }
  std::uint64_t requests_ok() const { return requests_ok_.load(); }
  std::uint64_t requests_partial() const { return requests_partial_.load(); }
  std::uint64_t requests_failed() const { return requests_failed_.load(); }
  std::uint64_t in_flight() const { return in_flight_.load(); }
  const LatencyHistogram& request_latency() const { return request_latency_; }

 private:
  // One PutRecordBatch call and what it came to.
  struct Call {
    Result<PutRecordBatchAnswer> answer;
    std::chrono::steady_clock::time_point started, finished;
    std::size_t count = 0;  // Firehose records in the request
  };
  // Calls with `body` (`users` user records in `count` Firehose records),
  // counting it (latency, in flight, re-sends) and reporting it (on_batch).
  // `record_ids`: whether the answer's RecordIds are kept for the outcomes.
  Call call(std::string& body, std::size_t count, std::size_t users, std::size_t raw_bytes, int attempt,
            std::uint64_t resends, protocol::RecordIdUse record_ids);
  // Judges the answer for `batch`, resolves what is done, hands back what is to be retried.
  Batch conclude(Batch batch, const Call& sent);
  static bool acknowledges_all(const Result<PutRecordBatchAnswer>& answer);
  // Why records may not be sent (cancelled limiter wait): the dispatcher's reason, or shutdown.
  Error refusal() const;
  void report_batch(std::size_t count, std::size_t bytes, int attempt, const Result<PutRecordBatchAnswer>& answer,
                    std::chrono::nanoseconds latency) const;
  // Fails each record with `error`, giving their budget back in one release.
  void fail_all(Batch& records, const Error& error);
  // Whole calls failing one after another (an endpoint that is gone) are
  // logged when the streak starts and every 10 s while it lasts, not only
  // at debug level: 73 s of retries used to pass without a line.
  void note_call_failure(const Error& error);
  void note_call_answered();
  // A call failed before reaching the endpoint, and records of it have used
  // all their attempts: if no call has ever had an answer, the endpoint is
  // wrong or not running, and the producer stops as for a fatal error (it
  // retried a dead endpoint record after record: 19,532 lines in 114 s,
  // and a 1 GiB file for hours). One that answered before is waited for.
  std::optional<Error> unreachable(const Error& error, const Judgement& judgement) const;

  const ProducerOptions& options_;
  std::shared_ptr<FirehoseClient> client_;
  AdaptiveRateLimiter& limiter_;
  const Retrier& retrier_;
  OutcomeResolver& outcomes_;
  MemoryBudget& budget_;
  BodyBuffers& body_buffers_;
  DispatcherLink dispatcher_;
  std::atomic<bool> abort_{false};
  std::atomic<bool> endpoint_answered_{false};  // any HTTP answer, an error included

  alignas(64) std::atomic<std::uint64_t> records_retried_{0}, records_throttled_{0}, possible_duplicates_{0},
      requests_ok_{0}, requests_partial_{0}, requests_failed_{0}, in_flight_{0};
  LatencyHistogram request_latency_;

  std::mutex streak_mutex_;
  std::uint64_t failed_calls_in_a_row_ = 0;
  std::chrono::steady_clock::time_point last_streak_log_;
};

}  // namespace firehose::producer
