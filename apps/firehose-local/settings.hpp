#pragma once
// Every option of firehose-local, under one name each: the command line
// (--fail-records 0.3), the --config JSON file ({"fail-records": 0.3}) and the
// control API (POST /_local/settings) all go through the same table, so a
// name means the same thing everywhere and is validated the same way.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "firehose/result.hpp"

namespace firehose::local {

// Which error a record fails with under --fail-records.
enum class RecordFailureCode { ServiceUnavailable, InternalFailure, Mix };
// Which status a request fails with under --fail-requests.
enum class RequestFailureStatus { InternalError500, Unavailable503, Mix };

struct FaultSettings {
  double fail_records = 0;  // per-record failure probability
  RecordFailureCode fail_records_code = RecordFailureCode::ServiceUnavailable;
  double fail_requests = 0;  // whole-request failure probability
  RequestFailureStatus fail_requests_status = RequestFailureStatus::Mix;
  double reset_before = 0;  // connection reset, nothing stored
  double reset_after = 0;   // records stored, then connection reset (duplicates on retry)
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds latency_jitter{0};  // uniform in [0, jitter] added to latency
  double stall_rate = 0;
  std::chrono::milliseconds stall{std::chrono::seconds(10)};
};

// Per stream, per second; 0 disables that quota.
struct QuotaSettings {
  std::uint64_t records = 500'000;
  std::uint64_t requests = 2'000;
  std::uint64_t bytes = 5 * 1024 * 1024;
};

// What the control API may change while the server runs.
struct RuntimeSettings {
  FaultSettings faults;
  QuotaSettings quotas;
  std::chrono::milliseconds create_delay{500};
  std::chrono::milliseconds delete_delay{500};
  std::chrono::seconds metrics_delay{0};
};

enum class Sink { Spool, Discard };

struct Settings {
  std::string host = "127.0.0.1";
  int port = 4573;                 // 0 picks a free port
  std::filesystem::path data_dir;  // empty: a new temporary directory
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::optional<std::uint64_t> seed;                             // empty: drawn at start-up (and logged)
  std::vector<std::pair<std::string, std::string>> credentials;  // access key id, secret; empty: no checking
  Sink sink = Sink::Spool;
  int threads = 128;                   // HTTP worker threads: requests answered at once
  std::size_t max_connections = 1000;  // open at once (slow and idle ones wait without a worker)
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  // first byte to end of a request header
  // HTTPS instead of HTTP: the PEM certificate (chain) and its private key; both or neither.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::string log_level = "info";
  bool console_write = false;  // the web console may change settings (else it only shows them)
  RuntimeSettings runtime;
};

// Sets one option from its text form, as given on the command line
// ("fail-records", "0.3"). Errors (ErrorKind::Config, code InvalidSetting)
// are one line naming the option.
Status apply_setting(Settings& settings, std::string_view name, std::string_view value);

// Applies a JSON object of options ({"fail-records": 0.3, "quota-bytes": 1024}):
// numbers, strings and booleans are accepted for any option. With
// `runtime_only`, options that only take effect at start-up are refused.
// Nothing is changed when any entry is wrong.
Status apply_settings_json(Settings& settings, const nlohmann::json& object, bool runtime_only);

// Reads a --config file (a JSON object of options).
Status apply_config_file(Settings& settings, const std::filesystem::path& file);

// The settings as a JSON object with the option names; secrets are left out
// (only the access key ids are listed).
nlohmann::json settings_to_json(const Settings& settings);

// Parses argv: defaults, then --config FILE, then the other flags (flags win).
// `help` receives the usage text for --help/--version (and the result is an
// Error with code "Help" so that the caller prints it and exits 0).
Result<Settings> parse_command_line(int argc, const char* const* argv, std::string& help);

// Names and help lines of every option, for docs and --help.
struct OptionInfo {
  std::string name;
  std::string value_name;  // empty: a flag without a value (--console-write)
  std::string help;
  bool runtime;  // changeable through the control API
};
const std::vector<OptionInfo>& option_table();

}  // namespace firehose::local
