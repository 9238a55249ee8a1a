#include "verify_store.hpp"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace firehose::cli {

KeyHash hash_key(std::string_view key) {
  const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
  KeyHash out{h.high64, h.low64};
  if (out == KeyHash{}) out.low = 1;  // {0, 0} marks an empty slot
  return out;
}

ExactKeyStore::ExactKeyStore(std::size_t expected_keys) {
  const std::size_t wanted = std::max<std::size_t>(1024, expected_keys + expected_keys / 3 + 1);
  slots_.resize(std::bit_ceil(wanted));
  mask_ = slots_.size() - 1;
}

std::size_t ExactKeyStore::index_of(const KeyHash& hash) const {
  // The hash's low bits are already uniform: no further mixing needed.
  std::size_t i = static_cast<std::size_t>(hash.low) & mask_;
  while (!(slots_[i].hash == KeyHash{}) && !(slots_[i].hash == hash)) i = (i + 1) & mask_;
  return i;
}

KeyCounts& ExactKeyStore::at(const KeyHash& hash) {
  std::size_t i = index_of(hash);
  if (slots_[i].hash == hash) return slots_[i].counts;
  if ((size_ + 1) * 4 > slots_.size() * 3) {  // over 3/4 full: linear probing slows down
    grow();
    i = index_of(hash);
  }
  slots_[i].hash = hash;
  ++size_;
  return slots_[i].counts;
}

KeyCounts* ExactKeyStore::find(const KeyHash& hash) {
  const std::size_t i = index_of(hash);
  return slots_[i].hash == hash ? &slots_[i].counts : nullptr;
}

void ExactKeyStore::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (!(slot.hash == KeyHash{})) slots_[index_of(slot.hash)] = slot;
  }
}

BloomKeySet::BloomKeySet(std::uint64_t expected_keys, double false_positive_rate) {
  const double n = static_cast<double>(std::max<std::uint64_t>(expected_keys, 1));
  const double p = std::clamp(false_positive_rate, 1e-12, 0.5);
  const double ln2 = std::log(2.0);
  const double bits = std::ceil(-n * std::log(p) / (ln2 * ln2));
  bits_ = std::max<std::uint64_t>(64, static_cast<std::uint64_t>(bits));
  hashes_ = std::clamp(static_cast<int>(std::lround(static_cast<double>(bits_) / n * ln2)), 1, 30);
  words_.assign((bits_ + 63) / 64, 0);
}

bool BloomKeySet::insert(const KeyHash& hash) {
  bool present = true;
  // Double hashing (Kirsch and Mitzenmacher): h1 + i * h2 gives k positions
  // as good as k independent hashes; h2 odd so it never degenerates.
  const std::uint64_t h2 = hash.low | 1;
  std::uint64_t position = hash.high;
  for (int i = 0; i < hashes_; ++i, position += h2) {
    const std::uint64_t bit = position % bits_;
    std::uint64_t& word = words_[bit / 64];
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    if ((word & mask) == 0) present = false;
    word |= mask;
  }
  return present;
}

bool BloomKeySet::contains(const KeyHash& hash) const {
  const std::uint64_t h2 = hash.low | 1;
  std::uint64_t position = hash.high;
  for (int i = 0; i < hashes_; ++i, position += h2) {
    const std::uint64_t bit = position % bits_;
    if ((words_[bit / 64] & (std::uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace firehose::cli
