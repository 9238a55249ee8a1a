#pragma once
// Each command registers its subcommand and the action run when it is chosen.
#include <functional>

#include <CLI/CLI.hpp>

#include "cli_context.hpp"

namespace firehose::cli {

// The action returns the process exit code.
using Action = std::function<int()>;

void register_put_record(CLI::App& app, CliContext& context, Action& action);
void register_put_record_batch(CLI::App& app, CliContext& context, Action& action);
void register_stream_commands(CLI::App& app, CliContext& context, Action& action);
void register_send(CLI::App& app, CliContext& context, Action& action);
void register_metrics(CLI::App& app, CliContext& context, Action& action);
void register_generate(CLI::App& app, CliContext& context, Action& action);
void register_workflow(CLI::App& app, CliContext& context, Action& action);
void register_verify(CLI::App& app, CliContext& context, Action& action);

}  // namespace firehose::cli
