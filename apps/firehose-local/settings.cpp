#include "settings.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "settings_options.hpp"

namespace firehose::local {
namespace {

// A JSON value as the text the command line would carry.
std::optional<std::string> json_as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned() || value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    // Shortest round-trip form: 0.3 stays "0.3".
    return fmt::format("{}", value.get<double>());
  }
  if (value.is_boolean()) return value.get<bool>() ? "1" : "0";
  return std::nullopt;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  return fmt::format("{}", static_cast<double>(ms.count()) / 1000);
}

}  // namespace

Status apply_settings_json(Settings& settings, const nlohmann::json& object, bool runtime_only) {
  if (!object.is_object()) {
    return make_error(ErrorKind::Config, "InvalidSetting", "settings must be a JSON object of option names and values");
  }
  Settings updated = settings;
  for (const auto& [name, value] : object.items()) {
    if (name == "config") {
      return make_error(ErrorKind::Config, "InvalidSetting", "'config' cannot be set from a settings object");
    }
    const Option* option = find_option(name);
    if (option == nullptr) {
      return make_error(ErrorKind::Config, "InvalidSetting", fmt::format("unknown option '{}'", name));
    }
    if (runtime_only && !option->info.runtime) {
      return make_error(ErrorKind::Config, "InvalidSetting",
                        fmt::format("--{} takes effect at start-up only and cannot be changed at runtime", name));
    }
    const std::optional<std::string> text = json_as_text(value);
    if (!text) {
      return make_error(ErrorKind::Config, "InvalidSetting",
                        fmt::format("--{}: a string, number or boolean is expected, not {}", name, value.dump()));
    }
    if (auto applied = option->set(updated, *text); !applied) return applied;
  }
  settings = std::move(updated);
  return {};
}

Status apply_config_file(Settings& settings, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::Config, "InvalidSetting",
                      fmt::format("--config: cannot read '{}': {}", file.string(), std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto parsed = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return make_error(ErrorKind::Config, "InvalidSetting",
                      fmt::format("--config: '{}' is not valid JSON", file.string()));
  }
  if (auto applied = apply_settings_json(settings, parsed, /*runtime_only=*/false); !applied) {
    return make_error(ErrorKind::Config, "InvalidSetting",
                      fmt::format("--config {}: {}", file.string(), applied.error().message));
  }
  return {};
}

nlohmann::json settings_to_json(const Settings& s) {
  const auto& f = s.runtime.faults;
  const auto& q = s.runtime.quotas;
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& [key, secret] : s.credentials) keys.push_back(key);
  const char* record_code = f.fail_records_code == RecordFailureCode::ServiceUnavailable ? "ServiceUnavailableException"
                            : f.fail_records_code == RecordFailureCode::InternalFailure  ? "InternalFailure"
                                                                                         : "mix";
  const char* request_status = f.fail_requests_status == RequestFailureStatus::InternalError500 ? "500"
                               : f.fail_requests_status == RequestFailureStatus::Unavailable503 ? "503"
                                                                                                : "mix";
  return nlohmann::json{
      {"host", s.host},
      {"port", s.port},
      {"data-dir", s.data_dir.string()},
      {"region", s.region},
      {"account-id", s.account_id},
      {"seed", s.seed ? nlohmann::json(*s.seed) : nlohmann::json(nullptr)},
      {"credentials", keys},
      {"sink", s.sink == Sink::Spool ? "spool" : "discard"},
      {"threads", s.threads},
      {"max-connections", s.max_connections},
      {"header-timeout", std::stod(seconds_text(s.header_timeout))},
      {"tls-cert", s.tls_cert.string()},
      {"tls-key", s.tls_key.string()},
      {"log-level", s.log_level},
      {"console-write", s.console_write},
      {"create-delay", std::stod(seconds_text(s.runtime.create_delay))},
      {"delete-delay", std::stod(seconds_text(s.runtime.delete_delay))},
      {"metrics-delay", s.runtime.metrics_delay.count()},
      {"quota-records", q.records},
      {"quota-requests", q.requests},
      {"quota-bytes", q.bytes},
      {"fail-records", f.fail_records},
      {"fail-records-code", record_code},
      {"fail-requests", f.fail_requests},
      {"fail-requests-status", request_status},
      {"reset-before", f.reset_before},
      {"reset-after", f.reset_after},
      {"latency-ms", f.latency_jitter.count() == 0 ? fmt::format("{}", f.latency.count())
                                                   : fmt::format("{}:{}", f.latency.count(), f.latency_jitter.count())},
      {"stall-rate", f.stall_rate},
      {"stall-seconds", std::stod(seconds_text(f.stall))},
  };
}

Result<Settings> parse_command_line(int argc, const char* const* argv, std::string& help) {
  CLI::App app{
      "firehose-local: a local Amazon Kinesis Data Firehose endpoint (and CloudWatch metrics) with AWS's limits,\n"
      "errors, quotas and signature checks, fault injection, and S3-like delivery to a directory.",
      "firehose-local"};
  app.set_version_flag("--version", "firehose-local " FIREHOSE_VERSION);
  app.get_formatter()->column_width(36);

  std::string config_file;
  app.add_option("--config", config_file, "JSON file of options, same names as the flags ({\"fail-records\": 0.3})");
  std::map<std::string, std::string> given;
  std::map<std::string, bool> switches;  // options without a value (std::map: references stay valid)
  std::vector<std::pair<std::string, CLI::Option*>> flags;
  for (const Option& option : options()) {
    const std::string flag = "--" + option.info.name;
    if (option.info.value_name.empty()) {
      // A switch: given means on; CLI11 reads --flag=false (or =no, =0) as off.
      bool& on = switches[option.info.name];
      flags.emplace_back(option.info.name, app.add_flag(flag, on, option.info.help));
      continue;
    }
    CLI::Option* added = app.add_option(flag, given[option.info.name], option.info.help);
    added->type_name(option.info.value_name);
    flags.emplace_back(option.info.name, added);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    help = app.help();
    return make_error(ErrorKind::Config, "Help", "");
  } catch (const CLI::CallForVersion& e) {
    help = "firehose-local " FIREHOSE_VERSION "\n";
    return make_error(ErrorKind::Config, "Help", "");
  } catch (const CLI::ParseError& e) {
    return make_error(ErrorKind::Config, "InvalidSetting", e.what());
  }

  Settings settings;
  if (!config_file.empty()) {
    if (auto applied = apply_config_file(settings, config_file); !applied) return applied.error();
  }
  for (const auto& [name, option] : flags) {
    if (option->count() == 0) continue;
    const auto on = switches.find(name);
    const std::string value = on == switches.end() ? given[name] : on->second ? "1" : "0";
    if (auto applied = apply_setting(settings, name, value); !applied) return applied.error();
  }
  if (settings.tls_cert.empty() != settings.tls_key.empty()) {
    return invalid_setting(settings.tls_cert.empty() ? "tls-key" : "tls-cert",
                   "--tls-cert and --tls-key go together (the certificate and its private key)");
  }
  return settings;
}

}  // namespace firehose::local
