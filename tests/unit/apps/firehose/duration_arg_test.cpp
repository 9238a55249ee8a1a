#include "duration_arg.hpp"

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

using std::chrono::seconds;

TEST(DurationArg, NumbersWithAndWithoutSuffix) {
  EXPECT_EQ(*parse_duration("90"), seconds(90));
  EXPECT_EQ(*parse_duration("90s"), seconds(90));
  EXPECT_EQ(*parse_duration("10m"), seconds(600));
  EXPECT_EQ(*parse_duration("2h"), seconds(7200));
  EXPECT_EQ(*parse_duration("1d"), seconds(86400));
}

TEST(DurationArg, RejectsWhatIsNotAWholePositiveDuration) {
  for (const char* text : {"", "0", "0m", "1.5m", "10 m", " 10m", "5w", "m", "-5", "+5", "1234567890", "10M"}) {
    auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message.find(std::string("'") + text + "'"), std::string::npos) << parsed.error().message;
  }
}

TEST(DurationArg, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_duration(seconds(600)), "10m");
  EXPECT_EQ(format_duration(seconds(90)), "90s");
  EXPECT_EQ(format_duration(seconds(7200)), "2h");
  EXPECT_EQ(format_duration(seconds(5400)), "90m");
  EXPECT_EQ(format_duration(seconds(86400)), "1d");
  EXPECT_EQ(format_duration(seconds(0)), "0s");
}

}  // namespace
}  // namespace firehose::cli

namespace firehose::cli {
namespace {

TEST(DurationOrZero, ZeroIsAWaitOfNothing) {
  using std::chrono::seconds;
  for (const char* text : {"0", "0s", "0m", "0h"}) EXPECT_EQ(*parse_duration_or_zero(text), seconds(0)) << text;
  EXPECT_EQ(*parse_duration_or_zero("5m"), seconds(300));
  for (const char* text : {"", "1.5m", "-0", "m"}) EXPECT_FALSE(parse_duration_or_zero(text).ok()) << text;
  EXPECT_NE(parse_duration("0s").error().message.find("must not be zero"), std::string::npos);
}

// 0.0001 s became 0 ms ("no timeout" to libcurl); 1e300 s overflowed.
TEST(DurationArg, SecondsFlagsBecomeWholeMillisecondsRoundedUpAndBounded) {
  EXPECT_EQ(milliseconds_of_seconds(0.0001).count(), 1);
  EXPECT_EQ(milliseconds_of_seconds(0.5).count(), 500);
  EXPECT_EQ(milliseconds_of_seconds(0).count(), 0);
  EXPECT_EQ(milliseconds_of_seconds(1e300).count(), static_cast<long long>(kLongestSeconds * 1000));
  EXPECT_EQ(milliseconds_of_seconds(-3).count(), 0);
}

}  // namespace
}  // namespace firehose::cli
