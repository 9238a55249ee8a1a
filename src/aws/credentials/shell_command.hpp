#pragma once
// Runs a command line through /bin/sh -c and collects what it printed, the
// way credential_process commands are run.
#include <string>

#include "firehose/result.hpp"

namespace firehose::aws {

struct ShellCommandOutput {
  int exit_status = 0;  // the exit code, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Inherits the process environment; stdin is /dev/null. An Error only when
// the command could not be started or waited for.
Result<ShellCommandOutput> run_shell_command(const std::string& command);

}  // namespace firehose::aws
