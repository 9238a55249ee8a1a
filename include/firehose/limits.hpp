#pragma once
// The service's hard limits, in one place for the client, the producer's
// batcher, firehose-local's validation and applications that check records
// before they send them.
#include <cstddef>

namespace firehose::limits {

inline constexpr std::size_t kMaxRecordBytes = 1'024'000;  // raw data, before base64
inline constexpr std::size_t kMaxBatchRecords = 500;
inline constexpr std::size_t kMaxBatchRequestBytes = 4 * 1024 * 1024;  // serialised request body
inline constexpr std::size_t kMinStreamNameLength = 1;
inline constexpr std::size_t kMaxStreamNameLength = 64;
inline constexpr std::size_t kBillingRoundingBytes = 5 * 1024;  // each record billed in 5 KB steps

// The smallest PutRecordBatch request body that holds one record of
// kMaxRecordBytes (base64 and JSON included) for a stream name of this
// length: the least ProducerOptions::max_batch_bytes can be.
std::size_t min_batch_request_bytes(std::size_t stream_name_length = kMaxStreamNameLength);

}  // namespace firehose::limits
