#pragma once
// The CLI's config file (TOML, read with toml++): a flat table of the
// settings by their documented keys. Every key is checked: an unknown one is
// an error naming it (a typo must not be silently ignored).
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "firehose/result.hpp"

namespace firehose::cli {

// One value of the file: an integer or a string (the only types its keys take).
using ConfigValue = std::variant<std::int64_t, std::string>;

struct ConfigFileValues {
  std::string path;
  std::map<std::string, ConfigValue, std::less<>> values;
};

// The keys the file may hold.
bool is_config_key(std::string_view key);

// Reads and checks the file; errors (code InvalidSetting) name the file, and the key or line.
Result<ConfigFileValues> read_config_file(const std::string& path);
// The same from text (tests); `path` only names the source in messages.
Result<ConfigFileValues> parse_config_text(std::string_view text, const std::string& path);

}  // namespace firehose::cli
