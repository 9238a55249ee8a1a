#include "firehose/producer/admission.hpp"

#include "firehose/producer/memory_charge.hpp"

#include <algorithm>

namespace firehose::producer {

PutStatus Admission::put_all(std::span<PutItem> items) {
  const auto now = std::chrono::steady_clock::now();
  std::size_t total_charge = 0;
  for (auto& item : items) {
    if (auto refused = refused_at_put(item.data)) {
      outcomes_.refuse(*refused, item.callback);
      continue;
    }
    // As if the record started a Firehose record of its own: packed into an
    // open one instead, the dispatcher gives that share back.
    item.charge = user_charge(item.data, options_.pack_target_bytes > 0) + kFirehoseRecordCharge;
    total_charge += item.charge;
  }
  if (total_charge == 0) return PutStatus::kAccepted;
  // Checked again by enqueue(); this early look (without the dispatcher's
  // lock, which every sender also takes) keeps a closed producer from
  // blocking on the budget.
  if (dispatcher_.refusing()) {
    if (auto refusal = dispatcher_.intake_refusal()) return reject_all(items, *refusal);
  }
  // A put() from an outcome callback never waits for the budget: the budget
  // comes back with outcomes, which this producer thread holds up while it
  // waits (with a small budget, for ever). It is refused as in non-blocking mode.
  if (!options_.blocking || outcomes_.in_callback()) {
    if (budget_.try_acquire(total_charge)) return enqueue(items, total_charge, now);
    if (auto refusal = dispatcher_.intake_refusal()) return reject_all(items, *refusal);
    return PutStatus::kFull;
  }
  // Blocking: charged and queued in slices of at most an eighth of the
  // budget. A block of input lines charged at once could be more than the
  // whole budget (16 KiB of 12-byte lines is 20 MiB of charges), and such a
  // charge waited until nothing at all was held: one request stalled on the
  // network stopped the reader, its queue ran dry, and the producer stood
  // still until that request ended.
  const std::size_t slice_limit = std::max<std::size_t>(budget_.capacity() / 8, 1);
  std::size_t start = 0;
  while (start < items.size()) {
    std::size_t end = start;
    std::size_t charge = 0;
    while (end < items.size() && (charge == 0 || charge + items[end].charge <= slice_limit)) {
      charge += items[end++].charge;
    }
    const auto slice = items.subspan(start, end - start);
    // Shutdown and a fatal error cancel the budget: a put() blocked here
    // returns, its records refused with shutdown's reason, as for the
    // records it finds unsent.
    if (charge > 0 && !budget_.acquire(charge)) {
      return reject_all(items.subspan(start), dispatcher_.fatal_error().value_or(shutdown_error()));
    }
    if (enqueue(slice, charge, now) != PutStatus::kAccepted) {
      if (end < items.size()) reject_all(items.subspan(end), dispatcher_.intake_refusal().value_or(closed_error()));
      return PutStatus::kClosed;
    }
    start = end;
  }
  return PutStatus::kAccepted;
}

PutStatus Admission::enqueue(std::span<PutItem> items, std::size_t charge, std::chrono::steady_clock::time_point now) {
  if (charge == 0) return PutStatus::kAccepted;  // refused at put() only
  const auto enqueued = dispatcher_.enqueue(items, now);
  if (!enqueued.accepted) {
    budget_.release(charge);
    return reject_all(items, dispatcher_.intake_refusal().value_or(closed_error()));
  }
  budget_.release(enqueued.charge_returned);
  records_in_.fetch_add(enqueued.records, std::memory_order_relaxed);
  bytes_in_.fetch_add(enqueued.bytes, std::memory_order_relaxed);
  return PutStatus::kAccepted;
}

PutStatus Admission::reject_all(std::span<PutItem> items, const Error& why) {
  for (auto& item : items) {
    if (item.charge == 0) continue;
    RefusedRecord refused;
    refused.data = std::string(item.data.view());
    refused.size = item.data.size();
    refused.error_code = why.code;
    refused.error_message = why.message;
    outcomes_.refuse(refused, item.callback);
  }
  return PutStatus::kClosed;
}

}  // namespace firehose::producer
