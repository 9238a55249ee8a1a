#include "aws/config_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/log.hpp"

namespace firehose::aws {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Splits "key = value" (or "key: value") into its trimmed parts.
bool split_assignment(std::string_view line, std::string& key, std::string& value) {
  const auto pos = line.find_first_of("=:");
  if (pos == std::string_view::npos) return false;
  key = lower(trim(line.substr(0, pos)));
  value = std::string(trim(line.substr(pos + 1)));
  return !key.empty();
}

}  // namespace

std::optional<std::string> ConfigSection::get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ConfigSection::get_nested(const std::string& key, const std::string& sub_key) const {
  auto it = nested.find(key);
  if (it == nested.end()) return std::nullopt;
  auto sub = it->second.find(sub_key);
  if (sub == it->second.end()) return std::nullopt;
  return sub->second;
}

Result<ConfigFile> ConfigFile::parse(std::string_view text, const std::string& origin) {
  ConfigFile file;
  ConfigSection* current = nullptr;
  std::string nested_key;  // the key whose indented block we are in, if any
  std::istringstream in{std::string(text)};
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const bool indented = std::isspace(static_cast<unsigned char>(raw.front())) != 0;

    if (line.front() == '[') {
      if (line.back() != ']') {
        return make_error(ErrorKind::Config, "InvalidConfigFile",
                          fmt::format("{}:{}: unterminated section header", origin, line_no));
      }
      const std::string header(trim(line.substr(1, line.size() - 2)));
      current = &file.sections_[header];
      nested_key.clear();
      continue;
    }
    if (current == nullptr) {
      return make_error(ErrorKind::Config, "InvalidConfigFile",
                        fmt::format("{}:{}: setting outside of any [section]", origin, line_no));
    }
    std::string key, value;
    if (!split_assignment(line, key, value)) {
      return make_error(ErrorKind::Config, "InvalidConfigFile",
                        fmt::format("{}:{}: expected 'key = value'", origin, line_no));
    }
    if (indented && !nested_key.empty()) {
      current->nested[nested_key][key] = value;
      continue;
    }
    if (value.empty()) {
      nested_key = key;
      current->nested[key];  // an empty block is still a block
    } else {
      nested_key.clear();
    }
    current->values[key] = value;
  }
  return file;
}

Result<ConfigFile> ConfigFile::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ConfigFile{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::Config, "UnreadableConfigFile", fmt::format("cannot read {}", path.string()));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path.string());
}

const ConfigSection* ConfigFile::section(const std::string& header) const {
  auto it = sections_.find(header);
  return it == sections_.end() ? nullptr : &it->second;
}

namespace {

// The credentials file holds secret keys: like ssh with a private key, say so
// when other users can read it. Once per file and process (the file is read
// by several providers). Only for a regular file: /dev/null (a common way to
// say "no credentials file", `make demo`'s) is readable by all and holds nothing.
void warn_if_readable_by_others(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & (S_IRGRP | S_IROTH)) == 0) {
    return;
  }
  static std::mutex mutex;
  static std::set<std::string> warned;
  const std::lock_guard lock(mutex);
  if (!warned.insert(path.string()).second) return;
  logging::warn("the credentials file {} is readable by other users (mode {:04o}): chmod 600 {}", path.string(),
                info.st_mode & 07777, path.string());
}

}  // namespace

Result<SharedConfig> SharedConfig::load(const Environment& env) {
  const std::filesystem::path home = env.home();
  auto expand = [&](std::string p) -> std::filesystem::path {
    if (p.rfind("~/", 0) == 0) return home / p.substr(2);
    return p;
  };
  const auto config_path = expand(env.get_non_empty("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  const auto credentials_path = expand(env.get_non_empty("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  auto config = ConfigFile::load(config_path);
  if (!config) return config.error();
  auto credentials = ConfigFile::load(credentials_path);
  if (!credentials) return credentials.error();
  warn_if_readable_by_others(credentials_path);
  return from(std::move(config).value(), std::move(credentials).value());
}

SharedConfig SharedConfig::from(ConfigFile config, ConfigFile credentials) {
  SharedConfig shared;
  shared.config_ = std::move(config);
  shared.credentials_ = std::move(credentials);
  return shared;
}

std::optional<ConfigSection> SharedConfig::profile(const std::string& name) const {
  std::optional<ConfigSection> merged;
  // botocore: "[profile default]" and "[default]" both name the default profile.
  const ConfigSection* from_config = config_.section("profile " + name);
  if (from_config == nullptr && name == "default") from_config = config_.section("default");
  if (from_config != nullptr) merged = *from_config;
  if (const ConfigSection* from_credentials = credentials_.section(name)) {
    if (!merged) merged.emplace();
    for (const auto& [k, v] : from_credentials->values) merged->values[k] = v;
    for (const auto& [k, v] : from_credentials->nested) merged->nested[k] = v;
  }
  return merged;
}

const ConfigSection* SharedConfig::services(const std::string& name) const {
  return config_.section("services " + name);
}

const ConfigSection* SharedConfig::sso_session(const std::string& name) const {
  return config_.section("sso-session " + name);
}

std::string active_profile_name(const Environment& env, const std::optional<std::string>& explicit_profile) {
  if (explicit_profile && !explicit_profile->empty()) return *explicit_profile;
  if (auto p = env.get_non_empty("AWS_PROFILE")) return *p;
  if (auto p = env.get_non_empty("AWS_DEFAULT_PROFILE")) return *p;
  return "default";
}

}  // namespace firehose::aws
