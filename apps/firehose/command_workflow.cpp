// firehose workflow: the AWS code example "Kinesis Data Firehose: put records"
// as one command, against any endpoint: configuration, the first records one
// by one with PutRecord, metrics read back, the rest through the producer
// with PutRecordBatch, metrics again, and a summary.

#include <atomic>
#include <csignal>
#include <limits>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "drain_deadline.hpp"
#include "duration_arg.hpp"
#include "example_records.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/limits.hpp"
#include "logging.hpp"
#include "number_arg.hpp"
#include "progress.hpp"
#include "stop_signals.hpp"
#include "stream_state.hpp"
#include "workflow_input.hpp"
#include "workflow_metrics.hpp"
#include "workflow_report.hpp"
#include "workflow_single.hpp"
#include "workflow_verify.hpp"

namespace firehose::cli {
namespace {

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

// A wait may be zero: read once.
Result<std::chrono::seconds> parse_wait(const std::string& text, std::string_view flag) {
  auto parsed = parse_duration_or_zero(text);
  if (!parsed) return make_error(ErrorKind::Client, "InvalidFlag", fmt::format("{}: {}", flag, parsed.error().message));
  return *parsed;
}

// The PutRecord step's counts, readable by the progress thread while the main thread sends.
struct LiveSingleCounts {
  std::atomic<std::uint64_t> done{0}, acknowledged{0}, failed{0}, retries{0}, throttled{0}, bytes{0};
  void update(const SingleRecordStats& s) {
    done = s.acknowledged + s.failed;
    acknowledged = s.acknowledged;
    failed = s.failed;
    retries = s.retries;
    throttled = s.throttled;
    bytes = s.bytes_acknowledged;
  }
};

class WorkflowRun {
 public:
  WorkflowRun(CliContext& context, const WorkflowArgs& args) : context_(context), args_(args) {}

  int run() {
    const auto& settings = context_.settings();
    stream_ = settings.delivery_stream.value;
    if (stream_.empty()) {
      return context_.usage_error(
          "no delivery stream: give --delivery-stream-name, FIREHOSE_DELIVERY_STREAM or delivery_stream in the "
          "config file");
    }
    if (!args_.records_file.empty() && args_.count)
      return context_.usage_error("--records and --count exclude each other");
    input_.records_file = args_.records_file;
    input_.count = args_.count.value_or(kExampleDataSetSize);
    input_.seed = args_.seed;
    auto wait = parse_wait(args_.metrics_wait, "--metrics-wait");
    if (!wait) return context_.usage_error(wait.error().message);
    auto interval = parse_duration(args_.progress_interval);
    if (!interval) return context_.usage_error("--progress-interval: " + interval.error().message);
    std::optional<std::chrono::seconds> verify_wait;
    if (!args_.verify_wait.empty()) {
      auto parsed = parse_wait(args_.verify_wait, "--verify-wait");
      if (!parsed) return context_.usage_error(parsed.error().message);
      verify_wait = *parsed;
    }
    if (args_.verify && args_.records_file == "-") {
      return context_.usage_error("--verify reads the records again: give --records FILE or --count, not stdin");
    }

    auto session = context_.session();
    if (!session) return context_.fail(session.error());
    session_ = *session;
    auto client = FirehoseClient::create(session_);
    if (!client) return context_.fail(client.error());
    client_ = *client;
    auto cloudwatch = CloudWatchClient::create(session_);
    if (!cloudwatch) return context_.fail(cloudwatch.error());
    cloudwatch_ = *cloudwatch;

    std::unique_ptr<DeadLetterWriter> dead_letter;
    if (!settings.dead_letter.value.empty()) {
      auto opened = DeadLetterWriter::open(settings.dead_letter.value);
      if (!opened) return context_.usage_error(opened.error().message);
      dead_letter = std::move(opened).value();
    }
    RetryPolicy single_policy = session_->retry_policy();
    if (settings.max_attempts.value) single_policy.max_attempts = *settings.max_attempts.value;
    ProducerOptions options;
    options.memory_budget_bytes = std::size_t{kDefaultMemoryMb} * 1024 * 1024;  // as `send`: peak RSS under 48 MiB
    apply_to(settings, options);
    options.delivery_stream_name = stream_;
    log_configuration(single_policy, options, *wait);

    // Before the progress and producer threads start, so that they inherit the blocked signals.
    const auto grace = milliseconds_of_seconds(args_.shutdown_grace_seconds);
    DrainDeadline drain_deadline([this] {
      if (producer_ready_.load()) producer_->shutdown(std::chrono::milliseconds(0));
    });
    StopSignals signals(
        [this, grace, &drain_deadline](int signal) {
          spdlog::warn("{}: stopped reading; draining for up to {} s (again to stop at once)",
                       signal == SIGINT ? "interrupted" : "terminated", args_.shutdown_grace_seconds);
          // Not producer_->shutdown(grace) yet: the record a put() holds would be refused unsent.
          drain_deadline.arm(grace);
        },
        [this](int) {
          spdlog::warn("stopping now: records without an outcome fail with reason Shutdown");
          if (producer_ready_.load()) producer_->shutdown(std::chrono::milliseconds(0));
        });
    run_started_ = std::chrono::system_clock::now();
    const auto started = std::chrono::steady_clock::now();
    metrics_options_ = {stream_, run_started_, *wait, 0, look_later_command()};
    SingleRecordSender single(client_, session_, stream_, single_policy, dead_letter.get());
    ProgressReporter progress(stderr_progress_options(*interval, input_.known_total()),
                              [this] { return live_counts(); });

    log_event(spdlog::level::info, event::kPhase, {{"stream", stream_}, {"step", "put_record"}},
              fmt::format("Step 2: the first {} records one by one with PutRecord", args_.single_records));
    std::optional<Error> fatal;
    auto should_stop = [&] { return fatal.has_value() || signals.stopping(); };
    auto on_record = [&](std::string_view record) {
      if (single.stats().records < args_.single_records) {
        if (auto sent = single.send(record); !sent) fatal = sent.error();
        live_single_.update(single.stats());
        return;
      }
      if (!producer_ && !start_batches(options, single.stats())) {
        fatal = producer_error_;
        return;
      }
      if (record.size() > limits::kMaxRecordBytes) log_too_large(record.size());  // the producer refuses it
      producer_->put_copy(record, [this](const RecordOutcome& outcome) { on_outcome(outcome); });
    };
    auto read = for_each_input_record(input_, should_stop, on_record);
    if (!producer_ && !fatal)
      metrics_after_single_ =
          read_metrics("after PutRecord (step 3)", static_cast<double>(single.stats().acknowledged));

    signals.reading_done();
    if (producer_) {
      // Every record read is in: intake closes, what is left of the grace drains them.
      if (auto left = drain_deadline.time_left()) producer_->shutdown(*left);
      // Drains; a second signal brings the deadline forward (the watcher calls shutdown()).
      (void)producer_->close(std::chrono::hours(24 * 365));
      drain_deadline.disarm();
      batch_metrics_ = producer_->metrics();
      if (!fatal) fatal = producer_->fatal_error();
    }
    const bool interrupted = signals.stopping();
    progress.stop();
    const std::uint64_t acknowledged =
        single.stats().acknowledged + (batch_metrics_ ? batch_metrics_->records_acknowledged : 0);
    if (!fatal && !interrupted) {
      metrics_after_batch_ = read_metrics("after PutRecordBatch (step 5)", static_cast<double>(acknowledged));
    }

    WorkflowSummaryInput summary_input;
    summary_input.stream = stream_;
    summary_input.single = &single.stats();
    summary_input.batch = batch_metrics_ ? &*batch_metrics_ : nullptr;
    summary_input.batch_records_refused = batch_metrics_ ? batch_metrics_->records_rejected : 0;
    summary_input.tally = &tally_;
    summary_input.metrics_after_single = &metrics_after_single_;
    summary_input.metrics_after_batch = &metrics_after_batch_;
    summary_input.wall = std::chrono::steady_clock::now() - started;
    auto summary = workflow_summary(summary_input);
    WorkflowVerifyOutcome verified;
    if (args_.verify && !fatal && !interrupted) {
      verified =
          verify_workflow_run({stream_, input_, settings.dead_letter.value, run_started_, verify_wait, *interval},
                              session_, *client_, [&] { return signals.stopping(); });
      if (verified.report) summary["verify"] = *verified.report;
      if (!verified.later_command.empty()) {
        summary["verify"] = {{"later", verified.later_command}};
        log_event(spdlog::level::warn, event::kPhase, {{"stream", stream_}, {"step", "verify_later"}},
                  "Not verified now; to check later that every record arrived once: " + verified.later_command);
      }
      if (verified.error) summary["verify"] = {{"error", verified.error->to_string()}};
    }
    log_event(spdlog::level::info, event::kSummary, summary, summary_text(summary));
    std::fputs((summary.dump() + "\n").c_str(), stdout);
    std::fflush(stdout);

    if (fatal) {
      fatal = explain_stream_error(*fatal, *client_, stream_);
      log_event(spdlog::level::err, event::kError,
                {{"stream", stream_}, {"error_code", fatal->code}, {"request_id", fatal->request_id}},
                "stopped: " + fatal->to_string());
      return context_.fail(*fatal);
    }
    if (interrupted) return StopSignals::exit_code(signals.received());
    if (!read) return context_.usage_error(read.error().message);
    if (verified.error) return context_.fail(*verified.error);
    if (verified.missing > 0) {
      std::fprintf(
          stderr, "error: %s\n",
          fmt::format("verify: {} records sent are missing (neither delivered nor dead-lettered)", verified.missing)
              .c_str());
      return kPartialFailure;
    }
    if (summary["failed"].get<std::uint64_t>() == 0) return kSuccess;
    std::optional<Error> last_failure;
    {
      std::lock_guard lock(tally_.last_call_error_mutex);
      last_failure = tally_.last_call_error ? tally_.last_call_error : single.stats().last_failure;
    }
    if (acknowledged == 0 && last_failure && never_reached(*last_failure)) return context_.fail(*last_failure);
    // One line, as `send` gives: exit 1 came with none (a line over the limit, an endpoint gone mid-run).
    const std::string& dead_letters = settings.dead_letter.value;
    std::fprintf(stderr, "error: %s\n",
                 fmt::format("{} of {} records not delivered{}{}", summary["failed"].get<std::uint64_t>(),
                             summary["records"].get<std::uint64_t>(),
                             dead_letters.empty() ? "" : fmt::format(" (they are in {})", dead_letters),
                             last_failure ? "; the last failure: " + last_failure->to_string() : "")
                     .c_str());
    return kPartialFailure;
  }

 private:
  // The moment the PutRecord step is over: metrics, then the producer.
  bool start_batches(ProducerOptions& options, const SingleRecordStats& single) {
    metrics_after_single_ = read_metrics("after PutRecord (step 3)", static_cast<double>(single.acknowledged));
    log_event(spdlog::level::info, event::kPhase, {{"stream", stream_}, {"step", "put_record_batch"}},
              "Step 4: the rest through the producer with PutRecordBatch");
    observe_batches(options, tally_);
    auto created = Producer::create(client_, options);
    if (!created) {
      producer_error_ = created.error();
      return false;
    }
    producer_ = std::move(created).value();
    producer_ready_.store(true);
    return true;
  }

  MetricsReading read_metrics(const std::string& step, double expected) {
    log_event(spdlog::level::info, event::kPhase, {{"stream", stream_}, {"step", "metrics"}},
              fmt::format("Metrics read back from CloudWatch {}", step));
    metrics_options_.expected_records = expected;
    return read_back_metrics(*cloudwatch_, *session_, metrics_options_, step);
  }

  void log_too_large(std::size_t size) const {
    log_event(spdlog::level::err, event::kError,
              {{"stream", stream_}, {"bytes", size}, {"error_code", "RecordTooLarge"}},
              fmt::format("a record of {} bytes is over Firehose's 1,024,000-byte limit; not sent", size));
  }

  void on_outcome(const RecordOutcome& outcome) {
    if (outcome.acknowledged) return;
    log_event(spdlog::level::err, event::kDeadLettered,
              {{"stream", stream_},
               {"operation", "PutRecordBatch"},
               {"records", 1},
               {"attempt", outcome.attempts},
               {"error_code", outcome.error_code},
               {"dead_letter", outcome.dead_lettered}},
              fmt::format("record given up after {} attempts: {}: {}{}", outcome.attempts, outcome.error_code,
                          outcome.error_message, outcome.dead_lettered ? " (dead-lettered)" : ""));
  }

  ProgressCounts live_counts() const {
    ProgressCounts counts;
    if (producer_ready_.load()) counts = progress_counts_of(producer_->metrics());
    counts.acknowledged += live_single_.acknowledged;
    counts.failed += live_single_.failed;
    counts.records_done += live_single_.done;
    counts.retries += live_single_.retries;
    counts.throttled += live_single_.throttled;
    counts.bytes_acknowledged += live_single_.bytes;
    return counts;
  }

  void log_configuration(const RetryPolicy& single_policy, const ProducerOptions& options,
                         std::chrono::seconds wait) const {
    const auto& settings = context_.settings();
    cli::log_configuration({stream_, session_->region(), client_->endpoint_url(), cloudwatch_->endpoint_url(),
                            input_.describe(), args_.single_records, single_policy.max_attempts, &options, wait,
                            fmt::format("stderr ({}, level from {})", context_.log_format(), settings.log_level.source),
                            settings.config_file});
  }

  std::string look_later_command() const {
    std::string command = fmt::format("firehose metrics --delivery-stream-name {} --since 15m", stream_);
    if (context_.options().region) command += " --region " + *context_.options().region;
    if (context_.options().endpoint_url) command += " --endpoint-url " + *context_.options().endpoint_url;
    return command;
  }

  CliContext& context_;
  const WorkflowArgs& args_;
  WorkflowInput input_;
  std::string stream_;
  std::shared_ptr<Session> session_;
  std::shared_ptr<FirehoseClient> client_;
  std::shared_ptr<CloudWatchClient> cloudwatch_;
  std::unique_ptr<Producer> producer_;
  std::atomic<bool> producer_ready_{false};
  Error producer_error_;
  std::optional<ProducerMetrics> batch_metrics_;
  BatchTally tally_;
  LiveSingleCounts live_single_;
  std::chrono::system_clock::time_point run_started_;
  MetricsReadOptions metrics_options_;
  MetricsReading metrics_after_single_;
  MetricsReading metrics_after_batch_;
};

}  // namespace

void register_workflow(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<WorkflowArgs>();
  auto* cmd = app.add_subcommand(
      "workflow",
      "The AWS code example \"Kinesis Data Firehose: put records\" as one run, against any endpoint (AWS,\n"
      "firehose-local, moto): (1) the configuration, printed once; (2) the first --single-records records one\n"
      "by one with PutRecord, each retried with exponential backoff and full jitter on throttling and\n"
      "transient errors; (3) the stream's AWS/Firehose metrics read back from CloudWatch; (4) the rest\n"
      "through the producer with PutRecordBatch (<= 500 records and <= 4 MiB a call, only failed records\n"
      "sent again), each answer logged with its FailedPutCount; (5) the metrics again and a summary (the\n"
      "last line of stdout, JSON). Records: --records FILE (one per line) or --count N generated in the\n"
      "example's shape (default 2,550, as in the example). Firehose publishes metrics minutes late:\n"
      "--metrics-wait waits for them, otherwise the run says they are not in yet and how to look later.\n"
      "Settings also come from FIREHOSE_* variables and the config file (see README). Exit codes as send's.");
  auto& flags = context.settings_flags();
  cmd->add_option("--delivery-stream-name", flags.delivery_stream, "Delivery stream (else FIREHOSE_DELIVERY_STREAM)");
  auto* records =
      cmd->add_option("--records", args->records_file, "NDJSON file of records, one a line ('-' for stdin)");
  // Decimal digits only, in range, as `generate` takes them (CLI11 alone read 0x10 as 16 and 016 as 14).
  auto* count = cmd->add_option("--count", args->count, "Generate this many records in the example's shape (2550)")
                    ->transform(decimal_up_to(kMaxGeneratedRecords));
  records->excludes(count);
  cmd->add_option("--seed", args->seed, "Seed of the generated records (as `firehose generate --seed`)")
      ->transform(decimal_up_to(std::numeric_limits<std::uint64_t>::max()))
      ->capture_default_str();
  cmd->add_option("--single-records", args->single_records, "How many records go one by one with PutRecord")
      ->transform(decimal_up_to(kMaxGeneratedRecords))
      ->capture_default_str();
  cmd->add_option("--metrics-wait", args->metrics_wait,
                  "Poll CloudWatch up to DURATION for the metrics to come in (0: read once; never hangs)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--max-batch-records", flags.max_batch_records,
                  "Records per PutRecordBatch call, <= 500 "
                  "(else FIREHOSE_MAX_BATCH_RECORDS, 500)");
  cmd->add_option("--max-batch-bytes", flags.max_batch_bytes,
                  "Request body bytes per call, <= 4 MiB "
                  "(else FIREHOSE_MAX_BATCH_BYTES, 4194304)");
  cmd->add_option("--max-in-flight", flags.max_in_flight,
                  "PutRecordBatch requests at once (else FIREHOSE_MAX_IN_FLIGHT, 16)");
  cmd->add_option("--linger-ms", flags.linger_ms, "How long a partial batch waits (else FIREHOSE_LINGER_MS, 100)");
  cmd->add_option("--dead-letter", flags.dead_letter,
                  "NDJSON file for records given up on (else FIREHOSE_DEAD_LETTER)");
  cmd->add_option("--progress-interval", args->progress_interval,
                  "Off a terminal, a JSON progress event every DURATION (on a terminal: a live status line)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--shutdown-grace", args->shutdown_grace_seconds,
                  "Seconds to drain after Ctrl-C/SIGTERM before unsent records are dead-lettered")
      ->check(CLI::Range(0.0, kLongestSeconds))
      ->capture_default_str();
  cmd->add_flag("--verify", args->verify,
                "At the end, check that every record arrived once where the stream delivers (as `firehose verify`):\n"
                "firehose-local's data directory at once (flushed first), S3 after the stream's buffering interval");
  cmd->add_option("--verify-wait", args->verify_wait,
                  "S3: how long to wait before verifying (default: the stream's IntervalInSeconds + 30 s; 0: print\n"
                  "the `firehose verify` command to run later instead)")
      ->type_name("DURATION");
  cmd->callback([&context, &action, args] {
    context.set_default_log_level("info");  // the workflow's steps are its output
    action = [&context, args]() -> int {
      WorkflowRun run(context, *args);
      return run.run();
    };
  });
}

}  // namespace firehose::cli
