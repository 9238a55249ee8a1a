#pragma once
// What CLI11 does not say well: a mistyped command or option. CLI11 answers
// `firehose put-records` with "A subcommand is required" and
// `--delivery-steam-name` with "--delivery-stream-name is required"; this
// looks at the words first and names the unknown one, with the closest known
// name ("unknown command 'put-records' (did you mean put-record?)"). Also
// `firehose help [COMMAND]`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace firehose::cli {

// The candidate nearest to `word` when it is near enough to be a typo
// (edit distance <= 2, or at most a third of the word), else nullopt.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates);

// Checks argv against `app`'s commands and options before CLI11 parses it.
// An exit code when it answered (help printed: 0; a mistake printed on stderr: 2).
std::optional<int> check_command_line(CLI::App& app, int argc, const char* const* argv);

}  // namespace firehose::cli
