#include "core/crypto.hpp"

#include <climits>
#include <cstdlib>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace firehose::aws::crypto {
namespace {

// OpenSSL 3 looks an algorithm up on every EVP_sha256() use; fetching it once
// keeps small hashes (the signing key chain, canonical requests) cheap.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

[[noreturn]] void fail(const char* what) {
  // Only reachable when OpenSSL itself is broken or out of memory: no caller could recover.
  fmt::print(stderr, "firehose: OpenSSL {} failed\n", what);
  std::abort();
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out;
  if (EVP_Digest(data.data(), data.size(), out.data(), nullptr, sha256_md(), nullptr) != 1) fail("SHA-256");
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1) fail("SHA-256 init");
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) fail("SHA-256 update");
}

Sha256Digest Sha256Hasher::finish() {
  Sha256Digest out;
  if (EVP_DigestFinal_ex(ctx_, out.data(), nullptr) != 1 || EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1) {
    fail("SHA-256 final");
  }
  return out;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest out;
  unsigned int length = 0;
  if (key.size() > static_cast<std::size_t>(INT_MAX) ||
      HMAC(sha256_md(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), out.data(), &length) ==
          nullptr ||
      length != out.size()) {
    fail("HMAC-SHA-256");
  }
  return out;
}

std::string hex_encode(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  char* p = out.data();
  for (unsigned char c : data) {
    *p++ = kDigits[c >> 4];
    *p++ = kDigits[c & 0x0F];
  }
  return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace firehose::aws::crypto
