#pragma once
// The one error type of the library: every failure a caller can see, from a
// bad config file to a throttled record, is an Error with a classification
// that the retry logic and the CLI's exit codes are derived from.
#include <string>

namespace firehose {

// What kind of failure this is; decides whether and how it is retried.
enum class ErrorKind {
  Throttle,   // the service asked us to slow down (retry, lower the rate)
  Transient,  // 5xx, timeouts, per-record InternalFailure (retry)
  Client,     // the request is wrong (do not retry)
  Auth,       // credentials or signature refused (do not retry)
  Transport,  // no HTTP answer: DNS, refused, reset, timeout, TLS (retry)
  Config,     // local configuration: no credentials, no region, bad file
};

// For ErrorKind::Transport: what went wrong on the wire.
enum class TransportFailure { None, Dns, Refused, Reset, Timeout, Tls, Other };

struct Error {
  ErrorKind kind = ErrorKind::Client;
  std::string code;  // e.g. "ResourceNotFoundException", "ConnectionRefused"
  std::string message;
  int http_status = 0;     // 0 when there was no HTTP answer
  std::string request_id;  // x-amzn-RequestId, when the service sent one
  TransportFailure transport = TransportFailure::None;
  // The request went out before this failure (the transport re-sent it after
  // a connection died, and the second try failed or was answered with this
  // error): an earlier send may have been processed, whatever this says.
  bool sent_more_than_once = false;

  // "Code: message (request id X)": the one-line form the CLI prints.
  std::string to_string() const;
};

const char* to_string(ErrorKind kind);            // "throttle", "transient", "client", ...
const char* to_string(TransportFailure failure);  // "dns", "refused", ...; "none"

// True for kinds that are worth sending again (throttle, transient, transport),
// except a TLS failure (a certificate that failed verification fails the same
// way next time). The one retryability rule: aws::should_retry and the answer
// judge ask here.
bool is_retryable(const Error& error);

// Whether the request of a call that failed with `error` may have been
// processed all the same (a transport failure after it was sent: a reset, a
// timeout), so that sending it again may store its records twice. The answer
// judge's rule; callers that count possible duplicates or tell "never
// reached" from "maybe stored" ask here.
bool outcome_unknown(const Error& error);

// Whether a call that failed with `error` never reached anything that could
// answer it: the connection was refused or could not be made (DNS, connect
// timeout, TLS), and the request never went out. Nothing was stored. A producer
// that has never had an answer stops on it once a record has used all its
// attempts on it (a wrong endpoint, or none running), where an endpoint
// that answered before is waited for.
bool never_reached(const Error& error);

// The error such a stop ends with: `error` (never_reached), its message saying
// why it stops everything. One wording for the producer and the CLI's PutRecord loop.
Error never_reached_stop(Error error);

}  // namespace firehose
