#pragma once
// Runs a command line through /bin/sh -c and collects what it printed, the
// way credential_process commands are run.
#include <chrono>
#include <cstddef>
#include <string>

#include "firehose/result.hpp"

namespace firehose::aws {

struct ShellCommandOutput {
  int exit_status = 0;  // the exit code, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Inherits the process environment; stdin is /dev/null. An Error when the
// command could not be started or waited for, and (Config,
// "CredentialProcessFailed") when it runs longer than `timeout` or prints
// more than `max_output` bytes: it is then killed with everything it started
// (it runs in a process group of its own). A hanging command hung `send`.
Result<ShellCommandOutput> run_shell_command(const std::string& command, std::chrono::milliseconds timeout,
                                             std::size_t max_output = 1024 * 1024);

}  // namespace firehose::aws
