#include "random.hpp"

#include <array>
#include <bit>
#include <cstring>

#include "core/crypto.hpp"

namespace firehose::local {

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t Random::up_to(std::uint64_t bound) {
  if (bound == UINT64_MAX) return next();
  // The modulo bias (below 2^-40 for the bounds used here) does not matter for jitter.
  return next() % (bound + 1);
}

Random RandomSource::fork() {
  std::lock_guard lock(mutex_);
  return Random(root_.next());
}

void append_record_id(Random& random, std::string& out) {
  // 168 random bytes encoded in place: a PutRecordBatch answer holds one id
  // per record, and a temporary string for each (allocated, copied, freed)
  // was most of their cost.
  constexpr std::size_t kRawBytes = 168;  // base64: 224 characters, no padding
  std::array<char, kRawBytes> raw;
  for (std::size_t i = 0; i < kRawBytes; i += 8) {  // 168 = 21 draws of 8 bytes, low byte first
    std::uint64_t bits = random.next();
    if constexpr (std::endian::native == std::endian::big) bits = __builtin_bswap64(bits);
    std::memcpy(raw.data() + i, &bits, sizeof bits);
  }
  const std::size_t start = out.size();
  out.resize(start + kRecordIdLength);
  aws::crypto::base64_encode_to(std::string_view(raw.data(), raw.size()), out.data() + start);
}

std::string make_record_id(Random& random) {
  std::string out;
  append_record_id(random, out);
  return out;
}

std::string make_uuid(Random& random) {
  const std::uint64_t hi = (random.next() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  const std::uint64_t lo = (random.next() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t value, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out.push_back(kHex[(value >> (4 * i)) & 0xf]);
  };
  put(hi >> 32, 8);
  out.push_back('-');
  put(hi >> 16, 4);
  out.push_back('-');
  put(hi, 4);
  out.push_back('-');
  put(lo >> 48, 4);
  out.push_back('-');
  put(lo, 12);
  return out;
}

}  // namespace firehose::local
