#pragma once
// What every command shares: the global options, the session built from them,
// output formatting and the mapping from errors to a line on stderr and an
// exit code.
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "exit_codes.hpp"
#include "firehose/error.hpp"
#include "firehose/session.hpp"

namespace firehose::cli {

struct GlobalOptions {
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;
  std::optional<std::string> profile;
  std::optional<int> max_attempts;
  std::optional<std::string> ca_bundle;
  bool no_verify_ssl = false;
  std::string output = "json";             // json | text | table
  std::optional<std::string> config_file;  // --config: the CLI's own settings (config.hpp)
  std::optional<std::string> log_level;    // unset: FIREHOSE_LOG_LEVEL, config file, the command's default
  bool debug = false;                      // --debug: the AWS CLI's spelling of --log-level debug
  std::optional<std::string> log_format;   // unset: FIREHOSE_LOG_FORMAT, config file, text on a terminal else json
  double connect_timeout_seconds = 3.1;
  double read_timeout_seconds = 60;
};

class CliContext {
 public:
  // Registers the global options on the top-level app (subcommands inherit them).
  void add_global_options(CLI::App& app);
  // Resolves the settings and applies the log level and format; call after
  // parsing. An exit code when the settings are refused (the line is printed).
  std::optional<int> configure_logging();

  // The command's own flags that are settings (config.hpp); a command binds its options here.
  SettingsFlags& settings_flags() { return settings_flags_; }
  // The log level when no flag, variable or config file sets one (a command may raise it).
  void set_default_log_level(std::string level) { default_log_level_ = std::move(level); }
  // Flags > FIREHOSE_* > config file > defaults; resolved once, by configure_logging().
  const ResolvedSendSettings& settings() const { return *settings_; }
  // The log format in force ("text" or "json").
  const std::string& log_format() const { return log_format_; }

  // The session, built on first use from the global options.
  Result<std::shared_ptr<Session>> session();

  // Prints a service response as the AWS CLI does for --output json|text|table;
  // `operation` (e.g. "PutRecord") titles the table.
  void print(const std::string& operation, const nlohmann::ordered_json& response) const;
  // Prints `error: Code: message (request id ...)` and returns the exit code for it.
  int fail(const Error& error) const;
  int usage_error(const std::string& message) const;

  const GlobalOptions& options() const { return options_; }
  // Whether --output was given (commands whose default view is not JSON ask).
  bool output_given() const { return output_option_ != nullptr && output_option_->count() > 0; }

 private:
  GlobalOptions options_;
  SettingsFlags settings_flags_;
  std::optional<ResolvedSendSettings> settings_;
  std::string default_log_level_ = "warning";
  std::string log_format_ = "text";
  CLI::Option* output_option_ = nullptr;
  std::shared_ptr<Session> session_;
};

// The exit code for an error of this kind.
int exit_code_for(const Error& error);

}  // namespace firehose::cli
