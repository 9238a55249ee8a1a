#pragma once
// The dispatcher: the stage between put() and the senders. It owns what is
// waiting to be sent — the open packed record (Packer), the queue and the
// retries (Batcher), the request bodies framed at put() for records nobody
// waits on (FramedBatch, dispatcher_framing.cpp), the batches cut for idle
// senders — and the threads:
// max_in_flight sender threads that hand each batch to `send`, as many at
// once as the ConcurrencyTuner's limit, and one that keeps the timers
// (linger, retries due, shutdown's deadline). A batch is cut by whichever
// thread finds it due: put() filling one, a sender that finished, or the
// dispatcher thread for what lingered, was flushed or is due for a retry. It also
// holds the producer's state of intake: open, closing (shutdown's deadline),
// stopped by a fatal error. At the deadline it fails what is unsent with
// "Shutdown", cancels the limiter's waits and aborts requests in flight; a
// fatal error fails what is unsent with that error.
//
// It knows nothing of the network: a send is a function given to it (the
// Sender in the producer; anything in a test).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "firehose/producer.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"
#include "firehose/producer/batcher.hpp"
#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/concurrency_tuner.hpp"
#include "firehose/producer/framed_batch.hpp"
#include "firehose/producer/memory_budget.hpp"
#include "firehose/producer/outcome_resolver.hpp"
#include "firehose/producer/packer.hpp"
#include "firehose/producer/pending_record.hpp"
#include "firehose/producer/record_bytes.hpp"
#include "firehose/producer/sender.hpp"

namespace firehose::producer {

// One record for put() to admit: its bytes, its callback, and its charge to
// the memory budget (0: refused at once, empty or too large).
struct PutItem {
  RecordBytes data;
  OutcomeCallback callback;
  std::size_t charge = 0;
};

Error shutdown_error();  // "Shutdown": the deadline passed before the record was sent
Error closed_error();    // "ProducerClosed": put() after shutdown

class Dispatcher {
 public:
  // Sends one batch (and whatever retries it needs, by way of link());
  // returns the records that got their outcome, for reuse.
  using SendBatch = std::function<Batch(Batch)>;
  // Sends a batch framed at put() (FramedBatch): returns the records that
  // got their outcome, if it came to records, and the batch's raw bytes.
  using SendFramed = std::function<std::pair<Batch, std::size_t>(FramedBatch)>;
  // Framing at put(): where framed batches go, and where their body
  // buffers come from. Without it every record takes the Batcher's path.
  struct Framing {
    SendFramed send;
    BodyBuffers* buffers = nullptr;
  };
  // Requests in flight end at once (shutdown's deadline).
  using AbortRequests = std::function<void()>;

  Dispatcher(const ProducerOptions& options, AdaptiveRateLimiter& limiter, OutcomeResolver& outcomes,
             MemoryBudget& budget);
  ~Dispatcher();

  // What the senders need of the dispatcher's state; valid from construction.
  DispatcherLink link();
  // Starts the dispatcher thread and options.max_in_flight sender threads.
  // With `framing`, records put without a callback (unpacked, and up to
  // kFramedRecordMaxBytes) are framed into request bodies as they are queued.
  void start(SendBatch send, AbortRequests abort_requests, Framing framing);
  void start(SendBatch send, AbortRequests abort_requests) {
    start(std::move(send), std::move(abort_requests), Framing());
  }
  // Ends the threads (after every record has its outcome: close()).
  void stop();

  // Queues the items whose charge is not 0, their charge already taken from
  // the budget. Refused (nothing queued) when closing or stopped.
  struct Enqueued {
    bool accepted = false;
    std::size_t charge_returned = 0;  // Firehose-record shares of records packed into an open one
    std::uint64_t records = 0, bytes = 0;
  };
  Enqueued enqueue(std::span<PutItem> items, SteadyTime now);

  // Why put() is refused (a fatal error, or closing), if it is.
  std::optional<Error> intake_refusal() const;
  // intake_refusal() may be set; readable without the lock (put()'s early look).
  bool refusing() const { return refusing_.load(std::memory_order_acquire); }
  std::optional<Error> fatal_error() const;

  // While a flush is on, partial batches and the open packed record go at once.
  void begin_flush();
  void end_flush();
  // Stops intake; what was accepted drains until now + grace, then is
  // failed ("Shutdown"). A later call can only bring the deadline forward.
  void shutdown(std::chrono::steady_clock::duration grace);
  // A condition that fails every record: stop intake (put() blocked on the
  // budget included) and the senders, fail what is queued.
  void stop_for(const Error& error);

  // The deadline passed with records still without an outcome.
  bool cut_short() const;
  // Records unsent at the deadline.
  std::uint64_t abandoned() const { return abandoned_.load(); }
  // Requests allowed in flight now (ProducerOptions::tune_in_flight).
  int in_flight_limit() const;

 private:
  // What a sender is handed: records, or a framed batch.
  using Outgoing = std::variant<Batch, FramedBatch>;

  // Frames the record into the open framed batch (caller holds mutex_).
  void frame(PutItem& item, SteadyTime now, std::uint8_t epoch_slot);
  FramedBatch open_framed_batch(std::size_t first_record_size);
  // The next framed batch due (full, lingered, or any when `force`), cut
  // to `max_raw_bytes` (caller holds mutex_).
  std::optional<FramedBatch> take_framed(SteadyTime now, bool force, std::size_t max_raw_bytes);
  bool framed_waiting() const { return open_framed_.has_value() || !framed_full_.empty(); }
  void dispatch_loop();
  void send_loop();
  void abandon(std::unique_lock<std::mutex>& lock);
  void keep_spares(Batch& finished);
  int senders_wanted() const;
  void cut_batches(SteadyTime now, bool for_caller);
  // Shutdown's deadline is past: nothing more is sent (caller holds mutex_).
  bool deadline_passed(SteadyTime now) const { return closing_ && now >= deadline_; }
  Batch take_unsent();
  void fail_all(Batch& records, const Error& error);

  const ProducerOptions& options_;
  AdaptiveRateLimiter& limiter_;
  OutcomeResolver& outcomes_;
  MemoryBudget& budget_;
  SendBatch send_;
  AbortRequests abort_requests_;

  mutable std::mutex mutex_;  // guards everything down to cut_short_
  std::condition_variable wake_dispatcher_;
  std::condition_variable batch_ready_;
  Packer packer_;
  Batcher batcher_;
  std::deque<Outgoing> ready_;
  Framing framing_;
  bool frames_ = false;                     // framing_ is given and records are not packed
  std::optional<FramedBatch> open_framed_;  // being filled by put()
  std::deque<FramedBatch> framed_full_;     // full, waiting for a sender
  std::size_t framed_raw_cap_ = SIZE_MAX;   // the limiter's request size hint when last cut
  std::size_t last_framed_body_ = 0;        // the body size of the last framed batch cut
  Batch completed_scratch_;                 // enqueue()'s, kept to save an allocation per record
  // Finished records, handed back to enqueue() for reuse: a record and its
  // users vector are not allocated again, and the data buffer the next
  // record's replaces is freed on the thread that allocated it, where
  // malloc's per-thread cache takes it back (freed on a sender thread, each
  // buffer went through the shared arena under its lock). Bounded by an
  // allowance set aside from the budget. Reused oldest first: taking the
  // one a sender had just finished (last in, first out) cost 4 % more CPU
  // on 1 KiB lines (10 interleaved pairs; 64 KiB and 100-byte lines
  // unchanged), likely because its cache lines were still held modified by
  // the sender's core and each had to be fetched from there.
  std::deque<PendingPtr> spare_;
  std::size_t spare_bytes_ = 0;
  const std::size_t spare_allowance_;
  int idle_senders_;
  ConcurrencyTuner tuner_;  // how many senders may send at once
  int flush_requests_ = 0;
  bool closing_ = false;
  bool stop_threads_ = false;
  std::optional<Error> fatal_;
  SteadyTime deadline_ = SteadyTime::max();  // shutdown's: then nothing more is sent
  bool abandon_ = false;                     // the deadline passed
  bool cut_short_ = false;                   // ... with records still without an outcome

  std::atomic<bool> refusing_{false};  // closing_ || fatal_
  std::atomic<std::uint64_t> abandoned_{0};

  std::thread dispatcher_;
  std::vector<std::thread> senders_;
};

}  // namespace firehose::producer
