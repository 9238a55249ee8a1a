// firehose verify: did every record sent arrive, once? What was sent (input
// files) against what was delivered (firehose-local's data directory or an
// S3 bucket), with the dead-letter files' records set apart.
#include <new>

#include <fmt/format.h>

#include "commands.hpp"
#include "duration_arg.hpp"
#include "verify_run.hpp"

namespace firehose::cli {
namespace {

struct VerifyArgs {
  std::vector<std::string> inputs;
  std::string local_dir;
  std::string bucket;
  std::string prefix;
  std::string since;
  std::string key;
  std::vector<std::string> dead_letters;
  std::string mode = "exact";
  std::uint64_t expected_records = 0;
  double false_positive_rate = 1e-4;
  std::size_t examples = 5;
  std::string progress_interval = "10s";
};

int run_verify(CliContext& context, VerifyArgs& args) {
  for (const std::string& input : args.inputs) {
    if (input == "-") return context.usage_error("--input -: verify reads its inputs twice; give files, not stdin");
  }
  if (args.local_dir.empty() == args.bucket.empty()) {
    return context.usage_error("give one of --local-dir DIR (firehose-local's data directory) or --s3-bucket BUCKET");
  }
  auto interval = parse_duration(args.progress_interval);
  if (!interval) return context.usage_error("--progress-interval: " + interval.error().message);

  VerifyRequest request;
  std::uint64_t over_limit = 0;
  auto sent = sent_from_files(args.inputs, &over_limit);
  request.sent = sent.get();
  request.sent_over_limit = &over_limit;
  request.delivered = {args.local_dir, args.bucket, args.prefix, std::nullopt};
  if (!args.since.empty()) {
    auto since = parse_since(args.since, std::chrono::system_clock::now());
    if (!since) return context.usage_error(since.error().message);
    request.delivered.since = *since;
  }
  request.dead_letters = args.dead_letters;
  request.matcher.key_field = args.key;
  request.matcher.examples = args.examples;
  request.matcher.mode = args.mode == "bloom" ? VerifyMode::kBloom : VerifyMode::kExact;
  request.matcher.expected_records = args.expected_records;
  request.matcher.false_positive_rate = args.false_positive_rate;
  request.progress_interval = *interval;

  std::shared_ptr<Session> session;
  if (!args.bucket.empty()) {
    auto made = context.session();
    if (!made) return context.fail(made.error());
    session = *made;
  }
  Result<VerifyReport> report = make_error(ErrorKind::Client, "NotRun", "not run");
  try {
    report = run_verification(request, session);
  } catch (const std::bad_alloc&) {
    // The key store could not grow (or be made as large as --expected-records asks).
    return context.usage_error(fmt::format(
        "not enough memory for the {} key store{}; --mode bloom takes about 7.2 bytes a record (docs/verify.md)",
        args.mode, args.expected_records > 0 ? fmt::format(" of {} records", args.expected_records) : ""));
  }
  if (!report) {
    // Inputs (the dead-letter files included: read here, not written) that cannot be read are usage errors.
    const std::string& code = report.error().code;
    if (code == "UnreadableInput" || code == "DeadLetterOpenFailed" || code == "MalformedDeadLetter") {
      return context.usage_error(report.error().message);
    }
    return context.fail(report.error());
  }
  context.print("Verify", report_json(*report));
  const VerifyCounts& c = report->counts;
  if (c.missing == 0) return kSuccess;
  std::fprintf(stderr, "error: %s\n",
               fmt::format("{} of {} sent records are missing (neither delivered nor dead-lettered){}", c.missing,
                           c.sent, report->missing.empty() ? "" : "; the first: " + report->missing.front().source)
                   .c_str());
  return kPartialFailure;
}

}  // namespace

void register_verify(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand(
      "verify",
      "Check that every record sent was delivered exactly once: reads what was sent (--input, one record a\n"
      "line) and what was delivered (firehose-local's --local-dir, or an S3 bucket through ListObjectsV2 and\n"
      "GetObject; GZIP or plain objects), matches records by a JSON field (--key) or by the whole line, and\n"
      "reports records delivered once, missing, delivered more than once and delivered but never sent, with\n"
      "the first few of each. Records in the --dead-letter files are not missing: they are reported as\n"
      "dead-lettered. Exit 0 when nothing is missing, 1 when something is (see README for the others).");
  cmd->footer(examples_footer(
      app, {"firehose verify --input events.ndjson --local-dir /tmp/firehose-data --key id --dead-letter failed.ndjson",
            "firehose verify --input events-*.ndjson --s3-bucket my-bucket --prefix events/ --since 2h --output table"}));
  cmd->add_option("--input", args->inputs, "Files of what was sent, one record a line (read twice: not stdin)")
      ->required()
      ->expected(1, -1);
  auto* local = cmd->add_option("--local-dir", args->local_dir,
                                "firehose-local's data directory (or a bucket's folder inside it)");
  auto* bucket = cmd->add_option("--s3-bucket", args->bucket, "The S3 bucket the stream delivers to");
  local->excludes(bucket);
  cmd->add_option("--prefix", args->prefix,
                  "Only objects whose key starts with it (--local-dir: their path under the directory)");
  cmd->add_option(
      "--since", args->since,
      "Only objects modified since: a duration back from now (30m, 2h) or a UTC time (2026-12-03T10:00:00Z)");
  cmd->add_option("--key", args->key, "Match records by this top-level JSON field, e.g. id for lines like {\"id\":17,...}\n"
                  "(else by the whole line)");
  cmd->add_option("--dead-letter", args->dead_letters, "Dead-letter files of the sending run (send --dead-letter)")
      ->expected(1, -1);
  cmd->add_option("--mode", args->mode,
                  "exact: a 128-bit hash per distinct key (32-64 bytes each); bloom: Bloom filters, about 7.2 bytes\n"
                  "per record at --false-positive-rate, for 100 M+ records (see docs/verify.md)")
      ->check(CLI::IsMember({"exact", "bloom"}))
      ->capture_default_str();
  cmd->add_option("--expected-records", args->expected_records,
                  "The number of records sent: the Bloom filters' capacity, the exact table's first size\n(default: "
                  "estimated from the inputs' size and first MiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--false-positive-rate", args->false_positive_rate,
                  "bloom: each filter's false-positive rate at its capacity")
      ->check(CLI::Range(1e-12, 0.1))
      ->capture_default_str();
  cmd->add_option("--examples", args->examples, "How many records of each kind to name")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}))
      ->capture_default_str();
  cmd->add_option("--progress-interval", args->progress_interval,
                  "Off a terminal, a JSON verify_progress event every DURATION (on a terminal: a live status line)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->callback([&context, &action, args] {
    context.set_default_log_level("info");  // progress events off a terminal, as send's
    action = [&context, args]() -> int { return run_verify(context, *args); };
  });
}

}  // namespace firehose::cli
