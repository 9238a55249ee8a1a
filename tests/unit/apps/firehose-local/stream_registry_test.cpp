#include "stream_registry.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "local_test_support.hpp"

namespace firehose::local {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::TempDir;

struct FakeClock {
  system_clock::time_point now = system_clock::time_point(std::chrono::seconds(1'700'000'000));
  StreamRegistry::Clock fn() {
    return [this] { return now; };
  }
};

StreamDefinition definition(const std::string& name, system_clock::time_point created) {
  nlohmann::json request = {{"DeliveryStreamName", name},
                            {"ExtendedS3DestinationConfiguration",
                             {{"RoleARN", testing::kRoleArn}, {"BucketARN", testing::kBucketArn}, {"Prefix", "p/"}}}};
  auto parsed = parse_create_request(request, "us-east-1", "123456789012", created);
  EXPECT_TRUE(parsed.ok());
  return parsed.value();
}

TEST(LocalStreamRegistry, CreatingThenActiveAfterTheDelay) {
  FakeClock clock;
  StreamRegistry registry({}, "123456789012", clock.fn());
  auto created = registry.create(definition("s", clock.now), 500ms);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, StreamStatus::Creating);
  clock.now += 499ms;
  EXPECT_EQ(registry.find("s")->status, StreamStatus::Creating);
  clock.now += 1ms;
  EXPECT_EQ(registry.find("s")->status, StreamStatus::Active);
  EXPECT_EQ(registry.find("s")->definition->arn, "arn:aws:firehose:us-east-1:123456789012:deliverystream/s");
}

TEST(LocalStreamRegistry, DuplicateAndUnknownNamesGetTheServiceErrors) {
  FakeClock clock;
  StreamRegistry registry({}, "123456789012", clock.fn());
  ASSERT_TRUE(registry.create(definition("s", clock.now), 0ms).ok());
  auto again = registry.create(definition("s", clock.now), 0ms);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "ResourceInUseException");
  EXPECT_EQ(again.error().message, "Firehose s under accountId 123456789012 already exists");
  auto missing = registry.find("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().message, "Firehose nope under account 123456789012 not found.");
}

TEST(LocalStreamRegistry, DeletingThenGoneAfterTheDelay) {
  FakeClock clock;
  StreamRegistry registry({}, "123456789012", clock.fn());
  ASSERT_TRUE(registry.create(definition("s", clock.now), 100ms).ok());
  // Not while CREATING.
  auto early = registry.begin_delete("s", 1s);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "ResourceInUseException");
  clock.now += 100ms;
  auto started = registry.begin_delete("s", 1s);
  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(*started);
  EXPECT_FALSE(*registry.begin_delete("s", 1s));  // already deleting
  EXPECT_EQ(registry.find("s")->status, StreamStatus::Deleting);
  // A deleting stream is still listed and its name still taken.
  EXPECT_EQ(registry.list().size(), 1u);
  EXPECT_EQ(registry.create(definition("s", clock.now), 0ms).error().code, "ResourceInUseException");
  clock.now += 1s;
  EXPECT_EQ(registry.find("s").error().code, "ResourceNotFoundException");
  EXPECT_TRUE(registry.list().empty());
  EXPECT_TRUE(registry.create(definition("s", clock.now), 0ms).ok());
  EXPECT_EQ(registry.begin_delete("nope", 1s).error().code, "ResourceNotFoundException");
}

TEST(LocalStreamRegistry, ListIsSortedByName) {
  FakeClock clock;
  StreamRegistry registry({}, "123456789012", clock.fn());
  for (const char* name : {"b", "a", "C", "a-1"}) ASSERT_TRUE(registry.create(definition(name, clock.now), 0ms).ok());
  std::vector<std::string> names;
  for (const auto& s : registry.list()) names.push_back(s.definition->name);
  EXPECT_EQ(names, (std::vector<std::string>{"C", "a", "a-1", "b"}));
}

TEST(LocalStreamRegistry, StreamsSurviveARestartWithTheirStates) {
  TempDir dir;
  FakeClock clock;
  {
    StreamRegistry registry(dir.path(), "123456789012", clock.fn());
    ASSERT_TRUE(registry.create(definition("active", clock.now), 0ms).ok());
    ASSERT_TRUE(registry.create(definition("creating", clock.now), 10s).ok());
    ASSERT_TRUE(registry.create(definition("deleting", clock.now), 0ms).ok());
    ASSERT_TRUE(registry.create(definition("deleted", clock.now), 0ms).ok());
    ASSERT_TRUE(registry.begin_delete("deleting", 10s).ok());
    ASSERT_TRUE(registry.begin_delete("deleted", 1s).ok());
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "streams" / "active.json"));
  }
  clock.now += 2s;
  StreamRegistry restarted(dir.path(), "123456789012", clock.fn());
  std::vector<std::string> problems;
  const auto loaded = restarted.load(problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(loaded.size(), 4u);
  EXPECT_EQ(restarted.find("active")->status, StreamStatus::Active);
  EXPECT_EQ(restarted.find("creating")->status, StreamStatus::Creating);
  EXPECT_EQ(restarted.find("deleting")->status, StreamStatus::Deleting);
  EXPECT_EQ(restarted.find("deleted").error().code, "ResourceNotFoundException");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "streams" / "deleted.json"));
  const auto& restored = *restarted.find("active")->definition;
  EXPECT_EQ(restored.destination.at("Prefix"), "p/");
  EXPECT_EQ(restored.created, system_clock::time_point(std::chrono::seconds(1'700'000'000)));
}

TEST(LocalStreamRegistry, UnreadableFilesAreReportedAndSkipped) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "streams");
  std::ofstream(dir.path() / "streams" / "broken.json") << "{not json";
  std::ofstream(dir.path() / "streams" / "half.json.tmp") << "{";
  FakeClock clock;
  StreamRegistry registry(dir.path(), "123456789012", clock.fn());
  std::vector<std::string> problems;
  EXPECT_TRUE(registry.load(problems).empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("broken.json"), std::string::npos);
}

TEST(LocalStreamRegistry, NamesThatAreDotsAreSafeFileNames) {
  TempDir dir;
  FakeClock clock;
  {
    StreamRegistry registry(dir.path(), "123456789012", clock.fn());
    ASSERT_TRUE(registry.create(definition(".", clock.now), 0ms).ok());
    ASSERT_TRUE(registry.create(definition("..", clock.now), 0ms).ok());
  }
  StreamRegistry restarted(dir.path(), "123456789012", clock.fn());
  std::vector<std::string> problems;
  EXPECT_EQ(restarted.load(problems).size(), 2u);
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace firehose::local
