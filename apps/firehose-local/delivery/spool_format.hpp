#pragma once
// The on-disk layout of spool segment files. A segment is a sequence of
// frames; one frame holds the records of one accept() call:
//
//   header (32 bytes, little-endian):
//     u32 magic "FHS1" | u32 record count | u64 payload length |
//     i64 arrival time (ms since the Unix epoch) | u32 CRC-32 of the payload |
//     u32 CRC-32 of the 28 header bytes before it
//   payload: for each record, u32 length then the bytes.
//
// Lengths keep record boundaries (DeliveryToS3.Records counts records, and
// objects are split between records); the arrival time survives a restart so
// that recovered records keep their buffering deadline and object names; the
// CRCs let recovery tell a complete frame from one cut short by a kill.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace firehose::local {

inline constexpr std::size_t kFrameHeaderSize = 32;
// A frame's payload holds one u32 length per record.
inline constexpr std::size_t kRecordLengthSize = 4;

struct FrameHeader {
  std::uint32_t record_count = 0;
  std::uint64_t payload_size = 0;
  std::int64_t arrival_ms = 0;
  std::uint32_t payload_crc = 0;
};

// Writes a frame for `records` into `frame` (replacing its content), with the
// arrival time left for seal_frame(). False when a record is too large for
// the format (over 4 GiB), or there are more than 2^32-1 records.
bool encode_frame(const std::vector<std::string_view>& records, std::string& frame);
// Sets the arrival time and the header CRC. Cheap: lets the caller take the
// time under its lock, after the expensive encoding was done outside it.
void seal_frame(std::string& frame, std::int64_t arrival_ms);

// The header at the start of `bytes` (kFrameHeaderSize of them), or nullopt
// when it is not a valid header (magic or header CRC wrong).
std::optional<FrameHeader> decode_frame_header(std::string_view bytes);
// True when the payload matches the header's CRC and its record lengths add
// up to exactly the payload.
bool payload_is_valid(const FrameHeader& header, std::string_view payload);

// The record starting at `offset` of a valid payload; moves `offset` past it.
std::string_view next_record(std::string_view payload, std::size_t& offset);

std::uint32_t crc32_of(std::string_view bytes);

}  // namespace firehose::local
