#pragma once
// Each command registers its subcommand and the action run when it is chosen.
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli_context.hpp"

namespace firehose::cli {

// The action returns the process exit code.
using Action = std::function<int()>;

// A command's help footer: its examples, then the exit codes that end every
// command's help (the footer the command inherited from `app`).
inline std::string examples_footer(const CLI::App& app, std::initializer_list<std::string_view> examples) {
  std::string footer = "Examples:\n";
  for (const auto example : examples) footer.append("  ").append(example).append("\n");
  return footer + "\n" + app.get_footer();
}

void register_put_record(CLI::App& app, CliContext& context, Action& action);
void register_put_record_batch(CLI::App& app, CliContext& context, Action& action);
void register_stream_commands(CLI::App& app, CliContext& context, Action& action);
void register_send(CLI::App& app, CliContext& context, Action& action);
void register_metrics(CLI::App& app, CliContext& context, Action& action);
void register_generate(CLI::App& app, CliContext& context, Action& action);
void register_workflow(CLI::App& app, CliContext& context, Action& action);
void register_verify(CLI::App& app, CliContext& context, Action& action);

}  // namespace firehose::cli
