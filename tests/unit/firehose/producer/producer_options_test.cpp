#include "firehose/producer/producer_options.hpp"

#include <functional>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

ProducerOptions valid() {
  ProducerOptions options;
  options.delivery_stream_name = "s";
  return options;
}

TEST(ProducerOptions, TheDefaultsWithAStreamNameAreValid) { EXPECT_TRUE(validate_producer_options(valid())); }

TEST(ProducerOptions, EachOutOfBoundsOptionIsRefusedByName) {
  const std::vector<std::pair<std::string, std::function<void(ProducerOptions&)>>> cases = {
      {"max_in_flight", [](ProducerOptions& o) { o.max_in_flight = 0; }},
      {"max_in_flight", [](ProducerOptions& o) { o.max_in_flight = 257; }},
      {"max_batch_records", [](ProducerOptions& o) { o.max_batch_records = 0; }},
      {"max_batch_records", [](ProducerOptions& o) { o.max_batch_records = 501; }},
      {"max_batch_bytes", [](ProducerOptions& o) { o.max_batch_bytes = 4 * 1024 * 1024 + 1; }},
      {"max_batch_bytes",
       [](ProducerOptions& o) { o.max_batch_bytes = 1024 * 1024; }},  // no room for a 1,024,000-byte record
      {"max_attempts", [](ProducerOptions& o) { o.retry.max_attempts = 0; }},
      {"record_ttl", [](ProducerOptions& o) { o.record_ttl = std::chrono::milliseconds(0); }},
      {"record_ttl", [](ProducerOptions& o) { o.record_ttl = std::chrono::hours(24 * 366); }},
      {"retry.base_delay", [](ProducerOptions& o) { o.retry.base_delay = std::chrono::milliseconds(-1); }},
      {"retry.max_backoff", [](ProducerOptions& o) { o.retry.max_backoff = std::chrono::milliseconds(-1); }},
      {"linger", [](ProducerOptions& o) { o.linger = std::chrono::milliseconds(-1); }},
      {"linger", [](ProducerOptions& o) { o.linger = std::chrono::milliseconds::max(); }},
      {"memory_budget_bytes", [](ProducerOptions& o) { o.memory_budget_bytes = 0; }},
      {"pack_target_bytes", [](ProducerOptions& o) { o.pack_target_bytes = 1'024'001; }},
  };
  for (const auto& [name, spoil] : cases) {
    auto options = valid();
    spoil(options);
    auto status = validate_producer_options(options);
    ASSERT_FALSE(status) << name;
    EXPECT_EQ(status.error().code, "InvalidOption") << name;
    EXPECT_NE(status.error().message.find(name), std::string::npos) << status.error().message;
  }
}

TEST(ProducerOptions, TheLimitsThemselvesAreValid) {
  auto options = valid();
  options.linger = std::chrono::hours(24);
  options.pack_target_bytes = 1'024'000;
  options.retry.base_delay = std::chrono::milliseconds(0);
  options.memory_budget_bytes = 1;
  EXPECT_TRUE(validate_producer_options(options));
}

TEST(ProducerOptions, AnInvalidStreamNameIsRefused) {
  auto options = valid();
  options.delivery_stream_name = "no spaces allowed";
  EXPECT_FALSE(validate_producer_options(options));
}

TEST(ProducerOptions, TheLimiterIsAdaptiveUnlessTurnedOff) {
  auto options = valid();
  EXPECT_TRUE(limiter_options(options).adaptive);
  options.adaptive_rate = false;
  EXPECT_FALSE(limiter_options(options).adaptive);
}

}  // namespace
}  // namespace firehose::producer
