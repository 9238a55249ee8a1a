// The producer against an endpoint that cannot be reached: one never running
// stops it (every record accounted for, quickly); one that answered before and
// went away is waited for, record by record, as an outage.
#include <future>
#include <vector>

#include <gtest/gtest.h>

#include "firehose/error.hpp"
#include "firehose/producer.hpp"
#include "support/fast_producer_options.hpp"
#include "support/scripted_firehose_server.hpp"

namespace firehose {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedFirehoseServer;

ProducerOptions unreachable_test_options() { return testing::fast_producer_options(/*max_attempts=*/3); }

// A client whose server has gone: its port refuses connections.
std::shared_ptr<FirehoseClient> client_of_a_closed_port() {
  ScriptedFirehoseServer server;
  return server.client();
}

TEST(ProducerEndpoint, AnEndpointNeverReachedStopsTheProducerWithEveryRecordFailed) {
  auto producer = Producer::create(client_of_a_closed_port(), unreachable_test_options());
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  std::vector<std::future<RecordOutcome>> futures;
  for (int i = 0; i < 3000; ++i) futures.push_back((*producer)->put("ok:" + std::to_string(i)));
  for (auto& future : futures) {
    const auto outcome = future.get();
    EXPECT_FALSE(outcome.acknowledged);
    EXPECT_EQ(outcome.error_code, "ConnectionRefused");
  }
  const auto fatal = (*producer)->fatal_error();
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code, "ConnectionRefused");
  EXPECT_TRUE(never_reached(*fatal));
  EXPECT_NE(fatal->message.find("no call has ever reached the endpoint"), std::string::npos) << fatal->message;
  // Stopped: a later record is refused at once with the same cause, not retried.
  const auto late = (*producer)->put("ok:late").get();
  EXPECT_FALSE(late.acknowledged);
  EXPECT_EQ(late.error_code, "ConnectionRefused");
  const auto metrics = (*producer)->metrics();
  EXPECT_EQ(metrics.records_acknowledged, 0u);
  EXPECT_FALSE((*producer)->close(10s).ok());
}

TEST(ProducerEndpoint, AnEndpointThatAnsweredBeforeIsAnOutageNotAStop) {
  auto server = std::make_unique<ScriptedFirehoseServer>();
  server->set_close_connections(true);
  auto producer = Producer::create(server->client(), unreachable_test_options());
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  const auto first = (*producer)->put("ok:first").get();
  ASSERT_TRUE(first.acknowledged) << first.error_code;
  server.reset();  // the endpoint goes away after answering
  std::vector<std::future<RecordOutcome>> futures;
  for (int i = 0; i < 200; ++i) futures.push_back((*producer)->put("ok:" + std::to_string(i)));
  for (auto& future : futures) {
    const auto outcome = future.get();
    EXPECT_FALSE(outcome.acknowledged);
    EXPECT_EQ(outcome.error_code, "ConnectionRefused");
  }
  // Records used their attempts, but the producer goes on: the endpoint may come back.
  EXPECT_FALSE((*producer)->fatal_error().has_value()) << (*producer)->fatal_error()->to_string();
  EXPECT_TRUE((*producer)->close(10s).ok());
}

TEST(ProducerEndpoint, AnErrorAnswerCountsAsReachedSoTheTransportFailuresAfterItDoNotStop) {
  auto server = std::make_unique<ScriptedFirehoseServer>();
  server->set_close_connections(true);
  server->set_down_calls(1);  // the one answer is a 500: still an answer from the endpoint
  auto options = unreachable_test_options();
  options.retry.max_attempts = 1;  // the 500 ends that record: no later call succeeds first
  auto producer = Producer::create(server->client(), options);
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  const auto first = (*producer)->put("ok:first").get();
  EXPECT_FALSE(first.acknowledged);
  EXPECT_EQ(first.error_code, "InternalFailure");
  server.reset();
  const auto second = (*producer)->put("ok:second").get();
  EXPECT_EQ(second.error_code, "ConnectionRefused");
  EXPECT_FALSE((*producer)->fatal_error().has_value());
}

}  // namespace
}  // namespace firehose
