// Base64 (standard alphabet, '=' padding): the encoder sees every record byte
// on its way into a PutRecordBatch body, the strict decoder every byte
// firehose-local receives. Debian has no fast base64 library (libb64 is slower
// than OpenSSL's EVP_EncodeBlock, which is itself a byte-at-a-time lookup), so
// both directions are ours: a portable kernel and, where the CPU has AVX2, a
// vector one chosen at run time; tests hold both to OpenSSL's output. The
// vector decoder is Muła and Lemire's ("Faster Base64 Encoding and Decoding
// using AVX2 Instructions", 2018): it was a sixth of firehose-local's CPU.
#include <bit>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "core/base64_kernels.hpp"
#include "core/crypto.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FIREHOSE_BASE64_AVX2 1
#include <immintrin.h>
#endif

namespace firehose::aws::crypto {
namespace {

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr unsigned char kInvalid = 0xFF;

struct DecodeTable {
  unsigned char value[256];
  constexpr DecodeTable() : value() {
    for (auto& v : value) v = kInvalid;
    for (unsigned i = 0; i < 64; ++i)
      value[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<unsigned char>(i);
  }
};
constexpr DecodeTable kDecode;

Error invalid_base64(std::size_t offset, std::string_view why) {
  return make_error(ErrorKind::Client, "InvalidBase64", fmt::format("invalid base64 at offset {}: {}", offset, why));
}

// Every 12-bit value's two base64 characters, first character in the low
// byte: one lookup per two output characters, about three times
// EVP_EncodeBlock's speed, for CPUs without AVX2.
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

#ifdef FIREHOSE_BASE64_AVX2
// Each 32-bit lane of the result holds the four 6-bit indices of three input
// bytes, in output order. Per lane the input arrives as [s1 s0 s2 s1], so
// that the low 16-bit half is s0:s1 and the high half s1:s2, big-endian:
// a = s0 >> 2 and c = (s1:s2 >> 6) & 63 are brought down by a high multiply,
// b = (s0:s1 >> 4) & 63 and d = s2 & 63 up by a low one, into bytes 0..3.
__attribute__((target("avx2"))) inline __m256i indices_avx2(__m256i in) {
  const __m256i spread = _mm256_shuffle_epi8(in, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                                                  1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
  const __m256i ac =
      _mm256_mulhi_epu16(_mm256_and_si256(spread, _mm256_set1_epi32(0x0fc0fc00)), _mm256_set1_epi32(0x04000040));
  const __m256i bd =
      _mm256_mullo_epi16(_mm256_and_si256(spread, _mm256_set1_epi32(0x003f03f0)), _mm256_set1_epi32(0x01000010));
  return _mm256_or_si256(ac, bd);
}

// Index to character by adding an offset chosen per range: 0..25 'A',
// 26..51 'a' - 26, 52..61 '0' - 52, 62 '+' - 62, 63 '/' - 63. A saturating
// subtraction maps 52..63 to 1..12 and everything below to 0; the 0..25
// range is then told apart with a compare and given slot 13.
__attribute__((target("avx2"))) inline __m256i characters_avx2(__m256i indices) {
  __m256i slot = _mm256_subs_epu8(indices, _mm256_set1_epi8(51));
  const __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), indices);
  slot = _mm256_or_si256(slot, _mm256_and_si256(upper, _mm256_set1_epi8(13)));
  constexpr char kDigit = '0' - 52;
  const __m256i offsets = _mm256_setr_epi8('a' - 26, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit,
                                           kDigit, kDigit, '+' - 62, '/' - 63, 'A', 0, 0,  //
                                           'a' - 26, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit, kDigit,
                                           kDigit, kDigit, '+' - 62, '/' - 63, 'A', 0, 0);
  return _mm256_add_epi8(_mm256_shuffle_epi8(offsets, slot), indices);
}

__attribute__((target("avx2"))) inline __m256i load_24_avx2(const unsigned char* src) {
  // Bytes 0..11 into the low 128-bit lane, 12..23 into the high one (each
  // load reads 16: four bytes past the 24 are read, never used).
  const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 12));
  return _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
}
#endif

}  // namespace

namespace detail {

char* base64_encode_portable(const unsigned char* src, std::size_t left, char* dst) {
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
    dst += 4;
  }
  return dst;
}

bool base64_avx2_available() {
#ifdef FIREHOSE_BASE64_AVX2
  static const bool available = __builtin_cpu_supports("avx2");
  return available;
#else
  return false;
#endif
}

#ifdef FIREHOSE_BASE64_AVX2
__attribute__((target("avx2"))) char* base64_encode_avx2(const unsigned char* src, std::size_t left, char* dst) {
  // 48 bytes in, 64 characters out per step; each 24-byte load reads 28.
  while (left >= 52) {
    const __m256i first = characters_avx2(indices_avx2(load_24_avx2(src)));
    const __m256i second = characters_avx2(indices_avx2(load_24_avx2(src + 24)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), first);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32), second);
    src += 48;
    dst += 64;
    left -= 48;
  }
  while (left >= 28) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), characters_avx2(indices_avx2(load_24_avx2(src))));
    src += 24;
    dst += 32;
    left -= 24;
  }
  return base64_encode_portable(src, left, dst);
}
#else
char* base64_encode_avx2(const unsigned char* src, std::size_t left, char* dst) {
  return base64_encode_portable(src, left, dst);
}
#endif

std::size_t base64_decode_groups_portable(const unsigned char* src, std::size_t groups, unsigned char* dst) {
  for (std::size_t g = 0; g < groups; ++g, src += 4, dst += 3) {
    const unsigned a = kDecode.value[src[0]], b = kDecode.value[src[1]];
    const unsigned c = kDecode.value[src[2]], d = kDecode.value[src[3]];
    if ((a | b | c | d) > 63) return g;  // only kInvalid sets bits above the six a character carries
    const unsigned triple = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<unsigned char>(triple >> 16);
    dst[1] = static_cast<unsigned char>(triple >> 8);
    dst[2] = static_cast<unsigned char>(triple);
  }
  return groups;
}

#ifdef FIREHOSE_BASE64_AVX2
__attribute__((target("avx2"))) std::size_t base64_decode_groups_avx2(const unsigned char* src, std::size_t groups,
                                                                      unsigned char* dst) {
  // Validation: each character's low nibble and high nibble select bit sets
  // that share a bit exactly when the character is outside the alphabet.
  const __m256i lut_lo = _mm256_setr_epi8(
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,  //
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i lut_hi = _mm256_setr_epi8(
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,  //
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  // Translation: the offset to add per high nibble ('/' told apart from '+').
  const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                            0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i mask_2f = _mm256_set1_epi8(0x2f);
  std::size_t g = 0;
  // 32 characters in, 24 bytes out per step, written as a 32-byte store: the
  // loop stops while the output still has 8 bytes of room past the step
  // (11 groups left: 33 bytes).
  while (groups - g >= 11) {
    const __m256i text = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
    const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(text, 4), mask_2f);
    const __m256i lo_nibbles = _mm256_and_si256(text, mask_2f);
    const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
    const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
    if (!_mm256_testz_si256(lo, hi)) break;  // the portable loop finds which group
    const __m256i eq_2f = _mm256_cmpeq_epi8(text, mask_2f);
    const __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles));
    const __m256i values = _mm256_add_epi8(text, roll);  // 6-bit values
    // Four 6-bit values to three bytes per 32-bit lane, then the lanes' 12
    // bytes each packed together.
    const __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
    __m256i bytes = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    bytes = _mm256_shuffle_epi8(bytes, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
    bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), bytes);
    src += 32;
    dst += 24;
    g += 8;
  }
  return g + base64_decode_groups_portable(src, groups - g, dst);
}
#else
std::size_t base64_decode_groups_avx2(const unsigned char* src, std::size_t groups, unsigned char* dst) {
  return base64_decode_groups_portable(src, groups, dst);
}
#endif

}  // namespace detail

std::size_t base64_encoded_size(std::size_t raw) { return (raw + 2) / 3 * 4; }

char* base64_encode_to(std::string_view raw, char* out) {
  const auto* src = reinterpret_cast<const unsigned char*>(raw.data());
  return detail::base64_avx2_available() ? detail::base64_encode_avx2(src, raw.size(), out)
                                         : detail::base64_encode_portable(src, raw.size(), out);
}

std::string base64_encode(std::string_view raw) {
  std::string out;
  base64_encode_append(raw, out);
  return out;
}

void base64_encode_append(std::string_view raw, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + base64_encoded_size(raw.size()));
  base64_encode_to(raw, out.data() + start);
}

Result<std::size_t> base64_decode_to(std::string_view in, char* out) {
  if (in.size() % 4 != 0) {
    return invalid_base64(in.size(), fmt::format("length {} is not a multiple of 4", in.size()));
  }
  if (in.empty()) return std::size_t{0};
  std::size_t padding = 0;
  if (in.back() == '=') padding = in[in.size() - 2] == '=' ? 2 : 1;
  const std::size_t size = in.size() / 4 * 3 - padding;

  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  auto* dst = reinterpret_cast<unsigned char*>(out);
  const std::size_t full_groups = in.size() / 4 - (padding > 0 ? 1 : 0);
  const std::size_t decoded = detail::base64_avx2_available()
                                  ? detail::base64_decode_groups_avx2(src, full_groups, dst)
                                  : detail::base64_decode_groups_portable(src, full_groups, dst);
  if (decoded < full_groups) {
    for (std::size_t i = decoded * 4;; ++i) {
      const auto c = static_cast<unsigned char>(in[i]);
      if (kDecode.value[c] == kInvalid) {
        return invalid_base64(
            i, c == '=' ? std::string("padding before the end") : fmt::format("invalid character 0x{:02x}", c));
      }
    }
  }
  src += full_groups * 4;
  dst += full_groups * 3;
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
  return size;
}

Result<std::string> base64_decode(std::string_view in) {
  std::string out(base64_decoded_bound(in.size()), '\0');
  auto size = base64_decode_to(in, out.data());
  if (!size.ok()) return size.error();
  out.resize(*size);
  return out;
}

}  // namespace firehose::aws::crypto
