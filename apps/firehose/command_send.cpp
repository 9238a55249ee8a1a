// firehose send: stream lines from files or stdin through the producer.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "line_reader.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/limits.hpp"
#include "firehose/producer.hpp"
#include "firehose/producer/dead_letter.hpp"

namespace firehose::cli {
namespace {

struct SendArgs {
  std::string stream;
  std::vector<std::string> inputs;
  int max_in_flight = 16;
  int linger_ms = 100;
  std::optional<int> max_attempts;
  // Below the library's 64: keeps peak RSS under 48 MiB (docs/benchmarks.md).
  // 36 leaves records 31 MiB after the allowances for reuse (1 + 4 MiB): with
  // less, retries waiting out their backoff under a quota held enough of the
  // budget to starve intake (steady state 91-95 % of the quota, not 98 %).
  int memory_mb = 36;
  bool pack = false;
  std::size_t pack_target_bytes = limits::kMaxRecordBytes;
  std::string dead_letter;
  std::string from_dead_letter;
  double record_ttl_seconds = 600;
  double shutdown_grace_seconds = 10;
  std::string metrics_namespace;
  int metrics_interval_seconds = 60;
};

// SIGINT / SIGTERM: stop reading, give the producer a grace period to drain,
// dead-letter the rest with reason Shutdown.
std::atomic<int> g_stop_signal{0};
extern "C" void on_stop_signal(int signal) { g_stop_signal.store(signal); }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked read returns, so the loop sees the flag
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

void register_send(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<SendArgs>();
  auto* cmd = app.add_subcommand(
      "send",
      "Send every line of the inputs as a record through the producer: batched within every limit,\n"
      "concurrent, only failed records retried, rate adapted to throttling. The last line of stdout is\n"
      "a JSON summary. Exit 0 when every record was acknowledged, 1 when some were not (they are in\n"
      "the dead-letter file when --dead-letter is given).");
  cmd->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  cmd->add_option("inputs", args->inputs, "Input files, '-' for stdin (default: stdin)");
  cmd->add_option("--max-in-flight", args->max_in_flight, "PutRecordBatch requests at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--linger-ms", args->linger_ms, "How long a partial batch waits for more records")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd->add_option("--max-attempts", args->max_attempts, "Sends per record, first included (default 10)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--record-ttl", args->record_ttl_seconds, "Seconds after which a record is no longer retried")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--memory-mb", args->memory_mb,
                  "Memory budget for records from input to outcome (their data, request bodies, answers);\n"
                  "peak RSS is at most about 20 MiB + 0.75 x this")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_flag("--pack", args->pack, "Join lines into records of up to --pack-bytes (cuts the 5 KB billing rounding)");
  cmd->add_option("--pack-bytes", args->pack_target_bytes, "Target size of packed records")
      ->check(CLI::Range(std::size_t{1}, limits::kMaxRecordBytes))
      ->capture_default_str();
  cmd->add_option("--dead-letter", args->dead_letter, "NDJSON file for records that could not be delivered");
  cmd->add_option("--from-dead-letter", args->from_dead_letter,
                  "Send again the records of a dead-letter file (instead of lines of input)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--shutdown-grace", args->shutdown_grace_seconds,
                  "Seconds to drain after Ctrl-C/SIGTERM before unsent records are dead-lettered")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--publish-metrics", args->metrics_namespace,
                  "Publish the producer's metrics to CloudWatch under this namespace (e.g. MyApp/Producer),\n"
                  "dimension DeliveryStreamName: counts, bytes and latency every interval and once at the end.\n"
                  "A failing publish is logged once and changes neither sending nor the exit code");
  cmd->add_option("--publish-metrics-interval", args->metrics_interval_seconds,
                  "Seconds between metric publishes (with --publish-metrics)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  cmd->callback([&context, &action, args] {
    action = [&context, args]() -> int {
      std::vector<std::FILE*> files;
      std::vector<producer::DeadLetterEntry> resend;
      if (!args->from_dead_letter.empty()) {
        if (!args->inputs.empty()) return context.usage_error("--from-dead-letter takes no input files");
        auto entries = producer::read_dead_letters(args->from_dead_letter);
        if (!entries) return context.usage_error(entries.error().message);
        resend = std::move(entries).value();
        args->inputs.clear();
      } else if (args->inputs.empty()) {
        args->inputs.push_back("-");
      }
      for (const auto& input : args->inputs) {
        std::FILE* f = input == "-" ? stdin : std::fopen(input.c_str(), "rb");
        if (f == nullptr) return context.usage_error(fmt::format("cannot read {}: {}", input, std::strerror(errno)));
        files.push_back(f);
      }
      auto session = context.session();
      if (!session) return context.fail(session.error());
      auto client = FirehoseClient::create(*session);
      if (!client) return context.fail(client.error());

      ProducerOptions options;
      options.delivery_stream_name = args->stream;
      options.max_in_flight = args->max_in_flight;
      options.linger = std::chrono::milliseconds(args->linger_ms);
      if (args->max_attempts) options.retry.max_attempts = *args->max_attempts;
      options.record_ttl = std::chrono::milliseconds(static_cast<long>(args->record_ttl_seconds * 1000));
      options.memory_budget_bytes = static_cast<std::size_t>(args->memory_mb) * 1024 * 1024;
      options.pack_target_bytes = args->pack ? args->pack_target_bytes : 0;
      options.dead_letter_path = args->dead_letter;
      if (!args->metrics_namespace.empty()) {
        auto metrics_client = CloudWatchClient::create(*session);
        if (!metrics_client) return context.fail(metrics_client.error());
        options.metrics_client = std::move(metrics_client).value();
        options.metrics_namespace = args->metrics_namespace;
        options.metrics_interval = std::chrono::seconds(args->metrics_interval_seconds);
      }
      auto producer = Producer::create(*client, options);
      // An option the producer refuses (e.g. an "AWS/" namespace) is the command line's mistake.
      if (!producer && producer.error().code == "InvalidOption") return context.usage_error(producer.error().message);
      if (!producer) return context.fail(producer.error());

      install_stop_handlers();
      const auto started = std::chrono::steady_clock::now();
      std::uint64_t line_no = 0;
      for (auto& entry : resend) {
        if (g_stop_signal.load() != 0) break;
        (*producer)->put(std::move(entry.data), OutcomeCallback{});
      }
      bool read_ok = true;
      for (std::size_t i = 0; i < files.size(); ++i) {
        // A block's lines go to the producer together: one lock and one budget charge per block.
        auto on_lines = [&](std::span<const std::string_view> lines) {
          for (std::string_view line : lines) {
            ++line_no;
            if (line.size() > limits::kMaxRecordBytes) {
              spdlog::error("{} line {}: {} bytes, over Firehose's 1,024,000-byte record limit; not sent",
                            args->inputs[i] == "-" ? "stdin" : args->inputs[i], line_no, line.size());
            }
          }
          (*producer)->put_copy_all(lines);
        };
        read_ok = for_each_line_block(files[i], [] { return g_stop_signal.load() != 0; }, on_lines) && read_ok;
        if (files[i] != stdin) std::fclose(files[i]);
      }
      // Drain in slices so that Ctrl-C is noticed while waiting, too.
      bool interrupted = g_stop_signal.load() != 0;
      while (!interrupted && !(*producer)->fatal_error()) {
        if ((*producer)->flush(std::chrono::milliseconds(200)).ok()) break;
        interrupted = g_stop_signal.load() != 0;
      }
      // Interrupted: a grace period, then whatever is unsent goes to the dead-letter file.
      if (interrupted) spdlog::warn("interrupted: draining for up to {} s", args->shutdown_grace_seconds);
      auto closed = (*producer)->close(
          interrupted ? std::chrono::milliseconds(static_cast<long>(args->shutdown_grace_seconds * 1000))
                      : std::chrono::milliseconds(std::chrono::hours(24)));
      const auto metrics = (*producer)->metrics();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      // Records refused at put() (over the size limit) count as failed: they were not sent.
      const std::uint64_t records = metrics.records_in + metrics.records_rejected;
      const std::uint64_t failed = metrics.records_failed + metrics.records_rejected;
      nlohmann::ordered_json summary = {
          {"records", records},
          {"acknowledged", metrics.records_acknowledged},
          {"failed", failed},
          {"dead_lettered", metrics.records_dead_lettered},
          {"retries", metrics.records_retried},
          {"throttled", metrics.records_throttled},
          {"possible_duplicates", metrics.possible_duplicates},
          {"bytes", metrics.bytes_acknowledged},
          {"seconds", std::round(seconds * 1000) / 1000},
      };
      std::fputs((summary.dump() + "\n").c_str(), stdout);
      std::fflush(stdout);
      if (auto fatal = (*producer)->fatal_error()) return context.fail(*fatal);
      if (interrupted) return kInterrupted;
      if (!read_ok) return context.usage_error("error reading input");
      (void)closed;
      return failed == 0 ? kSuccess : kPartialFailure;
    };
  });
}

}  // namespace firehose::cli
