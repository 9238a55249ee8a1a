#include "firehose/producer/outcome_resolver.hpp"

#include <utility>

#include "core/log.hpp"
#include "firehose/limits.hpp"

namespace firehose::producer {
namespace {

// The resolver whose outcome callback this thread is running (nested ones
// restore the outer one), for in_callback().
thread_local const OutcomeResolver* delivering_for = nullptr;

std::size_t billed(std::size_t size) {
  const std::size_t unit = limits::kBillingRoundingBytes;
  return std::max<std::size_t>(1, (size + unit - 1) / unit) * unit;
}

}  // namespace

OutcomeResolver::OutcomeResolver(std::string stream_name, std::unique_ptr<DeadLetterWriter> dead_letter)
    : stream_name_(std::move(stream_name)), dead_letter_(std::move(dead_letter)) {}

void OutcomeResolver::acknowledge(PendingRecord& record, std::string_view record_id, SteadyTime now, AckTally& tally) {
  tally.billed += billed(record.data.size());
  tally.records += record.users.size();
  for (auto& user : record.users) {
    const auto latency = now - user.put_time;
    record_latency_.record(latency);
    tally.bytes += user.size;
    tally.charge += user.charge;
    ++tally.records_in_slot[user.epoch_slot];
    // Outcomes (and their RecordId copies) only for someone to hand them to.
    if (!user.callback) continue;
    RecordOutcome outcome;
    outcome.acknowledged = true;
    outcome.record_id = record_id;
    outcome.attempts = record.attempts;
    outcome.possible_duplicate = record.possible_duplicate;
    outcome.latency = latency;
    deliver(user.callback, outcome);
  }
}

void OutcomeResolver::acknowledge_unwatched(std::size_t size, SteadyTime put_time, std::size_t charge,
                                            std::uint8_t epoch_slot, SteadyTime now, AckTally& tally) {
  tally.billed += billed(size);
  ++tally.records;
  ++tally.records_in_slot[epoch_slot];
  tally.bytes += size;
  tally.charge += charge;
  record_latency_.record(now - put_time);
}

void OutcomeResolver::settle(const AckTally& tally) {
  if (tally.records == 0) return;
  billed_bytes_.fetch_add(tally.billed, std::memory_order_relaxed);
  bytes_acknowledged_.fetch_add(tally.bytes, std::memory_order_relaxed);
  records_acknowledged_.fetch_add(tally.records, std::memory_order_relaxed);
  for (std::size_t slot = 0; slot < kEpochSlots; ++slot) {
    if (tally.records_in_slot[slot] > 0) note_resolved(static_cast<std::uint8_t>(slot), tally.records_in_slot[slot]);
  }
}

std::size_t OutcomeResolver::fail(PendingRecord& record) {
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
      entry.stream = stream_name_;
      entry.data = record.data.substr(user.offset, user.size);
      entry.error_code = outcome.error_code;
      entry.error_message = outcome.error_message;
      entry.attempts = record.attempts;
      if (record.attempts > 0) {
        entry.first_attempt = record.first_attempt;
        entry.last_attempt = record.last_attempt;
      }
      entry.possible_duplicate = record.possible_duplicate;
      outcome.dead_lettered = dead_letter(entry);
    }
    record_latency_.record(outcome.latency);
    charge += user.charge;
    deliver(user.callback, outcome);
  }
  records_failed_.fetch_add(record.users.size(), std::memory_order_relaxed);
  for (const auto& user : record.users) note_resolved(user.epoch_slot, 1);
  return charge;
}

void OutcomeResolver::refuse(const RefusedRecord& record, const OutcomeCallback& callback) {
  records_rejected_.fetch_add(1, std::memory_order_relaxed);
  RecordOutcome outcome;
  outcome.error_code = record.error_code;
  outcome.error_message = record.error_message;
  if (dead_letter_) {
    DeadLetterEntry entry;
    entry.stream = stream_name_;
    entry.data = record.data;
    entry.error_code = record.error_code;
    entry.error_message = record.error_message;
    entry.truncated = record.truncated;
    if (record.truncated || record.size != record.data.size()) entry.size = record.size;
    entry.source = record.source;
    outcome.dead_lettered = dead_letter(entry);
  }
  deliver(callback, outcome);
}

bool OutcomeResolver::dead_letter(const DeadLetterEntry& entry) {
  if (auto written = dead_letter_->write(entry); !written) {
    if (dead_letter_failure_handler_) {
      if (!dead_letter_failed_once_.exchange(true)) dead_letter_failure_handler_(written.error());
      return false;
    }
    // One line per streak: a full disk would otherwise print one per record.
    if (!dead_letter_failing_.exchange(true)) logging::error("dead-letter file: {}", written.error().to_string());
    return false;
  }
  if (dead_letter_failing_.load(std::memory_order_relaxed)) dead_letter_failing_.store(false);
  records_dead_lettered_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void OutcomeResolver::flush_dead_letters() {
  if (dead_letter_) (void)dead_letter_->flush();
}

void OutcomeResolver::note_resolved(std::uint8_t epoch_slot, std::uint64_t count) {
  const bool epoch_drained = unresolved_in_slot_[epoch_slot].fetch_sub(count) == count;
  const bool all_resolved = unresolved_.fetch_sub(count) == count;
  if (epoch_drained || all_resolved) {
    std::lock_guard lock(progress_mutex_);
    progress_.notify_all();
  }
}

std::uint64_t OutcomeResolver::end_epoch() {
  std::lock_guard lock(progress_mutex_);
  const std::uint64_t current = epoch_.load(std::memory_order_relaxed);
  // The next epoch's slot still holds records of kEpochSlots epochs ago:
  // it cannot be reused yet, and this flush waits for the current epoch too.
  if (unresolved_in_slot_[(current + 1) % kEpochSlots].load() != 0) return current;
  epoch_.store(current + 1, std::memory_order_release);
  return current;
}

std::uint64_t OutcomeResolver::unresolved_through(std::uint64_t epoch) const {
  // Epochs older than the ring drained before their slot was reused.
  const std::uint64_t current = epoch_.load(std::memory_order_acquire);
  const std::uint64_t oldest_kept = current >= kEpochSlots - 1 ? current - (kEpochSlots - 1) : 0;
  std::uint64_t unresolved = 0;
  for (std::uint64_t e = oldest_kept; e <= epoch; ++e) unresolved += unresolved_in_slot_[e % kEpochSlots].load();
  return unresolved;
}

bool OutcomeResolver::wait_epochs_resolved(std::uint64_t epoch, SteadyTime deadline) {
  std::unique_lock lock(progress_mutex_);
  auto drained = [&] { return drained_through(epoch); };
  if (deadline == SteadyTime::max()) {
    progress_.wait(lock, drained);
    return true;
  }
  return progress_.wait_until(lock, deadline, drained);
}

bool OutcomeResolver::wait_resolved(SteadyTime deadline) {
  std::unique_lock lock(progress_mutex_);
  auto resolved = [&] { return unresolved_.load() == 0; };
  if (deadline == SteadyTime::max()) {
    progress_.wait(lock, resolved);
    return true;
  }
  return progress_.wait_until(lock, deadline, resolved);
}

bool OutcomeResolver::in_callback() const { return delivering_for == this; }

void OutcomeResolver::deliver(const OutcomeCallback& callback, const RecordOutcome& outcome) const {
  if (!callback) return;
  struct Marked {
    const OutcomeResolver* outer;
    explicit Marked(const OutcomeResolver* self) : outer(std::exchange(delivering_for, self)) {}
    ~Marked() { delivering_for = outer; }
  } marked(this);
  try {
    callback(outcome);
  } catch (const std::exception& e) {
    logging::error("an outcome callback threw: {}", e.what());
  } catch (...) {
    logging::error("an outcome callback threw");
  }
}

}  // namespace firehose::producer
