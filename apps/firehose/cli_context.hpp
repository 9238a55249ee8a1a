#pragma once
// What every command shares: the global options, the session built from them,
// output formatting and the mapping from errors to a line on stderr and an
// exit code.
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

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
  std::string output = "json";  // json | text
  std::string log_level = "warning";
  std::string log_format = "text";  // text | json
  double connect_timeout_seconds = 3.1;
  double read_timeout_seconds = 60;
};

class CliContext {
 public:
  // Registers the global options on the top-level app (subcommands inherit them).
  void add_global_options(CLI::App& app);
  // Applies --log-level / --log-format; call after parsing.
  void configure_logging() const;

  // The session, built on first use from the global options.
  Result<std::shared_ptr<Session>> session();

  // Prints a service response as the AWS CLI does for --output json|text.
  void print(const nlohmann::ordered_json& response) const;
  // Prints `error: Code: message (request id ...)` and returns the exit code for it.
  int fail(const Error& error) const;
  int usage_error(const std::string& message) const;

  const GlobalOptions& options() const { return options_; }
  // Whether --output was given (commands whose default view is not JSON ask).
  bool output_given() const { return output_option_ != nullptr && output_option_->count() > 0; }

 private:
  GlobalOptions options_;
  CLI::Option* output_option_ = nullptr;
  std::shared_ptr<Session> session_;
};

// The exit code for an error of this kind.
int exit_code_for(const Error& error);

}  // namespace firehose::cli
