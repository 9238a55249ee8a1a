#include "firehose/producer/packer.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

const SteadyTime kNow{};
const SteadyTime kDeadline = kNow + std::chrono::minutes(1);

TEST(Packer, WithoutPackingEachUserRecordIsOneFirehoseRecord) {
  Packer packer(0);
  Batch out;
  packer.add("a\n", UserRecord{}, kDeadline, kNow, out);
  packer.add("bb", UserRecord{}, kDeadline, kNow, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->data, "a\n");
  EXPECT_EQ(out[1]->data, "bb");
  EXPECT_EQ(out[1]->users.size(), 1u);
  EXPECT_EQ(out[1]->users[0].size, 2u);
  EXPECT_FALSE(packer.has_open());
}

TEST(Packer, JoinsRecordsWithNewlinesOnlyWhereMissingAndKeepsEachSlice) {
  Packer packer(100);
  Batch out;
  packer.add("one\n", UserRecord{}, kDeadline, kNow, out);
  packer.add("two", UserRecord{}, kDeadline, kNow, out);
  packer.add("three\n", UserRecord{}, kDeadline + std::chrono::seconds(5), kNow, out);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(packer.has_open());
  packer.seal(out);
  ASSERT_EQ(out.size(), 1u);
  const auto& record = *out[0];
  EXPECT_EQ(record.data, "one\ntwo\nthree\n");
  ASSERT_EQ(record.users.size(), 3u);
  EXPECT_EQ(record.data.substr(record.users[1].offset, record.users[1].size), "two");
  EXPECT_EQ(record.data.substr(record.users[2].offset, record.users[2].size), "three\n");
  EXPECT_EQ(record.deadline, kDeadline);  // the earliest user's
}

TEST(Packer, SealsWhenTheNextRecordWouldPassTheTarget) {
  Packer packer(10);
  Batch out;
  packer.add("12345\n", UserRecord{}, kDeadline, kNow, out);
  packer.add("abcde\n", UserRecord{}, kDeadline, kNow, out);  // 12 bytes together: the first is sealed
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->data, "12345\n");
  packer.add("0123456789xyz\n", UserRecord{}, kDeadline, kNow, out);  // larger than the target alone
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1]->data, "abcde\n");
  EXPECT_EQ(out[2]->data, "0123456789xyz\n");
  EXPECT_FALSE(packer.has_open());
}

TEST(Packer, NeverExceedsTheRecordLimit) {
  Packer packer(5'000'000);  // clamped to 1,024,000
  Batch out;
  for (int i = 0; i < 3; ++i) packer.add(std::string(400'000, 'x'), UserRecord{}, kDeadline, kNow, out);
  packer.seal(out);
  for (const auto& record : out) EXPECT_LE(record->data.size(), 1'024'000u);
  EXPECT_EQ(out.size(), 2u);
}

TEST(Packer, TellsWhetherAnAddStartsAFirehoseRecord) {
  Packer unpacked(0);
  EXPECT_TRUE(unpacked.starts_record(5));
  Packer packer(10);
  Batch out;
  EXPECT_TRUE(packer.starts_record(4));  // nothing open
  packer.add("1234", UserRecord{}, kDeadline, kNow, out);
  EXPECT_FALSE(packer.starts_record(5));  // "1234\n12345": 10 bytes fit
  EXPECT_TRUE(packer.starts_record(6));   // 11 bytes would not
  packer.add("12345", UserRecord{}, kDeadline, kNow, out);
  EXPECT_EQ(out.size(), 1u);  // sealed at the target
  EXPECT_TRUE(packer.starts_record(1));
}

TEST(Packer, SealingEarlyGivesBackTheRoomReservedForTheTarget) {
  Packer packer(1'000'000);
  Batch out;
  packer.add("small\n", UserRecord{}, kDeadline, kNow, out);
  packer.seal(out);  // as the linger would
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->data, "small\n");
  EXPECT_LT(out[0]->data.capacity(), 1000u);
}

}  // namespace
}  // namespace firehose::producer
