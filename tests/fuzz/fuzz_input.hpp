#pragma once
// Splits one fuzz input into the several fields a target needs. Fields are
// separated by a byte that rarely occurs in text (0x1e, ASCII "record
// separator"), so seed files stay readable and the fuzzer can still move
// bytes across fields by inserting or removing the separator.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace firehose::fuzz {

inline constexpr char kFieldSeparator = '\x1e';

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Exactly `count` fields: missing ones are empty, extra separators stay in the last.
inline std::vector<std::string_view> split_fields(std::string_view text, std::size_t count) {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < count) {
    const std::size_t at = text.find(kFieldSeparator);
    if (at == std::string_view::npos) break;
    fields.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  fields.push_back(text);
  fields.resize(count);
  return fields;
}

}  // namespace firehose::fuzz
