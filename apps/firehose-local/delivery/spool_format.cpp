#include "delivery/spool_format.hpp"

#include <zlib.h>

#include <cstring>
#include <limits>

namespace firehose::local {
namespace {

constexpr std::uint32_t kMagic = 0x31534846;  // "FHS1" in little-endian byte order

void put_u32(char* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}
void put_u64(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}
std::uint32_t get_u32(const char* in) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}
std::uint64_t get_u64(const char* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}

}  // namespace

std::uint32_t crc32_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<z_size_t>(bytes.size())));
}

bool encode_frame(const std::vector<std::string_view>& records, std::string& frame) {
  if (records.size() > std::numeric_limits<std::uint32_t>::max()) return false;
  std::size_t payload_size = 0;
  for (const auto record : records) {
    if (record.size() > std::numeric_limits<std::uint32_t>::max()) return false;
    payload_size += kRecordLengthSize + record.size();
  }
  frame.resize(kFrameHeaderSize + payload_size);
  char* out = frame.data() + kFrameHeaderSize;
  for (const auto record : records) {
    put_u32(out, static_cast<std::uint32_t>(record.size()));
    out += kRecordLengthSize;
    if (!record.empty()) std::memcpy(out, record.data(), record.size());
    out += record.size();
  }
  char* header = frame.data();
  put_u32(header, kMagic);
  put_u32(header + 4, static_cast<std::uint32_t>(records.size()));
  put_u64(header + 8, payload_size);
  put_u64(header + 16, 0);
  put_u32(header + 24, crc32_of(std::string_view(frame).substr(kFrameHeaderSize)));
  put_u32(header + 28, 0);
  return true;
}

void seal_frame(std::string& frame, std::int64_t arrival_ms) {
  char* header = frame.data();
  put_u64(header + 16, static_cast<std::uint64_t>(arrival_ms));
  put_u32(header + 28, crc32_of(std::string_view(header, 28)));
}

std::optional<FrameHeader> decode_frame_header(std::string_view bytes) {
  if (bytes.size() < kFrameHeaderSize) return std::nullopt;
  const char* header = bytes.data();
  if (get_u32(header) != kMagic) return std::nullopt;
  if (get_u32(header + 28) != crc32_of(bytes.substr(0, 28))) return std::nullopt;
  FrameHeader decoded;
  decoded.record_count = get_u32(header + 4);
  decoded.payload_size = get_u64(header + 8);
  decoded.arrival_ms = static_cast<std::int64_t>(get_u64(header + 16));
  decoded.payload_crc = get_u32(header + 24);
  if (decoded.payload_size / kRecordLengthSize < decoded.record_count) return std::nullopt;
  return decoded;
}

bool payload_is_valid(const FrameHeader& header, std::string_view payload) {
  if (payload.size() != header.payload_size) return false;
  if (crc32_of(payload) != header.payload_crc) return false;
  std::size_t offset = 0;
  for (std::uint32_t i = 0; i < header.record_count; ++i) {
    if (payload.size() - offset < kRecordLengthSize) return false;
    const std::size_t length = get_u32(payload.data() + offset);
    offset += kRecordLengthSize;
    if (payload.size() - offset < length) return false;
    offset += length;
  }
  return offset == payload.size();
}

std::string_view next_record(std::string_view payload, std::size_t& offset) {
  const std::size_t length = get_u32(payload.data() + offset);
  const std::string_view record = payload.substr(offset + kRecordLengthSize, length);
  offset += kRecordLengthSize + length;
  return record;
}

}  // namespace firehose::local
