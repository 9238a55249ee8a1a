#pragma once
// The hashing and encoding primitives signing and the wire protocol run on:
// SHA-256, HMAC-SHA-256, hex and base64. They see every record byte (the body
// is hashed for SigV4, record data is base64-encoded into the JSON), so they
// work on whole buffers and never grow a string byte by byte.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "firehose/result.hpp"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace firehose::aws::crypto {

inline constexpr std::size_t kSha256Size = 32;
using Sha256Digest = std::array<unsigned char, kSha256Size>;

Sha256Digest sha256(std::string_view data);
// Lower-case hex of the SHA-256, the form SigV4 uses for payload hashes.
std::string sha256_hex(std::string_view data);

// For bodies that are built in pieces: hashes without concatenating them first.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void update(std::string_view data);
  // Ends the computation; the hasher starts over afterwards.
  Sha256Digest finish();

 private:
  evp_md_ctx_st* ctx_;
};

Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
inline Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data) {
  return hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), data);
}

// Lower-case hex.
std::string hex_encode(std::string_view bytes);
inline std::string hex_encode(const Sha256Digest& digest) {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// Compares in time that depends only on the lengths, for secrets and signatures.
bool constant_time_equals(std::string_view a, std::string_view b);

// Length of the standard, padded base64 of `raw` bytes: 4 * ceil(raw / 3).
std::size_t base64_encoded_size(std::size_t raw);
// Standard alphabet, '=' padding.
std::string base64_encode(std::string_view raw);
// Appends the encoding to `out` without a temporary.
void base64_encode_append(std::string_view raw, std::string& out);
// Writes the encoding at `out`, which has room for base64_encoded_size(raw.size())
// characters, and returns its end (for request bodies written in place).
char* base64_encode_to(std::string_view raw, char* out);

// Strict decoding of standard, padded base64: the length must be a multiple of
// 4, only the alphabet is allowed (no whitespace, no URL-safe characters), and
// '=' may only be the last one or two characters. Errors are ErrorKind::Client,
// code "InvalidBase64", with the offending offset in the message.
Result<std::string> base64_decode(std::string_view encoded);
// The most bytes `encoded_size` characters decode to (padding not subtracted).
constexpr std::size_t base64_decoded_bound(std::size_t encoded_size) { return encoded_size / 4 * 3; }
// The same decoding into `out`, which has room for base64_decoded_bound(encoded.size())
// bytes: the decoded size, or the same errors (`out` then holds garbage).
// For callers that decode many values into one buffer.
Result<std::size_t> base64_decode_to(std::string_view encoded, char* out);

}  // namespace firehose::aws::crypto
