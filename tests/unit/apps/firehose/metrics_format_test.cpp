#include "metrics_format.hpp"

#include <gtest/gtest.h>

#include "metrics_fixtures.hpp"

namespace firehose::cli::metrics {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(MetricsFormat, WholeNumbersGroupedOrNot) {
  EXPECT_EQ(format_number(1234567, true), "1,234,567");
  EXPECT_EQ(format_number(1234567, false), "1234567");
  EXPECT_EQ(format_number(123, true), "123");
  EXPECT_EQ(format_number(1000, true), "1,000");
  EXPECT_EQ(format_number(0, true), "0");
  EXPECT_EQ(format_number(-4500, true), "-4,500");
}

TEST(MetricsFormat, FractionsKeepTwoDecimalsBelowAHundred) {
  EXPECT_EQ(format_number(0.5, true), "0.5");
  EXPECT_EQ(format_number(12.346, true), "12.35");
  EXPECT_EQ(format_number(0.004, true), "0");
  EXPECT_EQ(format_number(99.999, true), "100");
  EXPECT_EQ(format_number(100.4, true), "100");
  EXPECT_EQ(format_number(1234.5, true), "1,235");
  EXPECT_EQ(format_number(1234.5, false), "1235");
}

TEST(MetricsFormat, Percentages) {
  EXPECT_EQ(format_percent(0), "0%");
  EXPECT_EQ(format_percent(0.38147), "0.38%");
  EXPECT_EQ(format_percent(0.004), "<0.01%");
  EXPECT_EQ(format_percent(150), "150%");
}

TEST(MetricsFormat, MebibytesAreTwoToTheTwentieth) {
  EXPECT_EQ(format_mib(1572864), "1.5 MiB");
  EXPECT_EQ(format_mib(1000000), "0.95 MiB");
  EXPECT_EQ(format_mib(0), "0 MiB");
}

TEST(MetricsFormat, ClockLabelsOnAGivenOffset) {
  const auto t = testing::at(5);  // 2024-05-01 12:05 UTC
  EXPECT_EQ(format_clock(t, seconds(0), false), "12:05");
  EXPECT_EQ(format_clock(t, hours(2), false), "14:05");
  EXPECT_EQ(format_clock(t, hours(2), true), "05-01 14:05");
  // 01:00 UTC at UTC-05:00 is the evening before.
  EXPECT_EQ(format_clock(t - hours(11) - minutes(5), -hours(5), true), "04-30 20:00");
}

TEST(MetricsFormat, UtcOffsets) {
  EXPECT_EQ(format_utc_offset(seconds(0)), "UTC");
  EXPECT_EQ(format_utc_offset(hours(2)), "UTC+02:00");
  EXPECT_EQ(format_utc_offset(-(hours(5) + minutes(30))), "UTC-05:30");
}

}  // namespace
}  // namespace firehose::cli::metrics
