// The spool's file format, reader positions, crash-cut frames, and the
// delivery journal's encoding.
#include <gtest/gtest.h>

#include "delivery/delivery_journal.hpp"
#include "delivery/spool.hpp"
#include "delivery/spool_format.hpp"
#include "delivery/spool_reader.hpp"
#include "delivery_test_support.hpp"

namespace firehose::local {
namespace {

using testing::at_unix_seconds;
using testing::TempDir;

std::vector<std::string> read_everything(SpoolReader& reader) {
  std::vector<std::string> records;
  for (;;) {
    auto record = reader.next();
    EXPECT_TRUE(record.ok());
    if (!record.ok() || !*record) break;
    records.emplace_back((*record)->data);
  }
  return records;
}

std::vector<SegmentExtent> segments_in(const std::filesystem::path& directory) {
  std::vector<SegmentExtent> segments;
  for (const auto& file : testing::files_under(directory)) {
    if (auto sequence = parse_segment_file_name(file.filename().string())) {
      segments.push_back({*sequence, std::filesystem::file_size(file)});
    }
  }
  return segments;
}

TEST(DeliverySpoolFormat, FrameRoundTripsBinaryAndEmptyRecords) {
  const std::vector<std::string> records = {std::string("\0\x01\xff", 3), "", "hello", std::string(70000, 'x')};
  std::string frame;
  ASSERT_TRUE(encode_frame(testing::views(records), frame));
  seal_frame(frame, 1234567);
  // 4 length prefixes plus the bytes.
  EXPECT_EQ(frame.size(), kFrameHeaderSize + 4 * 4 + 3 + 0 + 5 + 70000);
  auto header = decode_frame_header(frame);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->record_count, 4u);
  EXPECT_EQ(header->arrival_ms, 1234567);
  const std::string_view payload = std::string_view(frame).substr(kFrameHeaderSize);
  ASSERT_TRUE(payload_is_valid(*header, payload));
  std::size_t offset = 0;
  for (const auto& expected : records) EXPECT_EQ(next_record(payload, offset), expected);
  EXPECT_EQ(offset, payload.size());
}

TEST(DeliverySpoolFormat, DetectsDamage) {
  std::string frame;
  ASSERT_TRUE(encode_frame(testing::views({"abc", "def"}), frame));
  seal_frame(frame, 42);
  std::string bad_header = frame;
  bad_header[5] ^= 1;  // record count
  EXPECT_FALSE(decode_frame_header(bad_header).has_value());
  auto header = decode_frame_header(frame);
  ASSERT_TRUE(header.has_value());
  std::string bad_payload = frame.substr(kFrameHeaderSize);
  bad_payload.back() ^= 1;
  EXPECT_FALSE(payload_is_valid(*header, bad_payload));
  EXPECT_FALSE(payload_is_valid(*header, std::string_view(frame).substr(kFrameHeaderSize, 5)));
  EXPECT_FALSE(decode_frame_header(std::string_view(frame).substr(0, 10)).has_value());
}

TEST(DeliverySpoolFormat, SegmentFileNames) {
  EXPECT_EQ(segment_file_name(7), "00000000000000000007.seg");
  EXPECT_EQ(parse_segment_file_name("00000000000000000007.seg"), std::optional<std::uint64_t>(7));
  EXPECT_FALSE(parse_segment_file_name("journal").has_value());
  EXPECT_FALSE(parse_segment_file_name("0000000000000000007.seg").has_value());
  EXPECT_FALSE(parse_segment_file_name("0000000000000000000x.seg").has_value());
}

TEST(DeliverySpool, AppendedRecordsReadBackInOrderAcrossSegments) {
  TempDir dir;
  auto spool = StreamSpool::open(dir.path() / "s", SpoolPosition{}, SpoolOptions{});
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->append(testing::views({"a", "", "bc"}), at_unix_seconds(100)).ok());
  const auto first = (*spool)->close_current();
  ASSERT_TRUE((*spool)->append(testing::views({"d"}), at_unix_seconds(50)).ok());  // clock went back
  const auto both = (*spool)->close_current();
  EXPECT_EQ(first.segments.size(), 1u);
  ASSERT_EQ(both.segments.size(), 2u);
  EXPECT_EQ(both.totals.records, 4u);
  EXPECT_EQ(both.totals.bytes, 4u);
  EXPECT_EQ(both.totals.oldest, at_unix_seconds(100));

  SpoolReader reader(dir.path() / "s", both.segments, SpoolPosition{});
  std::vector<std::string> records;
  std::vector<std::chrono::system_clock::time_point> arrivals;
  for (;;) {
    auto record = reader.next();
    ASSERT_TRUE(record.ok());
    if (!*record) break;
    records.emplace_back((*record)->data);
    arrivals.push_back((*record)->arrival);
  }
  EXPECT_EQ(records, (std::vector<std::string>{"a", "", "bc", "d"}));
  // Arrival never goes backwards within a stream.
  EXPECT_EQ(arrivals.back(), at_unix_seconds(100));
}

TEST(DeliverySpool, ReaderResumesFromAPositionInsideAFrame) {
  TempDir dir;
  auto spool = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->append(testing::views({"r1", "r2", "r3"}), at_unix_seconds(1)).ok());
  ASSERT_TRUE((*spool)->append(testing::views({"r4"}), at_unix_seconds(2)).ok());
  const auto snapshot = (*spool)->close_current();

  SpoolReader first(dir.path(), snapshot.segments, SpoolPosition{});
  ASSERT_TRUE(first.next().ok());
  ASSERT_TRUE(first.next().ok());
  const SpoolPosition middle = first.position();
  EXPECT_EQ(middle.record, 2u);
  SpoolReader resumed(dir.path(), snapshot.segments, middle);
  EXPECT_EQ(read_everything(resumed), (std::vector<std::string>{"r3", "r4"}));
  // At the end, the position says the whole segment is consumed.
  EXPECT_EQ(resumed.position().frame_offset, snapshot.segments[0].size);
}

TEST(DeliverySpool, MarkDeliveredDeletesFinishedSegmentsOnly) {
  TempDir dir;
  auto spool = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->append(testing::views({"aa", "bb"}), at_unix_seconds(1)).ok());
  (*spool)->close_current();
  ASSERT_TRUE((*spool)->append(testing::views({"cc"}), at_unix_seconds(2)).ok());
  const auto snapshot = (*spool)->close_current();
  ASSERT_EQ(segments_in(dir.path()).size(), 2u);

  SpoolReader reader(dir.path(), snapshot.segments, SpoolPosition{});
  ASSERT_TRUE(reader.next().ok());
  (*spool)->mark_delivered(1, 2, reader.position(), at_unix_seconds(1));
  EXPECT_EQ(segments_in(dir.path()).size(), 2u);  // "bb" is still undelivered
  ASSERT_TRUE(reader.next().ok());
  ASSERT_TRUE(reader.next().ok());
  (*spool)->mark_delivered(2, 4, reader.position(), std::nullopt);
  EXPECT_TRUE(segments_in(dir.path()).empty());
  EXPECT_EQ((*spool)->totals().records, 0u);
  EXPECT_FALSE((*spool)->totals().oldest.has_value());
}

TEST(DeliverySpool, ReopeningDropsAFrameCutShortAndCountsTheRest) {
  TempDir dir;
  {
    auto spool = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->append(testing::views({"one", "two"}), at_unix_seconds(10)).ok());
    ASSERT_TRUE((*spool)->append(testing::views({"three"}), at_unix_seconds(11)).ok());
  }
  auto segments = segments_in(dir.path());
  ASSERT_EQ(segments.size(), 1u);
  const auto segment_path = dir.path() / segment_file_name(segments[0].sequence);
  const auto intact_size = std::filesystem::file_size(segment_path);
  // What a kill in the middle of write(2) leaves: the start of a frame.
  std::string frame;
  ASSERT_TRUE(encode_frame(testing::views({"never acknowledged"}), frame));
  seal_frame(frame, 12000);
  testing::write_all_to(segment_path, frame.substr(0, frame.size() - 3), /*append=*/true);

  auto reopened = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(std::filesystem::file_size(segment_path), intact_size);
  EXPECT_EQ((*reopened)->totals().records, 3u);
  EXPECT_EQ((*reopened)->totals().bytes, 11u);
  EXPECT_EQ((*reopened)->totals().oldest, at_unix_seconds(10));
  // New records go to a new segment, after the recovered ones.
  ASSERT_TRUE((*reopened)->append(testing::views({"four"}), at_unix_seconds(1)).ok());
  const auto snapshot = (*reopened)->close_current();
  ASSERT_EQ(snapshot.segments.size(), 2u);
  SpoolReader reader(dir.path(), snapshot.segments, SpoolPosition{});
  EXPECT_EQ(read_everything(reader), (std::vector<std::string>{"one", "two", "three", "four"}));
}

TEST(DeliverySpool, ReopeningSkipsWhatTheJournalSaysIsDelivered) {
  TempDir dir;
  SpoolPosition after_first;
  {
    auto spool = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->append(testing::views({"one", "two"}), at_unix_seconds(10)).ok());
    ASSERT_TRUE((*spool)->append(testing::views({"three"}), at_unix_seconds(20)).ok());
    const auto snapshot = (*spool)->close_current();
    SpoolReader reader(dir.path(), snapshot.segments, SpoolPosition{});
    ASSERT_TRUE(reader.next().ok());
    after_first = reader.position();
  }
  auto reopened = StreamSpool::open(dir.path(), after_first, SpoolOptions{});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->totals().records, 2u);
  EXPECT_EQ((*reopened)->totals().bytes, 8u);
  const auto snapshot = (*reopened)->close_current();
  SpoolReader reader(dir.path(), snapshot.segments, after_first);
  EXPECT_EQ(read_everything(reader), (std::vector<std::string>{"two", "three"}));
}

TEST(DeliverySpool, AppendAfterCloseForAppendsFails) {
  TempDir dir;
  auto spool = StreamSpool::open(dir.path(), SpoolPosition{}, SpoolOptions{});
  ASSERT_TRUE(spool.ok());
  (*spool)->close_for_appends();
  auto appended = (*spool)->append(testing::views({"x"}), at_unix_seconds(1));
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, "InternalFailure");
}

TEST(DeliveryJournal, RoundTripsIncludingOddPaths) {
  JournalState state;
  state.delivered = SpoolPosition{3, 4096, 7};
  state.object = std::string("bucket/we ird\nprefix/\xff/name");
  state.object_end = SpoolPosition{4, 12, 0};
  const auto decoded = decode_journal(encode_journal(state));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, state);

  JournalState plain;
  plain.delivered = SpoolPosition{1, 2, 3};
  ASSERT_TRUE(decode_journal(encode_journal(plain)).has_value());
  EXPECT_EQ(*decode_journal(encode_journal(plain)), plain);
}

TEST(DeliveryJournal, RejectsDamagedText) {
  EXPECT_FALSE(decode_journal("").has_value());
  EXPECT_FALSE(decode_journal("firehose-local delivery journal 1\n").has_value());  // no position
  EXPECT_FALSE(decode_journal("firehose-local delivery journal 1\ndelivered 1 2\n").has_value());
  EXPECT_FALSE(decode_journal("firehose-local delivery journal 1\ndelivered 1 2 3").has_value());  // cut short
  EXPECT_FALSE(decode_journal("something else\ndelivered 1 2 3\n").has_value());
}

TEST(DeliveryJournal, MissingFileIsTheInitialState) {
  TempDir dir;
  auto state = read_journal(dir.path() / "journal");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, JournalState{});
  JournalState written;
  written.delivered = SpoolPosition{9, 8, 7};
  ASSERT_TRUE(write_journal(dir.path() / "journal", written, false).ok());
  auto reread = read_journal(dir.path() / "journal");
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(*reread, written);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "journal.tmp"));
}

}  // namespace
}  // namespace firehose::local
