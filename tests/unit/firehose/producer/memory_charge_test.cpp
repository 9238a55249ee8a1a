// The budget's split between records, spare records, idle request bodies and
// the packed record being filled.
#include "firehose/producer/memory_charge.hpp"

#include <gtest/gtest.h>

#include "firehose/limits.hpp"

namespace firehose::producer {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

ProducerOptions packing_options(std::size_t budget) {
  ProducerOptions options;
  options.memory_budget_bytes = budget;
  options.pack_target_bytes = limits::kMaxRecordBytes;  // what `send --pack` sets
  return options;
}

// A finished packed record of 100-byte lines, as the packer leaves it.
PendingRecord packed_record_of_small_lines() {
  PendingRecord record;
  record.data.reserve(limits::kMaxRecordBytes);
  record.users.reserve(limits::kMaxRecordBytes / 100);
  return record;
}

// With room for none, every packed record was a fresh mapping, faulted in
// and unmapped again: a third of --pack's CPU.
TEST(MemoryCharge, WithPackingTheCliBudgetKeepsSeveralFinishedPackedRecordsForReuse) {
  const auto options = packing_options(28 * kMiB);  // send's default
  const PendingRecord record = packed_record_of_small_lines();
  EXPECT_GE(spare_allowance(options), 3 * spare_bytes(record));
}

// With room for about one batch, finished records were freed while new ones
// were allocated, and the heap fragmented (peak RSS crept up over the run).
TEST(MemoryCharge, TheCliBudgetKeepsSeveralBatchesOfFinishedRecordsForReuse) {
  ProducerOptions options;
  options.memory_budget_bytes = 28 * kMiB;
  PendingRecord record;
  record.data.assign(1023, 'x');
  record.users.resize(1);
  EXPECT_GE(spare_allowance(options), 4 * 500 * spare_bytes(record));
}

TEST(MemoryCharge, TheAllowancesComeOutOfTheRecordsShareAndLeaveThemMostOfIt) {
  for (const std::size_t budget : {16 * kMiB, 28 * kMiB, 64 * kMiB, 1024 * kMiB}) {
    for (const std::size_t pack : {std::size_t{0}, limits::kMaxRecordBytes}) {
      ProducerOptions options = packing_options(budget);
      options.pack_target_bytes = pack;
      const std::size_t pack_room = std::min(pack, budget / 2);
      EXPECT_EQ(budget_for_records(options),
                budget - pack_room - spare_allowance(options) - body_buffer_allowance(options))
          << budget << " " << pack;
      EXPECT_GE(budget_for_records(options), budget * 2 / 5) << budget << " " << pack;
    }
  }
}

TEST(MemoryCharge, SmallBudgetsStillLeaveRoomForRecords) {
  for (const std::size_t budget : {1 * kMiB, 2 * kMiB, 8 * kMiB, 15 * kMiB}) {
    for (const std::size_t pack : {std::size_t{0}, limits::kMaxRecordBytes}) {
      ProducerOptions options = packing_options(budget);
      options.pack_target_bytes = pack;
      EXPECT_GE(budget_for_records(options), budget / 8) << budget << " " << pack;
      EXPECT_LE(spare_allowance(options), budget / 16) << budget << " " << pack;
    }
  }
}

}  // namespace
}  // namespace firehose::producer
