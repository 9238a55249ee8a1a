#include "firehose/producer/body_buffers.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

TEST(BodyBuffers, HandsBackTheLastBufferGivenBack) {
  BodyBuffers buffers(1 << 20);
  EXPECT_EQ(buffers.take().capacity(), std::string().capacity());  // none yet
  std::string first;
  first.reserve(1000);
  const char* memory = first.data();
  buffers.give_back(std::move(first));
  EXPECT_GE(buffers.idle_bytes(), 1000u);
  std::string again = buffers.take();
  EXPECT_EQ(again.data(), memory);
  EXPECT_EQ(buffers.idle_bytes(), 0u);
}

TEST(BodyBuffers, KeepsIdleBuffersOnlyWithinTheAllowance) {
  BodyBuffers buffers(3000);
  std::size_t each = 0;
  for (int i = 0; i < 5; ++i) {
    std::string buffer;
    buffer.reserve(1000);
    each = buffer.capacity();
    buffers.give_back(std::move(buffer));
  }
  EXPECT_LE(buffers.idle_bytes(), 3000u);
  std::string large;
  large.reserve(4 << 20);
  buffers.give_back(std::move(large));  // over the allowance: freed, not kept
  EXPECT_LE(buffers.idle_bytes(), 3000u);
  int kept = 0;
  while (buffers.take().capacity() >= 1000) ++kept;
  EXPECT_EQ(static_cast<std::size_t>(kept), 3000 / each);
}

}  // namespace
}  // namespace firehose::producer
