#pragma once
// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials):
// INI sections of `key = value`, where a key with an empty value followed by
// indented lines holds a nested block (as in `[services x]` / `firehose =`).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/environment.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

struct ConfigSection {
  std::map<std::string, std::string> values;                         // keys lower-cased
  std::map<std::string, std::map<std::string, std::string>> nested;  // key -> nested block

  std::optional<std::string> get(const std::string& key) const;
  std::optional<std::string> get_nested(const std::string& key, const std::string& sub_key) const;
};

class ConfigFile {
 public:
  // Parses the text; sections are keyed by their full header ("profile dev", "default").
  static Result<ConfigFile> parse(std::string_view text, const std::string& origin = "<string>");
  // Loads a file; a missing file is an empty ConfigFile, an unreadable or malformed one an Error.
  static Result<ConfigFile> load(const std::filesystem::path& path);

  const ConfigSection* section(const std::string& header) const;
  const std::map<std::string, ConfigSection>& sections() const { return sections_; }

 private:
  std::map<std::string, ConfigSection> sections_;
};

// Both files as an SDK sees them, with profiles looked up the way botocore does:
// config `[default]` / `[profile NAME]`, credentials `[NAME]`, credentials
// values overriding config values of the same profile.
class SharedConfig {
 public:
  // Reads AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (defaults under ~/.aws).
  static Result<SharedConfig> load(const Environment& env);
  static SharedConfig from(ConfigFile config, ConfigFile credentials);

  // The merged profile, or nullopt when neither file defines it.
  std::optional<ConfigSection> profile(const std::string& name) const;
  // The `[services NAME]` section of the config file.
  const ConfigSection* services(const std::string& name) const;
  // A `[sso-session NAME]` section.
  const ConfigSection* sso_session(const std::string& name) const;

  const ConfigFile& config_file() const { return config_; }
  const ConfigFile& credentials_file() const { return credentials_; }

 private:
  ConfigFile config_;
  ConfigFile credentials_;
};

// The profile in use: the explicit name when given, else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else "default".
std::string active_profile_name(const Environment& env, const std::optional<std::string>& explicit_profile);

}  // namespace firehose::aws
