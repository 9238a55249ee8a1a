// firehose send: stream lines from files or stdin through the producer.
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "config.hpp"
#include "drain_deadline.hpp"
#include "duration_arg.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/dead_letter.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/limits.hpp"
#include "firehose/producer.hpp"
#include "input_file.hpp"
#include "line_reader.hpp"
#include "progress.hpp"
#include "stop_signals.hpp"
#include "stream_state.hpp"

namespace firehose::cli {
namespace {

// send's own options; the ones every sending command shares (stream, batch
// limits, in flight, linger, attempts, dead-letter file) are resolved by
// CliContext::settings() from flags, FIREHOSE_* and the config file.
struct SendArgs {
  std::vector<std::string> inputs;
  // Below the library's 64: keeps peak RSS under 48 MiB (docs/producer.md).
  // At 36, 1 KiB lines peaked at 52-55 MiB of RSS; at 28, 44-46 MiB, with the
  // same CPU and 98 % of a 5 MiB/s quota in the steady state. (At 32, before
  // the limiter retried throttled records within a second, retries waiting
  // out their backoff starved intake: 91-95 %.)
  int memory_mb = kDefaultMemoryMb;
  bool pack = false;
  bool fixed_in_flight = false;
  std::size_t pack_target_bytes = limits::kMaxRecordBytes;
  std::string from_dead_letter;
  std::string progress_interval = "10s";
  double record_ttl_seconds = 600;
  double shutdown_grace_seconds = 10;
  std::string metrics_namespace;
  int metrics_interval_seconds = 60;
};

// Where a line came from, for the dead-letter file and messages.
std::string source_of(const std::string& input, std::uint64_t line) {
  return fmt::format("{}:{}", input == "-" ? "stdin" : input, line);
}

// Which input, if any, is the file at `path` (the same file, by device and
// inode: another name, a link, or stdin redirected from it).
std::optional<std::string> input_that_is(const std::string& path, const SendArgs& args,
                                         const std::vector<std::FILE*>& files) {
  struct stat target {};
  if (::stat(path.c_str(), &target) != 0) return std::nullopt;  // not there yet: no input is it
  auto same = [&](const struct stat& info) { return info.st_dev == target.st_dev && info.st_ino == target.st_ino; };
  struct stat info {};
  if (!args.from_dead_letter.empty() && ::stat(args.from_dead_letter.c_str(), &info) == 0 && same(info)) {
    return "--from-dead-letter";
  }
  for (std::size_t i = 0; i < files.size() && i < args.inputs.size(); ++i) {
    if (::fstat(fileno(files[i]), &info) == 0 && same(info)) return args.inputs[i] == "-" ? "stdin" : args.inputs[i];
  }
  return std::nullopt;
}

int run_send(CliContext& context, SendArgs& args) {
  std::vector<std::FILE*> files;
  if (!args.from_dead_letter.empty()) {
    if (!args.inputs.empty()) return context.usage_error("--from-dead-letter takes no input files");
  } else if (args.inputs.empty()) {
    args.inputs.push_back("-");
  }
  for (const auto& input : args.inputs) {
    auto opened = open_input(input);
    if (!opened) {
      for (std::FILE* f : files) close_input(f);
      return context.usage_error(opened.error().message);
    }
    files.push_back(*opened);
  }
  auto session = context.session();
  if (!session) return context.fail(session.error());
  auto client = FirehoseClient::create(*session);
  if (!client) return context.fail(client.error());

  // One precedence for every setting (config.hpp): flags > FIREHOSE_* >
  // config file > defaults; AWS_MAX_ATTEMPTS too, when nothing of ours is set.
  const ResolvedSendSettings& settings = context.settings();
  std::string stream = settings.delivery_stream.value;
  if (!args.from_dead_letter.empty()) {
    // The whole file is checked before anything is sent: a malformed line half-way stopped the
    // replay after the lines before it had been sent, and once the file was fixed they went twice.
    std::set<std::string> streams;
    auto checked = for_each_dead_letter(args.from_dead_letter, [&](DeadLetterEntry&& entry) {
      if (streams.size() < 2) streams.insert(entry.stream);
      return true;
    });
    if (!checked) return context.usage_error(checked.error().message + " (nothing was sent)");
    // Each entry names its stream: a replay without a stream given goes where the records were going.
    if (stream.empty() && streams.size() == 1 && !streams.begin()->empty()) {
      stream = *streams.begin();
      spdlog::info("sending to {}, the stream the dead-letter file names", stream);
    } else if (stream.empty() && streams.size() > 1) {
      return context.usage_error(
          fmt::format("{} holds records of several streams: give --delivery-stream-name", args.from_dead_letter));
    }
  }
  if (stream.empty()) {
    return context.usage_error(
        "no delivery stream: give --delivery-stream-name, FIREHOSE_DELIVERY_STREAM or delivery_stream in the config "
        "file");
  }
  ProducerOptions options;
  apply_to(settings, options);
  options.delivery_stream_name = stream;
  if (!settings.max_attempts.value && Environment::process().get("AWS_MAX_ATTEMPTS")) {
    options.retry.max_attempts = (*session)->retry_policy().max_attempts;
  }
  options.record_ttl = milliseconds_of_seconds(args.record_ttl_seconds);
  // The last whole call that failed: why records were not delivered, for the
  // error line at the end (a summary alone said nothing of a refused connection).
  std::mutex last_call_error_mutex;
  std::optional<Error> last_call_error;
  options.on_batch = [&](const BatchReport& report) {
    if (!report.call_error) return;
    std::lock_guard lock(last_call_error_mutex);
    last_call_error = report.call_error;
  };
  options.memory_budget_bytes = static_cast<std::size_t>(args.memory_mb) * 1024 * 1024;
  options.pack_target_bytes = args.pack ? args.pack_target_bytes : 0;
  options.tune_in_flight = !args.fixed_in_flight;
  if (!args.metrics_namespace.empty()) {
    auto metrics_client = CloudWatchClient::create(*session);
    if (!metrics_client) return context.fail(metrics_client.error());
    options.metrics_client = std::move(metrics_client).value();
    options.metrics_namespace = args.metrics_namespace;
    options.metrics_interval = std::chrono::seconds(args.metrics_interval_seconds);
  }
  if (options.dead_letter_path.empty()) {
    spdlog::warn("no --dead-letter file: records that cannot be delivered will only be counted (as failed)");
  } else if (auto input = input_that_is(options.dead_letter_path, args, files)) {
    // Records that fail would be read again; a replay that writes to the file it reads never
    // ended (FIREHOSE_DEAD_LETTER set, `send --from-dead-letter` of that file: 6.6 million lines in a minute).
    for (std::FILE* f : files) close_input(f);
    return context.usage_error(fmt::format(
        "the dead-letter file {} is also an input ({}): records that fail would be read again; give another "
        "--dead-letter file",
        options.dead_letter_path, *input));
  }
  const auto grace = milliseconds_of_seconds(args.shutdown_grace_seconds);
  // Before the producer's threads start, so that they inherit the blocked signals.
  std::unique_ptr<Producer> producer;
  std::atomic<Producer*> live{nullptr};
  DrainDeadline drain_deadline([&] {
    if (Producer* p = live.load()) p->shutdown(std::chrono::milliseconds(0));
  });
  StopSignals signals(
      [&](int signal) {
        spdlog::warn("{}: stopped reading; draining for up to {} s (again to stop at once)",
                     signal == SIGINT ? "interrupted" : "terminated", args.shutdown_grace_seconds);
        // Not shutdown(grace) yet: a put() waiting for memory would refuse the block of lines it
        // holds, lines already read, unsent (10,923 at one Ctrl-C). The reader stops between blocks.
        drain_deadline.arm(grace);
      },
      [&](int) {
        spdlog::warn("stopping now: records without an outcome fail with reason Shutdown");
        if (Producer* p = live.load()) p->shutdown(std::chrono::milliseconds(0));
      });
  auto created = Producer::create(*client, options);
  // An option the producer refuses (e.g. an "AWS/" namespace) is the command line's mistake.
  if (!created && created.error().code == "InvalidOption") return context.usage_error(created.error().message);
  if (!created) return context.fail(created.error());
  producer = std::move(created).value();
  live.store(producer.get());
  if (signals.stopping()) drain_deadline.arm(grace);  // a signal while it was being created

  auto interval = parse_duration(args.progress_interval);
  if (!interval) return context.usage_error("--progress-interval: " + interval.error().message);
  ProgressReporter progress(stderr_progress_options(*interval, std::nullopt),
                            [&] { return progress_counts_of(producer->metrics()); });
  const auto started = std::chrono::steady_clock::now();
  bool refused = false;  // the producer stopped taking records (fatal error, shutdown)
  auto should_stop = [&] { return refused || signals.stopping(); };
  bool read_ok = true;
  std::string read_error;
  std::string first_refusal;  // the first line refused as it was read, for the error line at the end
  if (!args.from_dead_letter.empty()) {
    // Streamed: memory stays flat whatever the file's size.
    auto read = for_each_dead_letter(args.from_dead_letter, [&](DeadLetterEntry&& entry) {
      if (entry.truncated) {
        RefusedRecord again{std::move(entry.data),
                            entry.size.value_or(0),
                            true,
                            entry.error_code,
                            entry.error_message + " (only its first bytes were kept: cannot be sent again)",
                            entry.source};
        producer->refuse(again);
      } else if (producer->put(std::move(entry.data), OutcomeCallback{}) == PutStatus::kClosed) {
        refused = true;
      }
      return !should_stop();
    });
    if (!read) {
      read_ok = false;
      read_error = read.error().message;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::uint64_t line_no = 0;
    const std::string& input = args.inputs[i];
    if (files[i] == stdin && isatty(fileno(stdin)) != 0) {
      std::fputs("reading records from stdin (Ctrl-D ends)\n", stderr);
    }
    LineLimit limit;
    limit.max_bytes = limits::kMaxRecordBytes;
    limit.on_oversize = [&](std::string_view prefix, std::size_t size) {
      ++line_no;
      const std::string source = source_of(input, line_no);
      if (first_refusal.empty()) {
        first_refusal =
            fmt::format("{}: {} bytes with its newline, over the 1,024,000-byte record limit", source, size);
      }
      spdlog::error("{}: {} bytes with its newline, over Firehose's 1,024,000-byte record limit; not sent", source,
                    size);
      producer->refuse(
          RefusedRecord{std::string(prefix), size, true, "RecordTooLarge",
                        fmt::format("{} bytes with its newline, over the 1,024,000-byte record limit", size), source});
    };
    // A line read but not sent (torn by a writer, or cut by a signal): dead-lettered with `code`.
    // Returns where it was read.
    auto refuse_line = [&](std::string_view prefix, std::size_t size, const char* code, const std::string& why) {
      ++line_no;
      std::string source = source_of(input, line_no);
      spdlog::warn("{}: {}; not sent", source, why);
      producer->refuse(RefusedRecord{std::string(prefix), size, prefix.size() < size, code, why, source});
      return source;
    };
    limit.on_torn_last_line = [&](std::string_view prefix, std::size_t size) {
      const std::string why = torn_line_message(size);
      const std::string source = refuse_line(prefix, size, "TornLine", why);
      if (first_refusal.empty()) first_refusal = fmt::format("{}: {}", source, why);
    };
    limit.on_cut_by_stop = [&](std::string_view prefix, std::size_t size) {
      refuse_line(prefix, size, "Interrupted",
                  fmt::format("reading stopped (a signal) before this line's end: {} bytes read", size));
    };
    // A block's lines go to the producer together: one lock and one budget charge per block.
    auto on_lines = [&](std::span<const std::string_view> lines) {
      line_no += lines.size();
      if (refused) return;
      if (producer->put_copy_all(lines) == PutStatus::kClosed) refused = true;
    };
    if (!for_each_line_block(files[i], should_stop, on_lines, limit)) {
      read_ok = false;
      read_error = read_error_message(input, errno);
    }
    close_input(files[i]);
    if (should_stop()) break;
  }
  signals.reading_done();
  if (!read_ok) spdlog::error("{}", read_error);
  // Every line read is in: after a signal, intake closes and what is left of the grace drains them.
  if (auto left = drain_deadline.time_left()) producer->shutdown(*left);
  // Drains; a second signal brings the deadline forward (the watcher calls shutdown()).
  (void)producer->close(std::chrono::hours(24 * 365));
  drain_deadline.disarm();
  progress.stop();  // before the summary: the status line is cleared
  const auto metrics = producer->metrics();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Records refused at put() or before it (over the size limit) count as
  // failed: they were not sent. With a dead-letter file each of them is in it.
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
  if (auto fatal = producer->fatal_error())
    return context.fail(explain_stream_error(*fatal, **client, stream));
  if (signals.stopping()) return StopSignals::exit_code(signals.received());
  if (!read_ok) return context.usage_error(read_error);
  if (failed == 0) return kSuccess;
  std::lock_guard lock(last_call_error_mutex);
  if (last_call_error && metrics.records_acknowledged == 0 && never_reached(*last_call_error)) {
    return context.fail(*last_call_error);  // named, exit 5, as for any other command
  }
  std::string why;
  if (!first_refusal.empty()) why += "; the first refused: " + first_refusal;
  if (last_call_error) why += "; the last failed call: " + last_call_error->to_string();
  std::fprintf(
      stderr, "error: %llu of %llu records not delivered%s%s\n", static_cast<unsigned long long>(failed),
      static_cast<unsigned long long>(records),
      options.dead_letter_path.empty() ? "" : fmt::format(" (they are in {})", options.dead_letter_path).c_str(),
      why.c_str());
  return kPartialFailure;
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
  cmd->footer(examples_footer(
      app, {"firehose send --delivery-stream-name events --dead-letter failed.ndjson events-*.ndjson",
            "tail -F /var/log/app.log | firehose send --delivery-stream-name events --dead-letter failed.ndjson -",
            "firehose send --delivery-stream-name events --from-dead-letter failed.ndjson   # send those again"}));
  auto& flags = context.settings_flags();
  cmd->add_option("--delivery-stream-name", flags.delivery_stream, "Delivery stream (else FIREHOSE_DELIVERY_STREAM)");
  cmd->add_option("inputs", args->inputs, "Input files, '-' for stdin (default: stdin)");
  cmd->add_option("--max-in-flight", flags.max_in_flight,
                  "PutRecordBatch requests at once, at most (else FIREHOSE_MAX_IN_FLIGHT, 16); from 3, as many\n"
                  "as deliver the most (fewer against an endpoint bound by CPU, all against a distant one)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--fixed-in-flight", args->fixed_in_flight, "Always keep --max-in-flight requests in flight");
  cmd->add_option("--linger-ms", flags.linger_ms,
                  "How long a partial batch waits for more records (else FIREHOSE_LINGER_MS, 100)")
      ->check(CLI::Range(0, 60000));
  cmd->add_option("--max-batch-records", flags.max_batch_records,
                  "Records per PutRecordBatch call, <= 500 (else FIREHOSE_MAX_BATCH_RECORDS, 500)");
  cmd->add_option("--max-batch-bytes", flags.max_batch_bytes,
                  "Request body bytes per call, from what one largest record needs (about 1.37 MB) to 4 MiB\n"
                  "(else FIREHOSE_MAX_BATCH_BYTES, 4194304)");
  cmd->add_option("--max-attempts", flags.max_attempts,
                  "Sends per record, first included (else the global --max-attempts, FIREHOSE_MAX_ATTEMPTS,\n"
                  "AWS_MAX_ATTEMPTS, the config file; default 10)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--record-ttl", args->record_ttl_seconds, "Seconds after which a record is no longer retried")
      ->check(CLI::Range(0.001, kLongestSeconds))
      ->capture_default_str();
  cmd->add_option("--memory-mb", args->memory_mb,
                  "Memory budget for records from input to outcome (their data, request bodies, answers);\n"
                  "peak RSS is at most about 20 MiB + 0.75 x this")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_flag("--pack", args->pack, "Join lines into records of up to --pack-bytes (cuts the 5 KB billing rounding)");
  auto* pack = cmd->get_option("--pack");
  cmd->add_option("--pack-bytes", args->pack_target_bytes, "Target size of packed records (with --pack)")
      ->check(CLI::Range(std::size_t{1}, limits::kMaxRecordBytes))
      ->capture_default_str()
      ->needs(pack);
  cmd->add_option("--dead-letter", flags.dead_letter,
                  "NDJSON file for records that could not be delivered (else FIREHOSE_DEAD_LETTER)");
  cmd->add_option("--progress-interval", args->progress_interval,
                  "Off a terminal, a JSON progress event every DURATION (on a terminal: a live status line)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--from-dead-letter", args->from_dead_letter,
                  "Send again the records of a dead-letter file (instead of lines of input)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--shutdown-grace", args->shutdown_grace_seconds,
                  "Seconds to drain after Ctrl-C/SIGTERM before unsent records are dead-lettered")
      ->check(CLI::Range(0.0, kLongestSeconds))
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
    // Info: off a terminal, the progress events (every --progress-interval)
    // are send's account of a long run; nothing else logs at info.
    context.set_default_log_level("info");
    action = [&context, args]() -> int { return run_send(context, *args); };
  });
}

}  // namespace firehose::cli
