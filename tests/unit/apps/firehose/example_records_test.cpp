#include "example_records.hpp"

#include <map>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

std::string first_records(std::uint64_t seed, int count) {
  ExampleRecordGenerator generator(seed);
  std::string all, line;
  for (int i = 0; i < count; ++i) {
    generator.next(line);
    all += line;
  }
  return all;
}

TEST(ExampleRecords, SameSeedSameBytesOtherSeedOtherBytes) {
  EXPECT_EQ(first_records(7, 500), first_records(7, 500));
  EXPECT_NE(first_records(7, 500), first_records(8, 500));
  ExampleRecordGenerator by_default;
  std::string line;
  by_default.next(line);
  EXPECT_EQ(first_records(kDefaultExampleSeed, 1), line);
}

TEST(ExampleRecords, EveryLineHasTheExampleShapeAndKeyOrder) {
  const std::regex shape(
      R"re(\{"ip_address":"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})","timestamp":(\d+),"alert_level":"(Low|Medium|High|Critical)"\}\n)re");
  ExampleRecordGenerator generator(1);
  std::string line;
  std::map<std::string, int> levels;
  std::set<long long> timestamps;
  for (int i = 0; i < 5000; ++i) {
    generator.next(line);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
    const int first = std::stoi(m[1]);
    EXPECT_GE(first, 1);
    EXPECT_LE(first, 223);
    for (int octet = 2; octet <= 4; ++octet) EXPECT_LE(std::stoi(m[octet]), 255);
    const long long ts = std::stoll(m[5]);
    EXPECT_GE(ts, kExampleBaseTimestamp);
    EXPECT_LT(ts, kExampleBaseTimestamp + kExampleTimestampSpread);
    timestamps.insert(ts);
    ++levels[m[6]];
  }
  // Every level occurs, each roughly a quarter of the time (5000 draws: far from the bounds).
  ASSERT_EQ(levels.size(), 4u);
  for (const auto& [level, count] : levels) {
    EXPECT_GT(count, 1000) << level;
    EXPECT_LT(count, 1500) << level;
  }
  EXPECT_GT(timestamps.size(), 4000u);  // spread over the day, not a handful of values
}

}  // namespace
}  // namespace firehose::cli
