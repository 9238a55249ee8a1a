#pragma once
// The CLI's own settings (not the AWS ones, which the Session resolves as the
// AWS CLI does): where each comes from and what it is. One precedence for every
// setting and every command: flags > environment (FIREHOSE_*) > config file >
// defaults. The config file is --config FILE, else
// $XDG_CONFIG_HOME/firehose/config.toml (or ~/.config/firehose/config.toml)
// when it exists. The library reads none of this: commands build their options
// from the result.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "firehose/environment.hpp"
#include "firehose/producer.hpp"
#include "firehose/result.hpp"

namespace firehose::cli {

// The producer's memory budget when --memory-mb is not given, in MiB: below
// the library's 64, to keep peak RSS under 48 MiB (docs/producer.md, "Memory",
// has the measurements; command_send.cpp the reasons).
inline constexpr int kDefaultMemoryMb = 28;

// What the command line gave; unset = not given.
struct SettingsFlags {
  std::optional<std::string> config_file;  // --config
  std::optional<std::string> delivery_stream;
  std::optional<std::size_t> max_batch_records;
  std::optional<std::size_t> max_batch_bytes;
  std::optional<int> max_in_flight;
  std::optional<int> linger_ms;
  std::optional<int> max_attempts;  // the global --max-attempts, or a command's own
  std::optional<std::string> dead_letter;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
};

// A setting's value and where it came from: "--max-in-flight",
// "FIREHOSE_MAX_IN_FLIGHT", "/home/u/.config/firehose/config.toml: max_in_flight", "default".
template <class T>
struct Setting {
  T value{};
  std::string source = "default";
};

struct ResolvedSendSettings {
  std::string config_file;  // the file that was read; empty when none
  Setting<std::string> delivery_stream;
  Setting<std::size_t> max_batch_records{500};
  Setting<std::size_t> max_batch_bytes{4 * 1024 * 1024};
  Setting<int> max_in_flight{16};
  Setting<int> linger_ms{100};
  // Attempts per record (producer) and per call (PutRecord). Unset: each its
  // own default (the producer's 10; the session's AWS_MAX_ATTEMPTS / profile / 3).
  Setting<std::optional<int>> max_attempts;
  Setting<std::string> dead_letter;
  Setting<std::string> log_level{"warning"};
  Setting<std::optional<std::string>> log_format;  // unset: text on a terminal, json otherwise
};

// The log level a name stands for: one of trace, debug, info, warning, error,
// off, or nullopt. "warn" and "err" are taken for warning and error: spdlog,
// firehose-local and many tools spell them so, and refusing them helped no one.
std::optional<std::string> canonical_log_level(std::string_view name);

// Error codes of resolve_send_settings; exit_code_for_settings maps them.
inline constexpr const char* kSettingBeyondLimit = "SettingBeyondLimit";  // e.g. 501 records a batch
inline constexpr const char* kInvalidSetting = "InvalidSetting";          // malformed, unknown key, unreadable file

// Resolves every setting; the error names the variable, flag or key and its source.
Result<ResolvedSendSettings> resolve_send_settings(const SettingsFlags& flags, const Environment& env);

// The config file to read: --config, else the XDG location when it exists; nullopt for none.
std::optional<std::string> config_file_path(const SettingsFlags& flags, const Environment& env);

// Exit code for a resolve_send_settings error: 2 for a value beyond a service
// limit or a bad flag, 3 for a malformed environment variable or config file.
int exit_code_for_settings(const Error& error);

// The producer options these settings decide (the rest keep their defaults).
void apply_to(const ResolvedSendSettings& settings, ProducerOptions& options);

}  // namespace firehose::cli
