// The option table: every firehose-local option's name, help text and the
// setter that validates its text and applies it. settings.cpp reads the
// command line, the --config file and the control API's JSON through it.
#include "settings_options.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace firehose::local {

Error invalid_setting(std::string_view name, std::string message) {
  return make_error(ErrorKind::Config, "InvalidSetting", fmt::format("--{}: {}", name, message));
}

namespace {

std::optional<double> to_double(std::string_view text) {
  // std::from_chars for double is available in libstdc++ 11+, and unlike
  // strtod it neither reads the locale nor needs a terminated string.
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> to_uint(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Result<double> rate(std::string_view name, std::string_view text) {
  const auto value = to_double(text);
  if (!value || *value < 0 || *value > 1) {
    return invalid_setting(name, fmt::format("'{}' is not a rate (a number from 0 to 1)", text));
  }
  return *value;
}

Result<std::uint64_t> count(std::string_view name, std::string_view text) {
  const auto value = to_uint(text);
  if (!value) return invalid_setting(name, fmt::format("'{}' is not a whole number >= 0", text));
  return *value;
}

// Seconds as a decimal ("0.5") to milliseconds.
Result<std::chrono::milliseconds> seconds(std::string_view name, std::string_view text) {
  const auto value = to_double(text);
  if (!value || *value < 0 || *value > 86400) {
    return invalid_setting(name, fmt::format("'{}' is not a number of seconds from 0 to 86400", text));
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*value * 1000)));
}

Result<std::chrono::milliseconds> milliseconds(std::string_view name, std::string_view text) {
  const auto value = to_uint(text);
  if (!value || *value > 3'600'000) {
    return invalid_setting(name, fmt::format("'{}' is not a number of milliseconds from 0 to 3600000", text));
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(*value));
}

OptionSetter rate_setter(std::string name, double FaultSettings::*field) {
  return [name, field](Settings& s, std::string_view text) -> Status {
    auto value = rate(name, text);
    if (!value.ok()) return value.error();
    s.runtime.faults.*field = *value;
    return {};
  };
}

OptionSetter quota_setter(std::string name, std::uint64_t QuotaSettings::*field) {
  return [name, field](Settings& s, std::string_view text) -> Status {
    auto value = count(name, text);
    if (!value.ok()) return value.error();
    s.runtime.quotas.*field = *value;
    return {};
  };
}

OptionSetter delay_setter(std::string name, std::chrono::milliseconds RuntimeSettings::*field) {
  return [name, field](Settings& s, std::string_view text) -> Status {
    auto value = seconds(name, text);
    if (!value.ok()) return value.error();
    s.runtime.*field = *value;
    return {};
  };
}

Status set_credentials(Settings& s, std::string_view text) {
  std::vector<std::pair<std::string, std::string>> parsed;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size()) {
      return invalid_setting("credentials", fmt::format("'{}' is not KEY:SECRET", item.substr(0, item.find(':'))));
    }
    parsed.emplace_back(std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  s.credentials = std::move(parsed);
  return {};
}

Status set_latency(Settings& s, std::string_view text) {
  const std::size_t colon = text.find(':');
  auto fixed = milliseconds("latency-ms", text.substr(0, colon));
  if (!fixed.ok()) return invalid_setting("latency-ms", fmt::format("'{}' is not MS or MS:JITTER_MS", text));
  std::chrono::milliseconds jitter{0};
  if (colon != std::string_view::npos) {
    auto parsed = milliseconds("latency-ms", text.substr(colon + 1));
    if (!parsed.ok()) return invalid_setting("latency-ms", fmt::format("'{}' is not MS or MS:JITTER_MS", text));
    jitter = *parsed;
  }
  s.runtime.faults.latency = *fixed;
  s.runtime.faults.latency_jitter = jitter;
  return {};
}

}  // namespace

const std::vector<Option>& options() {
  static const std::vector<Option> table = [] {
    std::vector<Option> t;
    auto add = [&t](std::string name, std::string value_name, std::string help, bool runtime, OptionSetter set) {
      t.push_back(Option{OptionInfo{std::move(name), std::move(value_name), std::move(help), runtime}, std::move(set)});
    };
    add("host", "ADDRESS", "address to listen on (default 127.0.0.1)", false,
        [](Settings& s, std::string_view v) -> Status {
          if (v.empty()) return invalid_setting("host", "must not be empty");
          s.host = std::string(v);
          return {};
        });
    add("port", "PORT", "port to listen on; 0 picks a free port (default 4573)", false,
        [](Settings& s, std::string_view v) -> Status {
          const auto port = to_uint(v);
          if (!port || *port > 65535) return invalid_setting("port", fmt::format("'{}' is not a port number (0 to 65535)", v));
          s.port = static_cast<int>(*port);
          return {};
        });
    add("data-dir", "DIR", "stream definitions, spool and delivered objects (default: a new temporary directory)",
        false, [](Settings& s, std::string_view v) -> Status {
          if (v.empty()) return invalid_setting("data-dir", "must not be empty");
          s.data_dir = std::filesystem::path(std::string(v));
          return {};
        });
    add("region", "REGION", "region in ARNs and signature scopes (default us-east-1)", false,
        [](Settings& s, std::string_view v) -> Status {
          const bool ok = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
          });
          if (!ok) return invalid_setting("region", fmt::format("'{}' is not a region name (like us-east-1)", v));
          s.region = std::string(v);
          return {};
        });
    add("account-id", "ID", "12-digit account id in ARNs and messages (default 123456789012)", false,
        [](Settings& s, std::string_view v) -> Status {
          const bool ok =
              v.size() == 12 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
          if (!ok) return invalid_setting("account-id", fmt::format("'{}' is not 12 digits", v));
          s.account_id = std::string(v);
          return {};
        });
    add("seed", "N", "seed of every random choice (faults, record ids); default: random, logged at start-up", false,
        [](Settings& s, std::string_view v) -> Status {
          auto seed = count("seed", v);
          if (!seed.ok()) return seed.error();
          s.seed = *seed;
          return {};
        });
    add("credentials", "KEY:SECRET[,...]", "check SigV4 signatures against these keys (default: no checking)", false,
        set_credentials);
    add("sink", "spool|discard", "spool: store and deliver records (default); discard: validate and count only", false,
        [](Settings& s, std::string_view v) -> Status {
          if (v == "spool")
            s.sink = Sink::Spool;
          else if (v == "discard")
            s.sink = Sink::Discard;
          else
            return invalid_setting("sink", fmt::format("'{}' is not spool or discard", v));
          return {};
        });
    add("threads", "N", "HTTP worker threads: requests answered at once (default 128)", false,
        [](Settings& s, std::string_view v) -> Status {
          const auto n = to_uint(v);
          if (!n || *n < 1 || *n > 4096) return invalid_setting("threads", fmt::format("'{}' is not from 1 to 4096", v));
          s.threads = static_cast<int>(*n);
          return {};
        });
    add("max-connections", "N", "connections open at once; the next is answered 503 (default 1000)", false,
        [](Settings& s, std::string_view v) -> Status {
          const auto n = to_uint(v);
          if (!n || *n < 1 || *n > 100000) {
            return invalid_setting("max-connections", fmt::format("'{}' is not from 1 to 100000", v));
          }
          s.max_connections = static_cast<std::size_t>(*n);
          return {};
        });
    add("header-timeout", "SECONDS", "a request header must arrive within this of its first byte (default 10)", false,
        [](Settings& s, std::string_view v) -> Status {
          auto value = seconds("header-timeout", v);
          if (!value.ok()) return value.error();
          if (value->count() == 0) return invalid_setting("header-timeout", "must be more than 0");
          s.header_timeout = *value;
          return {};
        });
    add("tls-cert", "FILE", "serve HTTPS with this PEM certificate (chain); needs --tls-key", false,
        [](Settings& s, std::string_view v) -> Status {
          if (v.empty()) return invalid_setting("tls-cert", "must not be empty");
          s.tls_cert = std::filesystem::path(std::string(v));
          return {};
        });
    add("tls-key", "FILE", "the PEM private key of --tls-cert", false, [](Settings& s, std::string_view v) -> Status {
      if (v.empty()) return invalid_setting("tls-key", "must not be empty");
      s.tls_key = std::filesystem::path(std::string(v));
      return {};
    });
    add("log-level", "LEVEL", "trace, debug, info (default), warn (or warning), error (or err) or off", false,
        [](Settings& s, std::string_view v) -> Status {
          // Both spellings, as the firehose CLI takes them: kept as spdlog names them.
          if (v == "warning") v = "warn";
          if (v == "err") v = "error";
          static const std::vector<std::string_view> levels = {"trace", "debug", "info", "warn", "error", "off"};
          if (std::find(levels.begin(), levels.end(), v) == levels.end()) {
            return invalid_setting("log-level", fmt::format("'{}' is not trace, debug, info, warn (or warning), "
                                                            "error (or err) or off",
                                                            v));
          }
          s.log_level = std::string(v);
          return {};
        });
    add("console-write", "",
        "let the web console (GET /) change faults and quotas; without it the console only shows them", false,
        [](Settings& s, std::string_view v) -> Status {
          if (v == "1" || v == "true")
            s.console_write = true;
          else if (v == "0" || v == "false")
            s.console_write = false;
          else
            return invalid_setting("console-write", fmt::format("'{}' is not true or false", v));
          return {};
        });
    add("create-delay", "SECONDS", "time a new stream stays CREATING (default 0.5)", true,
        delay_setter("create-delay", &RuntimeSettings::create_delay));
    add("delete-delay", "SECONDS", "time a deleted stream stays DELETING (default 0.5)", true,
        delay_setter("delete-delay", &RuntimeSettings::delete_delay));
    add("metrics-delay", "SECONDS", "how long a metric sample stays invisible, like CloudWatch's lag (default 0)", true,
        [](Settings& s, std::string_view v) -> Status {
          auto value = seconds("metrics-delay", v);
          if (!value.ok()) return value.error();
          s.runtime.metrics_delay = std::chrono::duration_cast<std::chrono::seconds>(*value);
          return {};
        });
    add("quota-records", "N", "records per second per stream (default 500000; 0 = no limit)", true,
        quota_setter("quota-records", &QuotaSettings::records));
    add("quota-requests", "N", "put requests per second per stream (default 2000; 0 = no limit)", true,
        quota_setter("quota-requests", &QuotaSettings::requests));
    add("quota-bytes", "N", "record bytes per second per stream (default 5242880; 0 = no limit)", true,
        quota_setter("quota-bytes", &QuotaSettings::bytes));
    add("fail-records", "RATE", "fraction of records that fail inside a successful answer", true,
        rate_setter("fail-records", &FaultSettings::fail_records));
    add("fail-records-code", "CODE",
        "ServiceUnavailableException (default), InternalFailure, or mix (each failure picks one)", true,
        [](Settings& s, std::string_view v) -> Status {
          auto& code = s.runtime.faults.fail_records_code;
          if (v == "ServiceUnavailableException")
            code = RecordFailureCode::ServiceUnavailable;
          else if (v == "InternalFailure")
            code = RecordFailureCode::InternalFailure;
          else if (v == "mix")
            code = RecordFailureCode::Mix;
          else
            return invalid_setting("fail-records-code",
                           fmt::format("'{}' is not ServiceUnavailableException, InternalFailure or mix", v));
          return {};
        });
    add("fail-requests", "RATE", "fraction of put requests answered with a 500 or 503 error", true,
        rate_setter("fail-requests", &FaultSettings::fail_requests));
    add("fail-requests-status", "STATUS",
        "500 (InternalFailure), 503 (ServiceUnavailableException) or mix (default: each failure picks one)", true,
        [](Settings& s, std::string_view v) -> Status {
          auto& status = s.runtime.faults.fail_requests_status;
          if (v == "500")
            status = RequestFailureStatus::InternalError500;
          else if (v == "503")
            status = RequestFailureStatus::Unavailable503;
          else if (v == "mix")
            status = RequestFailureStatus::Mix;
          else
            return invalid_setting("fail-requests-status", fmt::format("'{}' is not 500, 503 or mix", v));
          return {};
        });
    add("reset-before", "RATE", "fraction of put requests whose connection is reset before anything is stored", true,
        rate_setter("reset-before", &FaultSettings::reset_before));
    add("reset-after", "RATE",
        "fraction of put requests whose records are stored, then the connection is reset without an answer", true,
        rate_setter("reset-after", &FaultSettings::reset_after));
    add("latency-ms", "MS[:JITTER_MS]", "added to every put: MS plus a uniform random 0..JITTER_MS", true, set_latency);
    add("stall-rate", "RATE", "fraction of put requests that get no answer for --stall-seconds", true,
        rate_setter("stall-rate", &FaultSettings::stall_rate));
    add("stall-seconds", "SECONDS", "length of a stall (default 10)", true,
        [](Settings& s, std::string_view v) -> Status {
          auto value = seconds("stall-seconds", v);
          if (!value.ok()) return value.error();
          s.runtime.faults.stall = *value;
          return {};
        });
    return t;
  }();
  return table;
}

const Option* find_option(std::string_view name) {
  for (const Option& option : options()) {
    if (option.info.name == name) return &option;
  }
  return nullptr;
}

const std::vector<OptionInfo>& option_table() {
  static const std::vector<OptionInfo> infos = [] {
    std::vector<OptionInfo> out;
    for (const Option& option : options()) out.push_back(option.info);
    return out;
  }();
  return infos;
}

Status apply_setting(Settings& settings, std::string_view name, std::string_view value) {
  const Option* option = find_option(name);
  if (option == nullptr) {
    return make_error(ErrorKind::Config, "InvalidSetting", fmt::format("unknown option '{}'", name));
  }
  return option->set(settings, value);
}

}  // namespace firehose::local
