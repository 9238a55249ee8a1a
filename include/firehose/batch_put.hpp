#pragma once
// Sends any number of records with PutRecordBatch: splits them into calls
// within every limit (500 records, 4 MiB body), and retries only the records
// that failed (per-record errors, or every record of a call that failed as a
// whole) with the retry policy's backoff. Used by `put-record-batch`; the
// producer has its own pipeline for streams of records.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/firehose_client.hpp"
#include "firehose/session.hpp"

namespace firehose {

struct BatchPutReport {
  PutRecordBatchResult result;  // one entry per input record, in input order
  int calls = 0;                // PutRecordBatch calls made
  int retried_records = 0;      // record sends beyond the first
  int possible_duplicates = 0;  // records a send of which had an unknown outcome (reset, timeout), each once
};

// Splits record indices [0, sizes.size()) into consecutive groups that each
// make a valid PutRecordBatch call. Every record must be <= 1,024,000 bytes.
std::vector<std::vector<std::size_t>> plan_batches(std::string_view stream_name,
                                                   const std::vector<std::size_t>& indices,
                                                   const std::vector<std::string>& records);

using SleepFunction = std::function<void(std::chrono::milliseconds)>;

// Fails with an Error only when no record could be sent and the cause applies
// to every record (e.g. ResourceNotFoundException, bad credentials). A call
// refused that way stops the sending (the answer judge's kFatal): the records
// not acknowledged before it fail with its error.
Result<BatchPutReport> put_records_in_batches(const FirehoseClient& client, std::string_view stream_name,
                                              const std::vector<std::string>& records, const RetryPolicy& retry,
                                              const SleepFunction& sleep = {});

}  // namespace firehose
