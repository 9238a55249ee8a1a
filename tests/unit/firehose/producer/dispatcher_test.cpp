// The dispatcher without a network: its senders call a function of the
// test's, which acknowledges, requeues or holds the batches it is handed.
#include "firehose/producer/dispatcher.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/thread_name.hpp"
#include "firehose/producer/memory_charge.hpp"

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

// Long enough never to be what a test waits for; a test waits for an event.
constexpr auto kPatience = 60s;

ProducerOptions dispatcher_options() {
  ProducerOptions options;
  options.delivery_stream_name = "s";
  options.max_in_flight = 2;
  options.max_batch_records = 3;
  options.linger = 1ms;
  return options;
}

struct DispatcherRig {
  ProducerOptions options;
  AdaptiveRateLimiter limiter{[] {
    RateLimiterOptions o;
    o.adaptive = false;
    return o;
  }()};
  OutcomeResolver outcomes{"s", nullptr};
  MemoryBudget budget{1 << 24};

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::size_t> batch_sizes;      // records per batch handed to a sender
  std::map<std::string, int> sends;          // per record
  std::map<std::string, std::string> codes;  // outcome per record: "" acknowledged, else the error code
  std::set<std::string> sender_thread_names;
  int in_send = 0;
  bool hold = false;                                       // senders wait in send until released or aborted
  bool aborted = false;                                    // the abort hook was called
  std::function<bool(PendingRecord&)> requeue_first_send;  // set: such records are requeued once

  BodyBuffers buffers{1 << 20};
  int framed_batches = 0;  // framed batches handed to a sender

  std::unique_ptr<Dispatcher> dispatcher;

  explicit DispatcherRig(ProducerOptions o = dispatcher_options()) : options(std::move(o)) {
    dispatcher = std::make_unique<Dispatcher>(options, limiter, outcomes, budget);
  }
  ~DispatcherRig() {
    release();
    dispatcher->stop();
  }

  void start() {
    dispatcher->start([this](Batch batch) { return send(std::move(batch)); }, [this] { abort(); });
  }
  // Records put without a callback are framed into bodies (framed()).
  void start_framing() {
    Dispatcher::Framing framing;
    framing.send = [this](FramedBatch batch) { return send_framed(std::move(batch)); };
    framing.buffers = &buffers;
    dispatcher->start([this](Batch batch) { return send(std::move(batch)); }, [this] { abort(); }, std::move(framing));
  }
  void abort() {
    std::lock_guard lock(mutex);
    aborted = true;
    changed.notify_all();
  }

  // What the Sender does with a framed batch: acknowledged as a whole, or
  // (a request abandoned at the deadline) failed record by record.
  std::pair<Batch, std::size_t> send_framed(FramedBatch batch) {
    Batch records;
    batch.to_pending(records, 1, std::chrono::system_clock::now(), options.record_ttl);
    std::unique_lock lock(mutex);
    batch_sizes.push_back(batch.records());
    ++framed_batches;
    for (const auto& record : records) ++sends[record->data];
    ++in_send;
    changed.notify_all();
    changed.wait(lock, [&] { return !hold || aborted; });
    --in_send;
    const bool abandoned = aborted;
    lock.unlock();
    std::size_t released = 0;
    if (abandoned) {
      for (auto& record : records) {
        record->last_error = shutdown_error();
        released += outcomes.fail(*record);
      }
    } else {
      records.clear();
      OutcomeResolver::AckTally tally;
      for (const auto& entry : batch.entries()) {
        outcomes.acknowledge_unwatched(entry.size, entry.put_time, entry.charge, entry.epoch_slot,
                                       std::chrono::steady_clock::now(), tally);
      }
      outcomes.settle(tally);
      released = tally.charge;
    }
    batch.give_buffer_back(buffers);
    budget.release(released);
    return {std::move(records), batch.raw_bytes()};
  }

  // What a sender does with a batch, with the answer chosen by the test.
  Batch send(Batch batch) {
    std::unique_lock lock(mutex);
    sender_thread_names.insert(core::this_thread_name());
    batch_sizes.push_back(batch.size());
    ++in_send;
    changed.notify_all();
    changed.wait(lock, [&] { return !hold || aborted; });
    --in_send;
    Batch retry, done;
    for (auto& record : batch) {
      const int sent = ++sends[record->data];
      if (requeue_first_send && sent == 1 && requeue_first_send(*record)) {
        retry.push_back(std::move(record));
      } else {
        done.push_back(std::move(record));
      }
    }
    const bool abandoned = aborted;
    lock.unlock();
    if (!retry.empty()) {
      auto refused = dispatcher->link().requeue(retry, std::chrono::steady_clock::now());
      EXPECT_FALSE(refused.has_value());
    }
    OutcomeResolver::AckTally tally;
    std::size_t failed_charge = 0;
    for (auto& record : done) {
      if (abandoned) {  // a request in flight at the deadline: its outcome is unknown
        record->last_error = shutdown_error();
        failed_charge += outcomes.fail(*record);
      } else {
        outcomes.acknowledge(*record, "id", std::chrono::steady_clock::now(), tally);
      }
    }
    outcomes.settle(tally);
    budget.release(tally.charge + failed_charge);
    return done;
  }

  void release() {
    std::lock_guard lock(mutex);
    hold = false;
    changed.notify_all();
  }

  bool wait_for(const std::function<bool()>& condition) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kPatience, condition);
  }

  // Puts records as put() would: charged to the budget (which refuses once
  // the dispatcher cancelled it), then enqueued.
  // Without `callbacks`, as put_copy_all() does (framed, once start_framing()).
  Dispatcher::Enqueued put(const std::vector<std::string>& data, bool callbacks = true) {
    std::vector<PutItem> items;
    std::size_t total = 0;
    for (const auto& d : data) {
      PutItem item{RecordBytes(d), {}};
      if (callbacks) {
        item.callback = [this, d](const RecordOutcome& outcome) {
          std::lock_guard lock(mutex);
          codes[d] = outcome.error_code;
        };
      }
      item.charge = user_charge(item.data, options.pack_target_bytes > 0) + kFirehoseRecordCharge;
      total += item.charge;
      items.push_back(std::move(item));
    }
    const bool charged = budget.try_acquire(total);
    auto enqueued = dispatcher->enqueue(items, std::chrono::steady_clock::now());
    EXPECT_TRUE(charged || !enqueued.accepted);
    if (charged) budget.release(enqueued.accepted ? enqueued.charge_returned : total);
    return enqueued;
  }

  // Every charge given back (a sender and the dispatcher release it just
  // after the outcomes it belongs to).
  bool budget_returned() {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (budget.used() != 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
    return budget.used() == 0;
  }

  bool all_resolved() { return outcomes.wait_resolved(std::chrono::steady_clock::now() + kPatience); }
};

std::vector<std::string> numbered(int count, const std::string& prefix = "r") {
  std::vector<std::string> data;
  for (int i = 0; i < count; ++i) data.push_back(prefix + std::to_string(i));
  return data;
}

TEST(Dispatcher, CutsBatchesOfAtMostTheLimitAndHandsEveryRecordToASenderOnce) {
  DispatcherRig rig;
  rig.start();
  const auto enqueued = rig.put(numbered(10));
  EXPECT_TRUE(enqueued.accepted);
  EXPECT_EQ(enqueued.records, 10u);
  EXPECT_EQ(enqueued.charge_returned, 0u);  // no packing: every record is a Firehose record
  ASSERT_TRUE(rig.all_resolved());
  std::lock_guard lock(rig.mutex);
  std::size_t total = 0;
  for (std::size_t size : rig.batch_sizes) {
    EXPECT_LE(size, 3u);
    total += size;
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(rig.sends.size(), 10u);
  for (const auto& [data, count] : rig.sends) EXPECT_EQ(count, 1) << data;
  EXPECT_EQ(rig.outcomes.acknowledged(), 10u);
  EXPECT_TRUE(rig.budget_returned());
  // Named for top -H, gdb and perf.
  EXPECT_EQ(rig.sender_thread_names, std::set<std::string>{"fh-sender"});
}

// Records put with callbacks take the Batcher's path; without, once
// framing is on, they are framed at put(): either way a partial batch waits.
void expect_a_partial_batch_waits_for_the_linger_unless_a_flush_is_on(bool framing) {
  auto options = dispatcher_options();
  options.linger = std::chrono::hours(1);
  DispatcherRig rig(options);
  if (framing) {
    rig.start_framing();
  } else {
    rig.start();
  }
  rig.put(numbered(2), /*callbacks=*/!framing);  // under max_batch_records: lingers
  EXPECT_FALSE(rig.outcomes.wait_resolved(std::chrono::steady_clock::now() + 200ms));
  {
    std::lock_guard lock(rig.mutex);
    EXPECT_TRUE(rig.batch_sizes.empty());
  }
  rig.dispatcher->begin_flush();
  ASSERT_TRUE(rig.all_resolved());
  rig.dispatcher->end_flush();
  std::lock_guard lock(rig.mutex);
  ASSERT_EQ(rig.batch_sizes.size(), 1u);
  EXPECT_EQ(rig.batch_sizes[0], 2u);
  EXPECT_EQ(rig.framed_batches, framing ? 1 : 0);
}

TEST(Dispatcher, APartialBatchWaitsForTheLingerUnlessAFlushIsOn) {
  expect_a_partial_batch_waits_for_the_linger_unless_a_flush_is_on(/*framing=*/false);
}

// Senders cut their own next batch when one is due; when none is, the
// dispatcher must still learn that a sender is free, or a partial batch
// queued while every sender was busy would wait for more input for ever.
TEST(Dispatcher, APartialBatchQueuedWhileEverySenderIsBusyGoesOnceOneIsFreeAndItsLingerPasses) {
  auto options = dispatcher_options();  // 2 senders, 3 records a batch
  options.linger = 300ms;               // still running when the senders come back
  options.tune_in_flight = false;
  DispatcherRig rig(options);
  rig.hold = true;
  rig.start();
  rig.put(numbered(6, "busy"));  // two full batches: both senders held
  ASSERT_TRUE(rig.wait_for([&] { return rig.in_send == 2; }));
  rig.put(numbered(2, "partial"));  // no sender free: the dispatcher cuts nothing
  rig.release();
  ASSERT_TRUE(rig.all_resolved());  // no flush, no further put()
  std::lock_guard lock(rig.mutex);
  ASSERT_EQ(rig.batch_sizes.size(), 3u);
  EXPECT_EQ(rig.batch_sizes[2], 2u);
}

TEST(Dispatcher, RecordsASenderRequeuesAreSentAgain) {
  DispatcherRig rig;
  rig.requeue_first_send = [](PendingRecord& record) { return record.data.starts_with("retry"); };
  rig.start();
  rig.put({"retry-a", "ok-b", "retry-c", "ok-d"});
  ASSERT_TRUE(rig.all_resolved());
  std::lock_guard lock(rig.mutex);
  EXPECT_EQ(rig.sends["retry-a"], 2);
  EXPECT_EQ(rig.sends["retry-c"], 2);
  EXPECT_EQ(rig.sends["ok-b"], 1);
  EXPECT_EQ(rig.sends["ok-d"], 1);
  EXPECT_EQ(rig.outcomes.acknowledged(), 4u);
  EXPECT_TRUE(rig.budget_returned());
}

// One sender whose request is held unanswered, and 7 records put: 3 in
// flight, 4 unsent (framed at put() when `framing`).
std::unique_ptr<DispatcherRig> one_held_sender_and_seven_records(bool framing) {
  auto options = dispatcher_options();
  options.max_in_flight = 1;
  auto rig = std::make_unique<DispatcherRig>(options);
  rig->hold = true;
  if (framing) {
    rig->start_framing();
  } else {
    rig->start();
  }
  rig->put(numbered(7), /*callbacks=*/!framing);
  EXPECT_TRUE(rig->wait_for([&] { return rig->in_send == 1; }));
  return rig;
}

TEST(Dispatcher, AtShutdownsDeadlineUnsentRecordsFailAndRequestsInFlightAreAborted) {
  auto held = one_held_sender_and_seven_records(/*framing=*/false);
  auto& rig = *held;
  rig.dispatcher->shutdown(10ms);
  EXPECT_EQ(rig.dispatcher->intake_refusal()->code, "ProducerClosed");
  ASSERT_TRUE(rig.all_resolved());  // the abort hook ended the request in flight
  EXPECT_TRUE(rig.aborted);
  EXPECT_TRUE(rig.dispatcher->cut_short());
  EXPECT_EQ(rig.dispatcher->abandoned(), 4u);  // 7 less the batch of 3 in flight
  EXPECT_EQ(rig.outcomes.failed(), 7u);
  std::lock_guard lock(rig.mutex);
  ASSERT_EQ(rig.codes.size(), 7u);
  for (const auto& [data, code] : rig.codes) EXPECT_EQ(code, "Shutdown") << data;
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, ShutdownDrainsWhatWasAcceptedWithinTheGraceAndRefusesMore) {
  DispatcherRig rig;
  rig.start();
  rig.put(numbered(5));
  rig.dispatcher->shutdown(kPatience);
  EXPECT_TRUE(rig.dispatcher->refusing());
  EXPECT_FALSE(rig.put({"late"}).accepted);
  ASSERT_TRUE(rig.all_resolved());
  EXPECT_EQ(rig.outcomes.acknowledged(), 5u);
  EXPECT_FALSE(rig.dispatcher->cut_short());
  EXPECT_EQ(rig.dispatcher->abandoned(), 0u);
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, AFatalStopFailsWhatIsUnsentWithItsErrorAndRefusesIntakeAndRetries) {
  auto held = one_held_sender_and_seven_records(/*framing=*/false);
  auto& rig = *held;
  const Error gone = make_error(ErrorKind::Client, "ResourceNotFoundException", "stream s not found");
  auto link = rig.dispatcher->link();
  link.stop_for(gone);
  EXPECT_TRUE(rig.dispatcher->refusing());
  EXPECT_EQ(rig.dispatcher->intake_refusal()->code, "ResourceNotFoundException");
  EXPECT_EQ(rig.dispatcher->fatal_error()->code, "ResourceNotFoundException");
  EXPECT_EQ(link.refusal()->code, "ResourceNotFoundException");
  Batch retry;
  retry.push_back(std::make_unique<PendingRecord>());
  EXPECT_EQ(link.requeue(retry, std::chrono::steady_clock::now())->code, "ResourceNotFoundException");
  EXPECT_EQ(retry.size(), 1u);  // left with the caller, who fails it
  EXPECT_FALSE(rig.put({"late"}).accepted);
  EXPECT_EQ(rig.outcomes.failed(), 4u);  // the unsent, at once
  rig.release();                         // the batch in flight is answered
  ASSERT_TRUE(rig.all_resolved());
  EXPECT_EQ(rig.outcomes.acknowledged(), 3u);
  std::lock_guard lock(rig.mutex);
  int failed = 0;
  for (const auto& [data, code] : rig.codes) failed += code == "ResourceNotFoundException";
  EXPECT_EQ(failed, 4);
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, PackedRecordsGiveBackTheShareOfTheFirehoseRecordTheyJoin) {
  auto options = dispatcher_options();
  options.pack_target_bytes = 1000;
  options.linger = std::chrono::hours(1);
  DispatcherRig rig(options);
  rig.start();
  const auto enqueued = rig.put({"a", "b", "c"});
  EXPECT_EQ(enqueued.records, 3u);
  EXPECT_EQ(enqueued.bytes, 3u);
  EXPECT_EQ(enqueued.charge_returned, 2 * kFirehoseRecordCharge);  // b and c joined a's record
  rig.dispatcher->begin_flush();                                   // seals the open packed record
  ASSERT_TRUE(rig.all_resolved());
  rig.dispatcher->end_flush();
  EXPECT_EQ(rig.outcomes.acknowledged(), 3u);
  std::lock_guard lock(rig.mutex);
  ASSERT_EQ(rig.batch_sizes.size(), 1u);
  EXPECT_EQ(rig.batch_sizes[0], 1u);  // one Firehose record
  EXPECT_TRUE(rig.budget_returned());
}

// Records put without a callback are framed into request bodies as they
// are queued; a framed batch is resolved as a whole, or record by record.
TEST(Dispatcher, FramedRecordsGoInBatchesOfAtMostTheLimitEachRecordOnce) {
  DispatcherRig rig;
  rig.start_framing();
  const auto enqueued = rig.put(numbered(10), /*callbacks=*/false);
  EXPECT_TRUE(enqueued.accepted);
  EXPECT_EQ(enqueued.records, 10u);
  ASSERT_TRUE(rig.all_resolved());
  EXPECT_EQ(rig.outcomes.acknowledged(), 10u);
  std::lock_guard lock(rig.mutex);
  EXPECT_EQ(rig.framed_batches, 4);  // 3 + 3 + 3 + 1
  for (std::size_t size : rig.batch_sizes) EXPECT_LE(size, 3u);
  EXPECT_EQ(rig.sends.size(), 10u);
  for (const auto& [data, count] : rig.sends) EXPECT_EQ(count, 1) << data;
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, AFramedPartialBatchWaitsForTheLingerUnlessAFlushIsOn) {
  expect_a_partial_batch_waits_for_the_linger_unless_a_flush_is_on(/*framing=*/true);
}

TEST(Dispatcher, AFramedPartialBatchGoesOnceItsLingerPasses) {
  auto options = dispatcher_options();
  options.linger = 50ms;
  DispatcherRig rig(options);
  rig.start_framing();
  rig.put(numbered(2), /*callbacks=*/false);
  ASSERT_TRUE(rig.all_resolved());  // no flush, no further put()
  EXPECT_EQ(rig.outcomes.acknowledged(), 2u);
}

TEST(Dispatcher, RecordsWithAndWithoutCallbacksAllGetThroughFramedOrNot) {
  DispatcherRig rig;
  rig.start_framing();
  rig.put(numbered(5, "called"));
  rig.put(numbered(5, "framed"), /*callbacks=*/false);
  rig.put(numbered(1, "called-late"));
  rig.dispatcher->begin_flush();
  ASSERT_TRUE(rig.all_resolved());
  rig.dispatcher->end_flush();
  EXPECT_EQ(rig.outcomes.acknowledged(), 11u);
  std::lock_guard lock(rig.mutex);
  EXPECT_EQ(rig.sends.size(), 11u);
  for (const auto& [data, count] : rig.sends) EXPECT_EQ(count, 1) << data;
  EXPECT_EQ(rig.codes.size(), 6u);  // the callbacks ran
  EXPECT_GE(rig.framed_batches, 2);
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, RecordsOverTheFramingLimitTakeTheBatchersPath) {
  DispatcherRig rig;
  rig.start_framing();
  rig.put({std::string(kFramedRecordMaxBytes + 1, 'L'), std::string(kFramedRecordMaxBytes, 'F')},
          /*callbacks=*/false);
  rig.dispatcher->begin_flush();
  ASSERT_TRUE(rig.all_resolved());
  rig.dispatcher->end_flush();
  EXPECT_EQ(rig.outcomes.acknowledged(), 2u);
  std::lock_guard lock(rig.mutex);
  EXPECT_EQ(rig.framed_batches, 1);        // the one of 2 KiB
  EXPECT_EQ(rig.batch_sizes.size(), 2u);  // and a batch of records for the larger one
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, AtShutdownsDeadlineUnsentFramedRecordsFailAsRecords) {
  auto held = one_held_sender_and_seven_records(/*framing=*/true);
  auto& rig = *held;
  rig.dispatcher->shutdown(10ms);
  ASSERT_TRUE(rig.all_resolved());
  EXPECT_TRUE(rig.aborted);
  EXPECT_TRUE(rig.dispatcher->cut_short());
  EXPECT_EQ(rig.dispatcher->abandoned(), 4u);  // 7 less the framed batch of 3 in flight
  EXPECT_EQ(rig.outcomes.failed(), 7u);
  EXPECT_TRUE(rig.budget_returned());
}

TEST(Dispatcher, AFatalStopFailsUnsentFramedRecordsWithItsError) {
  auto held = one_held_sender_and_seven_records(/*framing=*/true);
  auto& rig = *held;
  rig.dispatcher->link().stop_for(make_error(ErrorKind::Client, "ResourceNotFoundException", "stream s not found"));
  EXPECT_EQ(rig.outcomes.failed(), 4u);  // the unsent, at once
  rig.release();
  ASSERT_TRUE(rig.all_resolved());
  EXPECT_EQ(rig.outcomes.acknowledged(), 3u);
  EXPECT_TRUE(rig.budget_returned());
}

}  // namespace
}  // namespace firehose::producer
