// firehose generate: the AWS example's data set (or any number of records in
// its shape), deterministic for a seed, streamed with flat memory.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "commands.hpp"
#include "example_records.hpp"
#include "number_arg.hpp"

namespace firehose::cli {
namespace {

struct GenerateArgs {
  std::uint64_t count = kExampleDataSetSize;
  std::uint64_t seed = kDefaultExampleSeed;
  std::string output = "-";
};

// Writes `count` records to `out`; false on a write error (full disk, closed pipe).
bool write_records(std::FILE* out, std::uint64_t count, std::uint64_t seed) {
  ExampleRecordGenerator generator(seed);
  std::string line;
  for (std::uint64_t i = 0; i < count; ++i) {
    generator.next(line);
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) return false;
  }
  return std::fflush(out) == 0;
}

}  // namespace

void register_generate(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<GenerateArgs>();
  auto* cmd = app.add_subcommand(
      "generate",
      fmt::format("Write records shaped like the AWS code example's data set, one JSON object a line:\n"
                  "  {{\"ip_address\":\"<IPv4>\",\"timestamp\":<unix seconds>,\"alert_level\":"
                  "\"Low|Medium|High|Critical\"}}\n"
                  "The same --seed gives the same bytes on every machine, and the same as resources/generate-data.js\n"
                  "(timestamps from {}, 2025-01-01T00:00:00Z, 0 to 2 s apart, not the clock). Memory stays flat for\n"
                  "any --count.",
                  kExampleBaseTimestamp));
  cmd->add_option("--count", args->count, "Number of records (the example's data set has 2,550)")
      ->transform(decimal_up_to(kMaxGeneratedRecords))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the pseudo-random sequence (0 to 2^64-1)")
      ->transform(decimal_up_to(std::numeric_limits<std::uint64_t>::max()))
      ->capture_default_str();
  cmd->add_option("--output", args->output, "File to write ('-' for stdout)")->capture_default_str();
  cmd->callback([&context, &action, args] {
    action = [&context, args]() -> int {
      const bool to_stdout = args->output == "-";
      std::FILE* out = to_stdout ? stdout : std::fopen(args->output.c_str(), "wb");
      if (out == nullptr) {
        return context.usage_error(fmt::format("cannot write {}: {}", args->output, std::strerror(errno)));
      }
      const bool written = write_records(out, args->count, args->seed);
      // A failed stdout (`generate | head -1`: EPIPE) is main()'s to report, as for every
      // command: one line, exit 2. Saying it here as well made two lines.
      if (to_stdout) return written ? static_cast<int>(kSuccess) : static_cast<int>(kUsage);
      const int saved_errno = errno;
      const bool closed = std::fclose(out) == 0;
      if (!written || !closed) {
        return context.usage_error(
            fmt::format("cannot write {}: {}", args->output, std::strerror(saved_errno != 0 ? saved_errno : errno)));
      }
      return kSuccess;
    };
  });
}

}  // namespace firehose::cli
