#include "number_arg.hpp"

#include <string>

#include <fmt/format.h>

namespace firehose::cli {

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    // value * 10 + digit > max, asked without overflowing
    if (digit > max || value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

CLI::Validator decimal_up_to(std::uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        const auto value = parse_decimal(text, max);
        if (!value) return fmt::format("Value {} is not a decimal whole number from 0 to {}", text, max);
        // Handed on without leading zeros: CLI11 reads "016" as octal, 14.
        text = std::to_string(*value);
        return {};
      },
      fmt::format("0 to {}", max));
}

}  // namespace firehose::cli
