#include "firehose/producer/memory_charge.hpp"

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "firehose/limits.hpp"

namespace firehose::producer {

std::size_t user_charge(const RecordBytes& data, bool packing) {
  if (!packing) {
    return heap_block(data.capacity() + 1) + aws::crypto::base64_encoded_size(data.size()) +
           heap_block(sizeof(UserRecord));
  }
  // Packed users sit in a vector that grows by doubling.
  return data.size() + 1 + aws::crypto::base64_encoded_size(data.size() + 1) + 2 * sizeof(UserRecord);
}

std::optional<RefusedRecord> refused_at_put(const RecordBytes& data) {
  if (!data.empty() && data.size() <= limits::kMaxRecordBytes) return std::nullopt;
  RefusedRecord refused;
  refused.data = std::string(data.view());
  refused.size = data.size();
  refused.error_code = data.empty() ? "EmptyRecord" : "RecordTooLarge";
  refused.error_message = data.empty()
                              ? "Firehose records must not be empty"
                              : fmt::format("record of {} bytes is over the 1,024,000-byte limit", data.size());
  return refused;
}

std::size_t spare_allowance(const ProducerOptions& options) {
  constexpr std::size_t kMiB = 1024 * 1024;
  if (options.memory_budget_bytes >= 16 * kMiB) {
    // Records finish a batch at a time. With room for about one batch of
    // them, the rest were freed on a sender's thread while the reader
    // allocated new ones: the heap fragmented, and peak RSS over 2.4 GB of
    // 1 KiB lines crept from 35 to 41.6 MiB (36.6 with this room). A packed
    // record holds about 1 MB of data and a user entry per line (2.2 MB in
    // all for 100-byte lines): with room for none, each was a fresh mapping
    // (the CLI fixes malloc's mmap threshold at 128 KiB), faulted in page by
    // page, its users vector regrown by doubling, then unmapped, a third of
    // --pack's CPU (100-byte lines 0.90 -> 0.46 CPU-s per million here).
    // Taken from the records' share, so the budget still bounds the whole.
    return std::min(options.memory_budget_bytes / 4, 8 * kMiB);
  }
  return std::min<std::size_t>(options.memory_budget_bytes / 16, kMiB);
}

std::size_t body_buffer_allowance(const ProducerOptions& options) {
  // Room for one whole 4 MiB body whenever the budget is 16 MiB or more: with
  // an eighth of the CLI's 28 MiB (3.5 MiB) no full body (64 KiB records,
  // --pack) was ever kept, each was mapped and faulted in afresh, and 64 KiB
  // records cost twice the CPU (sys 0.45 -> 1.1 s per 330 MB). Capped at
  // 4 MiB, one idle 4 MiB body left no room for another, and with the
  // tuner's 2-4 requests in flight the others were new buffers, zero-filled
  // (PutRecordBatchBody::reserve) and faulted in: 14 % of the CPU of 64 KiB
  // records in a profile. Up to 8 MiB (7 of the CLI's 28): page faults on
  // 625 MiB of 64 KiB records 22,116 -> 8,067, CPU -12 % (and --pack -10 %),
  // 1 KiB and 100-byte lines unchanged, peak RSS 1-3 MiB lower
  // (docs/benchmarks.md, 2026-12-05 evening).
  return std::min<std::size_t>(options.memory_budget_bytes / 4, 2 * limits::kMaxBatchRequestBytes);
}

std::size_t budget_for_records(const ProducerOptions& options) {
  const std::size_t pack_room = std::min(options.pack_target_bytes, options.memory_budget_bytes / 2);
  return options.memory_budget_bytes - pack_room - spare_allowance(options) - body_buffer_allowance(options);
}

std::size_t spare_bytes(const PendingRecord& record) {
  return heap_block(sizeof(PendingRecord)) + heap_block(record.data.capacity() + 1) +
         record.users.capacity() * sizeof(UserRecord);
}

void clear_for_reuse(PendingRecord& record) {
  record.users.clear();  // outcome callbacks (and the promises they hold) go now
  record.attempts = 0;
  record.calls_failed = 0;
  record.first_attempt = {};
  record.last_attempt = {};
  record.deadline = {};
  record.queued_at = {};
  record.retry_at = {};
  record.possible_duplicate = false;
  record.last_error = Error{};
}

}  // namespace firehose::producer
