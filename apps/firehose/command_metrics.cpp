// firehose metrics: a delivery stream's AWS/Firehose CloudWatch metrics, with
// a wait for Firehose's publishing delay and a live view.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "duration_arg.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/retry.hpp"
#include "metrics_chart.hpp"
#include "metrics_json.hpp"
#include "metrics_query.hpp"
#include "metrics_table.hpp"

namespace firehose::cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

struct MetricsArgs {
  std::string stream;
  std::string since = "10m";
  std::string period = "60";
  std::string wait_for_data;
  std::string watch;  // empty with --watch given: every period
};

// Checked arguments.
struct Plan {
  seconds since{};
  seconds period{};
  std::optional<seconds> wait;
  std::optional<seconds> watch_every;
};

enum class View { Chart, Table, Json };

// Often enough to see data soon after CloudWatch has it; each poll is one GetMetricData call.
constexpr seconds kPollInterval{10};
// A chart wider than this is no longer read period by period; CloudWatch's own per-call cap is similar.
constexpr std::size_t kMaxPeriods = 1440;

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted.store(true); }

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// False when interrupted first.
bool sleep_unless_interrupted(Clock::duration duration) {
  const auto until = Clock::now() + duration;
  while (!g_interrupted.load()) {
    const auto left = until - Clock::now();
    if (left <= Clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(100)));
  }
  return false;
}

std::chrono::seconds local_utc_offset() {
  const std::time_t now = std::time(nullptr);
  std::tm fields{};
  if (localtime_r(&now, &fields) == nullptr) return seconds(0);
  return seconds(fields.tm_gmtoff);
}

std::size_t terminal_width() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long value = std::strtol(columns, nullptr, 10);
    if (value > 0) return static_cast<std::size_t>(value);
  }
  return 80;
}

Result<Plan> plan_of(const MetricsArgs& args, bool watch_given) {
  Plan plan;
  auto since = parse_duration(args.since);
  if (!since) return since.error();
  plan.since = *since;
  auto period = parse_duration(args.period);
  if (!period) return period.error();
  plan.period = *period;
  if (plan.period.count() % 60 != 0) {
    return make_error(
        ErrorKind::Client, "InvalidPeriod",
        fmt::format("--period {}: Firehose metrics have one-minute resolution; use a multiple of 60 s", args.period));
  }
  if (plan.period > plan.since) {
    return make_error(ErrorKind::Client, "InvalidPeriod",
                      fmt::format("--period {} is longer than --since {}", args.period, args.since));
  }
  if ((plan.since.count() + plan.period.count() - 1) / plan.period.count() > static_cast<long>(kMaxPeriods)) {
    return make_error(ErrorKind::Client, "TooManyPeriods",
                      fmt::format("--since {} / --period {} is more than {} periods: use a longer period", args.since,
                                  args.period, kMaxPeriods));
  }
  if (!args.wait_for_data.empty()) {
    auto wait = parse_duration_or_zero(args.wait_for_data);  // 0: one look, no waiting
    if (!wait) return wait.error();
    plan.wait = *wait;
  }
  if (watch_given) {
    plan.watch_every = plan.period;
    if (!args.watch.empty()) {
      auto every = parse_duration(args.watch);
      if (!every) return every.error();
      plan.watch_every = *every;
    }
  }
  return plan;
}

std::string render(View view, const metrics::StreamMetrics& data, bool one_line_json) {
  switch (view) {
    case View::Json:
      return one_line_json ? metrics::to_json(data).dump() + "\n" : metrics::to_json(data).dump(4) + "\n";
    case View::Table: return metrics::render_table(data);
    case View::Chart: break;
  }
  metrics::ChartOptions options;
  options.utc_offset = local_utc_offset();
  options.width = terminal_width();
  return metrics::render_chart(data, options);
}

void write_stdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

class MetricsCommand {
 public:
  MetricsCommand(CliContext& context, const MetricsArgs& args, Plan plan)
      : context_(context), args_(args), plan_(plan) {}

  int run() {
    auto session = context_.session();
    if (!session) return context_.fail(session.error());
    session_ = *session;
    auto client = CloudWatchClient::create(session_);
    if (!client) return context_.fail(client.error());
    client_ = *client;
    // CloudWatch answers a misspelt stream name with no datapoints, which looks like
    // "no traffic yet": ask Firehose once whether the stream exists.
    if (auto missing = check_stream_exists(); missing) return context_.fail(*missing);

    const bool terminal = isatty(STDOUT_FILENO) == 1;
    if (context_.output_given()) {
      view_ = context_.options().output == "json" ? View::Json : View::Table;
    } else {
      view_ = terminal ? View::Chart : View::Table;
    }
    // Redrawn in place on a terminal; a JSON stream stays one document per line.
    redraw_ = terminal && view_ != View::Json;
    install_interrupt_handlers();

    auto first = plan_.wait ? wait_for_data() : fetch();
    if (!first) return g_interrupted.load() ? static_cast<int>(kInterrupted) : fail(first.error());
    show(*first);
    if (!metrics::has_traffic(*first)) {
      std::fprintf(stderr,
                   "note: no datapoints for delivery stream %s in the last %s. Firehose publishes its metrics a "
                   "few minutes late: --wait-for-data 5m waits for them (or check the stream name and region).\n",
                   args_.stream.c_str(), format_duration(plan_.since).c_str());
    }
    if (!plan_.watch_every) return kSuccess;

    while (sleep_unless_interrupted(*plan_.watch_every)) {
      auto next = fetch();
      if (!next) {
        if (!is_retryable(next.error())) return fail(next.error());
        spdlog::warn("GetMetricData failed, showing the previous data: {}", next.error().to_string());
        continue;
      }
      show(*next);
    }
    return kSuccess;  // Ctrl-C is how --watch ends
  }

 private:
  Result<metrics::StreamMetrics> fetch() const {
    const auto window = metrics::window_ending_at(std::chrono::system_clock::now(), plan_.since, plan_.period);
    return metrics::fetch_stream_metrics(*client_, *session_, args_.stream, window);
  }

  // The error when Firehose says the stream does not exist, or when the name is one
  // Firehose refuses (ValidationException, found before sending: as put-record says
  // it); other answers (e.g. no permission for DescribeDeliveryStream) are logged and
  // the metrics shown anyway.
  std::optional<Error> check_stream_exists() const {
    auto firehose = FirehoseClient::create(session_);
    if (!firehose) return std::nullopt;
    auto described = call_with_retries(*session_, "DescribeDeliveryStream",
                                       [&] { return (*firehose)->describe_delivery_stream(args_.stream); });
    if (described) return std::nullopt;
    const auto& code = described.error().code;
    if (code == "ResourceNotFoundException" || code == "ValidationException") return described.error();
    spdlog::warn("could not check that delivery stream {} exists: {}", args_.stream, described.error().to_string());
    return std::nullopt;
  }

  // Polls until a traffic datapoint is in the window; an error once the wait is over.
  Result<metrics::StreamMetrics> wait_for_data() const {
    const auto started = Clock::now();
    const auto deadline = started + *plan_.wait;
    for (int polls = 0;; ++polls) {
      auto fetched = fetch();
      if (!fetched || metrics::has_traffic(*fetched)) return fetched;
      const auto left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) {
        return make_error(ErrorKind::Client, "NoData",
                          fmt::format("no datapoints for delivery stream {} in the last {} after waiting {}; "
                                      "Firehose publishes metrics a few minutes late: wait longer, or check the "
                                      "stream name and region",
                                      args_.stream, format_duration(plan_.since), format_duration(*plan_.wait)));
      }
      if (polls == 0) {
        std::fprintf(stderr,
                     "No datapoints yet for delivery stream %s. Firehose publishes its CloudWatch metrics once a "
                     "minute and they appear a few minutes late; waiting up to %s (Ctrl-C to stop).\n",
                     args_.stream.c_str(), format_duration(*plan_.wait).c_str());
      } else {
        const auto waited = std::chrono::duration_cast<seconds>(Clock::now() - started);
        std::fprintf(stderr, "Still no datapoints after %s; waiting up to %s.\n", format_duration(waited).c_str(),
                     format_duration(*plan_.wait).c_str());
      }
      if (!sleep_unless_interrupted(std::min<Clock::duration>(left, kPollInterval))) {
        return make_error(ErrorKind::Client, "Interrupted", "interrupted");
      }
    }
  }

  int fail(const Error& error) const {
    if (error.code == "NoData") {
      std::fprintf(stderr, "error: %s\n", error.message.c_str());
      return kNoData;
    }
    return context_.fail(error);
  }

  void show(const metrics::StreamMetrics& data) {
    std::string text = render(view_, data, plan_.watch_every.has_value());
    if (redraw_ && plan_.watch_every) {
      const auto now = std::chrono::system_clock::now();
      text =
          "\x1b[H\x1b[2J" + text +
          fmt::format("\nupdated {:%H:%M:%S}, every {}; Ctrl-C to stop\n",
                      fmt::localtime(std::chrono::system_clock::to_time_t(now)), format_duration(*plan_.watch_every));
    } else if (plan_.watch_every && view_ != View::Json && shown_ > 0) {
      text = "\n" + text;
    }
    write_stdout(text);
    ++shown_;
  }

  CliContext& context_;
  const MetricsArgs& args_;
  Plan plan_;
  std::shared_ptr<Session> session_;
  std::shared_ptr<CloudWatchClient> client_;
  View view_ = View::Table;
  bool redraw_ = false;
  int shown_ = 0;
};

}  // namespace

void register_metrics(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<MetricsArgs>();
  auto* cmd = app.add_subcommand(
      "metrics",
      "Show a delivery stream's AWS/Firehose CloudWatch metrics over the last --since, one value per\n"
      "--period: IncomingBytes (also in MiB), IncomingRecords, IncomingPutRequests, ThrottledRecords,\n"
      "PutRecordBatch.Latency (average and maximum), and BytesPerSecondLimit, RecordsPerSecondLimit,\n"
      "PutRequestsPerSecondLimit with the stream's use of each (the busiest period's rate per second as a\n"
      "percentage of the limit; bursts shorter than a period are averaged out). On a terminal: totals and\n"
      "a chart per metric; otherwise a plain-text table; --output json for scripts. One GetMetricData call\n"
      "(cloudwatch:GetMetricData permission) per refresh.\n"
      "Firehose publishes these metrics once a minute, a few minutes late: right after sending there is\n"
      "nothing yet; --wait-for-data waits for it.\n"
      "FailedPutCount is not a CloudWatch metric: it is a field of each PutRecordBatch answer. For records\n"
      "that failed, see `firehose send`'s JSON summary (failed, throttled, retries), or have the producer\n"
      "publish its own metrics to CloudWatch with `send --publish-metrics NAMESPACE`.\n"
      "Exit 6 when --wait-for-data runs out without a datapoint.");
  cmd->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  cmd->add_option("--since", args->since, "Window: the last DURATION (90s, 10m, 2h, 1d; bare numbers are seconds)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--period", args->period, "Length of each period: a multiple of 60 seconds (or 5m, 1h)")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--wait-for-data", args->wait_for_data,
                  "Poll until a datapoint appears, for at most DURATION (Firehose's metrics are minutes late)")
      ->type_name("DURATION");
  auto* watch = cmd->add_option("--watch", args->watch,
                                "Refresh every period, or every DURATION if given, until Ctrl-C (on a terminal: "
                                "in place)")
                    ->type_name("[DURATION]")
                    ->expected(0, 1);

  cmd->callback([&context, &action, args, watch] {
    action = [&context, args, watch]() -> int {
      auto plan = plan_of(*args, watch->count() > 0);
      if (!plan) return context.usage_error(plan.error().message);
      MetricsCommand command(context, *args, *plan);
      return command.run();
    };
  });
}

}  // namespace firehose::cli
