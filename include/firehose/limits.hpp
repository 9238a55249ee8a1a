#pragma once
// The service's hard limits (facts §2), in one place for the client, the
// producer's batcher and firehose-local's validation.
#include <cstddef>

namespace firehose::limits {

inline constexpr std::size_t kMaxRecordBytes = 1'024'000;        // raw data, before base64
inline constexpr std::size_t kMaxBatchRecords = 500;
inline constexpr std::size_t kMaxBatchRequestBytes = 4 * 1024 * 1024;  // serialised request body
inline constexpr std::size_t kMinStreamNameLength = 1;
inline constexpr std::size_t kMaxStreamNameLength = 64;
inline constexpr std::size_t kBillingRoundingBytes = 5 * 1024;  // each record billed in 5 KB steps

}  // namespace firehose::limits
