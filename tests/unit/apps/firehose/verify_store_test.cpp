// The key stores of `firehose verify`: the exact table keeps every key's
// counts through growth; the Bloom filter never forgets a key and stays near
// its stated false-positive rate.
#include "verify_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace firehose::cli {
namespace {

TEST(VerifyKeyHash, IsStableAndNeverTheEmptyMark) {
  EXPECT_EQ(hash_key("{\"id\":1}"), hash_key(std::string("{\"id\":1}")));
  EXPECT_NE(hash_key("a"), hash_key("b"));
  EXPECT_NE(hash_key(""), (KeyHash{}));
  // XXH3-128 of "" is fixed by the algorithm (xxHash 0.8): a changed hash would
  // mean a changed library, not a changed key.
  EXPECT_EQ(hash_key("").high, 0x99aa06d3014798d8ULL);
}

TEST(ExactKeyStore, KeepsEveryKeysCountsThroughGrowth) {
  ExactKeyStore store;
  constexpr int kKeys = 200000;  // many doublings from the initial 1,024 slots
  for (int i = 0; i < kKeys; ++i) bump(store.at(hash_key(std::to_string(i))).sent);
  for (int i = 0; i < kKeys; i += 2) bump(store.at(hash_key(std::to_string(i))).delivered);
  EXPECT_EQ(store.size(), static_cast<std::size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    const KeyCounts* counts = store.find(hash_key(std::to_string(i)));
    ASSERT_NE(counts, nullptr) << i;
    EXPECT_EQ(counts->sent, 1);
    EXPECT_EQ(counts->delivered, i % 2 == 0 ? 1 : 0);
  }
  EXPECT_EQ(store.find(hash_key("not a key")), nullptr);
  // At most 3/4 full, at least 3/8 after a doubling: 32 to 64 bytes a key.
  const double per_key = static_cast<double>(store.memory_bytes()) / kKeys;
  EXPECT_GE(per_key, 32.0);
  EXPECT_LE(per_key, 64.0);
  std::size_t seen = 0;
  store.for_each([&](const KeyHash&, const KeyCounts&) { ++seen; });
  EXPECT_EQ(seen, store.size());
}

TEST(ExactKeyStore, CountersSaturate) {
  ExactKeyStore store;
  KeyCounts& counts = store.at(hash_key("hot"));
  for (int i = 0; i < 70000; ++i) bump(counts.delivered);
  EXPECT_EQ(counts.delivered, UINT16_MAX);
}

TEST(BloomKeySet, NeverForgetsAndStaysNearItsRate) {
  constexpr std::uint64_t kKeys = 100000;
  constexpr double kRate = 0.01;
  BloomKeySet set(kKeys, kRate);
  for (std::uint64_t i = 0; i < kKeys; ++i) set.insert(hash_key("in-" + std::to_string(i)));
  for (std::uint64_t i = 0; i < kKeys; ++i) ASSERT_TRUE(set.contains(hash_key("in-" + std::to_string(i))));
  std::uint64_t false_positives = 0;
  for (std::uint64_t i = 0; i < kKeys; ++i) false_positives += set.contains(hash_key("out-" + std::to_string(i)));
  // 1,000 expected; 1.5x leaves room for chance (the standard deviation is about 32).
  EXPECT_LT(false_positives, 1500u);
  EXPECT_GT(false_positives, 500u);  // sized for the rate, not far larger
  // -ln(0.01) / ln(2)^2 = 9.59 bits a key, k = 7.
  EXPECT_EQ(set.hash_count(), 7);
  EXPECT_NEAR(static_cast<double>(set.bits()) / kKeys, 9.59, 0.01);
}

TEST(BloomKeySet, InsertSaysWhetherTheKeyWasThere) {
  BloomKeySet set(1000, 1e-6);
  EXPECT_FALSE(set.insert(hash_key("a")));
  EXPECT_TRUE(set.insert(hash_key("a")));
  EXPECT_FALSE(set.contains(hash_key("b")));
}

}  // namespace
}  // namespace firehose::cli
