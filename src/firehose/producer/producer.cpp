// Producer::Impl: the wiring. Each stage is a file of its own with its own
// tests (the KPL's pipeline in spirit); this file only builds them, joins
// them up and answers the public API:
//   put() (any thread): Admission (admission.hpp): memory charge
//     (memory_charge.hpp) against the budget
//     -> Dispatcher (dispatcher.hpp): Packer -> Batcher -> batches for idle
//     senders, on threads of its own; shutdown's deadline, a fatal stop
//   sender threads: Sender (rate limiter -> PutRecordBatch -> Retrier)
//     -> OutcomeResolver (outcome, dead-letter), or back to the Dispatcher
//     for a retry.
#include "firehose/producer.hpp"

#include <atomic>
#include <span>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "core/thread_name.hpp"
#include "firehose/dead_letter.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"
#include "firehose/producer/admission.hpp"
#include "firehose/producer/body_buffers.hpp"
#include "firehose/producer/dispatcher.hpp"
#include "firehose/producer/memory_charge.hpp"
#include "firehose/producer/metrics_publisher.hpp"
#include "firehose/producer/outcome_resolver.hpp"
#include "firehose/producer/producer_options.hpp"
#include "firehose/producer/retrier.hpp"
#include "firehose/producer/sender.hpp"

namespace firehose {

using namespace producer;

class Producer::Impl {
 public:
  Impl(std::shared_ptr<FirehoseClient> client, ProducerOptions options, std::unique_ptr<DeadLetterWriter> dead_letter)
      : options_(std::move(options)),
        budget_(budget_for_records(options_)),
        limiter_(limiter_options(options_)),
        retrier_(options_.retry, aws::make_uniform_random()),
        outcomes_(options_.delivery_stream_name, std::move(dead_letter)),
        dispatcher_(options_, limiter_, outcomes_, budget_),
        body_buffers_(body_buffer_allowance(options_)),
        sender_(options_, std::move(client), limiter_, retrier_, outcomes_, budget_, body_buffers_, dispatcher_.link()),
        admission_(options_, budget_, outcomes_, dispatcher_) {
    // Records that fail from now on could be neither delivered nor kept:
    // stop at the first dead-letter write that fails (a full disk).
    outcomes_.on_dead_letter_failure([this](const Error& error) { dispatcher_.stop_for(error); });
    Dispatcher::Framing framing;
    framing.send = [this](FramedBatch framed) {
      auto sent = sender_.send_framed(std::move(framed));
      return std::make_pair(std::move(sent.resolved), sent.bytes);
    };
    framing.buffers = &body_buffers_;
    dispatcher_.start([this](Batch batch) { return sender_.send(std::move(batch)); },
                      [this] { sender_.abort_requests(); }, std::move(framing));
    metrics_publisher_ = start_metrics_publisher(options_, [this] { return metrics_sample(); });
  }

  ~Impl() { (void)close(std::chrono::minutes(1)); }

  PutStatus put_all(std::span<PutItem> items) { return admission_.put_all(items); }

  void refuse(const RefusedRecord& record) { outcomes_.refuse(record, {}); }

  bool in_outcome_callback() const { return outcomes_.in_callback(); }

  Status flush(std::chrono::steady_clock::duration timeout) {
    // It would wait for the record whose callback is running, to its timeout.
    if (outcomes_.in_callback()) return waits_for_itself("flush");
    const auto deadline = deadline_after(timeout);  // duration::max(): no deadline
    // Only what was accepted before this call: records put meanwhile are of a later epoch.
    const auto epoch = outcomes_.end_epoch();
    dispatcher_.begin_flush();
    const bool done = outcomes_.wait_epochs_resolved(epoch, deadline);
    dispatcher_.end_flush();
    if (!done) {
      return make_error(
          ErrorKind::Transient, "FlushTimeout",
          fmt::format("{} records accepted before flush() still without an outcome", outcomes_.unresolved_through(epoch)));
    }
    return {};
  }

  void shutdown(std::chrono::steady_clock::duration grace) { dispatcher_.shutdown(grace); }

  Status close(std::chrono::steady_clock::duration timeout) {
    // It would wait for this callback's own record, and join this very
    // thread: for ever. The shutdown begins; closed_ stays unset, so that
    // close() on another thread (or the destructor) still waits and stops
    // the threads.
    if (outcomes_.in_callback()) {
      shutdown(timeout);
      return waits_for_itself("close");
    }
    if (closed_.exchange(true)) return {};
    shutdown(timeout);
    // Bounded: at the deadline the dispatcher fails what is unsent, cancels
    // the senders waiting on the limiter and aborts the requests in flight.
    outcomes_.wait_resolved(SteadyTime::max());
    dispatcher_.stop();
    outcomes_.flush_dead_letters();
    if (metrics_publisher_) (void)metrics_publisher_->stop();  // the final publish: every outcome is in
    if (auto fatal = dispatcher_.fatal_error()) return *fatal;
    if (dispatcher_.cut_short()) {
      return make_error(ErrorKind::Transient, "CloseTimeout",
                        fmt::format("the producer closed with records still unsent ({} not yet handed to a sender) "
                                    "or in flight; they failed with reason Shutdown",
                                    dispatcher_.abandoned()));
    }
    return {};
  }

  std::optional<Error> fatal_error() const { return dispatcher_.fatal_error(); }

  ProducerMetrics metrics() const {
    ProducerMetrics m;
    m.records_in = admission_.records_in();
    m.records_rejected = outcomes_.rejected();
    m.records_acknowledged = outcomes_.acknowledged();
    m.records_failed = outcomes_.failed();
    m.records_dead_lettered = outcomes_.dead_lettered();
    m.records_retried = sender_.records_retried();
    m.records_throttled = sender_.records_throttled();
    m.possible_duplicates = sender_.possible_duplicates();
    m.bytes_in = admission_.bytes_in();
    m.bytes_acknowledged = outcomes_.bytes_acknowledged();
    m.billed_bytes = outcomes_.billed_bytes();
    m.requests_ok = sender_.requests_ok();
    m.requests_partial = sender_.requests_partial();
    m.requests_failed = sender_.requests_failed();
    m.requests_in_flight = sender_.in_flight();
    m.buffered_bytes = budget_.used();
    m.rate_limit_bytes_per_second = limiter_.bytes_per_second_limit();
    m.request_latency = sender_.request_latency().summary();
    m.record_latency = outcomes_.record_latency().summary();
    return m;
  }

 private:
  static Error waits_for_itself(std::string_view call) {
    return make_error(ErrorKind::Client, "InvalidState",
                      fmt::format("{}() from an outcome callback would wait for itself (the callback runs on a "
                                  "producer thread); call it from another thread{}",
                                  call, call == "close" ? " (the shutdown has begun)" : ""));
  }

  MetricsSample metrics_sample() const {
    return {metrics(), sender_.request_latency().counts(), outcomes_.record_latency().counts()};
  }

  ProducerOptions options_;
  MemoryBudget budget_;
  AdaptiveRateLimiter limiter_;
  Retrier retrier_;
  OutcomeResolver outcomes_;
  Dispatcher dispatcher_;
  BodyBuffers body_buffers_;
  Sender sender_;
  Admission admission_;
  std::atomic<bool> closed_{false};
  std::unique_ptr<MetricsPublisher> metrics_publisher_;
};

Result<std::unique_ptr<Producer>> Producer::create(std::shared_ptr<FirehoseClient> client, ProducerOptions options) {
  // Refused here: a null client was only found by the first sender thread to use it.
  if (!client) return make_error(ErrorKind::Client, "InvalidOption", "the FirehoseClient is null");
  if (auto valid = validate_producer_options(options); !valid) return valid.error();
  std::unique_ptr<DeadLetterWriter> dead_letter;
  if (!options.dead_letter_path.empty()) {
    auto opened = DeadLetterWriter::open(options.dead_letter_path);
    if (!opened) return opened.error();
    dead_letter = std::move(opened).value();
  }
  auto impl = std::make_unique<Impl>(std::move(client), std::move(options), std::move(dead_letter));
  return std::make_unique<Producer>(std::move(impl));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() {
  if (!impl_ || !impl_->in_outcome_callback()) return;  // ~Impl: close(1 minute)
  // Destroyed from an outcome callback: closing here would wait for this
  // callback to return, and join this very thread. The shutdown begins now;
  // waiting for the outcomes, stopping the threads and freeing the producer
  // go on on a thread of their own.
  impl_->shutdown(std::chrono::minutes(1));
  std::thread([impl = std::move(impl_)]() mutable {
    core::name_this_thread("fh-close");
    impl.reset();
  }).detach();
}

std::future<RecordOutcome> Producer::put(std::string data) {
  auto promise = std::make_shared<std::promise<RecordOutcome>>();
  auto future = promise->get_future();
  const auto status = put(std::move(data), [promise](const RecordOutcome& outcome) { promise->set_value(outcome); });
  if (status == PutStatus::kFull) {
    RecordOutcome full;
    full.error_code = "ProducerFull";
    full.error_message = "the memory budget is used up (non-blocking mode)";
    promise->set_value(full);
  }
  return future;
}

PutStatus Producer::put(std::string data, OutcomeCallback callback) {
  PutItem item{RecordBytes(std::move(data)), std::move(callback)};
  return impl_->put_all(std::span<PutItem>(&item, 1));
}

PutStatus Producer::put_copy(std::string_view data, OutcomeCallback callback) {
  PutItem item{RecordBytes(data), std::move(callback)};
  return impl_->put_all(std::span<PutItem>(&item, 1));
}

PutStatus Producer::put_copy_all(std::span<const std::string_view> records) {
  std::vector<PutItem> items;
  items.reserve(records.size());
  for (std::string_view data : records) items.push_back({RecordBytes(data), OutcomeCallback{}});
  return impl_->put_all(items);
}

void Producer::refuse(const RefusedRecord& record) { impl_->refuse(record); }
Status Producer::flush(std::chrono::steady_clock::duration timeout) { return impl_->flush(timeout); }
void Producer::shutdown(std::chrono::steady_clock::duration grace) { impl_->shutdown(grace); }
Status Producer::close(std::chrono::steady_clock::duration timeout) { return impl_->close(timeout); }
std::optional<Error> Producer::fatal_error() const { return impl_->fatal_error(); }
ProducerMetrics Producer::metrics() const { return impl_->metrics(); }

}  // namespace firehose
