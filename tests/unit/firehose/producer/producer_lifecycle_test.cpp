// The producer's lifecycle calls at their edges: timeouts meaning "for
// ever", calls from inside an outcome callback (a producer thread), flush()
// beside a steady intake, and create()'s refusals.
#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "firehose/producer.hpp"
#include "support/fast_producer_options.hpp"
#include "support/scripted_firehose_server.hpp"

namespace firehose {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedFirehoseServer;

ProducerOptions lifecycle_options() {
  auto options = testing::fast_producer_options();
  options.adaptive_rate = false;
  return options;
}

// With linger 1 h nothing is sent until flush() or close() forces it: a
// timeout taken for one in the past fails every record with Shutdown.
TEST(ProducerLifecycle, TimeoutsThatMeanForeverWaitForEveryRecord) {
  auto run = [](auto timeout, bool use_close) {
    ScriptedFirehoseServer server;
    auto options = lifecycle_options();
    options.linger = 1h;
    auto producer = Producer::create(server.client(), options);
    ASSERT_TRUE(producer.ok());
    std::vector<std::future<RecordOutcome>> futures;
    for (int i = 0; i < 300; ++i) futures.push_back((*producer)->put("ok:" + std::to_string(i)));
    const auto status = use_close ? (*producer)->close(timeout) : (*producer)->flush(timeout);
    ASSERT_TRUE(status.ok()) << status.error().to_string();
    for (auto& f : futures) EXPECT_TRUE(f.get().acknowledged);
  };
  for (bool use_close : {false, true}) {
    run(std::chrono::hours::max(), use_close);
    run(std::chrono::seconds::max(), use_close);
    run(std::chrono::steady_clock::duration::max(), use_close);
    run(std::chrono::years(300), use_close);
  }
}

TEST(ProducerLifecycle, CreateRefusesANullClient) {
  auto producer = Producer::create(nullptr, lifecycle_options());
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.error().code, "InvalidOption");
  EXPECT_NE(producer.error().message.find("FirehoseClient"), std::string::npos);
}

TEST(ProducerLifecycle, CloseAndFlushFromAnOutcomeCallbackReturnInvalidStateAtOnce) {
  ScriptedFirehoseServer server;
  auto producer = Producer::create(server.client(), lifecycle_options());
  ASSERT_TRUE(producer.ok());
  std::promise<std::pair<Status, Status>> statuses;
  (*producer)->put("ok:first", [&](const RecordOutcome&) {
    // Before: flush waited its full timeout for this very record, close for ever.
    auto flushed = (*producer)->flush(1h);
    auto closed = (*producer)->close(1h);
    statuses.set_value({flushed, closed});
  });
  auto [flushed, closed] = statuses.get_future().get();
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.error().code, "InvalidState");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, "InvalidState");
  // The shutdown began: intake is closed; close() on this thread completes it.
  EXPECT_EQ((*producer)->put("ok:late").get().error_code, "ProducerClosed");
  EXPECT_TRUE((*producer)->close(60s).ok());
}

TEST(ProducerLifecycle, DestroyingTheProducerFromAnOutcomeCallbackDoesNotWaitForItself) {
  ScriptedFirehoseServer server;
  server.set_stall(true);  // no outcome (and no callback) until this thread is out of put()
  std::unique_ptr<Producer> producer = std::move(*Producer::create(server.client(), lifecycle_options()));
  std::promise<void> destroyed;
  auto second = producer->put("ok:second");
  producer->put("ok:first", [&](const RecordOutcome&) {
    producer.reset();  // before: waited for this callback's own record, for ever
    destroyed.set_value();
  });
  server.release();
  destroyed.get_future().get();
  // The record put before it still gets its outcome (delivered, or Shutdown).
  const auto outcome = second.get();
  EXPECT_TRUE(outcome.acknowledged || outcome.error_code == "Shutdown") << outcome.error_code;
}

// One sender, a budget of 17 records: a callback blocked on the budget would
// hold up the outcomes that free it (before: a deadlock).
TEST(ProducerLifecycle, PutFromAnOutcomeCallbackIsRefusedWhenTheBudgetIsFullInsteadOfBlocking) {
  ScriptedFirehoseServer server;
  auto options = lifecycle_options();
  options.max_in_flight = 1;
  options.tune_in_flight = false;
  options.memory_budget_bytes = 1024 * 1024;
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  std::atomic<int> again_accepted{0}, again_refused{0};
  for (int i = 0; i < 200; ++i) {
    (*producer)->put("ok:" + std::to_string(i) + std::string(60'000, 'x'), [&, i](const RecordOutcome&) {
      const auto status = (*producer)->put("ok:again" + std::to_string(i) + std::string(60'000, 'y'), {});
      // kFull while the budget is used up (kClosed once close() has begun).
      (status == PutStatus::kAccepted ? again_accepted : again_refused).fetch_add(1);
    });
  }
  ASSERT_TRUE((*producer)->close(600s).ok());
  EXPECT_EQ(again_accepted.load() + again_refused.load(), 200);
  EXPECT_EQ((*producer)->metrics().records_acknowledged, 200u + static_cast<std::uint64_t>(again_accepted.load()));
}

// A record put while flush() waits is not waited for: here it cannot be
// delivered until flush() has returned (its call stalls), so flush() only
// succeeds if it waits for the records put before it alone.
TEST(ProducerLifecycle, FlushWaitsOnlyForTheRecordsAcceptedBeforeIt) {
  ScriptedFirehoseServer server;
  server.set_stall(true);
  auto options = lifecycle_options();
  options.linger = 1h;  // only flush() sends
  options.max_in_flight = 1;
  options.tune_in_flight = false;
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  std::future<RecordOutcome> later;
  (*producer)->put("ok:first", [&](const RecordOutcome&) {
    server.set_stall(true);  // the next call hangs
    later = (*producer)->put("ok:later");
  });
  // The first call reaching the server means flush() has begun.
  std::thread releaser([&] {
    while (server.calls() < 1) std::this_thread::sleep_for(1ms);
    server.release();
  });
  // Before, this waited for the record put later, and timed out.
  const auto flushed = (*producer)->flush(30s);
  releaser.join();
  EXPECT_TRUE(flushed.ok()) << flushed.error().to_string();
  server.release();
  EXPECT_TRUE((*producer)->close(60s).ok());
  EXPECT_TRUE(later.get().acknowledged);
}

}  // namespace
}  // namespace firehose
