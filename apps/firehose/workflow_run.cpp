// firehose workflow: the AWS code example "Kinesis Data Firehose: put records"
// as one command, against any endpoint: configuration, the first records one
// by one with PutRecord, metrics read back, the rest through the producer
// with PutRecordBatch, metrics again, and a summary.
// This file is the run; command_workflow.cpp registers its flags.

#include "workflow_run.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "drain_deadline.hpp"
#include "duration_arg.hpp"
#include "example_records.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/limits.hpp"
#include "logging.hpp"
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

  // The five steps in order; each helper below is one part of the run.
  int run() {
    if (auto usage = check_arguments()) return *usage;
    if (auto failed = open_clients()) return *failed;
    log_configuration();

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
    metrics_options_ = {stream_, run_started_, metrics_wait_, 0, look_later_command()};
    SingleRecordSender single(client_, session_, stream_, single_policy_, dead_letter_.get());

    const Status read = send_records(single, signals, drain_deadline);
    const bool interrupted = signals.stopping();
    const std::uint64_t acknowledged =
        single.stats().acknowledged + (batch_metrics_ ? batch_metrics_->records_acknowledged : 0);
    if (!fatal_ && !interrupted) {
      metrics_after_batch_ = read_metrics("after PutRecordBatch (step 5)", static_cast<double>(acknowledged));
    }

    auto summary = summarize(single.stats(), std::chrono::steady_clock::now() - started);
    WorkflowVerifyOutcome verified;
    if (args_.verify && !fatal_ && !interrupted) verified = verify(summary, signals);
    log_event(spdlog::level::info, event::kSummary, summary, summary_text(summary));
    std::fputs((summary.dump() + "\n").c_str(), stdout);
    std::fflush(stdout);

    if (fatal_) return fail_fatal();
    if (interrupted) return StopSignals::exit_code(signals.received());
    if (!read) return context_.usage_error(read.error().message);
    return exit_status(summary, verified, single.stats(), acknowledged);
  }

 private:
  // Step 0: the flags and settings; a usage error's exit code when one is wrong.
  std::optional<int> check_arguments() {
    stream_ = context_.settings().delivery_stream.value;
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
    metrics_wait_ = *wait;
    auto interval = parse_duration(args_.progress_interval);
    if (!interval) return context_.usage_error("--progress-interval: " + interval.error().message);
    progress_interval_ = *interval;
    if (!args_.verify_wait.empty()) {
      auto parsed = parse_wait(args_.verify_wait, "--verify-wait");
      if (!parsed) return context_.usage_error(parsed.error().message);
      verify_wait_ = *parsed;
    }
    if (args_.verify && args_.records_file == "-") {
      return context_.usage_error("--verify reads the records again: give --records FILE or --count, not stdin");
    }
    return std::nullopt;
  }

  // The session, both clients, the dead-letter file and the two steps' settings.
  std::optional<int> open_clients() {
    const auto& settings = context_.settings();
    auto session = context_.session();
    if (!session) return context_.fail(session.error());
    session_ = *session;
    auto client = FirehoseClient::create(session_);
    if (!client) return context_.fail(client.error());
    client_ = *client;
    auto cloudwatch = CloudWatchClient::create(session_);
    if (!cloudwatch) return context_.fail(cloudwatch.error());
    cloudwatch_ = *cloudwatch;
    if (!settings.dead_letter.value.empty()) {
      auto opened = DeadLetterWriter::open(settings.dead_letter.value);
      if (!opened) return context_.usage_error(opened.error().message);
      dead_letter_ = std::move(opened).value();
    }
    single_policy_ = session_->retry_policy();
    if (settings.max_attempts.value) single_policy_.max_attempts = *settings.max_attempts.value;
    options_.memory_budget_bytes = std::size_t{kDefaultMemoryMb} * 1024 * 1024;  // as `send`: peak RSS under 48 MiB
    apply_to(settings, options_);
    options_.delivery_stream_name = stream_;
    return std::nullopt;
  }

  // Steps 2 to 4: the first records one by one, metrics, the rest through the
  // producer, drained. Sets fatal_ when the run has to stop; the input's error.
  Status send_records(SingleRecordSender& single, StopSignals& signals, DrainDeadline& drain_deadline) {
    ProgressReporter progress(stderr_progress_options(progress_interval_, input_.known_total()),
                              [this] { return live_counts(); });
    log_event(spdlog::level::info, event::kPhase, {{"stream", stream_}, {"step", "put_record"}},
              fmt::format("Step 2: the first {} records one by one with PutRecord", args_.single_records));
    auto should_stop = [&] { return fatal_.has_value() || signals.stopping(); };
    auto on_record = [&](std::string_view record) {
      if (single.stats().records < args_.single_records) {
        if (auto sent = single.send(record); !sent) fatal_ = sent.error();
        live_single_.update(single.stats());
        return;
      }
      if (!producer_ && !start_batches(single.stats())) {
        fatal_ = producer_error_;
        return;
      }
      if (record.size() > limits::kMaxRecordBytes) log_too_large(record.size());  // the producer refuses it
      producer_->put_copy(record, [this](const RecordOutcome& outcome) { on_outcome(outcome); });
    };
    auto read = for_each_input_record(input_, should_stop, on_record);
    if (!producer_ && !fatal_)
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
      if (!fatal_) fatal_ = producer_->fatal_error();
    }
    progress.stop();
    return read;
  }

  // The moment the PutRecord step is over: metrics, then the producer.
  bool start_batches(const SingleRecordStats& single) {
    metrics_after_single_ = read_metrics("after PutRecord (step 3)", static_cast<double>(single.acknowledged));
    log_event(spdlog::level::info, event::kPhase, {{"stream", stream_}, {"step", "put_record_batch"}},
              "Step 4: the rest through the producer with PutRecordBatch");
    observe_batches(options_, tally_);
    auto created = Producer::create(client_, options_);
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

  nlohmann::json summarize(const SingleRecordStats& single, std::chrono::steady_clock::duration wall) const {
    WorkflowSummaryInput input;
    input.stream = stream_;
    input.single = &single;
    input.batch = batch_metrics_ ? &*batch_metrics_ : nullptr;
    input.batch_records_refused = batch_metrics_ ? batch_metrics_->records_rejected : 0;
    input.tally = &tally_;
    input.metrics_after_single = &metrics_after_single_;
    input.metrics_after_batch = &metrics_after_batch_;
    input.wall = wall;
    return workflow_summary(input);
  }

  // --verify: every record arrived once where the stream delivers; the result goes into the summary.
  WorkflowVerifyOutcome verify(nlohmann::json& summary, StopSignals& signals) {
    auto verified =
        verify_workflow_run({stream_, input_, context_.settings().dead_letter.value, run_started_, verify_wait_,
                             progress_interval_},
                            session_, *client_, [&] { return signals.stopping(); });
    if (verified.report) summary["verify"] = *verified.report;
    if (!verified.later_command.empty()) {
      summary["verify"] = {{"later", verified.later_command}};
      log_event(spdlog::level::warn, event::kPhase, {{"stream", stream_}, {"step", "verify_later"}},
                "Not verified now; to check later that every record arrived once: " + verified.later_command);
    }
    if (verified.error) summary["verify"] = {{"error", verified.error->to_string()}};
    return verified;
  }

  int fail_fatal() {
    const Error fatal = explain_stream_error(*fatal_, *client_, stream_);
    log_event(spdlog::level::err, event::kError,
              {{"stream", stream_}, {"error_code", fatal.code}, {"request_id", fatal.request_id}},
              "stopped: " + fatal.to_string());
    return context_.fail(fatal);
  }

  // A run that went to its end: 0 when every record was acknowledged (and verified, when asked).
  int exit_status(const nlohmann::json& summary, const WorkflowVerifyOutcome& verified,
                  const SingleRecordStats& single, std::uint64_t acknowledged) {
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
      last_failure = tally_.last_call_error ? tally_.last_call_error : single.last_failure;
    }
    if (acknowledged == 0 && last_failure && never_reached(*last_failure)) return context_.fail(*last_failure);
    // One line, as `send` gives: exit 1 came with none (a line over the limit, an endpoint gone mid-run).
    const std::string& dead_letters = context_.settings().dead_letter.value;
    std::fprintf(stderr, "error: %s\n",
                 fmt::format("{} of {} records not delivered{}{}", summary["failed"].get<std::uint64_t>(),
                             summary["records"].get<std::uint64_t>(),
                             dead_letters.empty() ? "" : fmt::format(" (they are in {})", dead_letters),
                             last_failure ? "; the last failure: " + last_failure->to_string() : "")
                     .c_str());
    return kPartialFailure;
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

  void log_configuration() const {
    const auto& settings = context_.settings();
    cli::log_configuration({stream_, session_->region(), client_->endpoint_url(), cloudwatch_->endpoint_url(),
                            input_.describe(), args_.single_records, single_policy_.max_attempts, &options_,
                            metrics_wait_,
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
  std::chrono::seconds metrics_wait_{0};
  std::chrono::seconds progress_interval_{0};
  std::optional<std::chrono::seconds> verify_wait_;
  std::shared_ptr<Session> session_;
  std::shared_ptr<FirehoseClient> client_;
  std::shared_ptr<CloudWatchClient> cloudwatch_;
  std::unique_ptr<DeadLetterWriter> dead_letter_;  // the PutRecord step's; the producer opens its own
  RetryPolicy single_policy_;
  ProducerOptions options_;
  std::optional<Error> fatal_;  // what stopped the run (a producer's fatal error included)
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

int run_workflow(CliContext& context, const WorkflowArgs& args) {
  WorkflowRun run(context, args);
  return run.run();
}

}  // namespace firehose::cli
