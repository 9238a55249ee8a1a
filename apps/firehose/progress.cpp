#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "logging.hpp"
#include "status_line.hpp"

namespace firehose::cli {
namespace {

double seconds_of(std::chrono::duration<double> d) { return std::max(d.count(), 1e-9); }

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressCounts progress_counts_of(const ProducerMetrics& metrics) {
  ProgressCounts counts;
  counts.acknowledged = metrics.records_acknowledged;
  counts.failed = metrics.records_failed + metrics.records_rejected;
  counts.records_done = counts.acknowledged + counts.failed;
  counts.bytes_acknowledged = metrics.bytes_acknowledged;
  counts.in_flight = metrics.requests_in_flight;
  counts.retries = metrics.records_retried;
  counts.throttled = metrics.records_throttled;
  return counts;
}

std::string format_progress_line(const ProgressCounts& counts, std::chrono::duration<double> elapsed,
                                 std::optional<std::uint64_t> total, std::size_t width) {
  const double seconds = seconds_of(elapsed);
  const double rate = static_cast<double>(counts.records_done) / seconds;
  const double megabytes = static_cast<double>(counts.bytes_acknowledged) / 1e6 / seconds;
  std::string line = fmt::format("{:.0f} rec/s {:.2f} MB/s | acked {}", rate, megabytes, counts.acknowledged);
  if (total) line += fmt::format("/{}", *total);
  if (counts.failed > 0) line += fmt::format(" failed {}", counts.failed);
  line += fmt::format(" | in flight {} | retries {} | throttled {} | {}", counts.in_flight, counts.retries,
                      counts.throttled, clock_text(elapsed.count()));
  if (total && *total > counts.records_done && rate > 0) {
    line += fmt::format(" ETA {}", clock_text(static_cast<double>(*total - counts.records_done) / rate));
  }
  // Never wrap: a wrapped line cannot be redrawn in place.
  if (width > 1 && line.size() >= width) line.resize(width - 1);
  return line;
}

nlohmann::ordered_json progress_fields(const ProgressCounts& counts, std::chrono::duration<double> elapsed,
                                       std::optional<std::uint64_t> total) {
  const double seconds = seconds_of(elapsed);
  nlohmann::ordered_json fields = {
      {"records", counts.records_done},
      {"acknowledged", counts.acknowledged},
      {"failed", counts.failed},
      {"bytes", counts.bytes_acknowledged},
      {"in_flight", counts.in_flight},
      {"retries", counts.retries},
      {"throttled", counts.throttled},
      {"elapsed_s", std::round(elapsed.count() * 1000) / 1000},
      {"records_per_s", std::round(static_cast<double>(counts.records_done) / seconds * 10) / 10},
  };
  if (total) fields["total"] = *total;
  return fields;
}

ProgressOptions stderr_progress_options(std::chrono::milliseconds interval, std::optional<std::uint64_t> total) {
  ProgressOptions options;
  options.terminal = isatty(STDERR_FILENO) == 1 && !logging_is_json();
  options.interval = interval;
  options.total_records = total;
  return options;
}

std::size_t stderr_terminal_width() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

ProgressReporter::ProgressReporter(ProgressOptions options, std::function<ProgressCounts()> sample)
    : options_(options), sample_(std::move(sample)) {
  thread_ = std::thread([this] { run(); });
}

ProgressReporter::~ProgressReporter() { stop(); }

void ProgressReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (options_.terminal) status_line::clear();
}

void ProgressReporter::run() {
  const auto period = options_.terminal ? options_.redraw : options_.interval;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    report();
    lock.lock();
  }
}

void ProgressReporter::report() {
  const auto counts = sample_();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  if (options_.terminal) {
    const std::size_t width = options_.width > 0 ? options_.width : stderr_terminal_width();
    status_line::show(format_progress_line(counts, elapsed, options_.total_records, width));
    return;
  }
  log_event(spdlog::level::info, event::kProgress, progress_fields(counts, elapsed, options_.total_records),
            fmt::format("progress: {} records ({} acknowledged, {} failed), {} retries, {} throttled, {:.1f} s",
                        counts.records_done, counts.acknowledged, counts.failed, counts.retries, counts.throttled,
                        elapsed.count()));
}

}  // namespace firehose::cli
