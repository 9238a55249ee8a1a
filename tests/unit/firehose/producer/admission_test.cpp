// put()'s stage without a network: the dispatcher's senders are never
// started, so what is admitted stays queued and the budget stays charged.
#include "firehose/producer/admission.hpp"

#include <future>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "firehose/limits.hpp"
#include "firehose/producer/memory_charge.hpp"

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

struct AdmissionRig {
  ProducerOptions options;
  AdaptiveRateLimiter limiter{RateLimiterOptions{}};
  OutcomeResolver outcomes{"s", nullptr};
  MemoryBudget budget;
  Dispatcher dispatcher;
  Admission admission;
  std::map<std::string, std::string> codes;  // outcome per record of those resolved

  explicit AdmissionRig(std::size_t budget_bytes, bool blocking = true)
      : options(make_options(blocking)),
        budget(budget_bytes),
        dispatcher(options, limiter, outcomes, budget),
        admission(options, budget, outcomes, dispatcher) {}

  static ProducerOptions make_options(bool blocking) {
    ProducerOptions o;
    o.delivery_stream_name = "s";
    o.blocking = blocking;
    return o;
  }

  PutStatus put(std::vector<std::string> data) {
    std::vector<PutItem> items;
    for (auto& d : data) {
      items.push_back({RecordBytes(d), [this, d](const RecordOutcome& outcome) { codes[d] = outcome.error_code; }});
    }
    return admission.put_all(items);
  }
};

std::size_t charge_of(const std::string& data) { return user_charge(RecordBytes(data), false) + kFirehoseRecordCharge; }

TEST(Admission, RefusesEmptyAndOversizeRecordsAtOnceAndChargesTheRest) {
  AdmissionRig rig(1 << 24);
  const std::string oversize(limits::kMaxRecordBytes + 1, 'x');
  EXPECT_EQ(rig.put({"", "ok", oversize}), PutStatus::kAccepted);
  EXPECT_EQ(rig.codes[""], "EmptyRecord");
  EXPECT_EQ(rig.codes[oversize], "RecordTooLarge");
  EXPECT_EQ(rig.codes.count("ok"), 0u);  // queued, no outcome yet
  EXPECT_EQ(rig.outcomes.rejected(), 2u);
  EXPECT_EQ(rig.admission.records_in(), 1u);
  EXPECT_EQ(rig.admission.bytes_in(), 2u);
  EXPECT_EQ(rig.outcomes.unresolved(), 1u);
  EXPECT_EQ(rig.budget.used(), charge_of("ok"));
}

// Many small records put together can be charged more than the whole
// budget. Charged at once, they waited until nothing at all was held, which
// one request stalled on the network (here: one record never sent) kept
// from happening: the reader stood still. In slices, they fill the budget.
TEST(Admission, RecordsPutTogetherAreChargedInSlicesNotAllAtOnce) {
  AdmissionRig rig(80 * charge_of("r000"));
  ASSERT_EQ(rig.put({"held"}), PutStatus::kAccepted);  // stays charged: no sender runs
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i) many.push_back(fmt::format("r{:03}", i));
  auto putting = std::async(std::launch::async, [&] { return rig.put(many); });
  // Slices are admitted until the budget is full, then the put() waits.
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (rig.admission.records_in() < 60 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
  EXPECT_GE(rig.admission.records_in(), 60u);
  EXPECT_LE(rig.budget.used(), rig.budget.capacity());
  rig.budget.cancel();  // shutdown: the rest are refused
  EXPECT_EQ(putting.get(), PutStatus::kClosed);
  EXPECT_EQ(rig.admission.records_in() + rig.outcomes.rejected(), 201u);
}

TEST(Admission, ARecordOfExactlyTheLimitIsAdmitted) {
  AdmissionRig rig(1 << 24);
  EXPECT_EQ(rig.put({std::string(limits::kMaxRecordBytes, 'x')}), PutStatus::kAccepted);
  EXPECT_EQ(rig.outcomes.rejected(), 0u);
  EXPECT_EQ(rig.admission.records_in(), 1u);
}

TEST(Admission, NonBlockingPutReportsFullAndChargesNothing) {
  AdmissionRig rig(charge_of("a") + charge_of("b") / 2, /*blocking=*/false);
  EXPECT_EQ(rig.put({"a"}), PutStatus::kAccepted);
  const std::size_t used = rig.budget.used();
  EXPECT_EQ(rig.put({"b"}), PutStatus::kFull);
  EXPECT_EQ(rig.budget.used(), used);
  EXPECT_EQ(rig.codes.count("b"), 0u);  // the caller keeps it: no outcome
  EXPECT_EQ(rig.admission.records_in(), 1u);
}

TEST(Admission, AfterShutdownRecordsAreRefusedWithProducerClosed) {
  AdmissionRig rig(1 << 24);
  rig.dispatcher.shutdown(1h);
  EXPECT_EQ(rig.put({"late"}), PutStatus::kClosed);
  EXPECT_EQ(rig.codes["late"], "ProducerClosed");
  EXPECT_EQ(rig.budget.used(), 0u);
  EXPECT_EQ(rig.admission.records_in(), 0u);
}

TEST(Admission, APutWaitingForRoomIsRefusedWithShutdownWhenTheProducerShutsDown) {
  AdmissionRig rig(charge_of("a"));
  ASSERT_EQ(rig.put({"a"}), PutStatus::kAccepted);  // fills the budget
  std::promise<PutStatus> blocked;
  std::thread putter([&] { blocked.set_value(rig.put({"b"})); });
  auto status = blocked.get_future();
  EXPECT_EQ(status.wait_for(100ms), std::future_status::timeout);  // waits for room
  rig.dispatcher.shutdown(1h);
  EXPECT_EQ(status.get(), PutStatus::kClosed);
  putter.join();
  EXPECT_EQ(rig.codes["b"], "Shutdown");
  EXPECT_EQ(rig.budget.used(), charge_of("a"));
}

TEST(Admission, AfterAFatalStopRecordsAreRefusedWithItsError) {
  AdmissionRig rig(1 << 24);
  rig.dispatcher.stop_for(make_error(ErrorKind::Client, "AccessDeniedException", "no"));
  EXPECT_EQ(rig.put({"late"}), PutStatus::kClosed);
  EXPECT_EQ(rig.codes["late"], "AccessDeniedException");
}

}  // namespace
}  // namespace firehose::producer
