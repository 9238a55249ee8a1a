#include "firehose/producer/record_bytes.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

TEST(RecordBytes, ACopyReusesABufferOfAboutItsSize) {
  std::string target(1000, 'x');
  const char* buffer = target.data();
  const std::string line(900, 'a');
  RecordBytes(std::string_view(line)).move_into(target);
  EXPECT_EQ(target, line);
  EXPECT_EQ(target.data(), buffer);  // no allocation
}

TEST(RecordBytes, ACopyDoesNotKeepAFarLargerBufferTheBudgetDidNotCharge) {
  std::string target(100000, 'x');
  const std::string line(100, 'a');
  RecordBytes bytes{std::string_view(line)};
  EXPECT_GE(bytes.capacity(), line.size());
  bytes.move_into(target);
  EXPECT_EQ(target, line);
  EXPECT_LE(target.capacity(), bytes.capacity());
}

TEST(RecordBytes, AStringIsMovedIn) {
  std::string owned(5000, 'o');
  const char* buffer = owned.data();
  RecordBytes bytes(std::move(owned));
  EXPECT_EQ(bytes.size(), 5000u);
  EXPECT_GE(bytes.capacity(), 5000u);
  std::string target;
  bytes.move_into(target);
  EXPECT_EQ(target.data(), buffer);
}

}  // namespace
}  // namespace firehose::producer
