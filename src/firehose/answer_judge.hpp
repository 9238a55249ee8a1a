#pragma once
// The one answer judge: what a PutRecord / PutRecordBatch answer means for
// each record it carried. Every sender (put-record, put-record-batch, the
// producer's retrier, workflow) asks here, so that one rule decides whether a
// record is acknowledged, sent again, given up on, or whether the whole
// stream must stop.
#include <string_view>

#include "firehose/error.hpp"
#include "protocol/firehose.hpp"

namespace firehose {

enum class Verdict {
  kAcknowledged,  // stored (RecordId given)
  kRetry,         // refused for a reason that may pass: throttle, transient, transport
  kFail,          // refused for this record alone, for good
  kFatal,         // a refusal every later call would meet too: stop sending
};

struct RecordVerdict {
  Verdict verdict = Verdict::kAcknowledged;
  Error error;             // why, unless acknowledged
  bool throttled = false;  // a throttle ("Slow down.", a throttled call): a signal for the rate limiter
  // The call's outcome is unknown (reset, timeout after sending, or an error
  // answering a request the transport had to send twice): the record may
  // have been stored although it is sent again.
  bool outcome_unknown = false;
};

// One entry of a PutRecordBatch answer (an HTTP 200).
RecordVerdict judge_entry(std::string_view error_code, std::string_view error_message);
inline RecordVerdict judge_entry(const PutRecordBatchAnswer::Entry& entry) {
  return judge_entry(entry.error_code, entry.error_message);
}

// A call that failed as a whole (no per-record answer): applies to each of
// its records.
RecordVerdict judge_call_error(const Error& error);

// outcome_unknown(const Error&), the rule for transport failures after which
// the request may have been processed, is public (firehose/error.hpp).

}  // namespace firehose
