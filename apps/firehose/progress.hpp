#pragma once
// A run's progress while it lasts. On a terminal: one status line on stderr
// (records/s, MB/s, acknowledged, in flight, retries, throttled, elapsed, ETA
// when the input size is known), redrawn a few times a second and cleared at
// the end. Elsewhere: a JSON `progress` event every interval.
//
// To use it from a command: give it a function that samples the counts (e.g.
// from Producer::metrics()), construct it when sending starts, stop() it (or
// destroy it) before printing the summary.
//
//   ProgressReporter progress(stderr_progress_options(std::chrono::seconds(10), std::nullopt),
//                             [&] { return progress_counts_of((*producer)->metrics()); });
//   ... put, flush, close ...
//   progress.stop();  // before the summary
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "firehose/producer_metrics.hpp"

namespace firehose::cli {

struct ProgressCounts {
  std::uint64_t records_done = 0;  // acknowledged + failed: records with an outcome
  std::uint64_t acknowledged = 0;
  std::uint64_t failed = 0;
  std::uint64_t bytes_acknowledged = 0;
  std::uint64_t in_flight = 0;  // requests
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;
};

// The producer's view of those counts.
ProgressCounts progress_counts_of(const ProducerMetrics& metrics);

struct ProgressOptions {
  bool terminal = false;                       // status line (true) or progress events
  std::chrono::milliseconds redraw{250};       // status line refresh
  std::chrono::milliseconds interval{10'000};  // progress event period (--progress-interval)
  std::optional<std::uint64_t> total_records;  // known input size: ETA and percentage
  std::size_t width = 0;                       // terminal columns; 0 = ask the terminal
};

// The CLI's rule: a status line when stderr is a terminal and logs are text,
// progress events every `interval` otherwise. What `send` should use too.
ProgressOptions stderr_progress_options(std::chrono::milliseconds interval, std::optional<std::uint64_t> total);

// The status line's text, at most `width` columns (pure: tested).
std::string format_progress_line(const ProgressCounts& counts, std::chrono::duration<double> elapsed,
                                 std::optional<std::uint64_t> total, std::size_t width);
// The fields of a `progress` event.
nlohmann::ordered_json progress_fields(const ProgressCounts& counts, std::chrono::duration<double> elapsed,
                                       std::optional<std::uint64_t> total);

class ProgressReporter {
 public:
  ProgressReporter(ProgressOptions options, std::function<ProgressCounts()> sample);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Stops the thread and clears the status line. Idempotent.
  void stop();

 private:
  void run();
  void report();

  const ProgressOptions options_;
  const std::function<ProgressCounts()> sample_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The columns of the terminal on stderr (80 when unknown).
std::size_t stderr_terminal_width();

}  // namespace firehose::cli
