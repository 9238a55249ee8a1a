#include "firehose/environment.hpp"

#include <pwd.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace firehose {

Environment Environment::process() { return Environment{}; }

Environment Environment::from_map(std::map<std::string, std::string> values) {
  Environment env;
  env.use_process_ = false;
  for (auto& [k, v] : values) env.values_.emplace(k, std::move(v));
  return env;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  if (use_process_) {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Environment::get_non_empty(std::string_view name) const {
  auto value = get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

bool Environment::get_bool(std::string_view name) const {
  auto value = get(name);
  if (!value) return false;
  std::string v = *value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true" || v == "1" || v == "yes";
}

std::string Environment::home() const {
  if (auto h = get_non_empty("HOME")) return *h;
  if (use_process_) {
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  }
  return ".";
}

}  // namespace firehose
