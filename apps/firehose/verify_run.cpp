#include "verify_run.hpp"

#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "logging.hpp"
#include "status_line.hpp"

namespace firehose::cli {
namespace {

// What the progress line says while a pass runs.
class VerifyProgress {
 public:
  VerifyProgress(const ReadProgress& counts, std::chrono::milliseconds interval)
      : counts_(counts), terminal_(isatty(STDERR_FILENO) == 1 && !logging_is_json()), interval_(interval) {
    thread_ = std::thread([this] { run(); });
  }
  ~VerifyProgress() { stop(); }

  void phase(std::string name) {
    std::lock_guard lock(mutex_);
    phase_ = std::move(name);
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (terminal_) status_line::clear();
  }

 private:
  void run() {
    const auto period = terminal_ ? std::chrono::milliseconds(250) : interval_;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
      const std::string phase = phase_;
      lock.unlock();
      report(phase);
      lock.lock();
    }
  }

  void report(const std::string& phase) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const std::uint64_t sent = counts_.sent_lines, delivered = counts_.delivered_lines, objects = counts_.objects;
    const double mib = static_cast<double>(counts_.object_bytes.load()) / (1024.0 * 1024.0);
    const std::string text =
        fmt::format("verify: {}: {} sent records read, {} delivered in {} objects ({:.1f} MiB), {:.1f} s", phase, sent,
                    delivered, objects, mib, elapsed);
    if (terminal_) {
      status_line::show(text);
      return;
    }
    log_event(spdlog::level::info, event::kVerifyProgress,
              {{"phase", phase},
               {"sent_read", sent},
               {"delivered_read", delivered},
               {"objects_read", objects},
               {"object_bytes", counts_.object_bytes.load()},
               {"elapsed_s", std::round(elapsed * 1000) / 1000}},
              text);
  }

  const ReadProgress& counts_;
  const bool terminal_;
  const std::chrono::milliseconds interval_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string phase_ = "starting";
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::uint64_t estimate_records(SentRecords& sent) {
  const std::uint64_t total = sent.size_bytes();
  std::uint64_t lines = 0, bytes = 0;
  (void)sent.for_each(
      [&](std::string_view line, const LineSource&) {
        ++lines;
        bytes += line.size() + 1;
      },
      [&] { return bytes < 1024 * 1024; });
  if (lines == 0) return 1000;
  // 10 % over the estimate: the first MiB's lines may be longer than the rest.
  return std::max<std::uint64_t>(1000, total / std::max<std::uint64_t>(bytes / lines, 1) * 11 / 10);
}

Result<VerifyReport> run_verification(VerifyRequest& request, const std::shared_ptr<Session>& session) {
  std::shared_ptr<S3Client> s3;
  if (request.delivered.local_dir.empty()) {
    auto created = S3Client::create(session);
    if (!created) return created.error();
    s3 = *created;
  }
  // Bloom: the filters' capacity. Exact: the table sized at once, so that it
  // never holds two copies of itself while growing (peak RSS 1.5x the table).
  if (request.matcher.expected_records == 0) request.matcher.expected_records = estimate_records(*request.sent);
  // A dead-letter entry is a JSON object of at least 64 bytes (its field
  // names alone): its file's size over 64 bounds their number from above.
  std::uint64_t dead_letter_bytes = 0;
  for (const std::string& path : request.dead_letters) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) dead_letter_bytes += size;
  }
  request.matcher.expected_dead_letters = dead_letter_bytes / 64 + 1;
  auto matcher = Matcher::create(request.matcher);
  ReadProgress counts;
  VerifyProgress progress(counts, request.progress_interval);
  auto always = [] { return true; };

  progress.phase("reading what was sent");
  auto sent = request.sent->for_each(
      [&](std::string_view line, const LineSource&) {
        counts.sent_lines.fetch_add(1, std::memory_order_relaxed);
        matcher->on_sent(line);
      },
      always);
  if (!sent) return sent.error();

  progress.phase("reading the dead-letter files");
  auto dead = for_each_dead_lettered_line(request.dead_letters, [&](std::string_view line, const RecordExample& where) {
    matcher->on_dead_lettered(line, where);
  });
  if (!dead) return dead.error();

  progress.phase("reading what was delivered");
  auto delivered = for_each_delivered_line(
      request.delivered, s3.get(), session.get(), counts,
      [&](std::string_view line, const LineSource& source) { matcher->on_delivered(line, source); });
  if (!delivered) return delivered.error();

  if (matcher->wants_second_pass()) {
    progress.phase("reading what was sent again");
    bool more = true;
    auto again = request.sent->for_each(
        [&](std::string_view line, const LineSource& source) {
          if (more) more = matcher->on_sent_again(line, source);
        },
        [&] { return more; });
    if (!again) return again.error();
  }
  progress.stop();
  VerifyReport report = matcher->report();
  report.objects = counts.objects;
  if (request.sent_over_limit != nullptr) report.counts.over_record_limit = *request.sent_over_limit;
  return report;
}

std::string verify_summary_text(const VerifyReport& report) {
  const VerifyCounts& c = report.counts;
  std::string text = fmt::format(
      "{} sent, {} delivered in {} objects: {} delivered once, {} missing, {} dead-lettered, {} delivered more than "
      "once ({} extra copies), {} delivered but never sent",
      c.sent, c.delivered, report.objects, c.delivered_once, c.missing, c.dead_lettered, c.duplicated, c.extra_copies,
      c.never_sent);
  if (c.dead_lettered_and_delivered > 0) {
    text += fmt::format("; {} dead-lettered records were delivered all the same", c.dead_lettered_and_delivered);
  }
  if (c.over_record_limit > 0)
    text += fmt::format("; {} input lines are over the record limit (never sendable)", c.over_record_limit);
  if (c.without_key > 0) text += fmt::format("; {} lines without the key field (matched whole)", c.without_key);
  return text;
}

}  // namespace firehose::cli
