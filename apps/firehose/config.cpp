#include "config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config_file.hpp"
#include "exit_codes.hpp"
#include "firehose/limits.hpp"

namespace firehose::cli {
namespace {

// A raw value found for a setting, with the place it came from.
struct Found {
  ConfigValue value;
  std::string source;
  bool from_flag = false;
};

Error invalid(std::string message) { return make_error(ErrorKind::Config, kInvalidSetting, std::move(message)); }
Error beyond_limit(std::string message) {
  return make_error(ErrorKind::Client, kSettingBeyondLimit, std::move(message));
}

// The first source that has the setting: the flag, the environment variable, the config file.
template <class FlagValue>
std::optional<Found> find(const std::optional<FlagValue>& flag, std::string_view flag_name, const Environment& env,
                          std::string_view variable, const ConfigFileValues* file, std::string_view key) {
  if (flag) {
    if constexpr (std::is_same_v<FlagValue, std::string>) {
      return Found{*flag, std::string(flag_name), true};
    } else {
      return Found{static_cast<std::int64_t>(*flag), std::string(flag_name), true};
    }
  }
  if (auto value = env.get(variable)) return Found{*value, std::string(variable)};
  if (file != nullptr) {
    if (auto it = file->values.find(key); it != file->values.end()) {
      return Found{it->second, fmt::format("{}: {}", file->path, key)};
    }
  }
  return std::nullopt;
}

// An integer from an environment variable's text (whole, decimal, nothing else).
Result<std::int64_t> integer_of(const Found& found) {
  if (const auto* number = std::get_if<std::int64_t>(&found.value)) return *number;
  const auto& text = std::get<std::string>(found.value);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return invalid(fmt::format("{}=\"{}\": not a whole number", found.source, text));
  }
  return value;
}

// Checks [min, max]; a value over `max` that is a service limit is kSettingBeyondLimit.
template <class T>
Status assign_integer(Setting<T>& setting, const std::optional<Found>& found, std::int64_t min, std::int64_t max,
                      std::string_view limit_text) {
  if (!found) return {};
  auto value = integer_of(*found);
  if (!value) return value.error();
  if (*value > max && !limit_text.empty()) {
    return beyond_limit(fmt::format("{} = {} is beyond {}", found->source, *value, limit_text));
  }
  if (*value < min || *value > max) {
    auto error = invalid(fmt::format("{} = {} is out of range ({} to {})", found->source, *value, min, max));
    return error;
  }
  setting.value = static_cast<T>(*value);
  setting.source = found->source;
  return {};
}

Status assign_choice(Setting<std::string>& setting, const std::optional<Found>& found,
                     std::initializer_list<std::string_view> allowed) {
  if (!found) return {};
  const auto& text = std::get<std::string>(found->value);
  if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    return invalid(fmt::format("{}=\"{}\": must be one of {}", found->source, text, fmt::join(allowed, ", ")));
  }
  setting.value = text;
  setting.source = found->source;
  return {};
}

// Errors met in a flag are the command line's (exit 2), whatever their kind.
Status from_flag_as_usage(Status status, const std::optional<Found>& found) {
  if (status.ok() || !found || !found->from_flag) return status;
  Error error = status.error();
  error.kind = ErrorKind::Client;
  if (error.code == kInvalidSetting) error.code = "InvalidFlag";
  return error;
}

// The smallest batch size that still holds one maximum-size record, whatever the stream name.
std::size_t min_batch_bytes() { return limits::min_batch_request_bytes(); }

}  // namespace

std::optional<std::string> canonical_log_level(std::string_view name) {
  if (name == "warn") return "warning";
  if (name == "err") return "error";
  for (std::string_view level : {"trace", "debug", "info", "warning", "error", "off"}) {
    if (name == level) return std::string(level);
  }
  return std::nullopt;
}

std::optional<std::string> config_file_path(const SettingsFlags& flags, const Environment& env) {
  if (flags.config_file) return flags.config_file;
  std::filesystem::path base;
  if (auto xdg = env.get_non_empty("XDG_CONFIG_HOME")) {
    base = *xdg;
  } else {
    const std::string home = env.home();
    if (home.empty()) return std::nullopt;
    base = std::filesystem::path(home) / ".config";
  }
  const auto path = base / "firehose" / "config.toml";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  return path.string();
}

Result<ResolvedSendSettings> resolve_send_settings(const SettingsFlags& flags, const Environment& env) {
  ResolvedSendSettings settings;
  std::optional<ConfigFileValues> file;
  if (auto path = config_file_path(flags, env)) {
    auto read = read_config_file(*path);
    if (!read) {
      // A --config that cannot be read is the command line's mistake.
      if (flags.config_file) return make_error(ErrorKind::Client, "InvalidFlag", read.error().message);
      return read.error();
    }
    file = std::move(read).value();
    settings.config_file = *path;
  }
  const ConfigFileValues* f = file ? &*file : nullptr;
  auto check = [](Status status, const std::optional<Found>& found) { return from_flag_as_usage(status, found); };

  if (auto found = find(flags.delivery_stream, "--delivery-stream-name", env, "FIREHOSE_DELIVERY_STREAM", f,
                        "delivery_stream")) {
    if (auto s = check(assign_choice(settings.delivery_stream, found, {}), found); !s) return s.error();
  }
  {
    auto found =
        find(flags.max_batch_records, "--max-batch-records", env, "FIREHOSE_MAX_BATCH_RECORDS", f, "max_batch_records");
    auto s = assign_integer(settings.max_batch_records, found, 1, limits::kMaxBatchRecords,
                            "PutRecordBatch's limit of 500 records a call");
    if (s = check(s, found); !s) return s.error();
  }
  {
    auto found =
        find(flags.max_batch_bytes, "--max-batch-bytes", env, "FIREHOSE_MAX_BATCH_BYTES", f, "max_batch_bytes");
    auto s = assign_integer(settings.max_batch_bytes, found, static_cast<std::int64_t>(min_batch_bytes()),
                            limits::kMaxBatchRequestBytes, "PutRecordBatch's limit of 4 MiB (4194304 bytes) a call");
    if (s = check(s, found); !s) return s.error();
  }
  {
    auto found = find(flags.max_in_flight, "--max-in-flight", env, "FIREHOSE_MAX_IN_FLIGHT", f, "max_in_flight");
    auto s = assign_integer(settings.max_in_flight, found, 1, 256, "");
    if (s = check(s, found); !s) return s.error();
  }
  {
    auto found = find(flags.linger_ms, "--linger-ms", env, "FIREHOSE_LINGER_MS", f, "linger_ms");
    auto s = assign_integer(settings.linger_ms, found, 0, 60000, "");
    if (s = check(s, found); !s) return s.error();
  }
  {
    // FIREHOSE_MAX_ATTEMPTS first, then the AWS SDKs' own variable: one number for every retry of the CLI.
    auto found = find(flags.max_attempts, "--max-attempts", env, "FIREHOSE_MAX_ATTEMPTS", f, "max_attempts");
    if (!flags.max_attempts && !env.get("FIREHOSE_MAX_ATTEMPTS")) {
      if (auto aws = env.get("AWS_MAX_ATTEMPTS")) found = Found{*aws, "AWS_MAX_ATTEMPTS"};
    }
    Setting<int> attempts;
    auto s = assign_integer(attempts, found, 1, 1000, "");
    if (s = check(s, found); !s) return s.error();
    if (found) settings.max_attempts = {attempts.value, attempts.source};
  }
  if (auto found = find(flags.dead_letter, "--dead-letter", env, "FIREHOSE_DEAD_LETTER", f, "dead_letter")) {
    if (auto s = check(assign_choice(settings.dead_letter, found, {}), found); !s) return s.error();
  }
  if (auto found = find(flags.log_level, "--log-level", env, "FIREHOSE_LOG_LEVEL", f, "log_level")) {
    if (const auto* name = std::get_if<std::string>(&found->value)) {
      if (auto canonical = canonical_log_level(*name)) found->value = *canonical;  // "warn" is "warning"
    }
    auto s = assign_choice(settings.log_level, found, {"trace", "debug", "info", "warning", "error", "off"});
    if (s = check(s, found); !s) return s.error();
  }
  if (auto found = find(flags.log_format, "--log-format", env, "FIREHOSE_LOG_FORMAT", f, "log_format")) {
    Setting<std::string> format;
    auto s = assign_choice(format, found, {"text", "json"});
    if (s = check(s, found); !s) return s.error();
    settings.log_format = {format.value, format.source};
  }
  return settings;
}

int exit_code_for_settings(const Error& error) { return error.kind == ErrorKind::Config ? kConfig : kUsage; }

void apply_to(const ResolvedSendSettings& settings, ProducerOptions& options) {
  options.delivery_stream_name = settings.delivery_stream.value;
  options.max_batch_records = settings.max_batch_records.value;
  options.max_batch_bytes = settings.max_batch_bytes.value;
  options.max_in_flight = settings.max_in_flight.value;
  options.linger = std::chrono::milliseconds(settings.linger_ms.value);
  if (settings.max_attempts.value) options.retry.max_attempts = *settings.max_attempts.value;
  options.dead_letter_path = settings.dead_letter.value;
}

}  // namespace firehose::cli
