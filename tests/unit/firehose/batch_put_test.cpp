#include "firehose/batch_put.hpp"

#include <random>
#include <set>

#include <gtest/gtest.h>

#include "support/test_mode.hpp"

#include "firehose/limits.hpp"
#include "protocol/firehose.hpp"

namespace firehose {
namespace {

// Property: for random record sizes (including 0, 1 and the 1,024,000-byte
// maximum), every planned batch is a valid call, and the batches hold every
// index exactly once, in order.
TEST(PlanBatches, EveryBatchWithinLimitsNothingDroppedOrDoubled) {
  std::mt19937 rng(42);
  const std::string stream = "property-stream";
  for (int round = 0; round < firehose::testing::property_rounds(8); ++round) {  // 20 took 5 s in Release, several times that under the sanitizers
    std::vector<std::string> records;
    const int n = 1 + static_cast<int>(rng() % 1500);
    for (int i = 0; i < n; ++i) {
      std::size_t size;
      switch (rng() % 6) {
        case 0: size = 0; break;
        case 1: size = 1; break;
        case 2: size = limits::kMaxRecordBytes; break;
        case 3: size = 700'000 + rng() % 300'000; break;
        default: size = rng() % 5000; break;
      }
      records.emplace_back(size, 'r');
    }
    std::vector<std::size_t> indices(records.size());
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    const auto batches = plan_batches(stream, indices, records);
    std::vector<std::size_t> seen;
    for (const auto& batch : batches) {
      ASSERT_FALSE(batch.empty());
      ASSERT_LE(batch.size(), limits::kMaxBatchRecords);
      protocol::PutRecordBatchBody body(stream);
      for (std::size_t index : batch) body.add(records[index]);
      ASSERT_LE(body.finish().size(), limits::kMaxBatchRequestBytes);
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
    EXPECT_EQ(seen, indices);
  }
}

TEST(PlanBatches, FillsCallsUpToTheLimits) {
  std::vector<std::string> small(1201, "x\n");
  std::vector<std::size_t> indices(small.size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  auto batches = plan_batches("s", indices, small);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 500u);
  EXPECT_EQ(batches[1].size(), 500u);
  EXPECT_EQ(batches[2].size(), 201u);

  // Four records whose base64 form is ~1.33 MB each: three fit in 4 MiB, four do not.
  std::vector<std::string> big(4, std::string(1'000'000, 'b'));
  auto big_batches = plan_batches("s", {0, 1, 2, 3}, big);
  ASSERT_EQ(big_batches.size(), 2u);
  EXPECT_EQ(big_batches[0].size(), 3u);
}

}  // namespace
}  // namespace firehose
