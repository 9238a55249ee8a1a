#include "firehose/producer/sender.hpp"

#include <gtest/gtest.h>

#include "support/scripted_firehose_server.hpp"

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

// One sender wired to a scripted server, with the dispatcher's side recorded.
struct SenderRig {
  testing::ScriptedFirehoseServer server;
  ProducerOptions options;
  AdaptiveRateLimiter limiter{[] {
    RateLimiterOptions o;
    o.adaptive = false;
    return o;
  }()};
  Retrier retrier{RetryPolicy{3, 1ms, 5ms}, aws::make_uniform_random(1)};
  OutcomeResolver outcomes{"s", nullptr};
  MemoryBudget budget{1 << 20};
  BodyBuffers body_buffers{1 << 20};
  Batch requeued;
  SteadyTime requeued_at{};
  std::optional<Error> refusal;
  std::optional<Error> stopped_for;
  std::vector<BatchReport> reports;
  std::unique_ptr<Sender> sender;

  SenderRig() {
    options.delivery_stream_name = "s";
    options.on_batch = [this](const BatchReport& report) { reports.push_back(report); };
    DispatcherLink link;
    link.refusal = [this] { return refusal; };
    link.requeue = [this](Batch& records, SteadyTime at) -> std::optional<Error> {
      if (refusal) return refusal;
      for (auto& r : records) requeued.push_back(std::move(r));
      records.clear();
      requeued_at = at;
      return std::nullopt;
    };
    link.stop_for = [this](const Error& e) { stopped_for = e; };
    sender = std::make_unique<Sender>(options, server.client(), limiter, retrier, outcomes, budget, body_buffers, link);
  }

  Batch batch_of(std::vector<std::string> data) {
    Batch batch;
    for (auto& d : data) {
      auto record = std::make_unique<PendingRecord>();
      record->data = d;
      UserRecord user;
      user.size = d.size();
      user.charge = 10;
      user.put_time = std::chrono::steady_clock::now();
      record->users.push_back(std::move(user));
      record->deadline = std::chrono::steady_clock::now() + 1h;
      batch.push_back(std::move(record));
    }
    outcomes.expect(batch.size(), 0);
    ASSERT_TRUE_HELPER(budget.try_acquire(10 * batch.size()));
    return batch;
  }
  static void ASSERT_TRUE_HELPER(bool ok) { ASSERT_TRUE(ok); }

  // The same records framed at put(), as the dispatcher frames them.
  FramedBatch framed_of(const std::vector<std::string>& data) {
    FramedBatch batch(options.delivery_stream_name, std::string(), 0);
    for (const auto& d : data) batch.add(d, std::chrono::steady_clock::now(), 10);
    outcomes.expect(data.size(), 0);
    ASSERT_TRUE_HELPER(budget.try_acquire(10 * data.size()));
    return batch;
  }
};

TEST(Sender, AcknowledgesRequeuesTheRefusedAndReportsTheAnswer) {
  SenderRig rig;
  Batch done = rig.sender->send(rig.batch_of({"ok:1", "fail1:2", "bad:3"}));
  EXPECT_EQ(done.size(), 2u);  // acknowledged and failed for good
  EXPECT_EQ(rig.outcomes.acknowledged(), 1u);
  EXPECT_EQ(rig.outcomes.failed(), 1u);
  ASSERT_EQ(rig.requeued.size(), 1u);
  EXPECT_EQ(rig.requeued[0]->data, "fail1:2");
  EXPECT_EQ(rig.sender->records_throttled(), 1u);
  EXPECT_EQ(rig.sender->requests_partial(), 1u);
  ASSERT_EQ(rig.reports.size(), 1u);
  EXPECT_EQ(rig.reports[0].records, 3u);
  EXPECT_EQ(rig.reports[0].failed_put_count, 2u);
  EXPECT_EQ(rig.reports[0].error_codes.size(), 2u);
  EXPECT_EQ(rig.budget.used(), 10u);  // the requeued record keeps its charge

  // The retry: a re-send counted as such.
  Batch again = std::move(rig.requeued);
  rig.requeued.clear();
  done = rig.sender->send(std::move(again));
  EXPECT_EQ(rig.outcomes.acknowledged(), 2u);
  EXPECT_EQ(rig.sender->records_retried(), 1u);
  EXPECT_EQ(rig.reports.back().attempt, 2);
  EXPECT_EQ(rig.budget.used(), 0u);
}

TEST(Sender, AFatalAnswerStopsTheDispatcherAndFailsTheBatch) {
  SenderRig rig;
  rig.server.set_missing_stream(true);
  rig.sender->send(rig.batch_of({"ok:1", "ok:2"}));
  ASSERT_TRUE(rig.stopped_for.has_value());
  EXPECT_EQ(rig.stopped_for->code, "ResourceNotFoundException");
  EXPECT_EQ(rig.outcomes.failed(), 2u);
  EXPECT_EQ(rig.reports.back().failed_put_count, 2u);
}

TEST(Sender, RetriesRefusedByTheDispatcherFailWithItsReason) {
  SenderRig rig;
  rig.refusal = make_error(ErrorKind::Client, "Shutdown", "closing");
  Batch done = rig.sender->send(rig.batch_of({"fail1:1"}));
  EXPECT_EQ(done.size(), 1u);
  EXPECT_EQ(rig.outcomes.failed(), 1u);
  EXPECT_EQ(rig.outcomes.unresolved(), 0u);
}

TEST(Sender, AbortEndsARequestThatIsNeverAnswered) {
  SenderRig rig;
  rig.server.set_stall(true);
  rig.refusal = make_error(ErrorKind::Client, "Shutdown", "closing");
  std::thread aborter([&] {
    std::this_thread::sleep_for(200ms);
    rig.sender->abort_requests();
  });
  Batch batch = rig.batch_of({"ok:1"});
  std::string message;
  batch[0]->users[0].callback = [&](const RecordOutcome& o) { message = o.error_code + ": " + o.error_message; };
  rig.sender->send(std::move(batch));
  aborter.join();
  rig.server.release();
  // Abandoned, not timed out after the transport's 60 s.
  EXPECT_NE(message.find("Shutdown"), std::string::npos) << message;
  EXPECT_NE(message.find("RequestAborted"), std::string::npos) << message;
  EXPECT_EQ(rig.outcomes.failed(), 1u);
  EXPECT_EQ(rig.sender->possible_duplicates(), 1u);  // it may have been stored
}

// A framed batch answered in full is resolved as a whole: nothing comes
// back as records, every count and the budget as for records.
TEST(Sender, AFramedBatchAcknowledgedInFullIsResolvedAsAWhole) {
  SenderRig rig;
  auto sent = rig.sender->send_framed(rig.framed_of({"ok:1", "ok:2", "ok:3"}));
  EXPECT_TRUE(sent.resolved.empty());
  EXPECT_EQ(sent.bytes, 12u);
  EXPECT_EQ(rig.outcomes.acknowledged(), 3u);
  EXPECT_EQ(rig.outcomes.bytes_acknowledged(), 12u);
  EXPECT_EQ(rig.outcomes.unresolved(), 0u);
  EXPECT_EQ(rig.outcomes.record_latency().count(), 3u);
  EXPECT_EQ(rig.sender->requests_ok(), 1u);
  EXPECT_EQ(rig.budget.used(), 0u);
  for (const auto& data : {"ok:1", "ok:2", "ok:3"}) EXPECT_EQ(rig.server.acknowledged(data), 1) << data;
  ASSERT_EQ(rig.reports.size(), 1u);
  EXPECT_EQ(rig.reports[0].records, 3u);
  EXPECT_EQ(rig.reports[0].failed_put_count, 0u);
  EXPECT_GT(rig.body_buffers.idle_bytes(), 0u);  // its body's buffer is back in the pool
}

// Anything else: the batch becomes records, each judged as send() judges them.
TEST(Sender, AFramedBatchWithRefusedRecordsGoesOnRecordByRecord) {
  SenderRig rig;
  auto sent = rig.sender->send_framed(rig.framed_of({"ok:1", "fail1:2", "bad:3"}));
  EXPECT_EQ(sent.resolved.size(), 2u);  // acknowledged and failed for good
  EXPECT_EQ(rig.outcomes.acknowledged(), 1u);
  EXPECT_EQ(rig.outcomes.failed(), 1u);
  ASSERT_EQ(rig.requeued.size(), 1u);
  EXPECT_EQ(rig.requeued[0]->data, "fail1:2");  // decoded from the body
  EXPECT_EQ(rig.requeued[0]->attempts, 1);
  EXPECT_EQ(rig.requeued[0]->users[0].charge, 10u);
  EXPECT_EQ(rig.sender->requests_partial(), 1u);
  EXPECT_EQ(rig.budget.used(), 10u);  // the requeued record keeps its charge
  Batch again = std::move(rig.requeued);
  rig.requeued.clear();
  rig.sender->send(std::move(again));
  EXPECT_EQ(rig.outcomes.acknowledged(), 2u);
  EXPECT_EQ(rig.reports.back().attempt, 2);
  EXPECT_EQ(rig.budget.used(), 0u);
}

TEST(Sender, AFramedBatchWhoseCallFailedIsRequeuedWhole) {
  SenderRig rig;
  rig.server.set_down_calls(1);
  auto sent = rig.sender->send_framed(rig.framed_of({"ok:1", "ok:2"}));
  EXPECT_TRUE(sent.resolved.empty());
  ASSERT_EQ(rig.requeued.size(), 2u);
  EXPECT_EQ(rig.requeued[0]->data, "ok:1");
  EXPECT_EQ(rig.requeued[1]->data, "ok:2");
  EXPECT_EQ(rig.sender->requests_failed(), 1u);
  EXPECT_EQ(rig.outcomes.unresolved(), 2u);
}

TEST(Sender, AFramedBatchTheDispatcherRefusesFailsWithItsReason) {
  SenderRig rig;
  rig.refusal = make_error(ErrorKind::Client, "Shutdown", "closing");
  rig.server.set_down_calls(1);  // sent, failed, and then not to be sent again
  auto sent = rig.sender->send_framed(rig.framed_of({"ok:1"}));
  ASSERT_EQ(sent.resolved.size(), 1u);
  EXPECT_EQ(sent.resolved[0]->last_error.code, "Shutdown");
  EXPECT_EQ(rig.outcomes.failed(), 1u);
  EXPECT_EQ(rig.outcomes.unresolved(), 0u);
  EXPECT_EQ(rig.budget.used(), 0u);
}

}  // namespace
}  // namespace firehose::producer
