#pragma once
// The producer: accepts records from any number of threads and gets each one
// into Firehose, or into the dead-letter file with its reason.
//
//   put() -> framing (optional packing) -> batching (<= 500 records, <= 4 MiB
//   encoded, linger) -> rate limiter (adapts to throttling) -> sender (N
//   requests in flight) -> retrier (only failed records, backoff + full
//   jitter) -> outcome (future / callback) or dead-letter.
//
// Every record put() accepts ends with exactly one outcome.
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "firehose/cloudwatch_client.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/producer_metrics.hpp"
#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"
#include "firehose/timeout.hpp"

namespace firehose {

// One PutRecordBatch answer, or one whole-call failure, as the producer saw it.
struct BatchReport {
  std::size_t records = 0;           // Firehose records in the request
  std::size_t bytes = 0;             // their raw bytes
  std::size_t failed_put_count = 0;  // the answer's FailedPutCount; = records when the whole call failed
  // Per-record error codes and how many records had each, or the call's error code.
  std::vector<std::pair<std::string, std::size_t>> error_codes;
  int attempt = 1;  // the highest attempt number among its records
  std::chrono::nanoseconds latency{0};
  std::optional<Error> call_error;  // when the whole call failed: why
};

using BatchObserver = std::function<void(const BatchReport&)>;

struct ProducerOptions {
  std::string delivery_stream_name;

  // Sending.
  int max_in_flight = 16;                         // PutRecordBatch requests at once, at most
  // Keep in flight only as many as deliver the most: from 4, a limit that
  // follows the rate the answers show (an endpoint far away needs all of
  // max_in_flight; one bound by CPU delivers as much with fewer, for less
  // CPU and memory). false: always max_in_flight.
  bool tune_in_flight = true;
  std::chrono::milliseconds linger{100};          // how long a partial batch may wait for more records
  std::size_t max_batch_records = 500;            // <= 500 (the service's limit)
  std::size_t max_batch_bytes = 4 * 1024 * 1024;  // serialised request body, <= 4 MiB

  // Retrying: per record, only the records that failed.
  RetryPolicy retry{/*max_attempts=*/10, std::chrono::milliseconds(100), std::chrono::milliseconds(10'000)};
  std::chrono::milliseconds record_ttl{std::chrono::minutes(10)};  // give up after this long since put()

  // Rate: start slowly (from 1 MiB/s, doubling every 250 ms until the first
  // throttle), lower on throttling, recover cautiously (CUBIC).
  bool adaptive_rate = true;

  // Memory: an upper bound on what the producer allocates for the records
  // it accepted, until their outcome: their data and bookkeeping, their
  // entries in request bodies and in the service's answers. Each record is
  // charged all of it at put() (about 4 KB for a 1 KiB record, 1.6 KB of it
  // fixed per Firehose record; packed records share that part), less what
  // is kept for reusing finished records (a quarter, at most 8 MiB, from a
  // 16 MiB budget up; else 1/16, at most 1 MiB), a quarter (at most 4 MiB)
  // for reusing request body buffers and, with packing, one pack target.
  // put() blocks while the budget is used up (or returns kFull with
  // `blocking = false`). A process's peak RSS is then at most about its own
  // baseline plus 0.75 x the budget: `firehose send` measures 20 MiB + 0.75 x
  // its budget (less when the pipeline does not fill it), flat in the input
  // size (docs/benchmarks.md).
  std::size_t memory_budget_bytes = 64 * 1024 * 1024;
  bool blocking = true;

  // Packing: join small records (with '\n' between records that do not end
  // with one) into Firehose records of up to this many bytes. 0 = off.
  std::size_t pack_target_bytes = 0;

  // Dead-letter file (NDJSON, mode 0600); empty = none (failed records are
  // still reported through their outcome).
  std::string dead_letter_path;

  // Publishing metrics() to CloudWatch with PutMetricData, like the KPL; off
  // while metrics_namespace is empty. Every metrics_interval, and once more
  // in close() after draining (so a short run is counted too), a thread of
  // its own sends what changed since the last accepted publish, dimension
  // DeliveryStreamName: the counters as deltas (RecordsPut, RecordsRejected,
  // RecordsAcknowledged, RecordsFailed, RecordsRetried, RecordsThrottled,
  // RecordsDeadLettered, PossibleDuplicates: Count; BytesPut,
  // BytesAcknowledged, BilledBytes: Bytes; RequestsSucceeded,
  // RequestsPartiallyFailed, RequestsFailed: Count), the gauges
  // RequestsInFlight and BufferedBytes, and RequestLatency (one PutRecordBatch
  // call) and RecordLatency (put() to outcome) as statistic sets in
  // Milliseconds. A failed publish never slows sending; its counts go with the
  // next one, and it is logged (spdlog warn) once per streak of failures.
  std::shared_ptr<CloudWatchClient> metrics_client;  // required with a namespace
  std::string metrics_namespace;                     // e.g. "MyApp/Producer"; not "AWS/..."
  std::chrono::seconds metrics_interval{60};

  // Called on a sender thread after each answer (keep it short; it must not
  // call back into the producer). For logs such as `workflow`'s per-batch line.
  BatchObserver on_batch;
};

// What became of one record.
struct RecordOutcome {
  bool acknowledged = false;
  std::string record_id;   // when acknowledged (the Firehose record that carried it, when packed)
  std::string error_code;  // when not: e.g. ServiceUnavailableException, RecordTooLarge, Shutdown
  std::string error_message;
  int attempts = 0;  // sends of this record
  bool dead_lettered = false;
  bool possible_duplicate = false;      // an earlier send's outcome was unknown (timeout, reset)
  std::chrono::nanoseconds latency{0};  // from put() to this outcome
};

using OutcomeCallback = std::function<void(const RecordOutcome&)>;

// A record its caller refused before put(), to be accounted for like the
// records put() refuses: e.g. a line longer than the record limit, read only
// in part so that memory stays bounded.
struct RefusedRecord {
  std::string data;        // what is known of it: its first bytes when truncated
  std::size_t size = 0;    // its full size in bytes
  bool truncated = false;  // `data` is only a prefix (the entry cannot be sent again)
  std::string error_code;  // e.g. RecordTooLarge
  std::string error_message;
  std::string source;  // where it came from, e.g. "events.ndjson:12"
};

enum class PutStatus { kAccepted, kFull, kClosed };

class Producer {
 public:
  class Impl;

  // Checks the options (Client error "InvalidOption" naming the option, or
  // the stream name's error), opens the dead-letter file ("DeadLetterOpenFailed"),
  // starts the threads.
  static Result<std::unique_ptr<Producer>> create(std::shared_ptr<FirehoseClient> client, ProducerOptions options);
  // close(1 minute) if not closed. From an outcome callback it does not wait
  // for itself: shutdown(1 minute), and the close and the freeing go on on a
  // thread of their own (a process exiting at once may cut them short).
  ~Producer();

  // Thread-safe. The future resolves with the record's outcome; a record that
  // cannot be sent at all (empty, over 1,024,000 bytes, producer closed or
  // stopped) resolves at once; one refused for want of memory (non-blocking
  // mode, or from an outcome callback) with error code "ProducerFull".
  std::future<RecordOutcome> put(std::string data);
  // Same, with a callback run on a producer thread (keep it short). From an
  // outcome callback, put() never blocks on the memory budget (the outcomes
  // that would free it wait for this callback): when it is used up, kFull,
  // as in non-blocking mode (the record was not taken; no callback).
  PutStatus put(std::string data, OutcomeCallback callback);
  // Same, copying `data` (which may be reused once this returns) into the
  // memory of a finished record where one is free: at a steady rate no
  // allocation per record. For bytes that sit in a buffer of the caller's,
  // e.g. lines of a file read in blocks.
  PutStatus put_copy(std::string_view data, OutcomeCallback callback = {});
  // put_copy() of each record, without callbacks, taking the producer's lock
  // and the memory budget once for all of them (for records at hand in
  // numbers, e.g. a block of lines). Empty and oversized records are refused
  // one by one as in put(); the others are accepted or refused together
  // (kFull in non-blocking mode: none was taken).
  PutStatus put_copy_all(std::span<const std::string_view> records);

  // Accounts for a record the caller refused: written to the dead-letter
  // file (when set) and counted as rejected, as put() does for the records
  // it refuses, so that every record read is accounted for in one place.
  void refuse(const RefusedRecord& record);

  // Sends everything accepted so far; waits until each has an outcome or the
  // deadline passes ("FlushTimeout"). Intake goes on; records put meanwhile
  // are sent too but not waited for. From an outcome callback it would wait
  // for that callback's own record: it returns "InvalidState" at once.
  Status flush(std::chrono::steady_clock::duration timeout);
  // Stops intake now (put() calls refuse their records with "ProducerClosed",
  // those blocked on the memory budget with "Shutdown"), and lets what was
  // accepted drain for `grace`. Then every record without an outcome gets
  // one: unsent records and requests still in flight (abandoned at once, so
  // a server that never answers cannot hold the producer) fail with reason
  // "Shutdown", dead-lettered. Non-blocking, thread-safe (e.g. from a signal
  // watcher); a later call may only bring the deadline forward (a second
  // Ctrl-C: zero).
  void shutdown(std::chrono::steady_clock::duration grace);
  // shutdown(timeout), then waits until every record has its outcome (at
  // most about a second past the timeout) and stops the threads. Idempotent.
  // From an outcome callback (a producer thread) it would wait for itself:
  // it calls shutdown(timeout) and returns "InvalidState" at once; close()
  // from another thread, or the destructor, then completes it.
  Status close(std::chrono::steady_clock::duration timeout);

  // The same for a timeout in any unit: one beyond steady_clock's range
  // (hours::max(), years(300): "wait forever") waits forever, where a plain
  // conversion to nanoseconds would wrap to a negative timeout.
  template <class Rep, class Period>
  Status flush(std::chrono::duration<Rep, Period> timeout) {
    return flush(saturating_timeout(timeout));
  }
  // shutdown() for a grace in any unit (saturating, as flush()).
  template <class Rep, class Period>
  void shutdown(std::chrono::duration<Rep, Period> grace) {
    shutdown(saturating_timeout(grace));
  }
  // close() for a timeout in any unit (saturating, as flush()).
  template <class Rep, class Period>
  Status close(std::chrono::duration<Rep, Period> timeout) {
    return close(saturating_timeout(timeout));
  }

  // Set when the producer stopped itself: a condition that would fail every
  // record (stream not found, access denied, bad credentials, or an endpoint
  // that no call has ever reached once records used their attempts on it).
  // Records put after it fail at once with its code.
  std::optional<Error> fatal_error() const;

  // A snapshot of the counters, gauges and latencies (thread-safe, cheap).
  ProducerMetrics metrics() const;

  // Internal: producers are made with create().
  explicit Producer(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace firehose
