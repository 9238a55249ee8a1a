#pragma once
// What the memory budget charges: everything the producer allocates for a
// record from put() to its outcome, charged up front (so a queued record is
// charged for its request body and answer too). Each figure is an upper bound.
#include <algorithm>
#include <cstddef>
#include <optional>

#include "firehose/producer.hpp"
#include "firehose/producer/pending_record.hpp"
#include "firehose/producer/record_bytes.hpp"

namespace firehose::producer {

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

// A Firehose record's share, carried by the user record that started it:
// the record, its error text, its body entry's framing ({"Data":""} and a
// comma), its answer, and the pointers to it in queues and batches.
constexpr std::size_t kFirehoseRecordCharge =
    heap_block(sizeof(PendingRecord)) + kErrorTextBytes + 12 + kAnswerBytesPerRecord + 4 * sizeof(PendingPtr);

// A user record's own share: its bytes (its own string, or its slice of a
// packed record plus a delimiter), their base64 in a request body, and its
// outcome bookkeeping.
std::size_t user_charge(const RecordBytes& data, bool packing);

// Why put() refuses a record at once, if it does: empty, or over the
// 1,024,000-byte record limit (it would never be accepted, so it is never
// charged).
std::optional<RefusedRecord> refused_at_put(const RecordBytes& data);

// Finished records kept for reuse may hold this much of the budget: a
// quarter of it, at most 8 MiB (several batches of records, or a few whole
// packed records); below 16 MiB, 1/16 of it.
std::size_t spare_allowance(const ProducerOptions& options);
// Idle request body buffers kept for reuse may hold this much: a quarter of
// the budget, at most 8 MiB (about twelve bodies of 500 records of 1 KiB; from
// a 32 MiB budget up, two 4 MiB bodies of packed or 64 KiB records; the CLI's
// 28 MiB gives 7 MiB, one such body and smaller ones).
std::size_t body_buffer_allowance(const ProducerOptions& options);
// What is left for records: the budget less both allowances and, with
// packing, the room reserved for a whole target in the record being filled
// (never more than half the budget).
std::size_t budget_for_records(const ProducerOptions& options);

// What a spare record holds: its data buffer, its users vector, itself.
std::size_t spare_bytes(const PendingRecord& record);
// Ready for reuse, except the data: put() moves the next record's data in
// (the old buffer is freed on the thread that allocated it) or, for
// put_copy(), copies it into the same buffer.
void clear_for_reuse(PendingRecord& record);

}  // namespace firehose::producer
