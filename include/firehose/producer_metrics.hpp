#pragma once
// A snapshot of the producer's counters, gauges and latency percentiles.
#include <cstdint>

namespace firehose {

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct ProducerMetrics {
  // Counters (since the producer was created).
  std::uint64_t records_in = 0;        // put() calls accepted
  std::uint64_t records_rejected = 0;  // refused at put(): empty, too large, closed
  std::uint64_t records_acknowledged = 0;
  std::uint64_t records_failed = 0;  // final failures (each also dead-lettered when a file is set)
  std::uint64_t records_dead_lettered = 0;
  std::uint64_t records_retried = 0;    // sends beyond a record's first
  std::uint64_t records_throttled = 0;  // per-record or whole-request throttles seen
  std::uint64_t possible_duplicates = 0;
  std::uint64_t bytes_in = 0;  // raw bytes accepted
  std::uint64_t bytes_acknowledged = 0;
  std::uint64_t billed_bytes = 0;      // Firehose records sent, each rounded up to 5 KB
  std::uint64_t requests_ok = 0;       // HTTP 200 answers
  std::uint64_t requests_partial = 0;  // 200 with FailedPutCount > 0
  std::uint64_t requests_failed = 0;   // whole-request failures (service error or transport)

  // Gauges (now).
  std::uint64_t requests_in_flight = 0;
  std::uint64_t buffered_bytes = 0;        // memory budget in use
  double rate_limit_bytes_per_second = 0;  // 0 = not limiting

  LatencySummary request_latency;  // one PutRecordBatch call
  LatencySummary record_latency;   // put() to outcome
};

}  // namespace firehose
