#include "firehose/error.hpp"

#include <fmt/format.h>

namespace firehose {

std::string Error::to_string() const {
  std::string out = code.empty() ? std::string("Error") : code;
  if (!message.empty()) out += ": " + message;
  if (!request_id.empty()) out += fmt::format(" (request id {})", request_id);
  return out;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Throttle: return "throttle";
    case ErrorKind::Transient: return "transient";
    case ErrorKind::Client: return "client";
    case ErrorKind::Auth: return "auth";
    case ErrorKind::Transport: return "transport";
    case ErrorKind::Config: return "config";
  }
  return "unknown";
}

const char* to_string(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::None: return "none";
    case TransportFailure::Dns: return "dns";
    case TransportFailure::Refused: return "refused";
    case TransportFailure::Reset: return "reset";
    case TransportFailure::Timeout: return "timeout";
    case TransportFailure::Tls: return "tls";
    case TransportFailure::Other: return "other";
  }
  return "unknown";
}

bool is_retryable(const Error& error) {
  // A certificate that failed verification fails the same way next time.
  if (error.kind == ErrorKind::Transport && error.transport == TransportFailure::Tls) return false;
  return error.kind == ErrorKind::Throttle || error.kind == ErrorKind::Transient || error.kind == ErrorKind::Transport;
}

}  // namespace firehose
