#include "aws/crypto.hpp"

#include <bit>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

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

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr unsigned char kInvalid = 0xFF;

struct DecodeTable {
  unsigned char value[256];
  constexpr DecodeTable() : value() {
    for (auto& v : value) v = kInvalid;
    for (unsigned i = 0; i < 64; ++i) value[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<unsigned char>(i);
  }
};
constexpr DecodeTable kDecode;

Error invalid_base64(std::size_t offset, std::string_view why) {
  return make_error(ErrorKind::Client, "InvalidBase64", fmt::format("invalid base64 at offset {}: {}", offset, why));
}

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

std::size_t base64_encoded_size(std::size_t raw) { return (raw + 2) / 3 * 4; }

std::string base64_encode(std::string_view raw) {
  std::string out;
  base64_encode_append(raw, out);
  return out;
}

namespace {

// Every 12-bit value's two base64 characters, first character in the low
// byte: one lookup per two output characters. OpenSSL's EVP_EncodeBlock looks
// up one character at a time and ran at about a third of this speed; the
// encoder sees every record byte, so it is worth the 8 KiB table.
struct PairTable {
  std::uint16_t pair[4096];
  constexpr PairTable() : pair() {
    for (unsigned i = 0; i < 4096; ++i) {
      pair[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(kBase64Alphabet[i >> 6]) |
                                           (static_cast<unsigned char>(kBase64Alphabet[i & 63]) << 8));
    }
  }
};
constexpr PairTable kPairs;

inline std::uint64_t load_big_endian_64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// Four pairs, eight characters, in one store where the byte order allows.
inline void store_pairs(char* dst, std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  if constexpr (std::endian::native == std::endian::little) {
    const std::uint64_t word = a | (b << 16) | (c << 32) | (d << 48);
    std::memcpy(dst, &word, sizeof word);
  } else {
    for (std::uint64_t pair : {a, b, c, d}) {
      *dst++ = static_cast<char>(pair & 0xFF);
      *dst++ = static_cast<char>(pair >> 8);
    }
  }
}

}  // namespace

void base64_encode_append(std::string_view raw, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + base64_encoded_size(raw.size()));
  char* dst = out.data() + start;
  const auto* src = bytes(raw);
  std::size_t left = raw.size();
  // Six bytes (four 12-bit groups, eight characters) per step, reading eight:
  // the loop stops while at least two bytes past the step remain.
  while (left >= 8) {
    const std::uint64_t v = load_big_endian_64(src);
    store_pairs(dst, kPairs.pair[(v >> 52) & 0xFFF], kPairs.pair[(v >> 40) & 0xFFF], kPairs.pair[(v >> 28) & 0xFFF],
                kPairs.pair[(v >> 16) & 0xFFF]);
    src += 6;
    dst += 8;
    left -= 6;
  }
  while (left >= 3) {
    const unsigned triple = (unsigned{src[0]} << 16) | (unsigned{src[1]} << 8) | src[2];
    const std::uint16_t high = kPairs.pair[triple >> 12];
    const std::uint16_t low = kPairs.pair[triple & 0xFFF];
    dst[0] = static_cast<char>(high & 0xFF);
    dst[1] = static_cast<char>(high >> 8);
    dst[2] = static_cast<char>(low & 0xFF);
    dst[3] = static_cast<char>(low >> 8);
    src += 3;
    dst += 4;
    left -= 3;
  }
  if (left > 0) {
    const unsigned triple = (unsigned{src[0]} << 16) | (left == 2 ? unsigned{src[1]} << 8 : 0u);
    dst[0] = kBase64Alphabet[triple >> 18];
    dst[1] = kBase64Alphabet[(triple >> 12) & 63];
    dst[2] = left == 2 ? kBase64Alphabet[(triple >> 6) & 63] : '=';
    dst[3] = '=';
  }
}

Result<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) {
    return invalid_base64(in.size(), fmt::format("length {} is not a multiple of 4", in.size()));
  }
  std::string out;
  if (in.empty()) return out;
  std::size_t padding = 0;
  if (in.back() == '=') padding = in[in.size() - 2] == '=' ? 2 : 1;
  out.resize(in.size() / 4 * 3 - padding);

  const auto* src = bytes(in);
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full_groups = in.size() / 4 - (padding > 0 ? 1 : 0);
  for (std::size_t g = 0; g < full_groups; ++g, src += 4, dst += 3) {
    const unsigned a = kDecode.value[src[0]], b = kDecode.value[src[1]];
    const unsigned c = kDecode.value[src[2]], d = kDecode.value[src[3]];
    if ((a | b | c | d) > 63) {  // only kInvalid sets bits above the six a character carries
      for (std::size_t i = 0; i < 4; ++i) {
        if (kDecode.value[src[i]] == kInvalid) {
          const std::size_t offset = g * 4 + i;
          return invalid_base64(offset, src[i] == '=' ? std::string("padding before the end")
                                                      : fmt::format("invalid character 0x{:02x}", src[i]));
        }
      }
    }
    const unsigned triple = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<unsigned char>(triple >> 16);
    dst[1] = static_cast<unsigned char>(triple >> 8);
    dst[2] = static_cast<unsigned char>(triple);
  }
  if (padding > 0) {
    // The last group: two or three significant characters, then the padding.
    const std::size_t base = full_groups * 4;
    const std::size_t significant = 4 - padding;
    unsigned triple = 0;
    for (std::size_t i = 0; i < significant; ++i) {
      const unsigned v = kDecode.value[src[i]];
      if (v == kInvalid) {
        return invalid_base64(base + i, src[i] == '=' ? std::string("padding before the end")
                                                      : fmt::format("invalid character 0x{:02x}", src[i]));
      }
      triple |= v << (18 - 6 * i);
    }
    dst[0] = static_cast<unsigned char>(triple >> 16);
    if (padding == 1) dst[1] = static_cast<unsigned char>(triple >> 8);
  }
  return out;
}

}  // namespace firehose::aws::crypto
