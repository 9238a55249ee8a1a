#include "workflow_input.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "example_records.hpp"
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
  std::FILE* file = from_stdin ? stdin : std::fopen(input.records_file.c_str(), "rb");
  if (file == nullptr) {
    return make_error(ErrorKind::Client, "UnreadableInput",
                      fmt::format("cannot read {}: {}", input.records_file, std::strerror(errno)));
  }
  const bool read = for_each_line(file, should_stop, on_record);
  if (!from_stdin) std::fclose(file);
  if (!read) {
    return make_error(ErrorKind::Client, "UnreadableInput", fmt::format("error reading {}", input.records_file));
  }
  return {};
}

}  // namespace firehose::cli
