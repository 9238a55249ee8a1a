#include "firehose/producer/outcome_resolver.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

class DeadLetterFile {
 public:
  DeadLetterFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "firehose-outcomes-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) ::close(fd);
    path_ = pattern;
    std::filesystem::remove(path_);
  }
  ~DeadLetterFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }
  std::vector<DeadLetterEntry> entries() const {
    auto read = read_dead_letters(path_);
    EXPECT_TRUE(read.ok());
    return read.ok() ? *read : std::vector<DeadLetterEntry>{};
  }

 private:
  std::string path_;
};

OutcomeResolver resolver_with(const DeadLetterFile& file) {
  auto writer = DeadLetterWriter::open(file.path());
  EXPECT_TRUE(writer.ok());
  return OutcomeResolver("s", std::move(writer).value());
}

PendingRecord record_of(std::vector<std::pair<std::string, OutcomeCallback>> users) {
  PendingRecord record;
  for (auto& [data, callback] : users) {
    UserRecord user;
    user.offset = record.data.size();
    user.size = data.size();
    user.charge = 100;
    user.callback = std::move(callback);
    user.put_time = std::chrono::steady_clock::now();
    record.data += data;
    record.users.push_back(std::move(user));
  }
  return record;
}

TEST(OutcomeResolver, AFailedRecordIsDeadLetteredOncePerUserRecordWithItsOwnBytes) {
  DeadLetterFile file;
  OutcomeResolver outcomes = resolver_with(file);
  std::vector<RecordOutcome> seen;
  auto keep = [&](const RecordOutcome& o) { seen.push_back(o); };
  PendingRecord packed = record_of({{"a\n", keep}, {"bc\n", keep}});
  packed.attempts = 3;
  packed.possible_duplicate = true;
  packed.last_error = make_error(ErrorKind::Throttle, "ServiceUnavailableException", "Slow down.");
  outcomes.expect(2, 0);
  EXPECT_EQ(outcomes.fail(packed), 200u);  // both users' charges
  EXPECT_EQ(outcomes.unresolved(), 0u);
  EXPECT_EQ(outcomes.failed(), 2u);
  EXPECT_EQ(outcomes.dead_lettered(), 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].dead_lettered);
  EXPECT_EQ(seen[1].error_code, "ServiceUnavailableException");
  EXPECT_TRUE(seen[1].possible_duplicate);
  const auto entries = file.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].data, "a\n");
  EXPECT_EQ(entries[1].data, "bc\n");
  EXPECT_EQ(entries[1].attempts, 3);
  EXPECT_TRUE(entries[1].possible_duplicate);
}

TEST(OutcomeResolver, ARefusedRecordIsDeadLetteredWithItsPrefixSizeAndSource) {
  DeadLetterFile file;
  OutcomeResolver outcomes = resolver_with(file);
  outcomes.refuse(RefusedRecord{"xyz", 2'000'000, true, "RecordTooLarge", "too large", "in.ndjson:7"}, {});
  EXPECT_EQ(outcomes.rejected(), 1u);
  EXPECT_EQ(outcomes.dead_lettered(), 1u);
  EXPECT_EQ(outcomes.unresolved(), 0u);  // never expected: refused before the pipeline
  const auto entries = file.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].truncated);
  EXPECT_EQ(entries[0].data, "xyz");
  EXPECT_EQ(entries[0].size, 2'000'000u);
  EXPECT_EQ(entries[0].source, "in.ndjson:7");
  EXPECT_EQ(entries[0].error_code, "RecordTooLarge");
}

TEST(OutcomeResolver, AcknowledgementsCountOncePerAnswerAndResolveWaiters) {
  OutcomeResolver outcomes("s", nullptr);
  int called = 0;
  PendingRecord record = record_of({{"hello\n", [&](const RecordOutcome& o) {
                                       ++called;
                                       EXPECT_TRUE(o.acknowledged);
                                       EXPECT_EQ(o.record_id, "id-1");
                                     }}});
  outcomes.expect(1, 0);
  EXPECT_FALSE(outcomes.wait_resolved(std::chrono::steady_clock::now()));
  OutcomeResolver::AckTally tally;
  outcomes.acknowledge(record, "id-1", std::chrono::steady_clock::now(), tally);
  EXPECT_EQ(outcomes.acknowledged(), 0u);  // counted at settle(), once per answer
  outcomes.settle(tally);
  EXPECT_EQ(called, 1);
  EXPECT_EQ(outcomes.acknowledged(), 1u);
  EXPECT_EQ(outcomes.bytes_acknowledged(), 6u);
  EXPECT_EQ(outcomes.billed_bytes(), 5120u);  // rounded up to 5 KB
  EXPECT_EQ(tally.charge, 100u);
  EXPECT_TRUE(outcomes.wait_resolved(std::chrono::steady_clock::now()));
}

TEST(OutcomeResolver, AThrowingCallbackDoesNotStopResolution) {
  OutcomeResolver outcomes("s", nullptr);
  PendingRecord record = record_of(
      {{"a", [](const RecordOutcome&) { throw std::runtime_error("boom"); }}, {"b", [](const RecordOutcome&) {}}});
  record.last_error = make_error(ErrorKind::Client, "Shutdown", "closed");
  outcomes.expect(2, 0);
  outcomes.fail(record);
  EXPECT_EQ(outcomes.failed(), 2u);
  EXPECT_EQ(outcomes.unresolved(), 0u);
  EXPECT_EQ(outcomes.dead_lettered(), 0u);  // no file: counted as failed only
}

TEST(OutcomeResolver, AnUnwritableDeadLetterFileLeavesTheRecordFailedButNotDeadLettered) {
  auto writer = DeadLetterWriter::open("/dev/full");
  if (!writer.ok()) GTEST_SKIP() << "no /dev/full here";
  OutcomeResolver outcomes("s", std::move(writer).value());
  bool dead_lettered = true;
  PendingRecord record = record_of({{"a", [&](const RecordOutcome& o) { dead_lettered = o.dead_lettered; }}});
  record.last_error = make_error(ErrorKind::Client, "Shutdown", "closed");
  outcomes.expect(1, 0);
  outcomes.fail(record);
  EXPECT_FALSE(dead_lettered);
  EXPECT_EQ(outcomes.failed(), 1u);
  EXPECT_EQ(outcomes.dead_lettered(), 0u);
}

// flush()'s epochs: it waits for the records accepted before it, whatever
// is accepted after, and a slot is reused only once its epoch drained.
TEST(OutcomeResolver, AnEpochIsResolvedOnceItsOwnRecordsAreWhateverCameLater) {
  OutcomeResolver outcomes("s", nullptr);
  const auto before_slot = outcomes.epoch_slot();
  PendingRecord before = record_of({{"a", {}}});
  before.users[0].epoch_slot = before_slot;
  outcomes.expect(1, before_slot);
  const auto flushed_epoch = outcomes.end_epoch();
  const auto after_slot = outcomes.epoch_slot();
  EXPECT_NE(after_slot, before_slot);
  PendingRecord after = record_of({{"b", {}}});
  after.users[0].epoch_slot = after_slot;
  outcomes.expect(1, after_slot);
  EXPECT_EQ(outcomes.unresolved_through(flushed_epoch), 1u);
  (void)outcomes.fail(before);
  EXPECT_EQ(outcomes.unresolved_through(flushed_epoch), 0u);
  EXPECT_EQ(outcomes.unresolved(), 1u);  // the later record is still out
  EXPECT_TRUE(outcomes.wait_epochs_resolved(flushed_epoch, std::chrono::steady_clock::now()));
  EXPECT_FALSE(outcomes.wait_resolved(std::chrono::steady_clock::now()));
  (void)outcomes.fail(after);
}

TEST(OutcomeResolver, AnEpochSlotStillHoldingRecordsIsNotReusedAndFlushWaitsForTheCurrentEpochToo) {
  OutcomeResolver outcomes("s", nullptr);
  PendingRecord stuck = record_of({{"a", {}}});
  stuck.users[0].epoch_slot = outcomes.epoch_slot();
  outcomes.expect(1, stuck.users[0].epoch_slot);
  for (std::size_t i = 0; i + 1 < OutcomeResolver::kEpochSlots; ++i) (void)outcomes.end_epoch();
  // Epoch 0's slot is the next one: the epoch cannot end.
  const auto epoch = outcomes.end_epoch();
  EXPECT_EQ(outcomes.epoch_slot(), epoch % OutcomeResolver::kEpochSlots);
  EXPECT_EQ(outcomes.unresolved_through(epoch), 1u);
  (void)outcomes.fail(stuck);
  EXPECT_EQ(outcomes.unresolved_through(epoch), 0u);
  (void)outcomes.end_epoch();
  EXPECT_EQ(outcomes.epoch_slot(), (epoch + 1) % OutcomeResolver::kEpochSlots);
}

}  // namespace
}  // namespace firehose::producer
