#include "firehose/producer/body_buffers.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

constexpr std::size_t kFourMiB = 4 << 20;

std::string buffer_of(std::size_t capacity) {
  std::string buffer;
  buffer.reserve(capacity);
  return buffer;
}

TEST(BodyBuffers, LendsABufferGivenBackToTheNextBodyItHolds) {
  BodyBuffers buffers(1 << 20);
  EXPECT_EQ(buffers.take(900).capacity(), std::string().capacity());  // none yet
  std::string first = buffer_of(1000);
  const char* memory = first.data();
  buffers.give_back(std::move(first), 1000);
  EXPECT_GE(buffers.idle_bytes(), 1000u);
  std::string again = buffers.take(900);
  EXPECT_EQ(again.data(), memory);
  EXPECT_EQ(buffers.idle_bytes(), 0u);
  EXPECT_EQ(buffers.lent_excess_bytes(), again.capacity() - 900);
  buffers.give_back(std::move(again), 900);
  EXPECT_EQ(buffers.lent_excess_bytes(), 0u);
}

TEST(BodyBuffers, ABodyNoBufferHoldsOutgrowsTheLargest) {
  // Left idle, buffers too small for the bodies clogged the allowance and
  // every larger body given back was freed (1 KiB records: 8x the page faults).
  BodyBuffers buffers(1 << 20);
  buffers.give_back(buffer_of(1000), 1000);
  buffers.give_back(buffer_of(3000), 3000);
  buffers.give_back(buffer_of(2000), 2000);
  std::string taken = buffers.take(5000);
  EXPECT_EQ(taken.capacity(), 3000u);
  EXPECT_EQ(buffers.lent_excess_bytes(), 0u);  // outgrown: no room unused
  taken = buffer_of(5000);  // as the body builder does: an exact allocation
  buffers.give_back(std::move(taken), 5000);
  EXPECT_EQ(buffers.take(4000).capacity(), 5000u);
}

TEST(BodyBuffers, LendsTheSmallestBufferThatHoldsTheBody) {
  BodyBuffers buffers(1 << 20);
  buffers.give_back(buffer_of(200'000), 200'000);
  buffers.give_back(buffer_of(100'000), 100'000);
  buffers.give_back(buffer_of(50'000), 50'000);
  EXPECT_EQ(buffers.take(90'000).capacity(), 100'000u);
  EXPECT_EQ(buffers.take(10'000).capacity(), 50'000u);
  EXPECT_EQ(buffers.take(10'000).capacity(), 200'000u);
  EXPECT_EQ(buffers.take(10'000).capacity(), std::string().capacity());  // none left
}

TEST(BodyBuffers, IdleBuffersAndTheUnusedPartOfLentOnesStayWithinTheAllowance) {
  // --pack under a quota: full 4 MiB bodies, and single packed records of
  // 1.37 MB sent again after a throttle. Each small body lent a 4 MiB buffer
  // held 2.7 MB that no budget charged; the full bodies given back meanwhile
  // refilled the pool, and RSS climbed 6-9 MiB over the budget.
  BodyBuffers buffers(kFourMiB);
  constexpr std::size_t kSmall = 1'370'000;
  std::vector<std::string> lent;
  for (int round = 0; round < 6; ++round) {
    // As the sender does: a buffer from the pool, else an exact allocation.
    std::string small = buffers.take(kSmall);
    if (small.capacity() < kSmall) small = buffer_of(kSmall);
    lent.push_back(std::move(small));
    std::string full = buffers.take(kFourMiB);
    if (full.capacity() < kFourMiB) full = buffer_of(kFourMiB);
    buffers.give_back(std::move(full), kFourMiB);
    EXPECT_LE(buffers.idle_bytes() + buffers.lent_excess_bytes(), kFourMiB) << "round " << round;
  }
  std::size_t held = buffers.idle_bytes();
  for (const auto& buffer : lent) held += buffer.capacity();
  EXPECT_LE(held, kFourMiB + lent.size() * kSmall);  // beyond what bodies are charged: the allowance
  for (auto& buffer : lent) buffers.give_back(std::move(buffer), kSmall);
  EXPECT_EQ(buffers.lent_excess_bytes(), 0u);
  EXPECT_LE(buffers.idle_bytes(), kFourMiB);
}

TEST(BodyBuffers, KeepsIdleBuffersOnlyWithinTheAllowance) {
  BodyBuffers buffers(3000);
  std::size_t each = 0;
  for (int i = 0; i < 5; ++i) {
    std::string buffer = buffer_of(1000);
    each = buffer.capacity();
    buffers.give_back(std::move(buffer), 1000);
  }
  EXPECT_LE(buffers.idle_bytes(), 3000u);
  buffers.give_back(buffer_of(kFourMiB), kFourMiB);  // over the allowance: freed, not kept
  EXPECT_LE(buffers.idle_bytes(), 3000u);
  int kept = 0;
  while (buffers.take(1000).capacity() >= 1000) ++kept;
  EXPECT_EQ(static_cast<std::size_t>(kept), 3000 / each);
}

}  // namespace
}  // namespace firehose::producer
