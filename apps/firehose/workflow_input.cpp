#include "workflow_input.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "example_records.hpp"
#include "input_file.hpp"
#include "line_reader.hpp"
#include "status_line.hpp"

namespace firehose::cli {

std::optional<std::uint64_t> WorkflowInput::known_total() const {
  if (records_file.empty()) return count;
  return std::nullopt;
}

std::string WorkflowInput::describe() const {
  if (records_file.empty()) return fmt::format("{} generated records (seed {})", count, seed);
  return records_file == "-" ? "lines of stdin" : fmt::format("lines of {}", records_file);
}

Status for_each_input_record(const WorkflowInput& input, const std::function<bool()>& should_stop,
                             const std::function<void(std::string_view)>& on_record) {
  if (input.records_file.empty()) {
    ExampleRecordGenerator generator(input.seed);
    std::string line;
    for (std::uint64_t i = 0; i < input.count && !should_stop(); ++i) {
      generator.next(line);
      on_record(line);
    }
    return {};
  }
  const bool from_stdin = input.records_file == "-";
  // Waiting silently on a terminal looks like a hang.
  if (from_stdin && isatty(STDIN_FILENO) == 1) status_line::write("reading records from stdin (Ctrl-D ends)\n");
  auto file = open_input(input.records_file);
  if (!file) return file.error();
  LineLimit limit;
  std::optional<Error> torn;
  limit.on_torn_last_line = [&](std::string_view, std::size_t size) {
    torn = make_error(ErrorKind::Client, "TornLine",
                      fmt::format("{}: {}; not sent", input_name(input.records_file), torn_line_message(size)));
  };
  const bool read = for_each_line_block(
      *file, should_stop,
      [&](std::span<const std::string_view> lines) {
        for (std::string_view line : lines) on_record(line);
      },
      limit);
  const int read_errno = errno;
  close_input(*file);
  if (!read)
    return make_error(ErrorKind::Client, "UnreadableInput", read_error_message(input.records_file, read_errno));
  if (torn) return *torn;
  return {};
}

}  // namespace firehose::cli
