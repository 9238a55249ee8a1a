#pragma once
// What `firehose verify` remembers per record key: a 128-bit hash of the key,
// never the key itself, so memory depends on the number of distinct keys and
// not on their length.
//
//   ExactKeyStore  an open-addressing table of {hash, sent, delivered,
//                  dead-lettered}: 24 bytes a slot, at most 3/4 full, grown
//                  by doubling, so 32 to 64 bytes per distinct key (measured
//                  in docs/verify.md). Exact up to a 128-bit hash collision
//                  (about n^2 / 2^129: 1e-23 for 100 M keys).
//   BloomKeySet    a Bloom filter (k hashes by double hashing of the 128-bit
//                  hash) sized for n keys at a false-positive rate p: -n ln p
//                  / (ln 2)^2 bits, 2.4 bytes per key at p = 1e-4. `verify
//                  --mode bloom` uses three of them (sent, delivered once,
//                  delivered twice): 7.2 bytes per key.
#include <cstdint>
#include <string_view>
#include <vector>

namespace firehose::cli {

struct KeyHash {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool operator==(const KeyHash&) const = default;
};

// XXH3-128 of the key (stable across xxHash versions since 0.8), never {0, 0}
// (the empty slot's mark).
KeyHash hash_key(std::string_view key);

// Counts per key, saturating at 65,535 (a key sent or delivered more often
// than that is reported as that many).
struct KeyCounts {
  std::uint16_t sent = 0;
  std::uint16_t delivered = 0;
  std::uint16_t dead_lettered = 0;
  std::uint16_t flags = 0;  // the matcher's marks (examples already shown)
};

// Adds one to a saturating counter.
inline void bump(std::uint16_t& counter) {
  if (counter != UINT16_MAX) ++counter;
}

class ExactKeyStore {
 public:
  struct Slot {
    KeyHash hash;  // {0, 0}: empty
    KeyCounts counts;
  };
  static_assert(sizeof(Slot) == 24);

  explicit ExactKeyStore(std::size_t expected_keys = 0);

  // The key's counts, added (all zero) when new.
  KeyCounts& at(const KeyHash& hash);
  // The key's counts, or nullptr.
  KeyCounts* find(const KeyHash& hash);

  std::size_t size() const { return size_; }
  // Bytes held by the table (its slots).
  std::size_t memory_bytes() const { return slots_.size() * sizeof(Slot); }

  // Every key's hash and counts, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& slot : slots_) {
      if (!(slot.hash == KeyHash{})) f(slot.hash, slot.counts);
    }
  }

 private:
  std::size_t index_of(const KeyHash& hash) const;  // its slot, or the empty one where it would go
  void grow();

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

class BloomKeySet {
 public:
  // Sized for `expected_keys` at `false_positive_rate` (at least 64 bits).
  BloomKeySet(std::uint64_t expected_keys, double false_positive_rate);

  // Adds the key; whether it was (probably) there before.
  bool insert(const KeyHash& hash);
  // False: certainly never inserted. True: inserted, or a false positive.
  bool contains(const KeyHash& hash) const;

  std::uint64_t bits() const { return bits_; }
  int hash_count() const { return hashes_; }
  std::size_t memory_bytes() const { return words_.size() * sizeof(std::uint64_t); }

 private:
  std::uint64_t bits_;
  int hashes_;
  std::vector<std::uint64_t> words_;
};

}  // namespace firehose::cli
