#pragma once
// The workflow's records: lines of a file (or stdin), or records generated
// on the fly in the AWS example's shape. Either way they are pushed one at a
// time, so memory stays flat for any input.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "firehose/result.hpp"

namespace firehose::cli {

struct WorkflowInput {
  std::string records_file;  // "-" for stdin; empty = generate
  std::uint64_t count = 0;   // records to generate
  std::uint64_t seed = 0;

  // The number of records when known in advance (generated input).
  std::optional<std::uint64_t> known_total() const;
  std::string describe() const;
};

// Calls `on_record` with each record ('\n' included) until the input ends or
// `should_stop()` is true. An error when the file cannot be opened or read.
Status for_each_input_record(const WorkflowInput& input, const std::function<bool()>& should_stop,
                             const std::function<void(std::string_view)>& on_record);

}  // namespace firehose::cli
