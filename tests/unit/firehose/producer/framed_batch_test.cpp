#include "firehose/producer/framed_batch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/firehose.hpp"

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

const std::string kStream = "stream";

// The body PutRecordBatchBody builds for `records` at once: what a framed
// batch must send, byte for byte.
std::string body_of(const std::vector<std::string>& records) {
  protocol::PutRecordBatchBody body(kStream);
  for (const auto& record : records) body.add(record);
  return body.finish();
}

FramedBatch framed(const std::vector<std::string>& records, SteadyTime put_time = SteadyTime{}) {
  FramedBatch batch(kStream, std::string(), 0);
  std::size_t charge = 100;
  for (const auto& record : records) batch.add(record, put_time, charge++);
  return batch;
}

std::vector<std::string> data_of(const FramedBatch& batch) {
  Batch records;
  batch.to_pending(records, 0, {}, 1min);
  std::vector<std::string> data;
  for (const auto& record : records) data.push_back(record->data);
  return data;
}

TEST(FramedBatch, SendsTheBodyPutRecordBatchBodyBuildsForTheSameRecords) {
  const std::vector<std::string> records = {"a", std::string("\0\x01\xff binary\n", 11), std::string(1000, 'x')};
  auto batch = framed(records);
  EXPECT_EQ(batch.records(), 3u);
  EXPECT_EQ(batch.raw_bytes(), 1u + 11u + 1000u);
  EXPECT_EQ(batch.charge(), 100u + 101u + 102u);
  EXPECT_EQ(batch.finish(), body_of(records));
}

TEST(FramedBatch, TurnsBackIntoPendingRecordsWithTheirBytesTimesAndCharges) {
  const auto put_time = SteadyTime{} + 5s;
  const std::vector<std::string> records = {"first", std::string("\0\n\xfe", 3), std::string(70'000, 'z')};
  auto batch = framed(records, put_time);
  (void)batch.finish();  // read back from the finished body too
  const auto sent_at = std::chrono::system_clock::now();
  Batch pending;
  batch.to_pending(pending, 1, sent_at, 10min);
  ASSERT_EQ(pending.size(), 3u);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const auto& record = *pending[i];
    EXPECT_EQ(record.data, records[i]);
    ASSERT_EQ(record.users.size(), 1u);
    EXPECT_FALSE(record.users[0].callback);
    EXPECT_EQ(record.users[0].size, records[i].size());
    EXPECT_EQ(record.users[0].offset, 0u);
    EXPECT_EQ(record.users[0].charge, 100u + i);
    EXPECT_EQ(record.users[0].put_time, put_time);
    EXPECT_EQ(record.attempts, 1);
    EXPECT_EQ(record.first_attempt, sent_at);
    EXPECT_EQ(record.last_attempt, sent_at);
    EXPECT_EQ(record.deadline, put_time + 10min);
    EXPECT_FALSE(record.possible_duplicate);
  }
}

TEST(FramedBatch, UnsentRecordsCarryNoAttempt) {
  auto batch = framed({"a"});
  Batch pending;
  batch.to_pending(pending, 0, std::chrono::system_clock::now(), 1min);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]->attempts, 0);
  EXPECT_EQ(pending[0]->first_attempt, WallTime{});
}

TEST(FramedBatch, TakesAnyRecordWhenEmptyThenOnlyWhatFitsEveryLimit) {
  FramedBatch batch(kStream, std::string(), 0);
  EXPECT_TRUE(batch.fits(5'000'000, 1, 10, 10));  // one record alone always goes
  batch.add("abc", SteadyTime{}, 1);
  EXPECT_FALSE(batch.fits(1, 1, SIZE_MAX, SIZE_MAX));  // records
  EXPECT_TRUE(batch.fits(1, 2, SIZE_MAX, SIZE_MAX));
  EXPECT_FALSE(batch.fits(4, 2, SIZE_MAX, 6));  // raw bytes: 3 + 4 > 6
  EXPECT_TRUE(batch.fits(3, 2, SIZE_MAX, 6));
  // Body bytes: exactly the size of the body with the record added.
  const std::size_t with_three = body_of({"abc", "def"}).size();
  EXPECT_TRUE(batch.fits(3, 2, with_three, SIZE_MAX));
  EXPECT_FALSE(batch.fits(3, 2, with_three - 1, SIZE_MAX));
}

TEST(FramedBatch, SplitsIntoTwoBatchesWhoseBodiesAreThoseOfTheirRecords) {
  const std::vector<std::string> records = {"one", "two", std::string(5000, 'q'), "four", "five"};
  auto batch = framed(records);
  EXPECT_EQ(batch.records_within(3 + 3), 2u);
  EXPECT_EQ(batch.records_within(1), 1u);  // at least one
  EXPECT_EQ(batch.records_within(SIZE_MAX), 5u);
  auto rest = batch.split_off(2, FramedBatch(kStream, std::string(), 0));
  EXPECT_EQ(batch.records(), 2u);
  EXPECT_EQ(rest.records(), 3u);
  EXPECT_EQ(batch.raw_bytes(), 6u);
  EXPECT_EQ(rest.raw_bytes(), 5000u + 4 + 4);
  EXPECT_EQ(batch.charge(), 100u + 101u);
  EXPECT_EQ(rest.charge(), 102u + 103u + 104u);
  EXPECT_EQ(data_of(batch), std::vector<std::string>(records.begin(), records.begin() + 2));
  EXPECT_EQ(data_of(rest), std::vector<std::string>(records.begin() + 2, records.end()));
  // Both can take more records and still frame them exactly.
  batch.add("six", SteadyTime{}, 1);
  EXPECT_EQ(batch.finish(), body_of({"one", "two", "six"}));
  EXPECT_EQ(rest.finish(), body_of({std::string(5000, 'q'), "four", "five"}));
}

TEST(FramedBatch, GivesItsBufferBackForTheNextBody) {
  std::string buffer;
  buffer.reserve(1 << 16);
  const auto capacity = buffer.capacity();
  FramedBatch batch(kStream, std::move(buffer), 1 << 16);
  batch.add(std::string(1000, 'b'), SteadyTime{}, 1);
  (void)batch.finish();
  BodyBuffers pool(1 << 20);
  batch.give_buffer_back(pool);
  EXPECT_EQ(pool.idle_bytes(), capacity);
  EXPECT_EQ(pool.lent_excess_bytes(), 0u);
  EXPECT_EQ(pool.take(1 << 16).capacity(), capacity);
}

// Growing by what each record needed copied the whole body once per record.
TEST(FramedBatch, ABodyOutgrowingItsBufferGrowsToTheExpectedSizeThenByDoubling) {
  FramedBatch batch(kStream, std::string(), 0, /*grow_to=*/64 * 1024);
  std::vector<std::string> records(3000, std::string(100, 'g'));
  int growths = 0;
  std::size_t capacity = batch.buffer_capacity();
  for (const auto& record : records) {
    batch.add(record, SteadyTime{}, 1);
    if (batch.buffer_capacity() != capacity) ++growths;
    capacity = batch.buffer_capacity();
  }
  EXPECT_GE(capacity, 64u * 1024);
  EXPECT_LE(growths, 6);  // 64 KiB, then 128, 256, 512 KiB for the 0.4 MB body
  EXPECT_EQ(batch.finish(), body_of(records));
}

TEST(FramedBatch, EstimatesABodyOfRecordsLikeTheFirstWithinTheLimit) {
  std::vector<std::string> records(500, std::string(1024, 'r'));
  const std::size_t exact = body_of(records).size();
  EXPECT_EQ(framed_body_estimate(kStream.size(), 1024, 500, 4 << 20), exact + 1);  // a comma's slack
  EXPECT_EQ(framed_body_estimate(kStream.size(), 1024, 500, 100'000), 100'000u);
}

}  // namespace
}  // namespace firehose::producer
