// make_directory_delivery(): records in, S3-like objects out; triggers,
// naming, gzip, atomic appearance, concurrency, removal, and recovery after
// the process was killed at each step of writing an object.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <map>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "delivery/directory_delivery.hpp"
#include "delivery/spool_reader.hpp"
#include "delivery/stream_delivery.hpp"
#include "delivery_test_support.hpp"

namespace firehose::local {
namespace {

using namespace std::chrono_literals;
using testing::DeliveredLog;
using testing::destination;
using testing::ManualClock;
using testing::TempDir;
using testing::views;

DirectoryDeliveryOptions manual(ManualClock& clock) {
  DirectoryDeliveryOptions options;
  options.background_thread = false;
  options.clock = clock.function();
  return options;
}

std::string content_of(const std::filesystem::path& path) {
  std::string raw = testing::read_all(path);
  return path.extension() == ".gz" ? testing::gunzip(raw) : raw;
}

// The stream's objects, in delivery order, concatenated.
std::string delivered_content(const std::vector<DeliveredObject>& objects) {
  std::string all;
  for (const auto& object : objects) all += content_of(object.path);
  return all;
}

std::vector<std::filesystem::path> temp_files(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> temps;
  for (const auto& file : testing::files_under(root)) {
    if (testing::is_temp_name(file)) temps.push_back(file);
  }
  return temps;
}

std::vector<std::filesystem::path> object_files(const std::filesystem::path& bucket_dir) {
  std::vector<std::filesystem::path> objects;
  for (const auto& file : testing::files_under(bucket_dir)) {
    if (!testing::is_temp_name(file)) objects.push_back(file);
  }
  return objects;
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& data_dir, const std::string& stream) {
  std::vector<std::filesystem::path> segments;
  for (const auto& file : testing::files_under(stream_spool_directory(data_dir, stream))) {
    if (parse_segment_file_name(file.filename().string())) segments.push_back(file);
  }
  return segments;
}

// Fixed-width, self-delimiting records: "r00000042\n".
std::string numbered(int n) {
  char text[16];
  std::snprintf(text, sizeof text, "r%08d\n", n);
  return text;
}

std::multiset<int> numbers_in(const std::string& content) {
  std::multiset<int> numbers;
  for (std::size_t i = 0; i + 10 <= content.size(); i += 10) numbers.insert(std::stoi(content.substr(i + 1, 8)));
  EXPECT_EQ(content.size() % 10, 0u);
  return numbers;
}

TEST(DeliveryDirectory, ObjectHoldsRecordsConcatenatedExactlyAsSent) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("s"));

  std::mt19937 random(7);
  std::vector<std::string> records;
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    std::string record(random() % 300, '\0');
    for (char& c : record) c = static_cast<char>(random() & 0xff);
    if (i % 10 == 0) record.clear();  // 0-byte records are records too
    expected += record;
    records.push_back(std::move(record));
  }
  for (std::size_t i = 0; i < records.size(); i += 100) {
    std::vector<std::string> batch(records.begin() + static_cast<long>(i),
                                   records.begin() + static_cast<long>(i + 100));
    ASSERT_TRUE(delivery->accept("s", views(batch)).ok());
  }
  EXPECT_TRUE(log.objects().empty());
  delivery->flush_all();

  const auto objects = log.objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].stream_name, "s");
  EXPECT_EQ(objects[0].records, 2000u);
  EXPECT_EQ(objects[0].bytes, expected.size());
  EXPECT_EQ(objects[0].oldest_record, clock.now());
  EXPECT_EQ(testing::read_all(objects[0].path), expected);
  EXPECT_EQ(object_files(dir.path() / "bucket"), std::vector<std::filesystem::path>{objects[0].path});
  // Everything delivered: the spool is empty again.
  EXPECT_TRUE(segment_files(dir.path(), "s").empty());
}

TEST(DeliveryDirectory, SizeTriggerWritesFullObjectsAndKeepsTheRemainder) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("s", 1000, 900s));
  std::vector<std::string> records;
  for (int i = 0; i < 25; ++i) records.push_back(std::string(99, static_cast<char>('a' + i)) + "\n");
  ASSERT_TRUE(delivery->accept("s", views(records)).ok());

  delivery->deliver_due();
  auto objects = log.objects();
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].records, 10u);
  EXPECT_EQ(objects[0].bytes, 1000u);
  EXPECT_EQ(objects[1].records, 10u);
  std::string first_ten;
  for (int i = 0; i < 10; ++i) first_ten += records[static_cast<std::size_t>(i)];
  EXPECT_EQ(testing::read_all(objects[0].path), first_ten);

  delivery->deliver_due();  // 500 bytes left: below the size, interval not reached
  EXPECT_EQ(log.objects().size(), 2u);

  delivery->flush_all();
  objects = log.objects();
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[2].records, 5u);
  std::string all;
  for (const auto& record : records) all += record;
  EXPECT_EQ(delivered_content(objects), all);
}

TEST(DeliveryDirectory, ObjectsExceedTheSizeByAtMostOneRecord) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("s", 1000, 900s));
  std::vector<std::string> records(20, std::string(300, 'x'));
  records.push_back(std::string(5000, 'y'));  // one record bigger than the whole buffer
  records.insert(records.end(), 3, std::string(300, 'z'));
  ASSERT_TRUE(delivery->accept("s", views(records)).ok());
  delivery->flush_all();
  std::uint64_t total = 0;
  for (const auto& object : log.objects()) {
    EXPECT_LE(object.bytes, 1000u + 5000u);
    EXPECT_EQ(std::filesystem::file_size(object.path), object.bytes);
    total += object.records;
  }
  EXPECT_EQ(total, records.size());
  EXPECT_EQ(log.objects()[0].records, 4u);  // 1200 bytes: the fourth record crossed 1000
}

TEST(DeliveryDirectory, IntervalTriggerDeliversEverythingOnceTheOldestRecordIsOldEnough) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("s", 1 << 20, 60s));
  const auto first_arrival = clock.now();
  ASSERT_TRUE(delivery->accept("s", views({"a", "b"})).ok());
  clock.advance(30s);
  ASSERT_TRUE(delivery->accept("s", views({"c"})).ok());
  delivery->deliver_due();
  EXPECT_TRUE(log.objects().empty());
  clock.advance(29s);
  delivery->deliver_due();
  EXPECT_TRUE(log.objects().empty());
  clock.advance(1s);  // 60 s after the first record
  delivery->deliver_due();
  const auto objects = log.objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].records, 3u);
  EXPECT_EQ(objects[0].oldest_record, first_arrival);
  EXPECT_EQ(testing::read_all(objects[0].path), "abc");
  // The next buffer starts with the next record.
  clock.advance(10s);
  ASSERT_TRUE(delivery->accept("s", views({"d"})).ok());
  clock.advance(59s);
  delivery->deliver_due();
  EXPECT_EQ(log.objects().size(), 1u);
  clock.advance(1s);
  delivery->deliver_due();
  EXPECT_EQ(log.objects().size(), 2u);
}

TEST(DeliveryDirectory, BackgroundThreadDeliversWhenTheSizeIsReached) {
  TempDir dir;
  DeliveredLog log;
  DirectoryDeliveryOptions options;
  options.check_interval = 50ms;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), options);
  delivery->configure(destination("s", 1000, 900s));
  ASSERT_TRUE(delivery->accept("s", views({std::string(600, 'a')})).ok());
  ASSERT_TRUE(delivery->accept("s", views({std::string(600, 'b')})).ok());
  ASSERT_TRUE(log.wait_until([](const auto& objects) { return !objects.empty(); }));
  const auto objects = log.objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].records, 2u);
  EXPECT_EQ(testing::read_all(objects[0].path), std::string(600, 'a') + std::string(600, 'b'));
  delivery->stop();
}

TEST(DeliveryDirectory, BackgroundThreadDeliversPromptlyWithAZeroInterval) {
  TempDir dir;
  DeliveredLog log;
  DirectoryDeliveryOptions options;
  options.check_interval = 20ms;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), options);
  delivery->configure(destination("s", 1 << 20, 0s));
  ASSERT_TRUE(delivery->accept("s", views({"tiny"})).ok());
  ASSERT_TRUE(log.wait_until([](const auto& objects) { return !objects.empty(); }));
  EXPECT_EQ(testing::read_all(log.objects()[0].path), "tiny");
}

TEST(DeliveryDirectory, GzipObjectsDecompressToTheExactInput) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  auto d = destination("gz", 64 * 1024, 900s);
  d.gzip = true;
  delivery->configure(d);
  std::mt19937 random(11);
  std::string expected;
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<std::string> records;
    for (int i = 0; i < 50; ++i) {
      std::string record = "{\"batch\":" + std::to_string(batch) + ",\"i\":" + std::to_string(i) + "}";
      record += std::string(random() % 40, static_cast<char>(random() & 0xff));
      expected += record;
      records.push_back(std::move(record));
    }
    ASSERT_TRUE(delivery->accept("gz", views(records)).ok());
  }
  delivery->flush_all();
  const auto objects = log.objects();
  ASSERT_GT(objects.size(), 1u);
  std::uint64_t raw_bytes = 0;
  for (const auto& object : objects) {
    EXPECT_EQ(object.path.extension(), ".gz");
    EXPECT_EQ(std::system(("gzip -t '" + object.path.string() + "'").c_str()), 0) << object.path;
    EXPECT_EQ(testing::gunzip(testing::read_all(object.path)).size(), object.bytes);
    raw_bytes += object.bytes;
  }
  EXPECT_EQ(raw_bytes, expected.size());
  EXPECT_EQ(delivered_content(objects), expected);
}

TEST(DeliveryDirectory, ObjectsAreNamedLikeTheS3Destination) {
  TempDir dir;
  ManualClock clock;  // 2024-05-01T13:45:07Z
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  auto with_folder = destination("stream.one");
  with_folder.bucket = "my-bucket";
  with_folder.prefix = "logs/";
  with_folder.version = 4;
  auto glued = destination("stream_two");
  glued.prefix = "raw";
  auto zipped = destination("three");
  zipped.gzip = true;
  delivery->configure(with_folder);
  delivery->configure(glued);
  delivery->configure(zipped);
  ASSERT_TRUE(delivery->accept("stream.one", views({"1"})).ok());
  ASSERT_TRUE(delivery->accept("stream_two", views({"2"})).ok());
  ASSERT_TRUE(delivery->accept("three", views({"3"})).ok());
  clock.advance(3h);  // names keep the time of the oldest record, not of the delivery
  delivery->flush_all();

  const std::string uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  const std::string root = dir.path().string();
  std::map<std::string, std::string> paths;
  for (const auto& object : log.objects()) paths[object.stream_name] = object.path.string();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_TRUE(
      std::regex_match(paths["stream.one"],
                       std::regex(root + "/my-bucket/logs/2024/05/01/13/stream\\.one-4-2024-05-01-13-45-07-" + uuid)))
      << paths["stream.one"];
  EXPECT_TRUE(std::regex_match(paths["stream_two"],
                               std::regex(root + "/bucket/raw2024/05/01/13/stream_two-1-2024-05-01-13-45-07-" + uuid)))
      << paths["stream_two"];
  EXPECT_TRUE(std::regex_match(
      paths["three"], std::regex(root + "/bucket/2024/05/01/13/three-1-2024-05-01-13-45-07-" + uuid + "\\.gz")))
      << paths["three"];
}

TEST(DeliveryDirectory, ObjectsAreWrittenUnderATempNameAndRenamed) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  std::vector<std::filesystem::path> seen_while_writing;
  auto options = manual(clock);
  options.fault_hook = [&](std::string_view stage) {
    if (stage == "object_written") seen_while_writing = testing::files_under(dir.path() / "bucket");
  };
  auto delivery = make_directory_delivery(dir.path(), log.listener(), options);
  delivery->configure(destination("s"));
  ASSERT_TRUE(delivery->accept("s", views({"content"})).ok());
  delivery->flush_all();

  ASSERT_EQ(log.objects().size(), 1u);
  const auto final_path = log.objects()[0].path;
  ASSERT_EQ(seen_while_writing.size(), 1u);
  EXPECT_TRUE(testing::is_temp_name(seen_while_writing[0])) << seen_while_writing[0];
  EXPECT_EQ(seen_while_writing[0].parent_path(), final_path.parent_path());
  EXPECT_EQ(seen_while_writing[0].filename().string(), "." + final_path.filename().string() + ".tmp");
  EXPECT_TRUE(temp_files(dir.path()).empty());
  EXPECT_EQ(testing::read_all(final_path), "content");
}

TEST(DeliveryDirectory, ConcurrentProducersEveryRecordOnceInPerThreadOrder) {
  TempDir dir;
  DeliveredLog log;
  DirectoryDeliveryOptions options;
  options.check_interval = 5ms;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), options);
  const std::vector<std::string> streams = {"s0", "s1", "s2"};
  for (const auto& stream : streams) delivery->configure(destination(stream, 4096, 0s));

  constexpr int kThreads = 8;
  constexpr int kRecordsPerThread = 4000;
  std::atomic<int> failures{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      int sequence = 0;
      for (int batch_number = 0; sequence < kRecordsPerThread; ++batch_number) {
        const int size = std::min<int>(1 + static_cast<int>(random() % 25), kRecordsPerThread - sequence);
        std::vector<std::string> batch;
        for (int i = 0; i < size; ++i) batch.push_back(fmt::format("t{}:{:06}\n", t, sequence++));
        const auto& stream = streams[static_cast<std::size_t>(t + batch_number) % streams.size()];
        if (!delivery->accept(stream, views(batch)).ok()) ++failures;
      }
    });
  }
  for (auto& producer : producers) producer.join();
  delivery->flush_all();
  delivery->stop();
  EXPECT_EQ(failures.load(), 0);

  std::map<int, std::set<int>> seen_by_thread;
  std::uint64_t total_records = 0;
  for (const auto& stream : streams) {
    const auto objects = log.objects_of(stream);
    EXPECT_GT(objects.size(), 1u);
    std::map<int, int> last_in_stream;
    for (const auto& object : objects) {
      EXPECT_LE(object.bytes, 4096u + 10u);
      total_records += object.records;
    }
    const std::string content = delivered_content(objects);
    std::size_t start = 0;
    while (start < content.size()) {
      const std::size_t end = content.find('\n', start);
      ASSERT_NE(end, std::string::npos);
      const std::string line = content.substr(start, end - start);
      start = end + 1;
      const int thread = std::stoi(line.substr(1, line.find(':') - 1));
      const int sequence = std::stoi(line.substr(line.find(':') + 1));
      auto last = last_in_stream.find(thread);
      if (last != last_in_stream.end()) {
        EXPECT_LT(last->second, sequence) << stream << " " << line;
      }
      last_in_stream[thread] = sequence;
      EXPECT_TRUE(seen_by_thread[thread].insert(sequence).second) << "delivered twice: " << line;
    }
  }
  EXPECT_EQ(total_records, static_cast<std::uint64_t>(kThreads) * kRecordsPerThread);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen_by_thread[t].size(), static_cast<std::size_t>(kRecordsPerThread));
  EXPECT_TRUE(temp_files(dir.path()).empty());
}

TEST(DeliveryDirectory, ListenerCountsMatchTheObjects) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("a", 100, 900s));
  delivery->configure(destination("b", 100, 900s));
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(delivery->accept("a", views({numbered(i)})).ok());
    ASSERT_TRUE(delivery->accept("b", views({numbered(i), numbered(i + 100)})).ok());
  }
  delivery->flush_all();
  std::uint64_t records_a = 0, records_b = 0;
  for (const auto& object : log.objects()) {
    const std::string content = testing::read_all(object.path);
    EXPECT_EQ(object.bytes, content.size());
    EXPECT_EQ(object.records, content.size() / 10);
    (object.stream_name == "a" ? records_a : records_b) += object.records;
  }
  EXPECT_EQ(records_a, 30u);
  EXPECT_EQ(records_b, 60u);
  EXPECT_EQ(log.objects_of("a").size(), 3u);  // 100 bytes each
  EXPECT_EQ(log.objects_of("b").size(), 6u);
}

TEST(DeliveryDirectory, RemoveDeliversThenDeletesTheSpool) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("gone"));
  delivery->configure(destination("kept"));
  ASSERT_TRUE(delivery->accept("gone", views({"last words"})).ok());
  ASSERT_TRUE(delivery->accept("kept", views({"still here"})).ok());
  ASSERT_TRUE(std::filesystem::exists(stream_spool_directory(dir.path(), "gone")));
  delivery->remove("gone");
  ASSERT_EQ(log.objects().size(), 1u);
  EXPECT_EQ(testing::read_all(log.objects()[0].path), "last words");
  EXPECT_FALSE(std::filesystem::exists(stream_spool_directory(dir.path(), "gone")));
  EXPECT_FALSE(delivery->accept("gone", views({"late"})).ok());
  EXPECT_TRUE(delivery->accept("kept", views({"more"})).ok());
  delivery->remove("never-configured");  // no effect
}

TEST(DeliveryDirectory, AcceptForAnUnconfiguredStreamFails) {
  TempDir dir;
  auto delivery = make_directory_delivery(dir.path(), nullptr);
  auto status = delivery->accept("nope", views({"x"}));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "InternalFailure");
  EXPECT_EQ(status.error().kind, ErrorKind::Transient);
  delivery->stop();
  delivery->stop();  // idempotent
}

TEST(DeliveryDirectory, ReconfiguringKeepsBufferedRecordsAndUsesTheNewDestination) {
  TempDir dir;
  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(destination("s"));
  ASSERT_TRUE(delivery->accept("s", views({"before"})).ok());
  auto updated = destination("s");
  updated.prefix = "v2/";
  updated.version = 2;
  delivery->configure(updated);
  ASSERT_TRUE(delivery->accept("s", views({"after"})).ok());
  delivery->flush_all();
  ASSERT_EQ(log.objects().size(), 1u);
  EXPECT_EQ(testing::read_all(log.objects()[0].path), "beforeafter");
  EXPECT_NE(log.objects()[0].path.string().find("/bucket/v2/2024/05/01/13/s-2-"), std::string::npos);
}

TEST(DeliveryDirectory, FlushAfterStopStillDelivers) {
  TempDir dir;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener());
  delivery->configure(destination("s"));
  ASSERT_TRUE(delivery->accept("s", views({"x"})).ok());
  delivery->stop();
  ASSERT_TRUE(delivery->accept("s", views({"y"})).ok());
  delivery->flush_all();
  ASSERT_EQ(log.objects().size(), 1u);
  EXPECT_EQ(testing::read_all(log.objects()[0].path), "xy");
}

TEST(DeliveryDirectory, DiscardAcceptsAndDropsEverything) {
  auto delivery = make_discard_delivery();
  delivery->configure(destination("s"));
  EXPECT_TRUE(delivery->accept("s", views({"x", "y"})).ok());
  EXPECT_TRUE(delivery->accept("unknown", views({"z"})).ok());
  delivery->flush_all();
  delivery->remove("s");
  delivery->stop();
}

// --- recovery ---

TEST(DeliveryRecovery, SpooledRecordsAreDeliveredOnceByTheNextInstance) {
  TempDir dir;
  ManualClock clock;
  const auto arrival = clock.now();
  std::string expected;
  {
    DeliveredLog first_log;
    auto first = make_directory_delivery(dir.path(), first_log.listener(), manual(clock));
    first->configure(destination("s"));
    for (int i = 0; i < 500; ++i) {
      expected += numbered(i);
      ASSERT_TRUE(first->accept("s", views({numbered(i)})).ok());
    }
    EXPECT_TRUE(first_log.objects().empty());
    // Destroyed without flush_all(): what a kill leaves behind.
  }
  EXPECT_FALSE(segment_files(dir.path(), "s").empty());

  clock.advance(2h);
  DeliveredLog log;
  auto second = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  second->configure(destination("s"));
  ASSERT_TRUE(second->accept("s", views({numbered(500)})).ok());
  expected += numbered(500);
  second->flush_all();
  ASSERT_EQ(log.objects().size(), 1u);
  EXPECT_EQ(testing::read_all(log.objects()[0].path), expected);
  EXPECT_EQ(log.objects()[0].records, 501u);
  // Named after the original arrival, 2 hours before this run.
  EXPECT_EQ(log.objects()[0].oldest_record, arrival);
  EXPECT_NE(log.objects()[0].path.filename().string().find("s-1-2024-05-01-13-45-07-"), std::string::npos);
  EXPECT_TRUE(segment_files(dir.path(), "s").empty());

  // A third run finds nothing left to deliver.
  second.reset();
  DeliveredLog third_log;
  auto third = make_directory_delivery(dir.path(), third_log.listener(), manual(clock));
  third->configure(destination("s"));
  third->flush_all();
  EXPECT_TRUE(third_log.objects().empty());
}

TEST(DeliveryRecovery, RecoveredRecordsKeepTheirOriginalDeadline) {
  TempDir dir;
  ManualClock clock;
  {
    auto first = make_directory_delivery(dir.path(), nullptr, manual(clock));
    first->configure(destination("s", 1 << 20, 60s));
    ASSERT_TRUE(first->accept("s", views({"old"})).ok());
  }
  clock.advance(30s);
  DeliveredLog log;
  auto second = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  second->configure(destination("s", 1 << 20, 60s));
  second->deliver_due();
  EXPECT_TRUE(log.objects().empty());  // 30 s old: not yet
  clock.advance(30s);
  second->deliver_due();
  ASSERT_EQ(log.objects().size(), 1u);  // 60 s after it first arrived
  EXPECT_EQ(testing::read_all(log.objects()[0].path), "old");
}

TEST(DeliveryRecovery, ContinuesAfterWhatWasAlreadyDelivered) {
  TempDir dir;
  ManualClock clock;
  std::string first_content;
  {
    DeliveredLog first_log;
    auto first = make_directory_delivery(dir.path(), first_log.listener(), manual(clock));
    first->configure(destination("s", 100, 900s));
    std::vector<std::string> batch;
    for (int i = 0; i < 25; ++i) batch.push_back(numbered(i));
    ASSERT_TRUE(first->accept("s", views(batch)).ok());  // one frame, split over objects
    first->deliver_due();
    ASSERT_EQ(first_log.objects().size(), 2u);
    first_content = delivered_content(first_log.objects());
  }
  DeliveredLog log;
  auto second = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  second->configure(destination("s", 100, 900s));
  second->flush_all();
  const auto numbers = numbers_in(first_content + delivered_content(log.objects()));
  EXPECT_EQ(numbers.size(), 25u);
  EXPECT_EQ(std::set<int>(numbers.begin(), numbers.end()).size(), 25u);
  EXPECT_EQ(log.total_records(), 5u);
}

// Kills a child process at the n-th time it reaches `stage` while delivering
// 45 records in objects of 10, then recovers in this process: every record
// must be in exactly one object, and no temp file may be left.
void kill_at_stage_then_recover(const std::string& stage, int occurrence) {
  TempDir dir;
  const auto d = destination("s", 100, 900s);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ManualClock clock;
    auto options = manual(clock);
    int seen = 0;
    options.fault_hook = [&](std::string_view reached) {
      if (reached == stage && ++seen == occurrence) ::kill(::getpid(), SIGKILL);
    };
    auto delivery = make_directory_delivery(dir.path(), nullptr, options);
    delivery->configure(d);
    for (int i = 0; i < 45; ++i) {
      if (!delivery->accept("s", views({numbered(i)})).ok()) ::_exit(2);
    }
    delivery->flush_all();
    ::_exit(3);  // the hook should have killed us
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  ManualClock clock;
  DeliveredLog log;
  auto delivery = make_directory_delivery(dir.path(), log.listener(), manual(clock));
  delivery->configure(d);
  delivery->flush_all();

  std::string everything;
  for (const auto& object : object_files(dir.path() / "bucket")) everything += testing::read_all(object);
  const auto numbers = numbers_in(everything);
  EXPECT_EQ(numbers.size(), 45u) << stage;
  for (int i = 0; i < 45; ++i) EXPECT_EQ(numbers.count(i), 1u) << "record " << i << " at " << stage;
  EXPECT_TRUE(temp_files(dir.path()).empty()) << stage;
  EXPECT_TRUE(segment_files(dir.path(), "s").empty()) << stage;
}

TEST(DeliveryRecovery, KilledBeforeTheRenameRedeliversThatObject) { kill_at_stage_then_recover("object_written", 2); }

TEST(DeliveryRecovery, KilledAfterTheRenameDoesNotDuplicateIt) { kill_at_stage_then_recover("object_renamed", 2); }

TEST(DeliveryRecovery, KilledBeforeSegmentsAreReleasedDoesNotDuplicate) {
  kill_at_stage_then_recover("journal_committed", 3);
}

TEST(DeliveryRecovery, KilledOnTheLastObjectOfAFlush) { kill_at_stage_then_recover("object_renamed", 5); }

}  // namespace
}  // namespace firehose::local
