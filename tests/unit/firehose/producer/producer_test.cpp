// The producer end to end against a Firehose-shaped server on 127.0.0.1.
#include "firehose/producer.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "firehose/dead_letter.hpp"
#include "support/fast_producer_options.hpp"
#include "support/scripted_firehose_server.hpp"

namespace firehose {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedFirehoseServer;

ProducerOptions fast_options() { return testing::fast_producer_options(); }

// Collects every outcome; checks each record gets exactly one.
class Outcomes {
 public:
  OutcomeCallback callback_for(std::string data) {
    return [this, data = std::move(data)](const RecordOutcome& outcome) {
      std::lock_guard lock(mutex_);
      ++count_[data];
      last_[data] = outcome;
    };
  }
  int count(const std::string& data) {
    std::lock_guard lock(mutex_);
    return count_[data];
  }
  RecordOutcome outcome(const std::string& data) {
    std::lock_guard lock(mutex_);
    return last_[data];
  }
  std::size_t distinct() {
    std::lock_guard lock(mutex_);
    return count_.size();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, int> count_;
  std::map<std::string, RecordOutcome> last_;
};

TEST(Producer, EveryRecordFromManyThreadsIsAcknowledgedOnceWithRetriesOfOnlyTheFailedOnes) {
  ScriptedFirehoseServer server;
  server.set_down_calls(3);  // a few whole-call 500s too
  auto options = fast_options();
  // The scripted "Slow down." answers are not a real quota: adapting to them
  // would only make this test slow. Rate adaptation is tested on its own.
  options.adaptive_rate = false;
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  Outcomes outcomes;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string data = (i % 10 == 0 ? "fail2:" : "ok:") + std::to_string(t) + ":" + std::to_string(i) + "\n";
        (*producer)->put(data, outcomes.callback_for(data));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE((*producer)->close(60s).ok());
  const auto metrics = (*producer)->metrics();
  EXPECT_EQ(metrics.records_in, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(metrics.records_acknowledged, metrics.records_in);
  EXPECT_EQ(metrics.records_failed, 0u);
  EXPECT_EQ(outcomes.distinct(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string data = (i % 10 == 0 ? "fail2:" : "ok:") + std::to_string(t) + ":" + std::to_string(i) + "\n";
      ASSERT_EQ(outcomes.count(data), 1) << data;
      const auto outcome = outcomes.outcome(data);
      ASSERT_TRUE(outcome.acknowledged) << data << outcome.error_code;
      EXPECT_EQ(outcome.record_id, "id-" + data);
      EXPECT_EQ(server.acknowledged(data), 1) << data;
      // Only the records the server failed were sent again (a 500 makes a whole call count).
      if (i % 10 != 0) {
        EXPECT_LE(server.sends(data), 2) << data;
      }
    }
  }
  EXPECT_GE(metrics.records_retried, static_cast<std::uint64_t>(kThreads * kPerThread / 10 * 2));
  EXPECT_GT(metrics.records_throttled, 0u);
  EXPECT_EQ(metrics.buffered_bytes, 0u);
  EXPECT_GT(server.largest_batch(), 1);
}

TEST(Producer, PutCopyTakesTheBytesAtOnceSoTheCallersBufferCanBeReused) {
  ScriptedFirehoseServer server;
  auto options = fast_options();
  options.adaptive_rate = false;
  options.memory_budget_bytes = 256 * 1024;  // finished records come back for reuse, of every size below
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  Outcomes outcomes;
  std::string buffer;  // one buffer for every record, overwritten after each put_copy
  std::vector<std::string> sent;
  for (int i = 0; i < 3000; ++i) {
    // Lengths that grow and shrink, so reused records' buffers are both too small and far too large.
    const std::size_t length = 1 + static_cast<std::size_t>((i * 7919) % (i % 100 == 0 ? 20000 : 300));
    buffer.assign(length, static_cast<char>('a' + i % 26));
    buffer += ":" + std::to_string(i) + "\n";
    sent.push_back(buffer);
    ASSERT_EQ((*producer)->put_copy(buffer, outcomes.callback_for(buffer)), PutStatus::kAccepted);
    buffer.assign(buffer.size(), '#');
  }
  ASSERT_TRUE((*producer)->close(60s).ok());
  EXPECT_EQ((*producer)->metrics().records_acknowledged, sent.size());
  for (const auto& data : sent) {
    ASSERT_EQ(outcomes.count(data), 1) << data.substr(0, 40);
    ASSERT_EQ(server.acknowledged(data), 1) << data.substr(0, 40);
  }
  EXPECT_EQ((*producer)->metrics().buffered_bytes, 0u);
}

TEST(Producer, PutCopyAllTakesABlockOfRecordsAtOnceAndRefusesTheInvalidOnesOneByOne) {
  ScriptedFirehoseServer server;
  auto options = fast_options();
  options.adaptive_rate = false;
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  std::vector<std::string> sent;
  for (int block = 0; block < 20; ++block) {
    std::vector<std::string> storage;  // overwritten once put_copy_all returns
    for (int i = 0; i < 100; ++i) storage.push_back("b" + std::to_string(block) + ":" + std::to_string(i) + "\n");
    storage.push_back("");                           // empty: refused
    storage.push_back(std::string(1'024'001, 'x'));  // too large: refused
    std::vector<std::string_view> views(storage.begin(), storage.end());
    ASSERT_EQ((*producer)->put_copy_all(views), PutStatus::kAccepted);
    for (int i = 0; i < 100; ++i) sent.push_back(storage[static_cast<std::size_t>(i)]);
    for (auto& data : storage) data.assign(data.size(), '#');
  }
  ASSERT_TRUE((*producer)->close(60s).ok());
  const auto metrics = (*producer)->metrics();
  EXPECT_EQ(metrics.records_in, sent.size());
  EXPECT_EQ(metrics.records_acknowledged, sent.size());
  EXPECT_EQ(metrics.records_rejected, 40u);
  for (const auto& data : sent) ASSERT_EQ(server.acknowledged(data), 1) << data;
  EXPECT_EQ(metrics.buffered_bytes, 0u);
}

TEST(Producer, RefusesEmptyAndOversizedRecordsAtPutWithoutTruncating) {
  ScriptedFirehoseServer server;
  auto producer = Producer::create(server.client(), fast_options());
  ASSERT_TRUE(producer.ok());
  auto empty = (*producer)->put(std::string());
  auto huge = (*producer)->put(std::string(1'024'001, 'x'));
  auto max = (*producer)->put(std::string(1'024'000, 'y'));
  EXPECT_EQ(empty.get().error_code, "EmptyRecord");
  EXPECT_EQ(huge.get().error_code, "RecordTooLarge");
  EXPECT_TRUE(max.get().acknowledged);
  EXPECT_EQ(server.acknowledged(std::string(1'024'000, 'y')), 1);
  ASSERT_TRUE((*producer)->close(10s).ok());
  EXPECT_EQ((*producer)->metrics().records_rejected, 2u);
}

// put_copy_all()'s records are framed into request bodies at put(); put()'s
// with callbacks are not. From several threads at once, with records
// refused inside answers and whole calls failing, each framed record is
// acknowledged once or dead-lettered with its exact bytes.
TEST(Producer, FramedRecordsFromManyThreadsBesideCallbackRecordsEndAcknowledgedOnceOrDeadLettered) {
  ScriptedFirehoseServer server;
  server.set_down_calls(2);
  const auto path = std::filesystem::temp_directory_path() / ("dlq-framed-" + std::to_string(::getpid()) + ".ndjson");
  std::filesystem::remove(path);
  auto options = fast_options();
  options.adaptive_rate = false;
  // A "fail2" record may meet both failed calls (its first send and its
  // retry) and then its two throttles: the fifth send stores it.
  options.retry.max_attempts = 5;
  options.dead_letter_path = path.string();
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok()) << producer.error().to_string();
  auto name = [](const char* kind, int t, int i) {
    return std::string(kind) + std::to_string(t) + ":" + std::to_string(i) + "\n";
  };
  auto kind_of = [](int i) { return i % 50 == 0 ? "bad:" : i % 7 == 0 ? "fail2:" : "ok:"; };
  constexpr int kThreads = 3;
  constexpr int kPerThread = 1000;
  constexpr int kBlock = 64;
  Outcomes outcomes;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int first = 0; first < kPerThread; first += kBlock) {
        std::vector<std::string> storage;
        for (int i = first; i < std::min(kPerThread, first + kBlock); ++i) storage.push_back(name(kind_of(i), t, i));
        std::vector<std::string_view> views(storage.begin(), storage.end());
        ASSERT_EQ((*producer)->put_copy_all(views), PutStatus::kAccepted);
        for (auto& data : storage) data.assign(data.size(), '#');  // the producer holds no view of them
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string data = name("ok:cb", 0, i);
      (*producer)->put(data, outcomes.callback_for(data));
    }
  });
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE((*producer)->close(60s).ok());

  std::set<std::string> bad;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string data = name(kind_of(i), t, i);
      if (kind_of(i) == std::string("bad:")) {
        bad.insert(data);
        EXPECT_EQ(server.acknowledged(data), 0) << data;
      } else {
        ASSERT_EQ(server.acknowledged(data), 1) << data;
      }
    }
  }
  for (int i = 0; i < kPerThread; ++i) {
    const std::string data = name("ok:cb", 0, i);
    ASSERT_EQ(outcomes.count(data), 1) << data;
    EXPECT_TRUE(outcomes.outcome(data).acknowledged) << data;
  }
  const auto metrics = (*producer)->metrics();
  const std::uint64_t total = (kThreads + 1) * kPerThread;
  EXPECT_EQ(metrics.records_in, total);
  EXPECT_EQ(metrics.records_acknowledged, total - bad.size());
  EXPECT_EQ(metrics.records_failed, bad.size());
  EXPECT_EQ(metrics.records_dead_lettered, bad.size());
  EXPECT_EQ(metrics.buffered_bytes, 0u);
  auto entries = read_dead_letters(path.string());
  ASSERT_TRUE(entries.ok());
  std::set<std::string> dead;
  for (const auto& entry : *entries) {
    dead.insert(entry.data);
    EXPECT_EQ(entry.error_code, "InvalidArgumentException");
    EXPECT_GE(entry.attempts, 1);
    EXPECT_LE(entry.attempts, 3);  // a whole call that failed (2 did) sent it again
  }
  EXPECT_EQ(dead, bad);
  std::filesystem::remove(path);
}

TEST(Producer, RecordsThatFailForGoodAreDeadLetteredWithTheirReason) {
  ScriptedFirehoseServer server;
  const auto path = std::filesystem::temp_directory_path() / ("dlq-" + std::to_string(::getpid()) + ".ndjson");
  std::filesystem::remove(path);
  auto options = fast_options();
  options.retry.max_attempts = 3;
  options.dead_letter_path = path.string();
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  auto good = (*producer)->put("ok:1\n");
  auto bad = (*producer)->put("bad:2\n");
  auto tired = (*producer)->put("fail9:3\n");  // fails more often than it may be tried
  EXPECT_TRUE(good.get().acknowledged);
  auto bad_outcome = bad.get();
  EXPECT_EQ(bad_outcome.error_code, "InvalidArgumentException");
  EXPECT_EQ(bad_outcome.attempts, 1);
  EXPECT_TRUE(bad_outcome.dead_lettered);
  auto tired_outcome = tired.get();
  EXPECT_EQ(tired_outcome.error_code, "ServiceUnavailableException");
  EXPECT_EQ(tired_outcome.attempts, 3);
  ASSERT_TRUE((*producer)->close(10s).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto entries = read_dead_letters(path.string());
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  std::set<std::string> data;
  for (const auto& entry : *entries) data.insert(entry.data);
  EXPECT_EQ(data, (std::set<std::string>{"bad:2\n", "fail9:3\n"}));
  std::filesystem::remove(path);
}

TEST(Producer, MissingStreamStopsTheProducerWithOneError) {
  ScriptedFirehoseServer server;
  server.set_missing_stream(true);
  auto producer = Producer::create(server.client(), fast_options());
  ASSERT_TRUE(producer.ok());
  std::vector<std::future<RecordOutcome>> futures;
  for (int i = 0; i < 2000; ++i) futures.push_back((*producer)->put("ok:" + std::to_string(i)));
  int failed = 0;
  for (auto& f : futures) {
    auto outcome = f.get();
    EXPECT_FALSE(outcome.acknowledged);
    EXPECT_EQ(outcome.error_code, "ResourceNotFoundException");
    ++failed;
  }
  EXPECT_EQ(failed, 2000);
  ASSERT_TRUE((*producer)->fatal_error().has_value());
  EXPECT_EQ((*producer)->fatal_error()->code, "ResourceNotFoundException");
  EXPECT_LE(server.calls(), 8);  // stopped after the first answers, not one call per record
  auto late = (*producer)->put("ok:late").get();
  EXPECT_EQ(late.error_code, "ResourceNotFoundException");
  EXPECT_FALSE((*producer)->close(10s).ok());
}

TEST(Producer, FlushSendsPartialBatchesAndCloseDeadLettersWhatCannotBeSent) {
  ScriptedFirehoseServer server;
  auto options = fast_options();
  options.linger = 1h;  // nothing would go without flush()
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  auto first = (*producer)->put("ok:first");
  ASSERT_TRUE((*producer)->flush(30s).ok());
  EXPECT_EQ(first.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(first.get().acknowledged);

  server.set_stall(true);  // the next call hangs until released
  auto stuck = (*producer)->put("ok:stuck");
  auto queued = (*producer)->put("ok:queued");
  std::thread releaser([&] {
    std::this_thread::sleep_for(300ms);
    server.release();
  });
  auto closed = (*producer)->close(100ms);
  releaser.join();
  EXPECT_FALSE(closed.ok());
  // Whatever was in flight got its real outcome; whatever was not sent, Shutdown.
  for (auto* f : {&stuck, &queued}) {
    auto outcome = f->get();
    EXPECT_TRUE(outcome.acknowledged || outcome.error_code == "Shutdown") << outcome.error_code;
  }
  EXPECT_EQ((*producer)->put("ok:after").get().error_code, "ProducerClosed");
}

TEST(Producer, PackingJoinsSmallRecordsAndCutsBilledBytes) {
  ScriptedFirehoseServer server;
  auto options = fast_options();
  options.pack_target_bytes = 102'400;  // a multiple of the 5 KB billing unit
  options.linger = 1h;  // packed records close only when full (or at close), whatever the machine's speed
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  std::vector<std::future<RecordOutcome>> futures;
  for (int i = 0; i < 5000; ++i) {
    std::string data(99, 'a' + i % 26);
    data.push_back('\n');
    futures.push_back((*producer)->put(std::move(data)));
  }
  // Seals the last, partial record. The bound ends a hang; it is no timing: the
  // test takes 2-3 s in Release and about a minute under TSan.
  ASSERT_TRUE((*producer)->flush(600s).ok());
  for (auto& f : futures) EXPECT_TRUE(f.get().acknowledged);
  ASSERT_TRUE((*producer)->close(10s).ok());
  const auto metrics = (*producer)->metrics();
  const double ratio = static_cast<double>(metrics.billed_bytes) / static_cast<double>(metrics.bytes_acknowledged);
  EXPECT_LE(ratio, 1.02);
  EXPECT_EQ(metrics.records_acknowledged, 5000u);
  // The server saw far fewer, larger records, each holding whole lines.
  std::size_t lines = 0;
  for (const auto& [data, count] : server.all_acknowledged()) {
    EXPECT_EQ(data.back(), '\n');
    lines += static_cast<std::size_t>(std::count(data.begin(), data.end(), '\n')) * count;
  }
  EXPECT_EQ(lines, 5000u);
  EXPECT_LT(server.all_acknowledged().size(), 100u);
}

TEST(Producer, NonBlockingPutReportsFullInsteadOfGrowing) {
  ScriptedFirehoseServer server;
  server.set_stall(true);
  auto options = fast_options();
  options.blocking = false;
  options.memory_budget_bytes = 64 * 1024;
  auto producer = Producer::create(server.client(), options);
  ASSERT_TRUE(producer.ok());
  int full = 0;
  for (int i = 0; i < 1000 && full == 0; ++i) {
    if ((*producer)->put(std::string(1000, 'x'), OutcomeCallback{}) == PutStatus::kFull) ++full;
  }
  EXPECT_EQ(full, 1);
  EXPECT_LE((*producer)->metrics().buffered_bytes, 64u * 1024u + 2000u);
  server.release();
  ASSERT_TRUE((*producer)->close(30s).ok());
}

// The budget is charged per Firehose record for what a record costs on its
// own (bookkeeping, its answer), so packed user records, which share one,
// must each cost little more than their bytes: far more of them fit in the
// same budget than unpacked ones.
TEST(Producer, PackedRecordsShareTheChargeOfTheirFirehoseRecord) {
  auto fill = [](std::size_t pack_target) {
    ScriptedFirehoseServer server;
    server.set_stall(true);
    auto options = fast_options();
    options.blocking = false;
    options.memory_budget_bytes = 512 * 1024;
    options.pack_target_bytes = pack_target;
    auto producer = Producer::create(server.client(), options);
    EXPECT_TRUE(producer.ok());
    int accepted = 0;
    while (accepted < 100000 &&
           (*producer)->put(std::string(99, 'x') + "\n", OutcomeCallback{}) == PutStatus::kAccepted) {
      ++accepted;
    }
    EXPECT_LE((*producer)->metrics().buffered_bytes, options.memory_budget_bytes);
    server.release();
    EXPECT_TRUE((*producer)->close(30s).ok());
    return accepted;
  };
  const int unpacked = fill(0);
  const int packed = fill(64 * 1024);
  EXPECT_GT(unpacked, 0);
  // 100-byte lines: each unpacked one also pays for a record and its answer.
  EXPECT_GT(packed, 3 * unpacked) << "unpacked " << unpacked << ", packed " << packed;
}

}  // namespace
}  // namespace firehose
