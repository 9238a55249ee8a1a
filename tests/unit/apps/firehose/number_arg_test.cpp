#include "number_arg.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

constexpr auto kLargest = std::numeric_limits<std::uint64_t>::max();

TEST(ParseDecimal, TakesDecimalDigitsUpToTheMaximum) {
  EXPECT_EQ(parse_decimal("0", 10), 0u);
  EXPECT_EQ(parse_decimal("10", 10), 10u);
  EXPECT_EQ(parse_decimal("007", 10), 7u);
  EXPECT_EQ(parse_decimal("18446744073709551615", kLargest), kLargest);
  EXPECT_EQ(parse_decimal("1000000000000", kMaxGeneratedRecords), kMaxGeneratedRecords);
}

TEST(ParseDecimal, RefusesOtherNotationsAndNumbersPastTheMaximum) {
  for (const char* refused : {"", "-1", "+1", " 1", "1 ", "0x10", "0b11", "1e3", "1.0", "abc", "11"}) {
    EXPECT_FALSE(parse_decimal(refused, 10).has_value()) << refused;
  }
  EXPECT_FALSE(parse_decimal("5", 4).has_value());
  // 2^64 and beyond: no wrapping around into a small number, nor stopping at the largest.
  EXPECT_FALSE(parse_decimal("18446744073709551616", kLargest).has_value());
  EXPECT_FALSE(parse_decimal("99999999999999999999999", kLargest).has_value());
  EXPECT_FALSE(parse_decimal("1000000000001", kMaxGeneratedRecords).has_value());
}

TEST(DecimalUpTo, NamesTheAcceptedRangeInOneShortLine) {
  auto check = decimal_up_to(kMaxGeneratedRecords);
  std::string good = "16";
  EXPECT_EQ(check(good), "");
  EXPECT_EQ(good, "16");
  std::string padded = "016";  // CLI11 reads a leading 0 as octal: 14
  EXPECT_EQ(check(padded), "");
  EXPECT_EQ(padded, "16");
  for (std::string bad : {"0x10", "-1", "abc", "18446744073709551616"}) {
    const std::string message = check(bad);
    EXPECT_EQ(message, "Value " + bad + " is not a decimal whole number from 0 to 1000000000000");
  }
}

}  // namespace
}  // namespace firehose::cli
