#pragma once
// Whole numbers on the command line (generate and workflow: --count, --seed).
// CLI11's own reading of an unsigned integer took "0x10" as 16 and "0b11" as 3,
// turned 2^64 and beyond into a number that never ends a loop, and answered
// "-1" with a range up to 1.8e308 written out in 309 digits.
#include <cstdint>
#include <optional>
#include <string_view>

#include <CLI/CLI.hpp>

namespace firehose::cli {

// The most records generate and workflow make up: 10^12, about 80 TB of
// records in the example's shape, more than any run finishes.
inline constexpr std::uint64_t kMaxGeneratedRecords = 1'000'000'000'000;

// `text` as a number when it is decimal digits only (no sign, prefix or
// space) and at most `max`.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max);

// A CLI11 transform (not check: a check may not change the text) of
// parse_decimal: the message names the accepted range,
// "Value 0x10 is not a decimal whole number from 0 to 1000000000000". A good
// value is rewritten without leading zeros, which CLI11 would read as octal.
CLI::Validator decimal_up_to(std::uint64_t max);

}  // namespace firehose::cli
