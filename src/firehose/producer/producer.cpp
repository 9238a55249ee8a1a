// Producer::Impl: wires the stages together and owns the threads.
//   put() (any thread) -> Packer -> Batcher      [under mutex_]
//   dispatcher thread: cuts batches when full / lingered / flushed -> ready_
//   sender threads (max_in_flight): rate limiter -> PutRecordBatch -> Retrier
//     -> outcomes (+ dead-letter) or back into the Batcher for a retry.
#include "firehose/producer.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <span>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aws/crypto.hpp"
#include "firehose/limits.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"
#include "firehose/producer/batcher.hpp"
#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/dead_letter.hpp"
#include "firehose/producer/latency_histogram.hpp"
#include "firehose/producer/memory_budget.hpp"
#include "firehose/producer/metrics_publisher.hpp"
#include "firehose/producer/packer.hpp"
#include "firehose/producer/retrier.hpp"
#include "firehose/protocol.hpp"

namespace firehose {

using namespace producer;

namespace {

// ---- memory accounting ----
// The budget bounds everything the producer allocates for a record from
// put() to its outcome, charged up front, so a queued record is charged for
// its request body and answer too: each figure below is an upper bound.

// What glibc's malloc takes for a request: 16-byte granules including an
// 8-byte header, 32 bytes at least.
constexpr std::size_t heap_block(std::size_t bytes) {
  return std::max<std::size_t>(32, (bytes + 8 + 15) & ~std::size_t{15});
}

// A Firehose record's entry in a PutRecordBatch answer while it is read:
// the text ({"RecordId":"..."}, RecordIds of 224 characters), the parse
// tree, the parsed entry with its own copy of the id, the retrier's slot.
constexpr std::size_t kAnswerBytesPerRecord = 1024;
// The text a failure leaves in a record's last_error (code, message).
constexpr std::size_t kErrorTextBytes = 256;

// A user record's own share: its bytes (its own string, or its slice of a
// packed record plus a delimiter), their base64 in a request body, and its
// outcome bookkeeping.
std::size_t user_charge(const RecordBytes& data, bool packing) {
  if (!packing) {
    return heap_block(data.capacity() + 1) + aws::crypto::base64_encoded_size(data.size()) +
           heap_block(sizeof(UserRecord));
  }
  // Packed users sit in a vector that grows by doubling.
  return data.size() + 1 + aws::crypto::base64_encoded_size(data.size() + 1) + 2 * sizeof(UserRecord);
}

// A Firehose record's share, carried by the user record that started it:
// the record, its error text, its body entry's framing ({"Data":""} and a
// comma), its answer, and the pointers to it in queues and batches.
constexpr std::size_t kFirehoseRecordCharge = heap_block(sizeof(PendingRecord)) + kErrorTextBytes + 12 +
                                              kAnswerBytesPerRecord + 4 * sizeof(PendingPtr);

// Finished records kept for reuse (see Impl::spare_) may hold this much of
// the budget: 1/16 of it, at most 1 MiB.
std::size_t spare_allowance(const ProducerOptions& options) {
  return std::min<std::size_t>(options.memory_budget_bytes / 16, 1024 * 1024);
}

// Idle request body buffers kept for reuse (see BodyBuffers) may hold this
// much: 1/8 of the budget, at most 4 MiB (about six bodies of 500 records of
// 1 KiB; one 4 MiB body of packed records).
std::size_t body_buffer_allowance(const ProducerOptions& options) {
  return std::min<std::size_t>(options.memory_budget_bytes / 8, 4 * 1024 * 1024);
}

// Set aside from the budget: the spare records' and the idle body buffers'
// allowances and, with packing, the room reserved for a whole target in the
// record being filled (never more than half the budget).
std::size_t budget_for_records(const ProducerOptions& options) {
  const std::size_t pack_room = std::min(options.pack_target_bytes, options.memory_budget_bytes / 2);
  return options.memory_budget_bytes - pack_room - spare_allowance(options) - body_buffer_allowance(options);
}

// What a spare record holds: its data buffer, its users vector, itself.
std::size_t spare_bytes(const PendingRecord& record) {
  return heap_block(sizeof(PendingRecord)) + heap_block(record.data.capacity() + 1) +
         record.users.capacity() * sizeof(UserRecord);
}

// Ready for reuse, except the data: put() moves the next record's data in
// (the old buffer is freed on the thread that allocated it) or, for
// put_copy(), copies it into the same buffer.
void clear_for_reuse(PendingRecord& record) {
  record.users.clear();  // outcome callbacks (and the promises they hold) go now
  record.attempts = 0;
  record.first_attempt = {};
  record.last_attempt = {};
  record.deadline = {};
  record.queued_at = {};
  record.retry_at = {};
  record.possible_duplicate = false;
  record.last_error = Error{};
}

std::size_t billed(std::size_t size) {
  const std::size_t unit = limits::kBillingRoundingBytes;
  return std::max<std::size_t>(1, (size + unit - 1) / unit) * unit;
}

RateLimiterOptions limiter_options(const ProducerOptions& options) {
  RateLimiterOptions limiter;
  limiter.adaptive = options.adaptive_rate;
  return limiter;
}

Error producer_error(std::string code, std::string message) {
  return make_error(ErrorKind::Client, std::move(code), std::move(message));
}

// A sender reads records that put() wrote, usually on the other core; in a
// profile its loops over a batch's records mostly waited on those cache
// misses. Asking for the next records ahead of use overlaps the waits.
constexpr std::size_t kRecordsAhead = 8;

void prefetch_data(const std::string& data) {
  const char* p = data.data();
  const std::size_t bytes = std::min<std::size_t>(data.size(), 2048);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
}

Error shutdown_error() { return producer_error("Shutdown", "the producer closed before this record was sent"); }

}  // namespace

class Producer::Impl {
 public:
  Impl(std::shared_ptr<FirehoseClient> client, ProducerOptions options, std::unique_ptr<DeadLetterWriter> dead_letter)
      : options_(std::move(options)),
        client_(std::move(client)),
        budget_(budget_for_records(options_)),
        limiter_(limiter_options(options_)),
        retrier_(options_.retry, aws::make_uniform_random()),
        dead_letter_(std::move(dead_letter)),
        packer_(options_.pack_target_bytes),
        batcher_(options_.delivery_stream_name, options_.max_batch_records, options_.max_batch_bytes,
                 options_.linger),
        spare_allowance_(spare_allowance(options_)),
        body_buffers_(body_buffer_allowance(options_)),
        idle_workers_(options_.max_in_flight) {
    dispatcher_ = std::thread([this] { dispatch_loop(); });
    for (int i = 0; i < options_.max_in_flight; ++i) workers_.emplace_back([this] { send_loop(); });
    metrics_publisher_ = start_metrics_publisher(options_, [this] { return metrics_sample(); });
  }

  ~Impl() {
    (void)close(std::chrono::minutes(1));
  }

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
        records_rejected_.fetch_add(1, std::memory_order_relaxed);
        RecordOutcome outcome;
        outcome.error_code = data.empty() ? "EmptyRecord" : "RecordTooLarge";
        outcome.error_message = data.empty() ? "Firehose records must not be empty"
                                             : fmt::format("record of {} bytes is over the 1,024,000-byte limit",
                                                           data.size());
        if (item.callback) item.callback(outcome);
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
      if (!budget_.acquire(total_charge)) {
        reject_all(items, refusal_reason().value_or(producer_error("ProducerClosed", "the producer is closed")));
        return PutStatus::kClosed;
      }
    } else if (!budget_.try_acquire(total_charge)) {
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
        unresolved_.fetch_add(admissible, std::memory_order_relaxed);
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
    reject_all(items, refusal_reason().value_or(producer_error("ProducerClosed", "the producer is closed")));
    return PutStatus::kClosed;
  }

  Status flush(std::chrono::steady_clock::duration timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    {
      std::lock_guard lock(mutex_);
      ++flush_requests_;
    }
    wake_dispatcher_.notify_one();
    const bool done = wait_resolved(deadline);
    {
      std::lock_guard lock(mutex_);
      --flush_requests_;
    }
    if (!done) {
      return make_error(ErrorKind::Transient, "FlushTimeout",
                        fmt::format("{} records still without an outcome", unresolved_.load()));
    }
    return {};
  }

  Status close(std::chrono::steady_clock::duration timeout) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return {};
      closed_ = true;
      closing_ = true;
      refusing_.store(true, std::memory_order_release);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    wake_dispatcher_.notify_one();
    bool drained = wait_resolved(deadline);
    if (!drained) {
      // Out of time: whatever has not been sent is dead-lettered as Shutdown.
      limiter_.cancel();
      Batch left;
      {
        std::lock_guard lock(mutex_);
        abandon_ = true;
        left = take_unsent();
      }
      fail_all(left, shutdown_error());
      // Requests in flight end within the HTTP timeout; their records get real outcomes.
      wait_resolved(std::chrono::steady_clock::time_point::max());
    }
    budget_.cancel();
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
    if (dead_letter_) (void)dead_letter_->flush();
    if (metrics_publisher_) (void)metrics_publisher_->stop();  // the final publish: every outcome is in
    if (fatal_error()) return *fatal_error();
    if (!drained) {
      return make_error(ErrorKind::Transient, "CloseTimeout",
                        "the producer closed with records unsent; they were dead-lettered with reason Shutdown");
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
    m.records_rejected = records_rejected_.load();
    m.records_acknowledged = records_acknowledged_.load();
    m.records_failed = records_failed_.load();
    m.records_dead_lettered = records_dead_lettered_.load();
    m.records_retried = records_retried_.load();
    m.records_throttled = records_throttled_.load();
    m.possible_duplicates = possible_duplicates_.load();
    m.bytes_in = bytes_in_.load();
    m.bytes_acknowledged = bytes_acknowledged_.load();
    m.billed_bytes = billed_bytes_.load();
    m.requests_ok = requests_ok_.load();
    m.requests_partial = requests_partial_.load();
    m.requests_failed = requests_failed_.load();
    m.requests_in_flight = in_flight_.load();
    m.buffered_bytes = budget_.used();
    m.rate_limit_bytes_per_second = limiter_.bytes_per_second_limit();
    m.request_latency = request_latency_.summary();
    m.record_latency = record_latency_.summary();
    return m;
  }

 private:
  MetricsSample metrics_sample() const {
    return {metrics(), request_latency_.counts(), record_latency_.counts()};
  }

  std::optional<Error> refusal_reason() const {
    std::lock_guard lock(mutex_);
    if (fatal_) return fatal_;
    if (closing_) return producer_error("ProducerClosed", "the producer is closed");
    return std::nullopt;
  }

  // Rejects the items not refused at once (those were answered already).
  void reject_all(std::span<PutItem> items, const Error& why) {
    for (auto& item : items) {
      if (item.charge != 0) reject(why, item.callback);
    }
  }

  void reject(const Error& why, const OutcomeCallback& callback) {
    records_rejected_.fetch_add(1, std::memory_order_relaxed);
    RecordOutcome outcome;
    outcome.error_code = why.code;
    outcome.error_message = why.message;
    if (callback) callback(outcome);
  }

  bool wait_resolved(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(progress_mutex_);
    auto resolved = [&] { return unresolved_.load() == 0; };
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      progress_.wait(lock, resolved);
      return true;
    }
    return progress_.wait_until(lock, deadline, resolved);
  }

  void note_resolved(std::size_t count) {
    if (unresolved_.fetch_sub(count) == count) {
      std::lock_guard lock(progress_mutex_);
      progress_.notify_all();
    }
  }

  // ---- dispatcher ----

  void dispatch_loop() {
    std::unique_lock lock(mutex_);
    while (!stop_threads_) {
      const auto now = std::chrono::steady_clock::now();
      const bool force = flush_requests_ > 0 || closing_;
      if (packer_.has_open() && (force || now >= packer_.open_since() + options_.linger)) {
        Batch sealed;
        packer_.seal(sealed);
        for (auto& record : sealed) batcher_.add(std::move(record));
      }
      batcher_.release_due_retries(now);
      // Cut batches only for idle senders: meanwhile records keep filling the next one.
      while (ready_.size() < static_cast<std::size_t>(idle_workers_)) {
        auto batch = batcher_.take(now, force);
        if (!batch) break;
        ready_.push_back(std::move(*batch));
        batch_ready_.notify_one();
      }
      if (ready_.size() >= static_cast<std::size_t>(idle_workers_)) {
        wake_dispatcher_.wait(lock);  // a sender finishing, or shutdown, wakes us
        continue;
      }
      std::optional<SteadyTime> due = batcher_.next_due();
      if (packer_.has_open()) {
        const auto seal_at = packer_.open_since() + options_.linger;
        due = due ? std::min(*due, seal_at) : seal_at;
      }
      if (due) {
        wake_dispatcher_.wait_until(lock, *due);
      } else {
        wake_dispatcher_.wait(lock);
      }
    }
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
      Batch finished = send(std::move(batch), body_buffer);
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

  // Returns the records that got their outcome, for reuse. The request body
  // is built in `body_buffer`, and left there for the next call.
  Batch send(Batch batch, std::string& body_buffer) {
    protocol::PutRecordBatchSize body_size(options_.delivery_stream_name.size());
    std::size_t raw_bytes = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i + kRecordsAhead < batch.size()) __builtin_prefetch(batch[i + kRecordsAhead].get());
      raw_bytes += batch[i]->data.size();
      body_size.add(batch[i]->data.size());
    }
    if (!limiter_.acquire(batch.size(), raw_bytes, std::chrono::steady_clock::time_point::max())) {
      fail_all(batch, shutdown_error());
      return {};
    }
    protocol::PutRecordBatchBody body(options_.delivery_stream_name, std::move(body_buffer));
    body.reserve(body_size.size());
    const auto wall_now = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i + 1 < batch.size()) prefetch_data(batch[i + 1]->data);
      auto& record = batch[i];
      if (record->attempts == 0) {
        record->first_attempt = wall_now;
      } else {
        records_retried_.fetch_add(record->users.size(), std::memory_order_relaxed);
      }
      ++record->attempts;
      record->last_attempt = wall_now;
      body.add(record->data);
    }
    const std::size_t count = batch.size();
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    const auto started = std::chrono::steady_clock::now();
    body_buffer = body.finish();
    auto answer = client_->put_record_batch_body(body_buffer, count);
    const auto finished = std::chrono::steady_clock::now();
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    request_latency_.record(finished - started);

    Judgement judgement = retrier_.judge(std::move(batch), answer, finished);
    if (!answer) {
      requests_failed_.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("PutRecordBatch of {} records failed: {}", count, answer.error().to_string());
    } else if (answer->failed_put_count > 0) {
      requests_partial_.fetch_add(1, std::memory_order_relaxed);
    } else {
      requests_ok_.fetch_add(1, std::memory_order_relaxed);
    }
    // The limiter learns what the service accepted from every answer, a
    // partly throttled one included (counting none of its records made the
    // accepted rate collapse under throttling, and each decrease after it
    // deeper than the overload called for).
    if (answer) {
      std::size_t accepted_bytes = 0;
      for (const auto& acknowledged : judgement.acknowledged) accepted_bytes += acknowledged.first->data.size();
      limiter_.on_success(judgement.acknowledged.size(), accepted_bytes);
    }
    if (judgement.throttled > 0) {
      records_throttled_.fetch_add(judgement.throttled, std::memory_order_relaxed);
      limiter_.on_throttle(judgement.throttled, count, started);
    }
    possible_duplicates_.fetch_add(judgement.possible_duplicates, std::memory_order_relaxed);

    // Counters, resolution and the budget once per answer: each release
    // wakes the thread blocked in put(), and the counters are shared with it.
    AckTally tally;
    const auto now = std::chrono::steady_clock::now();
    for (auto& [record, record_id] : judgement.acknowledged) acknowledge(*record, record_id, now, tally);
    settle(tally);
    std::size_t released = tally.charge;
    for (auto& record : judgement.failed) released += fail(*record);
    budget_.release(released);
    Batch resolved = std::move(judgement.failed);
    for (auto& acknowledged : judgement.acknowledged) resolved.push_back(std::move(acknowledged.first));
    if (judgement.fatal) stop_for(*judgement.fatal);
    if (!judgement.retry.empty()) {
      std::optional<Error> refusal;
      {
        std::lock_guard lock(mutex_);
        if (fatal_) {
          refusal = *fatal_;
        } else if (abandon_) {
          refusal = shutdown_error();
        } else {
          batcher_.add_retry(std::move(judgement.retry), judgement.retry_at);
          wake_dispatcher_.notify_one();
          return resolved;
        }
      }
      released = 0;
      for (auto& record : judgement.retry) {
        record->last_error.message += fmt::format(" (not retried: {})", refusal->message);
        released += fail(*record);
      }
      budget_.release(released);
    }
    return resolved;
  }

  // A condition that fails every record: stop intake and fail what is queued.
  void stop_for(const Error& error) {
    Batch left;
    {
      std::lock_guard lock(mutex_);
      if (!fatal_) {
        fatal_ = error;
        refusing_.store(true, std::memory_order_release);
        spdlog::error("producer stopped: {}", error.to_string());
      }
      left = take_unsent();
    }
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
      released += fail(*record);
    }
    budget_.release(released);
  }

  // ---- outcomes ----
  // The memory budget the records held is given back by the caller, in one
  // release.

  // What an answer's acknowledgements add to the counters: added once per
  // answer, since put() on the other core updates the same counters and an
  // atomic add per record kept their cache lines moving between the cores.
  struct AckTally {
    std::uint64_t records = 0, bytes = 0, billed = 0;
    std::size_t charge = 0;
  };

  void acknowledge(PendingRecord& record, std::string_view record_id, SteadyTime now, AckTally& tally) {
    tally.billed += billed(record.data.size());
    tally.records += record.users.size();
    for (auto& user : record.users) {
      const auto latency = now - user.put_time;
      record_latency_.record(latency);
      tally.bytes += user.size;
      tally.charge += user.charge;
      // Outcomes (and their RecordId copies) only for someone to hand them to.
      if (!user.callback) continue;
      RecordOutcome outcome;
      outcome.acknowledged = true;
      outcome.record_id = record_id;
      outcome.attempts = record.attempts;
      outcome.possible_duplicate = record.possible_duplicate;
      outcome.latency = latency;
      deliver(user, outcome);
    }
  }

  // Counters before resolution: whoever waits for the last outcome sees them final.
  void settle(const AckTally& tally) {
    if (tally.records == 0) return;
    billed_bytes_.fetch_add(tally.billed, std::memory_order_relaxed);
    bytes_acknowledged_.fetch_add(tally.bytes, std::memory_order_relaxed);
    records_acknowledged_.fetch_add(tally.records, std::memory_order_relaxed);
    note_resolved(tally.records);
  }

  // Returns the memory budget the record held.
  std::size_t fail(PendingRecord& record) {
    const auto now = std::chrono::steady_clock::now();
    std::size_t charge = 0;
    for (auto& user : record.users) {
      RecordOutcome outcome;
      outcome.error_code = record.last_error.code;
      outcome.error_message = record.last_error.message;
      outcome.attempts = record.attempts;
      outcome.possible_duplicate = record.possible_duplicate;
      outcome.latency = now - user.put_time;
      if (dead_letter_) {
        DeadLetterEntry entry;
        entry.stream = options_.delivery_stream_name;
        entry.data = record.data.substr(user.offset, user.size);
        entry.error_code = outcome.error_code;
        entry.error_message = outcome.error_message;
        entry.attempts = record.attempts;
        if (record.attempts > 0) {
          entry.first_attempt = record.first_attempt;
          entry.last_attempt = record.last_attempt;
        }
        entry.possible_duplicate = record.possible_duplicate;
        if (auto written = dead_letter_->write(entry); written) {
          outcome.dead_lettered = true;
          records_dead_lettered_.fetch_add(1, std::memory_order_relaxed);
        } else {
          spdlog::error("dead-letter file: {}", written.error().to_string());
        }
      }
      record_latency_.record(outcome.latency);
      charge += user.charge;
      deliver(user, outcome);
    }
    records_failed_.fetch_add(record.users.size(), std::memory_order_relaxed);
    note_resolved(record.users.size());
    return charge;
  }

  void deliver(UserRecord& user, const RecordOutcome& outcome) {
    if (!user.callback) return;
    try {
      user.callback(outcome);
    } catch (const std::exception& e) {
      spdlog::error("an outcome callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("an outcome callback threw");
    }
  }

  ProducerOptions options_;
  std::shared_ptr<FirehoseClient> client_;
  MemoryBudget budget_;
  AdaptiveRateLimiter limiter_;
  Retrier retrier_;
  std::unique_ptr<DeadLetterWriter> dead_letter_;

  mutable std::mutex mutex_;  // guards everything down to ready_
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
  bool abandon_ = false;  // close() ran out of time: nothing more is retried

  std::mutex progress_mutex_;
  std::condition_variable progress_;
  // Counters on separate cache lines by who writes them: put() (the
  // producing threads), both sides (unresolved_), the senders.
  alignas(64) std::atomic<std::uint64_t> records_in_{0}, records_rejected_{0}, bytes_in_{0};
  alignas(64) std::atomic<std::uint64_t> unresolved_{0};
  alignas(64) std::atomic<std::uint64_t> records_acknowledged_{0}, records_failed_{0}, records_dead_lettered_{0},
      records_retried_{0}, records_throttled_{0}, possible_duplicates_{0}, bytes_acknowledged_{0}, billed_bytes_{0},
      requests_ok_{0}, requests_partial_{0}, requests_failed_{0}, in_flight_{0};
  LatencyHistogram request_latency_;
  LatencyHistogram record_latency_;

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

Status Producer::flush(std::chrono::steady_clock::duration timeout) { return impl_->flush(timeout); }
Status Producer::close(std::chrono::steady_clock::duration timeout) { return impl_->close(timeout); }
std::optional<Error> Producer::fatal_error() const { return impl_->fatal_error(); }
ProducerMetrics Producer::metrics() const { return impl_->metrics(); }

}  // namespace firehose
