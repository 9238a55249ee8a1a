#include "random.hpp"

#include <algorithm>
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

namespace {

constexpr std::size_t kSharedBytes = 156;  // a multiple of 3: its base64 ends where the rest's begins
constexpr std::size_t kOwnBytes = 12;      // 168 in all: 224 characters, no padding
static_assert((kSharedBytes + kOwnBytes) * 4 / 3 == kRecordIdLength && kSharedBytes % 3 == 0 && kOwnBytes % 3 == 0);

// `size` random bytes into `raw`, 8 a draw, low byte first.
void draw_bytes(Random& random, char* raw, std::size_t size) {
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t bits = random.next();
    if constexpr (std::endian::native == std::endian::big) bits = __builtin_bswap64(bits);
    std::memcpy(raw + i, &bits, std::min<std::size_t>(8, size - i));
  }
}

}  // namespace

RecordIds::RecordIds(Random& random) : random_(random) {
  std::array<char, kSharedBytes> raw;
  draw_bytes(random_, raw.data(), raw.size());
  shared_ = aws::crypto::base64_encode(std::string_view(raw.data(), raw.size()));
}

void RecordIds::append_to(std::string& out) {
  // Appended, not written into a resized string, which zero-filled each id
  // before writing it (ids were 5 % of the server's CPU).
  std::array<char, kOwnBytes> raw;
  draw_bytes(random_, raw.data(), raw.size());
  std::array<char, kOwnBytes * 4 / 3> own;
  aws::crypto::base64_encode_to(std::string_view(raw.data(), raw.size()), own.data());
  out.append(shared_);
  out.append(own.data(), own.size());
}

std::string make_record_id(Random& random) {
  std::string out;
  RecordIds(random).append_to(out);
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
