#include "example_records.hpp"

#include <map>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

const char* const kGenerateDataJsSeedOne =
    R"({"ip_address":"56.92.213.34","timestamp":1735689600,"alert_level":"Low"})"
    "\n";

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
  long long previous = kExampleBaseTimestamp;
  for (int i = 0; i < 5000; ++i) {
    generator.next(line);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
    const int first = std::stoi(m[1]);
    EXPECT_GE(first, 1);
    EXPECT_LE(first, 223);
    for (int octet = 2; octet <= 4; ++octet) EXPECT_LE(std::stoi(m[octet]), 255);
    const long long ts = std::stoll(m[5]);
    EXPECT_GE(ts, previous);  // a log: 0 to 2 s after the record before
    EXPECT_LE(ts, previous + 2);
    previous = ts;
    timestamps.insert(ts);
    ++levels[m[6]];
  }
  // Low 40 %, Medium 30 %, High 20 %, Critical 10 % (5000 draws: far from the bounds).
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_NEAR(levels["Low"], 2000, 200);
  EXPECT_NEAR(levels["Medium"], 1500, 200);
  EXPECT_NEAR(levels["High"], 1000, 200);
  EXPECT_NEAR(levels["Critical"], 500, 200);
  EXPECT_GT(timestamps.size(), 3000u);  // advancing, not a handful of values
}

// The same bytes as resources/generate-data.js for the same seed (its first
// record for seed 1, taken from `node resources/generate-data.js --count 1 --seed 1`;
// test_resources compares whole runs of both).
TEST(ExampleRecords, TheFirstRecordOfSeedOneIsGenerateDataJsFirst) {
  EXPECT_EQ(first_records(1, 1), kGenerateDataJsSeedOne);
}

}  // namespace
}  // namespace firehose::cli
