#include "config_file.hpp"

#include <array>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config.hpp"

namespace firehose::cli {
namespace {

struct KeySpec {
  std::string_view name;
  bool integer;
};

constexpr std::array<KeySpec, 9> kKeys{{
    {"delivery_stream", false},
    {"max_batch_records", true},
    {"max_batch_bytes", true},
    {"max_in_flight", true},
    {"linger_ms", true},
    {"max_attempts", true},
    {"dead_letter", false},
    {"log_level", false},
    {"log_format", false},
}};

const KeySpec* find_key(std::string_view key) {
  for (const auto& spec : kKeys) {
    if (spec.name == key) return &spec;
  }
  return nullptr;
}

Error invalid(std::string message) { return make_error(ErrorKind::Config, kInvalidSetting, std::move(message)); }

}  // namespace

bool is_config_key(std::string_view key) { return find_key(key) != nullptr; }

Result<ConfigFileValues> parse_config_text(std::string_view text, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    return invalid(fmt::format("config file {} line {}: {}", path, e.source().begin.line, e.description()));
  }
  ConfigFileValues result;
  result.path = path;
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const KeySpec* spec = find_key(name);
    if (spec == nullptr) {
      return invalid(
          fmt::format("config file {} line {}: unknown key '{}' (known: delivery_stream, max_batch_records, "
                      "max_batch_bytes, max_in_flight, linger_ms, max_attempts, dead_letter, log_level, "
                      "log_format)",
                      path, key.source().begin.line, name));
    }
    if (spec->integer) {
      const auto value = node.value_exact<std::int64_t>();
      if (!value) {
        return invalid(
            fmt::format("config file {} line {}: {} must be an integer", path, key.source().begin.line, name));
      }
      result.values.emplace(name, *value);
    } else {
      const auto value = node.value_exact<std::string>();
      if (!value) {
        return invalid(fmt::format("config file {} line {}: {} must be a string", path, key.source().begin.line, name));
      }
      result.values.emplace(name, *value);
    }
  }
  return result;
}

Result<ConfigFileValues> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid(fmt::format("cannot read config file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return invalid(fmt::format("cannot read config file {}", path));
  return parse_config_text(text.str(), path);
}

}  // namespace firehose::cli
