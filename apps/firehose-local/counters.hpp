#pragma once
// What the server did, counted by kind, for GET /_local/counters: a test can
// reconcile what its client saw with what happened on this side (records
// stored but never acknowledged because of a reset-after, and so on).
#include <atomic>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace firehose::local {

struct Counters {
  using Counter = std::atomic<std::uint64_t>;

  Counter put_requests{0};             // PutRecord + PutRecordBatch calls that reached a stream
  Counter records_received{0};         // records in those calls
  Counter records_stored{0};           // records written to the spool (or discarded by --sink discard)
  Counter bytes_stored{0};             // their data, decoded (IncomingBytes, summed over streams and minutes)
  Counter records_acknowledged{0};     // stored records whose answer was sent (RecordId returned)
  Counter records_throttled{0};        // refused by a quota (per record or with their request)
  Counter requests_throttled{0};       // whole requests refused by the requests/s quota, or PutRecord over any quota
  Counter records_failed_injected{0};  // --fail-records
  Counter records_failed_storage{0};   // the spool could not be written
  Counter requests_failed_500{0};      // --fail-requests, InternalFailure
  Counter requests_failed_503{0};      // --fail-requests, ServiceUnavailableException
  Counter resets_before{0};            // --reset-before: connection dropped, nothing stored
  Counter resets_after{0};             // --reset-after: connection dropped after storing
  Counter records_stored_unacknowledged{0};  // stored by a reset-after request (the client saw no answer)
  Counter latency_injected{0};               // requests delayed by --latency-ms
  Counter stalls{0};                         // requests stalled by --stall-rate
  Counter requests_invalid{0};               // put requests refused by validation (4xx before reaching a stream)
  Counter auth_failures{0};                  // requests refused by signature checking

  nlohmann::json to_json() const;
  void reset();
};

}  // namespace firehose::local
