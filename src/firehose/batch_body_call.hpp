#pragma once
// The producer's PutRecordBatch call on a body it built itself, in a buffer
// it reuses, with the answer read in place (no copy per entry). Not public:
// the body's builder (protocol::PutRecordBatchBody) and the answer's type are
// wire-level details that may change.
#include <atomic>
#include <cstddef>
#include <string>

#include "firehose/firehose_client.hpp"
#include "protocol/firehose.hpp"

namespace firehose {

namespace detail {
struct FirehoseClientAccess {
  static Result<PutRecordBatchAnswer> put_record_batch_body(const FirehoseClient& client, std::string& body,
                                                            std::size_t record_count, const std::atomic<bool>* abort,
                                                            protocol::RecordIdUse record_ids);
};
}  // namespace detail

// Sends a body built with protocol::PutRecordBatchBody holding `record_count`
// records; the answer is read in place. `body` is left as it was sent, so
// that its buffer can hold the next call's body (PutRecordBatchBody takes it
// back). When `abort` is given and turns true, a call in progress is
// abandoned (Transport error "RequestAborted"; its records may have been stored).
// With RecordIdUse::kChecked the answer's RecordIds are checked, not kept.
inline Result<PutRecordBatchAnswer> put_record_batch_body(
    const FirehoseClient& client, std::string& body, std::size_t record_count, const std::atomic<bool>* abort = nullptr,
    protocol::RecordIdUse record_ids = protocol::RecordIdUse::kKept) {
  return detail::FirehoseClientAccess::put_record_batch_body(client, body, record_count, abort, record_ids);
}

}  // namespace firehose
