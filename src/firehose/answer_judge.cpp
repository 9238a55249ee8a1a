#include "firehose/answer_judge.hpp"

#include <string>

#include "aws/retry.hpp"

namespace firehose {

bool outcome_unknown(const Error& error) {
  if (error.kind != ErrorKind::Transport) return false;
  switch (error.transport) {
    case TransportFailure::Reset:
    case TransportFailure::Other: return true;
    case TransportFailure::Timeout:
      return error.code != "ConnectTimeout";  // the server never saw a request that could not connect
    default: return false;                    // DNS, refused, TLS: nothing reached the service
  }
}

bool never_reached(const Error& error) {
  return error.kind == ErrorKind::Transport && !outcome_unknown(error) && !error.sent_more_than_once;
}

Error never_reached_stop(Error error) {
  error.message += "; no call has ever reached the endpoint and records have used their attempts on it: stopped "
                   "(a wrong endpoint, or none running?)";
  return error;
}

// snippet-start:[cpp.example_code.firehose.ErrorHandlingRetries]
RecordVerdict judge_entry(std::string_view error_code, std::string_view error_message) {
  RecordVerdict verdict;
  if (error_code.empty()) return verdict;
  verdict.error =
      make_error(aws::classify_error_code(error_code, 200), std::string(error_code), std::string(error_message));
  verdict.throttled = verdict.error.kind == ErrorKind::Throttle;
  // One record's refusal never stops the stream: the others were answered.
  verdict.verdict = is_retryable(verdict.error) ? Verdict::kRetry : Verdict::kFail;
  return verdict;
}

RecordVerdict judge_call_error(const Error& error) {
  RecordVerdict verdict;
  verdict.error = error;
  verdict.throttled = error.kind == ErrorKind::Throttle;
  verdict.outcome_unknown = outcome_unknown(error) || error.sent_more_than_once;
  // A whole call refused for a reason that is not passing (stream not found,
  // access denied, bad credentials, an invalid request, a certificate that
  // failed verification) would refuse every later call the same way.
  verdict.verdict = is_retryable(error) ? Verdict::kRetry : Verdict::kFatal;
  return verdict;
}
// snippet-end:[cpp.example_code.firehose.ErrorHandlingRetries]

}  // namespace firehose
