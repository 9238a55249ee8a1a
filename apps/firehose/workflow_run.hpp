#pragma once
// firehose workflow: its flags as parsed (command_workflow.cpp) and the run
// they start (workflow_run.cpp).
#include <cstdint>
#include <optional>
#include <string>

#include "cli_context.hpp"
#include "example_records.hpp"

namespace firehose::cli {

struct WorkflowArgs {
  std::string records_file;
  std::optional<std::uint64_t> count;
  std::uint64_t seed = kDefaultExampleSeed;
  std::uint64_t single_records = 100;
  std::string metrics_wait = "0";
  std::string progress_interval = "10s";
  double shutdown_grace_seconds = 10;
  bool verify = false;      // --verify: check every record arrived once (workflow_verify.hpp)
  std::string verify_wait;  // S3: how long to wait first (empty: the buffering interval + 30 s)
};

// The whole workflow: steps 1 to 5, the summary on stdout; the exit code.
int run_workflow(CliContext& context, const WorkflowArgs& args);

}  // namespace firehose::cli
