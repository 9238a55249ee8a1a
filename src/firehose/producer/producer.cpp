// Producer::Impl: wires the stages together and owns the threads. Each stage
// is a file of its own with its own tests (the KPL's pipeline in spirit):
//   put() (any thread): memory charge (memory_charge.hpp) against the budget
//     -> Packer -> Batcher                                     [under mutex_]
//   dispatcher thread: cuts batches when full / lingered / flushed -> ready_;
//     enforces shutdown's deadline
//   sender threads (max_in_flight): Sender (rate limiter -> PutRecordBatch ->
//     Retrier) -> OutcomeResolver (outcome, dead-letter), or back into the
//     Batcher for a retry.
#include "firehose/producer.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "core/log.hpp"
#include "firehose/dead_letter.hpp"
#include "firehose/limits.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"
#include "firehose/producer/batcher.hpp"
#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/memory_budget.hpp"
#include "firehose/producer/memory_charge.hpp"
#include "firehose/producer/metrics_publisher.hpp"
#include "firehose/producer/outcome_resolver.hpp"
#include "firehose/producer/packer.hpp"
#include "firehose/producer/retrier.hpp"
#include "firehose/producer/sender.hpp"
#include "protocol/firehose.hpp"

namespace firehose {

using namespace producer;

namespace {

RateLimiterOptions limiter_options(const ProducerOptions& options) {
  RateLimiterOptions limiter;
  limiter.adaptive = options.adaptive_rate;
  return limiter;
}

Error producer_error(std::string code, std::string message) {
  return make_error(ErrorKind::Client, std::move(code), std::move(message));
}

Error shutdown_error() { return producer_error("Shutdown", "the producer closed before this record was sent"); }
Error closed_error() { return producer_error("ProducerClosed", "the producer is closed"); }

}  // namespace

class Producer::Impl {
 public:
  Impl(std::shared_ptr<FirehoseClient> client, ProducerOptions options, std::unique_ptr<DeadLetterWriter> dead_letter)
      : options_(std::move(options)),
        budget_(budget_for_records(options_)),
        limiter_(limiter_options(options_)),
        retrier_(options_.retry, aws::make_uniform_random()),
        outcomes_(options_.delivery_stream_name, std::move(dead_letter)),
        sender_(options_, std::move(client), limiter_, retrier_, outcomes_, budget_, dispatcher_link()),
        packer_(options_.pack_target_bytes),
        batcher_(options_.delivery_stream_name, options_.max_batch_records, options_.max_batch_bytes,
                 options_.linger),
        spare_allowance_(spare_allowance(options_)),
        body_buffers_(body_buffer_allowance(options_)),
        idle_workers_(options_.max_in_flight) {
    // Records that fail from now on could be neither delivered nor kept:
    // stop at the first dead-letter write that fails (a full disk).
    outcomes_.on_dead_letter_failure([this](const Error& error) { stop_for(error); });
    dispatcher_ = std::thread([this] { dispatch_loop(); });
    for (int i = 0; i < options_.max_in_flight; ++i) workers_.emplace_back([this] { send_loop(); });
    metrics_publisher_ = start_metrics_publisher(options_, [this] { return metrics_sample(); });
  }

  ~Impl() { (void)close(std::chrono::minutes(1)); }

  // One record to admit: its bytes, its callback, and what put_all() works out.
  struct PutItem {
    RecordBytes data;
    OutcomeCallback callback;
    std::size_t charge = 0;  // 0: refused at once (empty or too large)
  };

  PutStatus put(RecordBytes data, OutcomeCallback callback) {
    PutItem item{std::move(data), std::move(callback)};
    return put_all(std::span<PutItem>(&item, 1));
  }

  // Admits records: each is checked on its own, then they are charged to
  // the budget together and queued under one lock (per record, the two
  // locks were most of what the producing thread spent beyond its copies).
  PutStatus put_all(std::span<PutItem> items) {
    const auto now = std::chrono::steady_clock::now();
    std::size_t total_charge = 0;
    std::size_t admissible = 0;
    for (auto& item : items) {
      const RecordBytes& data = item.data;
      if (data.empty() || data.size() > limits::kMaxRecordBytes) {
        RefusedRecord refused;
        refused.data = std::string(data.view());
        refused.size = data.size();
        refused.error_code = data.empty() ? "EmptyRecord" : "RecordTooLarge";
        refused.error_message = data.empty() ? "Firehose records must not be empty"
                                             : fmt::format("record of {} bytes is over the 1,024,000-byte limit",
                                                           data.size());
        outcomes_.refuse(refused, item.callback);
        continue;
      }
      // Charged as if the record started a Firehose record of its own; when
      // packing adds it to an open one instead, that part is given back below.
      item.charge = user_charge(data, packer_.packing()) + kFirehoseRecordCharge;
      total_charge += item.charge;
      ++admissible;
    }
    if (admissible == 0) return PutStatus::kAccepted;
    // Checked again under the lock below; this early look (without taking
    // mutex_, which every sender also takes) keeps a closed producer from
    // blocking on the budget.
    if (refusing_.load(std::memory_order_acquire)) {
      if (auto refusal = refusal_reason()) {
        reject_all(items, *refusal);
        return PutStatus::kClosed;
      }
    }
    if (options_.blocking) {
      // Shutdown and a fatal error cancel the budget: a put() blocked here returns.
      if (!budget_.acquire(total_charge)) {
        // Waiting for room when a fatal error or shutdown came: shutdown's
        // reason, as for the records it finds unsent.
        const auto fatal = fatal_error();
        reject_all(items, fatal ? *fatal : shutdown_error());
        return PutStatus::kClosed;
      }
    } else if (!budget_.try_acquire(total_charge)) {
      if (auto refusal = refusal_reason()) {
        reject_all(items, *refusal);
        return PutStatus::kClosed;
      }
      return PutStatus::kFull;
    }
    bool accepted = false;
    std::size_t returned_charge = 0;  // Firehose-record shares of records packed into an open one
    {
      std::lock_guard lock(mutex_);
      if (!closing_ && !fatal_) {
        accepted = true;
        const bool was_empty = batcher_.queued_records() == 0;
        const bool was_full = batcher_.full();
        std::uint64_t bytes = 0;
        for (auto& item : items) {
          if (item.charge == 0) continue;
          const std::size_t size = item.data.size();
          bytes += size;
          const bool starts_record = packer_.starts_record(size);
          if (!starts_record) returned_charge += kFirehoseRecordCharge;
          UserRecord user;
          user.callback = std::move(item.callback);
          user.put_time = now;
          user.charge = starts_record ? item.charge : item.charge - kFirehoseRecordCharge;
          PendingPtr reuse;
          if (starts_record && !spare_.empty()) {
            reuse = std::move(spare_.back());
            spare_.pop_back();
            spare_bytes_ -= spare_bytes(*reuse);
          }
          Batch& completed = completed_scratch_;
          packer_.add(std::move(item.data), std::move(user), now + options_.record_ttl, now, completed,
                      std::move(reuse));
          for (auto& record : completed) batcher_.add(std::move(record));
          completed.clear();
        }
        outcomes_.expect(admissible);
        records_in_.fetch_add(admissible, std::memory_order_relaxed);
        bytes_in_.fetch_add(bytes, std::memory_order_relaxed);
        // The dispatcher needs waking only to start a linger timer or to cut a
        // batch that just became full; a wake per record would cost a context
        // switch per record.
        if (was_empty || (!was_full && batcher_.full())) wake_dispatcher_.notify_one();
      }
    }
    if (accepted) {
      budget_.release(returned_charge);
      return PutStatus::kAccepted;
    }
    budget_.release(total_charge);
    reject_all(items, refusal_reason().value_or(closed_error()));
    return PutStatus::kClosed;
  }

  void refuse(const RefusedRecord& record) { outcomes_.refuse(record, {}); }

  Status flush(std::chrono::steady_clock::duration timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    {
      std::lock_guard lock(mutex_);
      ++flush_requests_;
    }
    wake_dispatcher_.notify_one();
    const bool done = outcomes_.wait_resolved(deadline);
    {
      std::lock_guard lock(mutex_);
      --flush_requests_;
    }
    if (!done) {
      return make_error(ErrorKind::Transient, "FlushTimeout",
                        fmt::format("{} records still without an outcome", outcomes_.unresolved()));
    }
    return {};
  }

  void shutdown(std::chrono::steady_clock::duration grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      refusing_.store(true, std::memory_order_release);
      if (deadline < deadline_) deadline_ = deadline;
    }
    budget_.cancel();
    wake_dispatcher_.notify_all();
  }

  Status close(std::chrono::steady_clock::duration timeout) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return {};
      closed_ = true;
    }
    shutdown(timeout);
    // Bounded: at the deadline the dispatcher fails what is unsent, cancels
    // the senders waiting on the limiter and aborts the requests in flight.
    outcomes_.wait_resolved(SteadyTime::max());
    {
      std::lock_guard lock(mutex_);
      stop_threads_ = true;
    }
    wake_dispatcher_.notify_all();
    batch_ready_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
    for (auto& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
    outcomes_.flush_dead_letters();
    if (metrics_publisher_) (void)metrics_publisher_->stop();  // the final publish: every outcome is in
    if (auto fatal = fatal_error()) return *fatal;
    if (cut_short_) {
      return make_error(ErrorKind::Transient, "CloseTimeout",
                        fmt::format("the producer closed with records still unsent ({} not yet handed to a sender) "
                                    "or in flight; they failed with reason Shutdown",
                                    abandoned_.load()));
    }
    return {};
  }

  std::optional<Error> fatal_error() const {
    std::lock_guard lock(mutex_);
    return fatal_;
  }

  ProducerMetrics metrics() const {
    ProducerMetrics m;
    m.records_in = records_in_.load();
    m.records_rejected = outcomes_.rejected();
    m.records_acknowledged = outcomes_.acknowledged();
    m.records_failed = outcomes_.failed();
    m.records_dead_lettered = outcomes_.dead_lettered();
    m.records_retried = sender_.records_retried();
    m.records_throttled = sender_.records_throttled();
    m.possible_duplicates = sender_.possible_duplicates();
    m.bytes_in = bytes_in_.load();
    m.bytes_acknowledged = outcomes_.bytes_acknowledged();
    m.billed_bytes = outcomes_.billed_bytes();
    m.requests_ok = sender_.requests_ok();
    m.requests_partial = sender_.requests_partial();
    m.requests_failed = sender_.requests_failed();
    m.requests_in_flight = sender_.in_flight();
    m.buffered_bytes = budget_.used();
    m.rate_limit_bytes_per_second = limiter_.bytes_per_second_limit();
    m.request_latency = sender_.request_latency().summary();
    m.record_latency = outcomes_.record_latency().summary();
    return m;
  }

 private:
  MetricsSample metrics_sample() const {
    return {metrics(), sender_.request_latency().counts(), outcomes_.record_latency().counts()};
  }

  // What the senders need of the dispatcher's state.
  DispatcherLink dispatcher_link() {
    DispatcherLink link;
    link.refusal = [this]() -> std::optional<Error> {
      std::lock_guard lock(mutex_);
      if (fatal_) return fatal_;
      if (abandon_) return shutdown_error();
      return std::nullopt;
    };
    link.requeue = [this](Batch& records, SteadyTime at) -> std::optional<Error> {
      std::lock_guard lock(mutex_);
      if (fatal_) return fatal_;
      if (abandon_) return shutdown_error();
      batcher_.add_retry(std::move(records), at);
      records.clear();
      wake_dispatcher_.notify_one();
      return std::nullopt;
    };
    link.stop_for = [this](const Error& error) { stop_for(error); };
    return link;
  }

  std::optional<Error> refusal_reason() const {
    std::lock_guard lock(mutex_);
    if (fatal_) return fatal_;
    if (closing_) return closed_error();
    return std::nullopt;
  }

  // Refuses the items not refused at once (those were answered already).
  void reject_all(std::span<PutItem> items, const Error& why) {
    for (auto& item : items) {
      if (item.charge == 0) continue;
      RefusedRecord refused;
      refused.data = std::string(item.data.view());
      refused.size = item.data.size();
      refused.error_code = why.code;
      refused.error_message = why.message;
      outcomes_.refuse(refused, item.callback);
    }
  }

  // ---- dispatcher ----

  void dispatch_loop() {
    std::unique_lock lock(mutex_);
    while (!stop_threads_) {
      const auto now = std::chrono::steady_clock::now();
      if (closing_ && !abandon_ && now >= deadline_) {
        abandon(lock);
        continue;
      }
      const bool force = flush_requests_ > 0 || closing_;
      if (packer_.has_open() && (force || now >= packer_.open_since() + options_.linger)) {
        Batch sealed;
        packer_.seal(sealed);
        for (auto& record : sealed) batcher_.add(std::move(record));
      }
      batcher_.release_due_retries(now);
      // Cut batches only for idle senders: meanwhile records keep filling the next one.
      while (ready_.size() < static_cast<std::size_t>(idle_workers_)) {
        auto batch = batcher_.take(now, force, limiter_.request_bytes_hint());
        if (!batch) break;
        ready_.push_back(std::move(*batch));
        batch_ready_.notify_one();
      }
      std::optional<SteadyTime> due;
      if (ready_.size() < static_cast<std::size_t>(idle_workers_)) {
        due = batcher_.next_due();
        if (packer_.has_open()) {
          const auto seal_at = packer_.open_since() + options_.linger;
          due = due ? std::min(*due, seal_at) : seal_at;
        }
      }
      // Otherwise a sender finishing wakes us; shutdown's deadline always does.
      if (closing_ && !abandon_) due = due ? std::min(*due, deadline_) : deadline_;
      if (due) {
        wake_dispatcher_.wait_until(lock, *due);
      } else {
        wake_dispatcher_.wait(lock);
      }
    }
  }

  // Shutdown's deadline passed: nothing more is sent. Unsent records fail
  // with "Shutdown", senders waiting on the limiter give up, requests in
  // flight are abandoned (their records then fail the same way).
  void abandon(std::unique_lock<std::mutex>& lock) {
    abandon_ = true;
    cut_short_ = outcomes_.unresolved() > 0;
    Batch left = take_unsent();
    lock.unlock();
    limiter_.cancel();
    sender_.abort_requests();
    std::size_t users = 0;
    for (const auto& record : left) users += record->users.size();
    abandoned_.fetch_add(users);
    if (users > 0) logging::warn("shutdown: {} records unsent at the deadline", users);
    fail_all(left, shutdown_error());
    lock.lock();
  }

  // ---- senders ----

  void send_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      batch_ready_.wait(lock, [&] { return stop_threads_ || !ready_.empty(); });
      if (ready_.empty()) return;  // stopping
      Batch batch = std::move(ready_.front());
      ready_.pop_front();
      --idle_workers_;
      lock.unlock();
      std::string body_buffer = body_buffers_.take();
      Batch finished = sender_.send(std::move(batch), body_buffer);
      body_buffers_.give_back(std::move(body_buffer));
      for (auto& record : finished) clear_for_reuse(*record);
      lock.lock();
      keep_spares(finished);
      ++idle_workers_;
      wake_dispatcher_.notify_one();
      if (!finished.empty()) {
        lock.unlock();
        finished.clear();
        lock.lock();
      }
    }
  }

  // Takes what fits of `finished` into spare_ (caller holds mutex_).
  void keep_spares(Batch& finished) {
    std::size_t kept = 0;
    for (auto& record : finished) {
      const std::size_t bytes = spare_bytes(*record);
      if (spare_bytes_ + bytes > spare_allowance_) break;
      spare_bytes_ += bytes;
      spare_.push_back(std::move(record));
      ++kept;
    }
    finished.erase(finished.begin(), finished.begin() + static_cast<std::ptrdiff_t>(kept));
  }

  // A condition that fails every record: stop intake (put() blocked on the
  // budget included) and the senders, fail what is queued.
  void stop_for(const Error& error) {
    Batch left;
    {
      std::lock_guard lock(mutex_);
      if (!fatal_) {
        fatal_ = error;
        refusing_.store(true, std::memory_order_release);
        logging::error("producer stopped: {}", error.to_string());
      }
      left = take_unsent();
    }
    budget_.cancel();
    limiter_.cancel();
    fail_all(left, error);
  }

  // Every record not yet handed to a sender: the open packed record, the
  // batcher's queue and the cut batches (caller holds mutex_).
  Batch take_unsent() {
    Batch left;
    packer_.seal(left);
    for (auto& record : batcher_.drain()) left.push_back(std::move(record));
    for (auto& batch : ready_) {
      for (auto& record : batch) left.push_back(std::move(record));
    }
    ready_.clear();
    return left;
  }

  // Fails each record with `error`, giving their budget back in one release.
  void fail_all(Batch& records, const Error& error) {
    std::size_t released = 0;
    for (auto& record : records) {
      record->last_error = error;
      released += outcomes_.fail(*record);
    }
    budget_.release(released);
  }

  ProducerOptions options_;
  MemoryBudget budget_;
  AdaptiveRateLimiter limiter_;
  Retrier retrier_;
  OutcomeResolver outcomes_;
  Sender sender_;

  mutable std::mutex mutex_;  // guards everything down to abandon_
  std::condition_variable wake_dispatcher_;
  std::condition_variable batch_ready_;
  Packer packer_;
  Batcher batcher_;
  std::deque<Batch> ready_;
  Batch completed_scratch_;  // put()'s, kept to save an allocation per record
  // Finished records, handed back to put() for reuse: a record and its users
  // vector are not allocated again, and the data buffer the next record's
  // replaces is freed on the thread that allocated it, where malloc's
  // per-thread cache takes it back (freed on a sender thread, each buffer
  // went through the shared arena under its lock). Bounded by an allowance
  // set aside from the budget.
  Batch spare_;
  std::size_t spare_bytes_ = 0;
  const std::size_t spare_allowance_;
  BodyBuffers body_buffers_;
  int idle_workers_;
  int flush_requests_ = 0;
  bool closing_ = false;
  std::atomic<bool> refusing_{false};  // closing_ || fatal_, readable without mutex_
  bool closed_ = false;
  bool stop_threads_ = false;
  std::optional<Error> fatal_;
  SteadyTime deadline_ = SteadyTime::max();  // shutdown's: then nothing more is sent
  bool abandon_ = false;                     // the deadline passed
  bool cut_short_ = false;                   // ... with records still without an outcome

  alignas(64) std::atomic<std::uint64_t> records_in_{0}, bytes_in_{0};
  std::atomic<std::uint64_t> abandoned_{0};

  std::thread dispatcher_;
  std::vector<std::thread> workers_;
  std::unique_ptr<MetricsPublisher> metrics_publisher_;
};

Result<std::unique_ptr<Producer>> Producer::create(std::shared_ptr<FirehoseClient> client, ProducerOptions options) {
  if (auto valid = protocol::validate_stream_name(options.delivery_stream_name); !valid) return valid.error();
  if (options.max_in_flight < 1 || options.max_in_flight > 256) {
    return producer_error("InvalidOption", "max_in_flight must be 1 to 256");
  }
  if (options.max_batch_records < 1 || options.max_batch_records > limits::kMaxBatchRecords) {
    return producer_error("InvalidOption", "max_batch_records must be 1 to 500");
  }
  if (options.max_batch_bytes > limits::kMaxBatchRequestBytes ||
      options.max_batch_bytes < protocol::PutRecordBatchSize(options.delivery_stream_name.size())
                                    .size_with(limits::kMaxRecordBytes)) {
    return producer_error("InvalidOption", "max_batch_bytes must hold one maximum-size record and be <= 4 MiB");
  }
  if (options.retry.max_attempts < 1) return producer_error("InvalidOption", "max_attempts must be at least 1");
  if (options.record_ttl <= std::chrono::milliseconds::zero() || options.record_ttl > std::chrono::hours(24 * 365)) {
    return producer_error("InvalidOption", "record_ttl must be positive and at most a year");
  }
  if (auto valid = validate_metrics_options(options); !valid) return valid.error();
  std::unique_ptr<DeadLetterWriter> dead_letter;
  if (!options.dead_letter_path.empty()) {
    auto opened = DeadLetterWriter::open(options.dead_letter_path);
    if (!opened) return opened.error();
    dead_letter = std::move(opened).value();
  }
  auto impl = std::make_unique<Impl>(std::move(client), std::move(options), std::move(dead_letter));
  return std::make_unique<Producer>(std::move(impl));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

std::future<RecordOutcome> Producer::put(std::string data) {
  auto promise = std::make_shared<std::promise<RecordOutcome>>();
  auto future = promise->get_future();
  const auto status =
      impl_->put(RecordBytes(std::move(data)), [promise](const RecordOutcome& outcome) { promise->set_value(outcome); });
  if (status == PutStatus::kFull) {
    RecordOutcome full;
    full.error_code = "ProducerFull";
    full.error_message = "the memory budget is used up (non-blocking mode)";
    promise->set_value(full);
  }
  return future;
}

PutStatus Producer::put(std::string data, OutcomeCallback callback) {
  return impl_->put(RecordBytes(std::move(data)), std::move(callback));
}

PutStatus Producer::put_copy(std::string_view data, OutcomeCallback callback) {
  return impl_->put(RecordBytes(data), std::move(callback));
}

PutStatus Producer::put_copy_all(std::span<const std::string_view> records) {
  std::vector<Impl::PutItem> items;
  items.reserve(records.size());
  for (std::string_view data : records) items.push_back({RecordBytes(data), OutcomeCallback{}});
  return impl_->put_all(items);
}

void Producer::refuse(const RefusedRecord& record) { impl_->refuse(record); }
Status Producer::flush(std::chrono::steady_clock::duration timeout) { return impl_->flush(timeout); }
void Producer::shutdown(std::chrono::steady_clock::duration grace) { impl_->shutdown(grace); }
Status Producer::close(std::chrono::steady_clock::duration timeout) { return impl_->close(timeout); }
std::optional<Error> Producer::fatal_error() const { return impl_->fatal_error(); }
ProducerMetrics Producer::metrics() const { return impl_->metrics(); }

}  // namespace firehose
