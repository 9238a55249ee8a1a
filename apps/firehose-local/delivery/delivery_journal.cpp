#include "delivery/delivery_journal.hpp"

#include <charconv>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "delivery/file_io.hpp"

namespace firehose::local {
namespace {

constexpr std::string_view kMagicLine = "firehose-local delivery journal 1";

// Paths are hex-encoded: an S3 prefix may hold any character, newlines included.
std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc() || ptr != hex.data() + i + 2) return std::nullopt;
    bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

std::string position_text(const SpoolPosition& p) {
  return fmt::format("{} {} {}", p.segment, p.frame_offset, p.record);
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start <= line.size()) {
    const std::size_t space = line.find(' ', start);
    const std::size_t end = space == std::string_view::npos ? line.size() : space;
    words.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::optional<SpoolPosition> parse_position(const std::vector<std::string_view>& words) {
  SpoolPosition p;
  if (words.size() != 4 || !parse_number(words[1], p.segment) || !parse_number(words[2], p.frame_offset) ||
      !parse_number(words[3], p.record)) {
    return std::nullopt;
  }
  return p;
}

}  // namespace

std::string encode_journal(const JournalState& state) {
  std::string text = fmt::format("{}\ndelivered {}\n", kMagicLine, position_text(state.delivered));
  if (state.object) text += fmt::format("object {}\n", to_hex(*state.object));
  if (state.object_end) text += fmt::format("object_end {}\n", position_text(*state.object_end));
  return text;
}

std::optional<JournalState> decode_journal(std::string_view text) {
  JournalState state;
  bool saw_magic = false, saw_delivered = false;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;  // a cut-short file
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (!saw_magic) {
      if (line != kMagicLine) return std::nullopt;
      saw_magic = true;
      continue;
    }
    const auto words = split_words(line);
    if (words[0] == "delivered") {
      auto p = parse_position(words);
      if (!p) return std::nullopt;
      state.delivered = *p;
      saw_delivered = true;
    } else if (words[0] == "object" && words.size() == 2) {
      state.object = from_hex(words[1]);
      if (!state.object) return std::nullopt;
    } else if (words[0] == "object_end") {
      state.object_end = parse_position(words);
      if (!state.object_end) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (!saw_magic || !saw_delivered) return std::nullopt;
  return state;
}

Result<JournalState> read_journal(const std::filesystem::path& file) {
  auto content = read_file_content(file);
  if (!content) {
    if (content.error().code == "NotFound") return JournalState{};
    return content.error();
  }
  auto state = decode_journal(*content);
  if (!state) {
    return make_error(ErrorKind::Transient, "InternalFailure",
                      fmt::format("delivery journal {} is damaged", file.string()));
  }
  return *state;
}

Status write_journal(const std::filesystem::path& file, const JournalState& state, bool durable) {
  return replace_file(file, encode_journal(state), durable);
}

}  // namespace firehose::local
