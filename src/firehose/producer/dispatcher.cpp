#include "firehose/producer/dispatcher.hpp"

#include <algorithm>
#include <tuple>

#include "core/log.hpp"
#include "core/thread_name.hpp"
#include "firehose/timeout.hpp"
#include "firehose/producer/memory_charge.hpp"

namespace firehose::producer {

Error shutdown_error() {
  return make_error(ErrorKind::Client, "Shutdown", "the producer closed before this record was sent");
}
Error closed_error() { return make_error(ErrorKind::Client, "ProducerClosed", "the producer is closed"); }

namespace {

ConcurrencyTunerOptions tuner_options(const ProducerOptions& options) {
  ConcurrencyTunerOptions tuning;
  tuning.max = options.max_in_flight;
  if (!options.tune_in_flight) {
    tuning.min = tuning.initial = options.max_in_flight;  // nowhere to go
  }
  return tuning;
}

}  // namespace

Dispatcher::Dispatcher(const ProducerOptions& options, AdaptiveRateLimiter& limiter, OutcomeResolver& outcomes,
                       MemoryBudget& budget)
    : options_(options),
      limiter_(limiter),
      outcomes_(outcomes),
      budget_(budget),
      packer_(options.pack_target_bytes),
      batcher_(options.delivery_stream_name, options.max_batch_records, options.max_batch_bytes, options.linger),
      spare_allowance_(spare_allowance(options)),
      idle_senders_(options.max_in_flight),
      tuner_(tuner_options(options)) {}

Dispatcher::~Dispatcher() { stop(); }

DispatcherLink Dispatcher::link() {
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

void Dispatcher::start(SendBatch send, AbortRequests abort_requests, Framing framing) {
  send_ = std::move(send);
  abort_requests_ = std::move(abort_requests);
  framing_ = std::move(framing);
  frames_ = framing_.send && framing_.buffers != nullptr && options_.pack_target_bytes == 0;
  dispatcher_ = std::thread([this] {
    core::name_this_thread("fh-dispatch");
    dispatch_loop();
  });
  for (int i = 0; i < options_.max_in_flight; ++i) {
    senders_.emplace_back([this] {
      core::name_this_thread("fh-sender");
      send_loop();
    });
  }
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_threads_ = true;
  }
  wake_dispatcher_.notify_all();
  batch_ready_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (auto& sender : senders_) {
    if (sender.joinable()) sender.join();
  }
}

Dispatcher::Enqueued Dispatcher::enqueue(std::span<PutItem> items, SteadyTime now) {
  Enqueued result;
  std::lock_guard lock(mutex_);
  if (closing_ || fatal_) return result;
  result.accepted = true;
  // Read once: a flush starting meanwhile waits for these records too (they were put as it began).
  const std::uint8_t epoch_slot = outcomes_.epoch_slot();
  const bool was_empty = batcher_.queued_records() == 0 && !framed_waiting();
  const bool was_full = batcher_.full();
  const std::size_t framed_full_before = framed_full_.size();
  for (auto& item : items) {
    if (item.charge == 0) continue;
    const std::size_t size = item.data.size();
    ++result.records;
    result.bytes += size;
    if (frames_ && !item.callback && size <= kFramedRecordMaxBytes) {
      frame(item, now, epoch_slot);
      continue;
    }
    // put() charged each record as if it started a Firehose record of its
    // own; packed into an open one, that share goes back.
    const bool starts_record = packer_.starts_record(size);
    if (!starts_record) result.charge_returned += kFirehoseRecordCharge;
    UserRecord user;
    user.callback = std::move(item.callback);
    user.put_time = now;
    user.epoch_slot = epoch_slot;
    user.charge = starts_record ? item.charge : item.charge - kFirehoseRecordCharge;
    PendingPtr reuse;
    if (starts_record && !spare_.empty()) {
      reuse = std::move(spare_.front());
      spare_.pop_front();
      spare_bytes_ -= spare_bytes(*reuse);
    }
    Batch& completed = completed_scratch_;
    packer_.add(std::move(item.data), std::move(user), now + options_.record_ttl, now, completed, std::move(reuse));
    for (auto& record : completed) batcher_.add(std::move(record));
    completed.clear();
  }
  outcomes_.expect(result.records, epoch_slot);
  // A batch that just became full goes straight to an idle sender, and the
  // dispatcher is woken only to start a linger timer: each wake of another
  // thread is a context switch, and on a virtual machine an interrupt
  // between cores too.
  if ((!was_full && batcher_.full()) || framed_full_.size() > framed_full_before) {
    cut_batches(now, /*for_caller=*/false);
  }
  if (was_empty && (!batcher_.empty() || framed_waiting())) wake_dispatcher_.notify_one();
  return result;
}

std::optional<Error> Dispatcher::intake_refusal() const {
  std::lock_guard lock(mutex_);
  if (fatal_) return fatal_;
  if (closing_) return closed_error();
  return std::nullopt;
}

std::optional<Error> Dispatcher::fatal_error() const {
  std::lock_guard lock(mutex_);
  return fatal_;
}

bool Dispatcher::cut_short() const {
  std::lock_guard lock(mutex_);
  return cut_short_;
}

void Dispatcher::begin_flush() {
  {
    std::lock_guard lock(mutex_);
    ++flush_requests_;
  }
  wake_dispatcher_.notify_one();
}

void Dispatcher::end_flush() {
  std::lock_guard lock(mutex_);
  --flush_requests_;
}

void Dispatcher::shutdown(std::chrono::steady_clock::duration grace) {
  const auto deadline = deadline_after(grace);  // duration::max(): no deadline
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    refusing_.store(true, std::memory_order_release);
    if (deadline < deadline_) deadline_ = deadline;
  }
  budget_.cancel();
  wake_dispatcher_.notify_all();
}

void Dispatcher::stop_for(const Error& error) {
  Batch left;
  {
    std::lock_guard lock(mutex_);
    if (!fatal_) {
      fatal_ = error;
      refusing_.store(true, std::memory_order_release);
      // Debug, not error: the error itself reaches the caller (put() refuses
      // with it, close() returns it), and the CLI prints it as its one error
      // line; logged at error (or at info, send's default level) a user read
      // it twice.
      logging::debug("producer stopped: {}", error.to_string());
    }
    left = take_unsent();
  }
  budget_.cancel();
  limiter_.cancel();
  fail_all(left, error);
}

void Dispatcher::dispatch_loop() {
  std::unique_lock lock(mutex_);
  while (!stop_threads_) {
    const auto now = std::chrono::steady_clock::now();
    if (!abandon_ && deadline_passed(now)) {
      abandon(lock);
      continue;
    }
    const bool force = flush_requests_ > 0 || closing_;
    if (packer_.has_open() && (force || now >= packer_.open_since() + options_.linger)) {
      Batch sealed;
      packer_.seal(sealed);
      for (auto& record : sealed) batcher_.add(std::move(record));
    }
    cut_batches(now, /*for_caller=*/false);
    std::optional<SteadyTime> due;
    if (ready_.size() < static_cast<std::size_t>(senders_wanted())) {
      due = batcher_.next_due();
      if (packer_.has_open()) {
        const auto seal_at = packer_.open_since() + options_.linger;
        due = due ? std::min(*due, seal_at) : seal_at;
      }
      if (open_framed_) {
        const auto cut_at = open_framed_->oldest() + options_.linger;
        due = due ? std::min(*due, cut_at) : cut_at;
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
void Dispatcher::abandon(std::unique_lock<std::mutex>& lock) {
  abandon_ = true;
  cut_short_ = outcomes_.unresolved() > 0;
  Batch left = take_unsent();
  lock.unlock();
  limiter_.cancel();
  if (abort_requests_) abort_requests_();
  std::size_t users = 0;
  for (const auto& record : left) users += record->users.size();
  abandoned_.fetch_add(users);
  if (users > 0) logging::warn("shutdown: {} records unsent at the deadline", users);
  fail_all(left, shutdown_error());
  lock.lock();
}

// Cuts batches for idle senders, only as many as the tuner's limit lets
// send: meanwhile records keep filling the next one. A sender cutting its
// own next batch (`for_caller`) wakes no one for it (caller holds mutex_).
void Dispatcher::cut_batches(SteadyTime now, bool for_caller) {
  // Past shutdown's deadline nothing more goes out: the dispatcher thread,
  // whose timer is set for the deadline, fails what is left (abandon()).
  if (abandon_ || deadline_passed(now)) return;
  const bool force = flush_requests_ > 0 || closing_;
  batcher_.release_due_retries(now);
  const std::size_t hint = limiter_.request_bytes_hint();
  framed_raw_cap_ = hint;
  bool first = true;
  while (ready_.size() < static_cast<std::size_t>(senders_wanted())) {
    // Records of the Batcher first: retries due, records with callbacks.
    if (auto batch = batcher_.take(now, force, hint)) {
      ready_.emplace_back(std::move(*batch));
    } else if (auto framed = take_framed(now, force, hint)) {
      ready_.emplace_back(std::move(*framed));
    } else {
      break;
    }
    if (!(for_caller && first)) batch_ready_.notify_one();
    first = false;
  }
  // A sender is idle and nothing is due yet (a partial batch lingering, a
  // retry waiting): the dispatcher keeps the timer.
  if (for_caller && ready_.size() < static_cast<std::size_t>(senders_wanted()) &&
      (!batcher_.empty() || packer_.has_open() || framed_waiting())) {
    wake_dispatcher_.notify_one();
  }
}

void Dispatcher::send_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // The next batch, cut here when one is due: handed over by the
    // dispatcher, this sender slept and was woken for each (two context
    // switches per request, and the dispatcher's own).
    if (!stop_threads_ && ready_.empty()) cut_batches(std::chrono::steady_clock::now(), /*for_caller=*/true);
    batch_ready_.wait(lock, [&] { return stop_threads_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping
    Outgoing outgoing = std::move(ready_.front());
    ready_.pop_front();
    --idle_senders_;
    lock.unlock();
    Batch finished;
    std::size_t bytes_done = 0;
    if (auto* framed = std::get_if<FramedBatch>(&outgoing)) {
      std::tie(finished, bytes_done) = framing_.send(std::move(*framed));
    } else {
      finished = send_(std::move(std::get<Batch>(outgoing)));
      for (const auto& record : finished) bytes_done += record->data.size();
    }
    for (auto& record : finished) clear_for_reuse(*record);
    // Whether the senders held the rate back: records waited for them (a
    // full batch queued, or the budget used up, so that put() waits for the
    // records in flight) and the rate limiter held none back. The tuner
    // counts only such answers. (A full batch alone is not the sign: when
    // the budget is what bounds the records in memory, most of them are in
    // flight and the queue holds less than a batch.)
    const bool limiter_waits = limiter_.has_waiters();
    const bool budget_used = budget_.mostly_used();
    lock.lock();
    const bool bottleneck =
        !limiter_waits && (!ready_.empty() || batcher_.full() || !framed_full_.empty() || budget_used);
    if (tuner_.on_call(std::chrono::steady_clock::now(), bytes_done, bottleneck)) {
      logging::debug("requests in flight: at most {} (of {})", tuner_.limit(), options_.max_in_flight);
    }
    keep_spares(finished);
    ++idle_senders_;
    if (!finished.empty()) {
      // Freed outside the lock: put() waits on it.
      lock.unlock();
      finished.clear();
      lock.lock();
    }
  }
}

// Batches to cut now: one for each idle sender, within the tuner's limit
// of senders busy (caller holds mutex_).
int Dispatcher::senders_wanted() const {
  const int busy = options_.max_in_flight - idle_senders_;
  return std::max(0, std::min(idle_senders_, tuner_.limit() - busy));
}

int Dispatcher::in_flight_limit() const {
  std::lock_guard lock(mutex_);
  return tuner_.limit();
}

// Takes what fits of `finished` into spare_ (caller holds mutex_).
void Dispatcher::keep_spares(Batch& finished) {
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

// Every record not yet handed to a sender: the open packed record, the
// batcher's queue, the framed batches and the cut batches, framed ones as
// records (caller holds mutex_).
Batch Dispatcher::take_unsent() {
  Batch left;
  packer_.seal(left);
  for (auto& record : batcher_.drain()) left.push_back(std::move(record));
  auto unframe = [&](FramedBatch& framed) {
    framed.to_pending(left, 0, {}, options_.record_ttl);
    framed.give_buffer_back(*framing_.buffers);
  };
  if (open_framed_) unframe(*open_framed_);
  open_framed_.reset();
  for (auto& framed : framed_full_) unframe(framed);
  framed_full_.clear();
  for (auto& outgoing : ready_) {
    if (auto* framed = std::get_if<FramedBatch>(&outgoing)) {
      unframe(*framed);
    } else {
      for (auto& record : std::get<Batch>(outgoing)) left.push_back(std::move(record));
    }
  }
  ready_.clear();
  return left;
}

// Fails each record with `error`, giving their budget back in one release.
void Dispatcher::fail_all(Batch& records, const Error& error) {
  std::size_t released = 0;
  for (auto& record : records) {
    record->last_error = error;
    released += outcomes_.fail(*record);
  }
  budget_.release(released);
}

}  // namespace firehose::producer
