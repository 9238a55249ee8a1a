// credential_process output (and the container / IMDS documents, which share
// the reader): any stdout becomes credentials or one clear Error, and the
// Error never repeats the secret it may have read.
// Input: the format as its first byte, then the document.
#include <cstdint>
#include <string>

#include "aws/credentials/credentials_json.hpp"
#include "core/timestamp.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose::aws;
  if (size == 0) return 0;
  CredentialsJsonFormat format;
  format.session_token_key = (data[0] & 1) ? "Token" : "SessionToken";
  format.session_token_required = (data[0] & 2) != 0;
  format.expiration_required = (data[0] & 4) != 0;
  const std::string_view body = firehose::fuzz::as_text(data + 1, size - 1);
  auto credentials = parse_credentials_json(body, format, "fuzz");
  if (credentials.ok()) {
    if (credentials->access_key_id.empty() || credentials->secret_access_key.empty()) __builtin_trap();
  } else if (credentials.error().message.empty()) {
    __builtin_trap();
  }
  // The Expiration reader alone, on the raw text.
  auto when = parse_iso8601(body);
  if (when.ok()) (void)format_iso8601(*when, true);
  return 0;
}
