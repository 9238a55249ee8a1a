#include "firehose/producer/batcher.hpp"

#include <random>

#include <gtest/gtest.h>

#include "support/test_mode.hpp"

#include "firehose/limits.hpp"
#include "protocol/firehose.hpp"

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;
const SteadyTime kT0 = SteadyTime{} + 1h;

PendingPtr record_of(std::size_t size, char fill, SteadyTime queued = kT0) {
  auto record = std::make_unique<PendingRecord>();
  record->data.assign(size, fill);
  record->queued_at = queued;
  return record;
}

std::size_t body_size(const std::string& stream, const Batch& batch) {
  protocol::PutRecordBatchBody body(stream);
  for (const auto& record : batch) body.add(record->data);
  return body.finish().size();
}

// Property: random sizes from 1 byte to the 1,024,000-byte maximum (records
// over it and empty ones are refused before the batcher), with runs whose
// base64 expansion crosses 4 MiB: every batch is a valid call and all
// records come out exactly once, in order.
TEST(Batcher, EveryBatchValidNothingDroppedOrDoubledOrderKept) {
  std::mt19937 rng(1234);
  const std::string stream = "property";
  // Four rounds: each moves about a gigabyte of records and encodes every
  // body (11 s for ten in a Release build, several times that under the
  // sanitizers in CI); four already cross the 4 MiB and 500-record limits
  // hundreds of times.
  for (int round = 0; round < firehose::testing::property_rounds(4); ++round) {
    Batcher batcher(stream, 500, limits::kMaxBatchRequestBytes, 100ms);
    const int n = 200 + static_cast<int>(rng() % 2000);
    std::vector<std::size_t> sizes;
    for (int i = 0; i < n; ++i) {
      std::size_t size;
      switch (rng() % 8) {
        case 0: size = 1; break;
        case 1: size = limits::kMaxRecordBytes; break;
        case 2: size = 3'145'728 / 4 + rng() % 1000; break;  // ~786 KB raw, ~1 MiB encoded
        default: size = 1 + rng() % 2000; break;
      }
      sizes.push_back(size);
      auto record = record_of(size, static_cast<char>('a' + i % 26));
      record->attempts = i;  // remembers its input position
      batcher.add(std::move(record));
    }
    int next = 0;
    while (auto batch = batcher.take(kT0, /*force=*/true)) {
      ASSERT_FALSE(batch->empty());
      ASSERT_LE(batch->size(), 500u);
      ASSERT_LE(body_size(stream, *batch), limits::kMaxBatchRequestBytes);
      for (const auto& record : *batch) {
        ASSERT_EQ(record->attempts, next);
        ASSERT_EQ(record->data.size(), sizes[static_cast<std::size_t>(next)]);
        ++next;
      }
    }
    EXPECT_EQ(next, n);
    EXPECT_TRUE(batcher.empty());
  }
}

TEST(Batcher, BatchesFillToTheByteLimitExactly) {
  // Records sized so that the limit falls between two records: the batch
  // must stop just under 4 MiB, not earlier because of an estimate.
  const std::string stream = "s";
  Batcher batcher(stream, 500, limits::kMaxBatchRequestBytes, 100ms);
  for (int i = 0; i < 10; ++i) batcher.add(record_of(700'000, 'x'));
  auto batch = batcher.take(kT0, false);
  ASSERT_TRUE(batch.has_value());
  const std::size_t size = body_size(stream, *batch);
  EXPECT_LE(size, limits::kMaxBatchRequestBytes);
  protocol::PutRecordBatchSize with_one_more(stream.size());
  for (const auto& record : *batch) with_one_more.add(record->data.size());
  EXPECT_GT(with_one_more.size_with(700'000), limits::kMaxBatchRequestBytes);
}

TEST(Batcher, PartialBatchWaitsForTheLingerUnlessForced) {
  Batcher batcher("s", 500, limits::kMaxBatchRequestBytes, 100ms);
  batcher.add(record_of(10, 'a', kT0));
  EXPECT_FALSE(batcher.take(kT0 + 50ms, false).has_value());
  ASSERT_TRUE(batcher.next_due().has_value());
  EXPECT_EQ(*batcher.next_due(), kT0 + 100ms);
  EXPECT_TRUE(batcher.take(kT0 + 50ms, true).has_value());
  batcher.add(record_of(10, 'b', kT0));
  EXPECT_TRUE(batcher.take(kT0 + 100ms, false).has_value());
}

TEST(Batcher, FullBatchGoesAtOnce) {
  Batcher batcher("s", 3, limits::kMaxBatchRequestBytes, 1h);
  for (int i = 0; i < 3; ++i) batcher.add(record_of(1, 'a'));
  auto batch = batcher.take(kT0, false);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->size(), 3u);
}

TEST(Batcher, DueRetriesGoFirstInTheirOrder) {
  Batcher batcher("s", 500, limits::kMaxBatchRequestBytes, 0ms);
  batcher.add(record_of(1, 'n'));
  Batch early;
  early.push_back(record_of(1, '1'));
  early.push_back(record_of(1, '2'));
  Batch late;
  late.push_back(record_of(1, '3'));
  batcher.add_retry(std::move(late), kT0 + 2s);
  batcher.add_retry(std::move(early), kT0 + 1s);
  EXPECT_EQ(batcher.waiting_retries(), 3u);
  EXPECT_EQ(*batcher.next_due(), kT0);  // the queued record's linger (0) is due now
  batcher.release_due_retries(kT0 + 500ms);
  EXPECT_EQ(batcher.queued_records(), 1u);
  batcher.release_due_retries(kT0 + 3s);
  EXPECT_EQ(batcher.waiting_retries(), 0u);
  auto batch = batcher.take(kT0 + 3s, false);
  ASSERT_TRUE(batch.has_value());
  std::string order;
  for (const auto& record : *batch) order += record->data;
  EXPECT_EQ(order, "123n");
}

TEST(Batcher, DrainReturnsEverything) {
  Batcher batcher("s", 500, limits::kMaxBatchRequestBytes, 1h);
  batcher.add(record_of(1, 'a'));
  Batch retry;
  retry.push_back(record_of(1, 'b'));
  batcher.add_retry(std::move(retry), kT0 + 1h);
  EXPECT_EQ(batcher.drain().size(), 2u);
  EXPECT_TRUE(batcher.empty());
}

}  // namespace
}  // namespace firehose::producer
