// firehose workflow: the AWS code example "Kinesis Data Firehose: put records"
// as one command, against any endpoint: configuration, the first records one
// by one with PutRecord, metrics read back, the rest through the producer
// with PutRecordBatch, metrics again, and a summary.
// This file registers its flags and help; workflow_run.cpp is the run.

#include <limits>
#include <memory>

#include "commands.hpp"
#include "duration_arg.hpp"
#include "example_records.hpp"
#include "number_arg.hpp"
#include "workflow_run.hpp"

namespace firehose::cli {

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
    action = [&context, args]() -> int { return run_workflow(context, *args); };
  });
}

}  // namespace firehose::cli
