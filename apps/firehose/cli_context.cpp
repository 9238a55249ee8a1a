#include "cli_context.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "duration_arg.hpp"
#include "logging.hpp"
#include "table_output.hpp"
#include "text_output.hpp"

namespace firehose::cli {

void CliContext::add_global_options(CLI::App& app) {
  auto* group = "Global options";
  app.add_option("--region", options_.region, "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, profile region)")
      ->group(group);
  app.add_option("--endpoint-url", options_.endpoint_url,
                 "Endpoint URL (else AWS_ENDPOINT_URL_FIREHOSE, AWS_ENDPOINT_URL, config file, default host)")
      ->group(group);
  app.add_option("--profile", options_.profile, "Profile from ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE)")
      ->group(group);
  output_option_ = app.add_option("--output", options_.output, "Output format: json, text or table (as the AWS CLI's)")
                       ->check(CLI::IsMember({"json", "text", "table"}))
                       ->group(group);
  app.add_option("--max-attempts", options_.max_attempts,
                 "Attempts per call, first one included (else AWS_MAX_ATTEMPTS, 3)")
      ->check(CLI::Range(1, 100))
      ->group(group);
  // Not CLI::IsMember: "warn" and "err" are also taken (canonical_log_level).
  const std::string levels = "{trace,debug,info,warning,error,off}";
  app.add_option("--log-level", options_.log_level,
                 "Log level on stderr (else FIREHOSE_LOG_LEVEL, config file, warning); warn and err also do")
      ->check(CLI::Validator(
          [levels](std::string& level) {
            return canonical_log_level(level) ? std::string() : fmt::format("{} not in {}", level, levels);
          },
          levels))
      ->group(group);
  app.add_flag("--debug", options_.debug, "Same as --log-level debug (the AWS CLI's flag)")->group(group);
  app.add_option("--log-format", options_.log_format,
                 "Log format on stderr: text for people, json for machines\n(else FIREHOSE_LOG_FORMAT, config file; "
                 "default text on a terminal, json otherwise)")
      ->check(CLI::IsMember({"text", "json"}))
      ->group(group);
  app.add_option("--config", options_.config_file,
                 "The CLI's settings file (TOML; default $XDG_CONFIG_HOME/firehose/config.toml when present)")
      ->group(group);
  app.add_option("--ca-bundle", options_.ca_bundle, "CA certificate bundle to verify TLS with (else AWS_CA_BUNDLE)")
      ->check(CLI::ExistingFile)
      ->group(group);
  app.add_flag("--no-verify-ssl", options_.no_verify_ssl, "Do not verify TLS certificates (insecure)")->group(group);
  app.add_option("--cli-connect-timeout", options_.connect_timeout_seconds, "Connect timeout in seconds")
      ->check(CLI::Range(0.001, kLongestSeconds))
      ->group(group);
  app.add_option("--cli-read-timeout", options_.read_timeout_seconds, "Request timeout in seconds")
      ->check(CLI::Range(0.001, kLongestSeconds))
      ->group(group);
}

std::optional<int> CliContext::configure_logging() {
  SettingsFlags flags = settings_flags_;
  flags.config_file = options_.config_file;
  flags.max_attempts = settings_flags_.max_attempts ? settings_flags_.max_attempts : options_.max_attempts;
  flags.log_level = options_.log_level;
  if (options_.debug && !flags.log_level) flags.log_level = "debug";
  flags.log_format = options_.log_format;
  auto resolved = resolve_send_settings(flags, Environment::process());
  if (!resolved) {
    setup_logging(default_log_level_, isatty(STDERR_FILENO) == 1 ? "text" : "json");
    std::fprintf(stderr, "error: %s\n", resolved.error().message.c_str());
    return exit_code_for_settings(resolved.error());
  }
  settings_ = std::move(resolved).value();
  const std::string level = settings_->log_level.source == "default" ? default_log_level_ : settings_->log_level.value;
  log_format_ = settings_->log_format.value.value_or(isatty(STDERR_FILENO) == 1 ? "text" : "json");
  setup_logging(level, log_format_);
  return std::nullopt;
}

Result<std::shared_ptr<Session>> CliContext::session() {
  if (session_) return session_;
  SessionOptions o;
  o.profile = options_.profile;
  o.region = options_.region;
  o.endpoint_url = options_.endpoint_url;
  o.region_option_name = "--region";
  o.endpoint_url_option_name = "--endpoint-url";
  // One precedence for every retry of the CLI: --max-attempts, FIREHOSE_MAX_ATTEMPTS,
  // AWS_MAX_ATTEMPTS, the config file (then the profile's max_attempts, read by the session).
  o.max_attempts = settings_ ? settings_->max_attempts.value : options_.max_attempts;
  o.ca_bundle = options_.ca_bundle;
  o.verify_tls = !options_.no_verify_ssl;
  o.connect_timeout = milliseconds_of_seconds(options_.connect_timeout_seconds);
  o.request_timeout = milliseconds_of_seconds(options_.read_timeout_seconds);
  auto created = Session::create(o);
  if (!created) return created.error();
  session_ = *created;
  return session_;
}

namespace {
// The AWS CLI draws tables to the terminal's width, 80 columns off a terminal.
int stdout_columns() {
  winsize size{};
  if (isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}
}  // namespace

void CliContext::print(const std::string& operation, const nlohmann::ordered_json& response) const {
  if (options_.output == "table") {
    std::cout << to_aws_table(operation, nlohmann::json::parse(response.dump()), stdout_columns());
  } else if (options_.output == "text") {
    std::cout << to_aws_text(nlohmann::json::parse(response.dump()));
  } else {
    std::cout << response.dump(4) << '\n';
  }
  std::cout.flush();
}

int exit_code_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::Config: return kConfig;
    case ErrorKind::Transport: return kTransport;
    case ErrorKind::Throttle:
    case ErrorKind::Transient:
    case ErrorKind::Client:
    case ErrorKind::Auth: return kServiceError;
  }
  return kServiceError;
}

int CliContext::fail(const Error& error) const {
  std::fprintf(stderr, "error: %s\n", error.to_string().c_str());
  return exit_code_for(error);
}

int CliContext::usage_error(const std::string& message) const {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kUsage;
}

}  // namespace firehose::cli
