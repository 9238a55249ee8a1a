// Input framing (the line reader of send / put-record-batch): any bytes are
// cut into lines that, with the oversize ones, account for every input byte
// exactly once, each line ending in its one '\n'.
// Input: the line limit as its first byte (0: none), then the stream.
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_input.hpp"
#include "line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose;
  if (size == 0) return 0;
  cli::LineLimit limit;
  if (data[0] != 0) limit.max_bytes = data[0];
  std::string stream(fuzz::as_text(data + 1, size - 1));
  std::size_t oversize_bytes = 0;
  limit.on_oversize = [&](std::string_view prefix, std::size_t line_size) {
    if (line_size <= limit.max_bytes || prefix.size() > cli::LineLimit::kPrefixBytes) __builtin_trap();
    oversize_bytes += line_size;
  };
  std::string joined;
  std::FILE* file = ::fmemopen(stream.empty() ? nullptr : stream.data(), stream.size(), "r");
  if (file == nullptr) return 0;
  const bool read = cli::for_each_line_block(
      file, [] { return false; },
      [&](std::span<const std::string_view> lines) {
        for (std::string_view line : lines) {
          if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) __builtin_trap();
          if (line.size() > limit.max_bytes) __builtin_trap();
          joined.append(line);
        }
      },
      limit);
  std::fclose(file);
  if (!read) __builtin_trap();
  // Every byte is in a line or counted as oversize; a last line gets its '\n'.
  const std::size_t expected = stream.size() + (!stream.empty() && stream.back() != '\n' ? 1 : 0);
  if (joined.size() + oversize_bytes != expected) __builtin_trap();
  if (oversize_bytes == 0 && joined.compare(0, stream.size(), stream) != 0) __builtin_trap();
  return 0;
}
